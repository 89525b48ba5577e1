"""``retire_old_keys``: delete the old keys a rotation kept for a grace period, once it has ended.

What to do with each key is :func:`aiodd.rotation._resume.decide_retirement`'s call; this module
lists the accounts the journal names and carries the decisions out. It is as crash-safe as the
rotation: the journal is locked, a deletion is recorded once done, and a re-run picks up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from datetime import UTC, datetime

import attrs

from .._client import Client
from .._exceptions import APIError, Error, InvalidArgumentError, NotFoundError
from ..models.service_accounts import PartialApplicationKey
from ._errors import StorageError
from ._journal import Journal, KeyProgress, Step
from ._report import KeyOutcome, Outcome, RotationReport
from ._resume import Retirement, decide_retirement

__all__ = ["retire_old_keys"]

_KEPT_BECAUSE = {
    Retirement.IN_USE: "used after its replacement was delivered: a consumer has not switched yet",
    Retirement.NO_REPLACEMENT: "its delivered replacement no longer exists; kept so its consumers keep working",
}


async def retire_old_keys(
    dd: Client,
    journal: str | os.PathLike[str] | Journal,
    *,
    force: bool = False,
    require_unused_since_delivery: bool = False,
    concurrency: int = 8,
    now: datetime | None = None,
) -> RotationReport:
    """Delete each old key the journal kept for a grace period whose ``revoke_after`` has passed.

    ``force`` deletes them whatever their grace period. ``require_unused_since_delivery`` keeps
    (outcome ``KEPT``) an old key whose ``last_used_at`` is later than its replacement's
    delivery, so a consumer that has not switched is not cut off. An old key whose replacement
    has vanished is always kept. Keys still in their grace period are reported ``WAITING``.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidArgumentError(f"concurrency must be a positive integer, got {concurrency!r}")
    if now is not None and (not isinstance(now, datetime) or now.tzinfo is None):
        raise InvalidArgumentError("now must be a timezone-aware datetime")
    store = journal if isinstance(journal, Journal) else Journal(journal)
    try:
        return await _Retirement(dd, store, concurrency, force, require_unused_since_delivery, now).run()
    finally:
        if store is not journal:
            store.close()


class _Retirement:
    def __init__(
        self, dd: Client, journal: Journal, concurrency: int, force: bool, require_unused: bool, now: datetime | None
    ) -> None:
        self.keys = dd.service_accounts.application_keys
        self.journal = journal
        self.limit = asyncio.Semaphore(concurrency)
        self.force = force
        self.require_unused = require_unused
        self.now = now or datetime.now(UTC)
        self.report = RotationReport()

    async def run(self) -> RotationReport:
        accounts = sorted({p.service_account_id for p in self.journal.all() if p.step == Step.GRACE})
        await asyncio.gather(*(self._account(sa) for sa in accounts))
        return self.report

    async def _account(self, sa: str) -> None:
        try:
            async with self.limit:
                listed = {key.id: key for key in await self.keys.list(sa).to_list() if key.id}
        except APIError as exc:
            self.report.account_errors[sa] = str(exc)
            return
        waiting = [p for p in self.journal.for_account(sa) if p.step == Step.GRACE]
        await asyncio.gather(*(self._key(sa, p, listed) for p in waiting))

    async def _key(self, sa: str, progress: KeyProgress, listed: dict[str, PartialApplicationKey]) -> None:
        old = listed.get(progress.old_key_id)
        old_attributes = old.attributes if old else None
        decision = decide_retirement(
            progress,
            old_listed=old is not None,
            old_last_used_at=old_attributes.last_used_at if old_attributes else None,
            replacement_listed=progress.new_key_id in listed,
            now=self.now,
            force=self.force,
            require_unused=self.require_unused,
        )
        name = old_attributes.name if old_attributes else None
        outcome = KeyOutcome(
            sa, progress.old_key_id, name, Outcome.WAITING, progress.new_key_id, progress.new_name,
            revoke_after=progress.revoke_after,
        )  # fmt: skip
        if decision in _KEPT_BECAUSE:
            self.report.keys.append(attrs.evolve(outcome, outcome=Outcome.KEPT, reason=_KEPT_BECAUSE[decision]))
            return
        if decision is Retirement.WAIT:
            self.report.keys.append(outcome)
            return
        try:
            async with self.limit:
                if decision is Retirement.RETIRE:
                    with contextlib.suppress(NotFoundError):
                        await self.keys.delete(sa, progress.old_key_id)
                await self.journal.record(sa, progress.old_key_id, Step.DONE)
        except Error as exc:
            failed = attrs.evolve(outcome, outcome=Outcome.FAILED, error=f"{type(exc).__name__}: {exc}")
            self.report.keys.append(failed)
            if isinstance(exc, StorageError) and self.report.stopped is None:
                self.report.stopped = str(exc)
            return
        reason = "deleted" if decision is Retirement.RETIRE else "already gone"
        self.report.keys.append(attrs.evolve(outcome, outcome=Outcome.RETIRED, reason=reason))
