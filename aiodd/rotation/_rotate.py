"""``rotate_application_keys``: replace many service accounts' keys without losing a secret.

For each selected key: journal the replacement's marker, create the replacement (same scopes),
hand its secret to the sink and wait, move the Actions registration if the old key had one, and
only then delete the old key. A failed sink deletes the replacement and keeps the old key. A
failed step is reported and the run moves on; a journal or secrets-file write that fails
(:class:`StorageError`) stops the run cleanly instead. Re-running with the same journal resumes:
what to do with each key is decided by :func:`aiodd.rotation._resume.decide` from the journal and
the account's listing; this module only carries the decisions out.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta

import attrs

from .._client import Client
from .._exceptions import APIError, Error, InvalidArgumentError, NotFoundError
from ..models.service_accounts import PartialApplicationKey
from ._errors import StorageError
from ._journal import Journal, KeyProgress, Step
from ._naming import marker_of, replacement_name
from ._report import KeyOutcome, NewKeySecret, Outcome, RotationReport
from ._resume import Action, Decision, KeyView, decide
from ._select import KeySelector, is_leaked, reason_for

__all__ = ["RotationProgress", "Sink", "rotate_application_keys"]

logger = logging.getLogger("aiodd.rotation")

Sink = Callable[[NewKeySecret], Awaitable[object]]

_LATEST = datetime.max.replace(tzinfo=UTC)


def _is_async_callable(sink: object) -> bool:
    call = type(sink).__call__ if callable(sink) else None
    return inspect.iscoroutinefunction(sink) or inspect.iscoroutinefunction(call)


@attrs.define
class RotationProgress:
    """Live counters, passed to ``on_progress`` after every change, and the outcomes so far
    (``report``: what an interrupted run can still show)."""

    accounts_total: int = 0
    accounts_listed: int = 0
    keys_planned: int = 0
    keys_finished: int = 0
    keys_failed: int = 0
    report: RotationReport = attrs.field(factory=RotationReport, repr=False)


@attrs.frozen
class _Plan:
    """One old key of a listed account, and what to do with it."""

    service_account_id: str
    old_key_id: str
    old: PartialApplicationKey | None  # None: the old key is no longer listed
    progress: KeyProgress | None
    decision: Decision
    reason: str

    @property
    def old_name(self) -> str | None:
        return self.old.attributes.name if self.old and self.old.attributes else None

    @property
    def order(self) -> tuple[int, datetime, str, str]:
        """Interrupted work first (it holds replacements), then leaked keys, then the oldest."""
        created = self.old.attributes.created_at if self.old and self.old.attributes else None
        rank = 0 if self.decision.action is not Action.ROTATE or self.progress else 1 if self.leaked else 2
        return (rank, created or _LATEST, self.service_account_id, self.old_key_id)

    @property
    def leaked(self) -> bool:
        return self.old is not None and is_leaked(self.old)


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
        grace: timedelta | None,
        on_progress: Callable[[RotationProgress], object] | None,
    ) -> None:
        self.dd = dd
        self.keys = dd.service_accounts.application_keys
        self.sink = sink
        holds = getattr(sink, "holds", None)
        self.sink_holds: Callable[[str], bool] | None = holds if callable(holds) else None
        self.journal = journal
        self.limit = asyncio.Semaphore(concurrency)
        self.select = select
        self.register_for_actions = register_for_actions
        self.dry_run = dry_run
        self.grace = grace
        self.on_progress = on_progress
        self.report = RotationReport()
        self.progress = RotationProgress(report=self.report)
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

    def _stop(self, reason: str) -> None:
        """A file write failed: start no new key (those in progress finish their step)."""
        if self.report.stopped is None:
            self.report.stopped = reason

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
        # Every account is listed before any key is touched, so that leaked keys go first across the
        # whole run, and the progress total is known early.
        listed = await asyncio.gather(*(self._list(sa) for sa in service_account_ids))
        plans = sorted((plan for plans in listed for plan in plans), key=lambda plan: plan.order)
        await asyncio.gather(*(self._key(plan) for plan in plans))
        return self.report

    async def _list(self, sa: str) -> list[_Plan]:
        try:
            async with self.limit:
                keys = await self.keys.list(sa).to_list()
        except APIError as exc:
            self.report.account_errors[sa] = str(exc)
            self.progress.accounts_listed += 1
            self._changed()
            return []
        plans = [plan for plan in self._plans(sa, keys) if plan.decision != Decision(Action.SKIP)]
        self.progress.accounts_listed += 1
        self.progress.keys_planned += sum(1 for plan in plans if plan.decision.action is not Action.SKIP)
        self._changed()
        return plans

    def _plans(self, sa: str, keys: list[PartialApplicationKey]) -> list[_Plan]:
        """Sort the listing into old keys and this journal's replacements of them; decide for each old key."""
        progress = {p.old_key_id: p for p in self.journal.for_account(sa)}
        owner_by_marker: dict[str, str] = {}
        for old_id, p in progress.items():
            owner_by_marker[self.journal.marker_for(sa, old_id)] = old_id
            if p.marker:  # journals from aiodd 0.1 used random markers
                owner_by_marker[p.marker] = old_id
        for key in keys:
            if key.id:
                owner_by_marker.setdefault(self.journal.marker_for(sa, key.id), key.id)
        owner_by_id = {p.new_key_id: old_id for old_id, p in progress.items() if p.new_key_id}
        listed: dict[str, PartialApplicationKey] = {}
        replacements: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            if not key.id:
                continue
            marker = marker_of(key.attributes.name if key.attributes else None)
            owner = owner_by_id.get(key.id) or owner_by_marker.get(marker or "")
            if owner is not None and owner != key.id:
                replacements[owner].add(key.id)
            else:
                listed[key.id] = key
        plans = []
        for old_id in sorted(listed.keys() | progress.keys() | replacements.keys()):
            old = listed.get(old_id)
            mine = frozenset(replacements.get(old_id, ()))
            holds = self.sink_holds
            view = KeyView(
                old_listed=old is not None,
                replacements=mine,
                confirmed=frozenset(k for k in mine if holds is not None and holds(k)),
                selected=old is not None and (self.select is None or self.select(old)),
            )
            decision = decide(progress.get(old_id), view)
            plans.append(_Plan(sa, old_id, old, progress.get(old_id), decision, self._reason(old, decision, view)))
        return plans

    def _reason(self, old: PartialApplicationKey | None, decision: Decision, view: KeyView) -> str:
        if decision.action is Action.ROTATE and view.selected and old is not None:
            return reason_for(self.select, old)
        return {
            Action.ROTATE: "resume: redo an interrupted rotation",
            Action.FINISH: "resume: finish a delivered replacement",
            Action.WAIT: "rotated; the old key waits for its grace period to end",
            Action.ALREADY_DONE: "rotated by an earlier run",
        }.get(decision.action, "resume")

    async def _key(self, plan: _Plan) -> None:
        decision, sa = plan.decision, plan.service_account_id
        if self.dry_run:
            if decision.action is not Action.SKIP:
                self._finish(self._dry_run_outcome(plan))
            return
        async with self.limit:
            if self.report.stopped is not None:
                return  # not started: a resume takes it up
            try:
                outcome = await self._carry_out(plan)
            except StorageError as exc:
                self._stop(str(exc))
                outcome = KeyOutcome(sa, plan.old_key_id, plan.old_name, Outcome.FAILED, error=str(exc))
            except Error as exc:  # recorded and reported; the journal keeps the step for a resume
                outcome = KeyOutcome(
                    sa, plan.old_key_id, plan.old_name, Outcome.FAILED, error=f"{type(exc).__name__}: {exc}"
                )
        if outcome is not None:
            self._finish(attrs.evolve(outcome, reason=plan.reason))

    def _dry_run_outcome(self, plan: _Plan) -> KeyOutcome:
        action, progress, sa = plan.decision.action, plan.progress, plan.service_account_id
        if action in (Action.ALREADY_DONE, Action.WAIT) and progress is not None:
            return self._already_done(plan, progress)
        if action in (Action.ROTATE, Action.FINISH):
            return KeyOutcome(sa, plan.old_key_id, plan.old_name, Outcome.DRY_RUN, reason=plan.reason)
        return KeyOutcome(sa, plan.old_key_id, plan.old_name, Outcome.FAILED, error=self._problem(plan))

    @staticmethod
    def _already_done(plan: _Plan, progress: KeyProgress) -> KeyOutcome:
        return KeyOutcome(
            plan.service_account_id,
            plan.old_key_id,
            plan.old_name,
            Outcome.ALREADY_DONE,
            progress.new_key_id,
            progress.new_name,
            reason=plan.reason,
            revoke_after=progress.revoke_after if progress.step == Step.GRACE else None,
        )

    @staticmethod
    def _problem(plan: _Plan) -> str:
        if plan.decision.action is Action.KEEP:
            return (
                f"the old key no longer exists; replacement(s) {', '.join(sorted(plan.decision.kept))} kept because "
                "their delivery is not recorded: check the sink, then delete those not in use"
            )
        return "the old key no longer exists"

    async def _carry_out(self, plan: _Plan) -> KeyOutcome | None:
        decision, progress, sa = plan.decision, plan.progress, plan.service_account_id
        old_id, old_name = plan.old_key_id, plan.old_name
        for key_id in sorted(decision.delete):  # replacements known to be undelivered
            logger.info("deleting undelivered replacement %s of key %s", key_id, old_id)
            await self._delete_key(sa, key_id)
        if decision.action in (Action.ALREADY_DONE, Action.WAIT) and progress is not None:
            return self._already_done(plan, progress)
        if decision.action is Action.SKIP:
            return None
        if decision.action is Action.GONE:
            await self.journal.record(sa, old_id, Step.FAILED)
            return KeyOutcome(sa, old_id, old_name, Outcome.FAILED, error=self._problem(plan))
        if decision.action is Action.KEEP:
            return KeyOutcome(sa, old_id, old_name, Outcome.FAILED, error=self._problem(plan))
        if decision.action is Action.FINISH:
            assert decision.replacement is not None
            new_name = progress.new_name if progress else None
            step = progress.step if progress else Step.DELIVERED
            if decision.record_delivery:
                await self.journal.record(sa, old_id, Step.DELIVERED, new=decision.replacement, at=_now())
                step = Step.DELIVERED
            return await self._complete(plan, decision.replacement, new_name, step)
        assert plan.old is not None  # ROTATE is decided only for a listed old key
        return await self._rotate(plan, plan.old)

    async def _rotate(self, plan: _Plan, old: PartialApplicationKey) -> KeyOutcome:
        sa, old_id, old_name = plan.service_account_id, plan.old_key_id, plan.old_name
        marker = self.journal.marker_for(sa, old_id)
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
        try:
            await self.journal.record(sa, old_id, Step.CREATED, new=new_id)
        except StorageError:
            await self._delete_key(sa, new_id)  # never delivered; the journal's marker covers a crash here
            raise
        try:
            await self.sink(NewKeySecret(sa, new_id, new_name, old_id, secret))
        except Exception as exc:
            # aiodd's own errors (StorageError, DeliveryError) name no secret; any other message might.
            reason = f"sink failed: {exc}" if isinstance(exc, Error) else f"sink failed: {type(exc).__name__}"
            if isinstance(exc, StorageError):
                self._stop(str(exc))
            await self._delete_key(sa, new_id)
            await self.journal.record(sa, old_id, Step.ROLLED_BACK)
            return KeyOutcome(sa, old_id, old_name, Outcome.FAILED, new_id, new_name, error=reason)
        await self.journal.record(sa, old_id, Step.DELIVERED, at=_now())
        return await self._complete(plan, new_id, new_name, Step.DELIVERED)

    async def _complete(self, plan: _Plan, new_id: str, new_name: str | None, step: str) -> KeyOutcome:
        """Move the Actions registration, then delete the old key (or keep it for the grace period)."""
        sa, old_id, old_name = plan.service_account_id, plan.old_key_id, plan.old_name
        wants = self.register_for_actions
        if wants is None:
            wants = old_id in self.registered or new_id in self.registered
        if step == Step.DELIVERED and wants:
            await self.dd.app_key_registrations.register(new_id)
            with contextlib.suppress(NotFoundError):
                await self.dd.app_key_registrations.unregister(old_id)
            await self.journal.record(sa, old_id, Step.REGISTERED, registered=True)
        if self.grace is not None and plan.old is not None:  # the old key stays until `keys retire`
            revoke_after = datetime.now(UTC) + self.grace
            await self.journal.record(sa, old_id, Step.GRACE, revoke_after=revoke_after.isoformat())
            return KeyOutcome(sa, old_id, old_name, Outcome.ROTATED, new_id, new_name, revoke_after=revoke_after)
        await self._delete_key(sa, old_id)
        await self.journal.record(sa, old_id, Step.DONE)
        return KeyOutcome(sa, old_id, old_name, Outcome.ROTATED, new_id, new_name)

    async def _delete_key(self, sa: str, key_id: str) -> None:
        with contextlib.suppress(NotFoundError):
            await self.keys.delete(sa, key_id)

    async def _delete_marked(self, sa: str, marker: str) -> None:
        async for key in self.keys.list(sa, filter=marker):
            if key.id and key.attributes and marker_of(key.attributes.name) == marker:
                await self._delete_key(sa, key.id)


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def rotate_application_keys(
    dd: Client,
    service_account_ids: Iterable[str],
    *,
    sink: Sink,
    journal: str | os.PathLike[str] | Journal | None = None,
    concurrency: int = 8,
    select: KeySelector | None = None,
    register_for_actions: bool | None = None,
    dry_run: bool = False,
    grace: timedelta | None = None,
    on_progress: Callable[[RotationProgress], object] | None = None,
) -> RotationReport:
    """Rotate the application keys of many service accounts; see the module docstring.

    ``sink`` is an async callable awaited with each :class:`NewKeySecret`; it must store it
    durably before returning, and the old key is deleted only after it returns. A sink with a
    ``holds(key_id) -> bool`` method (the CLI's secrets file has one) lets a resume finish a key
    whose delivery happened but whose journal line was lost. ``journal`` is the path of the
    write-ahead journal that makes a re-run resume (strongly recommended), or an open
    :class:`Journal`; it is locked for this run (:class:`FileInUseError` at once if another run
    holds it, before anything is sent). ``concurrency`` bounds the keys in progress at once.
    ``select`` picks keys (default all; see ``older_than``, ``name_matches``).
    ``register_for_actions``: None keeps each key's Actions registration as it was, True
    registers every new key, False none. ``dry_run`` lists what would rotate and writes nothing.
    ``grace`` keeps each old key for that long after its replacement is delivered (and its
    registration moved): :func:`retire_old_keys` deletes it later. Keys are rotated leaked
    first, then oldest first, across all the accounts; each outcome's ``reason`` says why.

    If a journal or secrets-file write fails, the run starts no new key and returns a report
    whose ``stopped`` says why; re-running with the same journal finishes the work.
    """
    ids = [service_account_ids] if isinstance(service_account_ids, str) else list(service_account_ids)
    if not ids:
        raise InvalidArgumentError("service_account_ids is empty")
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 1:
        raise InvalidArgumentError(f"concurrency must be a positive integer, got {concurrency!r}")
    if not _is_async_callable(sink):
        raise InvalidArgumentError("sink must be an async callable taking a NewKeySecret (define it with 'async def')")
    if select is not None and not callable(select):
        raise InvalidArgumentError("select must be a callable taking a key and returning a bool")
    if grace is not None and (not isinstance(grace, timedelta) or grace < timedelta(0)):
        raise InvalidArgumentError(f"grace must be a non-negative datetime.timedelta, got {grace!r}")
    store = journal if isinstance(journal, Journal) else Journal(journal, read_only=dry_run)
    try:
        rotation = _Rotation(dd, sink, store, concurrency, select, register_for_actions, dry_run, grace, on_progress)
        return await rotation.run(list(dict.fromkeys(ids)))
    finally:
        if store is not journal:
            store.close()
