"""``rotate_application_keys``: replace many service accounts' keys without losing a secret.

For each selected key: journal the replacement's unique marker, create the replacement (same
scopes), hand its secret to the sink and wait, move the Actions registration if the old key had
one, and only then delete the old key. A failed sink deletes the replacement and keeps the old
key. A failed step is reported and the run moves on. Re-running with the same journal resumes:
finished keys are skipped, a replacement whose secret was never delivered is deleted and made
afresh (its secret existed only in the lost create answer), and a delivered one is finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Awaitable, Callable, Iterable

import attrs

from .._client import Client
from .._exceptions import APIError, Error, InvalidArgumentError, NotFoundError
from ..models.service_accounts import PartialApplicationKey
from ._journal import Journal, KeyProgress, Step
from ._naming import marker_of, replacement_name
from ._report import KeyOutcome, NewKeySecret, Outcome, RotationReport
from ._select import KeySelector

__all__ = ["RotationProgress", "Sink", "rotate_application_keys"]

Sink = Callable[[NewKeySecret], Awaitable[object]]


@attrs.define
class RotationProgress:
    """Live counters, passed to ``on_progress`` after every change."""

    accounts_total: int = 0
    accounts_listed: int = 0
    keys_planned: int = 0
    keys_finished: int = 0
    keys_failed: int = 0


class _Rotation:
    def __init__(
        self,
        dd: Client,
        sink: Sink,
        journal: Journal,
        concurrency: int,
        select: KeySelector | None,
        register_for_actions: bool | None,
        dry_run: bool,
        on_progress: Callable[[RotationProgress], object] | None,
    ) -> None:
        self.dd = dd
        self.keys = dd.service_accounts.application_keys
        self.sink = sink
        self.journal = journal
        self.limit = asyncio.Semaphore(concurrency)
        self.select = select
        self.register_for_actions = register_for_actions
        self.dry_run = dry_run
        self.on_progress = on_progress
        self.progress = RotationProgress()
        self.report = RotationReport()
        self.registered: set[str] = set()

    def _changed(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress)

    def _finish(self, outcome: KeyOutcome) -> None:
        self.report.keys.append(outcome)
        self.progress.keys_finished += 1
        if outcome.outcome == Outcome.FAILED:
            self.progress.keys_failed += 1
        self._changed()

    async def run(self, service_account_ids: list[str]) -> RotationReport:
        self.progress.accounts_total = len(service_account_ids)
        self._changed()
        if self.register_for_actions is None and not self.dry_run:
            try:
                self.registered = {r.id async for r in self.dd.app_key_registrations.list() if r.id}
            except APIError as exc:  # before any change: stop, and say how to go on without the check
                raise Error(
                    f"could not list App Key Registrations to keep each key's registration ({exc}); "
                    "pass register_for_actions=True or False to rotate without checking"
                ) from exc
        await asyncio.gather(*(self._account(sa) for sa in service_account_ids))
        return self.report

    async def _account(self, sa: str) -> None:
        try:
            async with self.limit:
                keys = await self.keys.list(sa).to_list()
        except APIError as exc:
            self.report.account_errors[sa] = str(exc)
            self.progress.accounts_listed += 1
            self._changed()
            return
        listed = {k.id for k in keys if k.id}
        markers = self.journal.markers()
        replacements = self.journal.replacement_ids()
        chosen = [
            k
            for k in keys
            if k.id
            and k.id not in replacements
            and marker_of(k.attributes.name if k.attributes else None) not in markers
            and (self.select is None or self.select(k))
        ]
        # Keys an earlier run of this journal took on whose old key is gone: finish or report them.
        orphans = [
            p
            for p in self.journal.for_account(sa)
            if p.old_key_id not in listed and p.step not in (Step.ROLLED_BACK, Step.FAILED)
        ]
        self.progress.accounts_listed += 1
        self.progress.keys_planned += len(chosen) + len(orphans)
        self._changed()
        await asyncio.gather(
            *(self._key(sa, k.id, k) for k in chosen if k.id), *(self._key(sa, p.old_key_id, None) for p in orphans)
        )

    async def _key(self, sa: str, old_id: str, old: PartialApplicationKey | None) -> None:
        old_name = old.attributes.name if old and old.attributes else None
        progress = self.journal.get(sa, old_id)
        if progress is not None and progress.step == Step.DONE:
            self._finish(KeyOutcome(sa, old_id, old_name, Outcome.ALREADY_DONE, progress.new_key_id, progress.new_name))
            return
        if self.dry_run:
            self._finish(KeyOutcome(sa, old_id, old_name, Outcome.DRY_RUN))
            return
        async with self.limit:
            try:
                outcome = await self._rotate(sa, old_id, old, progress)
            except Error as exc:  # recorded and reported; the journal keeps the step for a resume
                outcome = KeyOutcome(sa, old_id, old_name, Outcome.FAILED, error=f"{type(exc).__name__}: {exc}")
        self._finish(outcome)

    async def _rotate(
        self, sa: str, old_id: str, old: PartialApplicationKey | None, progress: KeyProgress | None
    ) -> KeyOutcome:
        old_name = old.attributes.name if old and old.attributes else None
        if progress is not None and progress.step in (Step.DELIVERED, Step.REGISTERED) and progress.new_key_id:
            return await self._complete(sa, old_id, old_name, progress.new_key_id, progress.new_name, progress.step)
        if progress is not None and progress.step == Step.CREATED and progress.new_key_id:
            await self._delete_key(sa, progress.new_key_id)  # its secret is lost: never delivered
        elif progress is not None and progress.step == Step.CREATING and progress.marker:
            await self._delete_marked(sa, progress.marker)  # the create may have landed before the crash
        if old is None:  # the old key is gone and no delivered replacement exists: nothing to rotate
            await self.journal.record(sa, old_id, Step.FAILED)
            return KeyOutcome(sa, old_id, None, Outcome.FAILED, error="the old key no longer exists")

        marker = uuid.uuid4().hex[:12]
        new_name = replacement_name(old_name, marker)
        await self.journal.record(sa, old_id, Step.CREATING, marker=marker, new_name=new_name)
        scopes = old.attributes.scopes if old.attributes else None
        try:
            created = await self.keys.create(sa, new_name, scopes=scopes)
        except APIError:
            await self._delete_marked(sa, marker)  # an ambiguous failure may still have created it
            raise
        new_id = created.data.id if created.data else None
        secret = created.data.attributes.key if created.data and created.data.attributes else None
        if not new_id or not secret:
            if new_id:
                await self._delete_key(sa, new_id)
            raise Error("the create answer carried no key id or secret")
        await self.journal.record(sa, old_id, Step.CREATED, new=new_id)
        try:
            await self.sink(NewKeySecret(sa, new_id, new_name, old_id, secret))
        except Exception as exc:
            await self._delete_key(sa, new_id)
            await self.journal.record(sa, old_id, Step.ROLLED_BACK)
            return KeyOutcome(
                sa, old_id, old_name, Outcome.FAILED, new_id, new_name, error=f"sink failed: {type(exc).__name__}"
            )
        await self.journal.record(sa, old_id, Step.DELIVERED)
        return await self._complete(sa, old_id, old_name, new_id, new_name, Step.DELIVERED)

    async def _complete(
        self, sa: str, old_id: str, old_name: str | None, new_id: str, new_name: str | None, step: str
    ) -> KeyOutcome:
        """Move the Actions registration, then delete the old key: the delivered key is live."""
        wants = self.register_for_actions
        if wants is None:
            wants = old_id in self.registered or new_id in self.registered
        if step == Step.DELIVERED and wants:
            await self.dd.app_key_registrations.register(new_id)
            with contextlib.suppress(NotFoundError):
                await self.dd.app_key_registrations.unregister(old_id)
            await self.journal.record(sa, old_id, Step.REGISTERED, registered=True)
        await self._delete_key(sa, old_id)
        await self.journal.record(sa, old_id, Step.DONE)
        return KeyOutcome(sa, old_id, old_name, Outcome.ROTATED, new_id, new_name)

    async def _delete_key(self, sa: str, key_id: str) -> None:
        with contextlib.suppress(NotFoundError):
            await self.keys.delete(sa, key_id)

    async def _delete_marked(self, sa: str, marker: str) -> None:
        async for key in self.keys.list(sa, filter=marker):
            if key.id and key.attributes and marker in (key.attributes.name or ""):
                await self._delete_key(sa, key.id)


async def rotate_application_keys(
    dd: Client,
    service_account_ids: Iterable[str],
    *,
    sink: Sink,
    journal: str | os.PathLike[str] | None = None,
    concurrency: int = 8,
    select: KeySelector | None = None,
    register_for_actions: bool | None = None,
    dry_run: bool = False,
    on_progress: Callable[[RotationProgress], object] | None = None,
) -> RotationReport:
    """Rotate the application keys of many service accounts; see the module docstring.

    ``sink`` is awaited with each :class:`NewKeySecret` and must store it durably before
    returning; the old key is deleted only after it returns. ``journal`` is the path of the
    write-ahead journal that makes a re-run resume (strongly recommended). ``concurrency`` bounds
    the keys in progress at once. ``select`` picks keys (default all; see ``older_than``,
    ``name_matches``). ``register_for_actions``: None keeps each key's Actions registration
    as it was, True registers every new key, False none. ``dry_run`` lists what would rotate.
    """
    ids = [service_account_ids] if isinstance(service_account_ids, str) else list(service_account_ids)
    if not ids:
        raise InvalidArgumentError("service_account_ids is empty")
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise InvalidArgumentError(f"concurrency must be a positive integer, got {concurrency!r}")
    if not callable(sink):
        raise InvalidArgumentError("sink must be an async callable taking a NewKeySecret")
    store = Journal(journal)
    try:
        return await _Rotation(dd, sink, store, concurrency, select, register_for_actions, dry_run, on_progress).run(
            list(dict.fromkeys(ids))
        )
    finally:
        store.close()
