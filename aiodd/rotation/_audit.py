"""``audit_application_keys``: one typed row per application key, leaked first, then oldest.

Reads only: the service accounts (when asked for all of them), each account's key listing and
the App Key Registrations listing. Every request goes through the client, so the rate-limit
governor paces the audit like any other caller. An account whose keys cannot be listed is
reported in ``account_errors``; the rows of the others are still returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import attrs

from .._client import Client
from .._exceptions import APIError, InvalidArgumentError
from ..models.service_accounts import (
    ApplicationKeyResponseIncludedItem,
    LeakedKey,
    PartialApplicationKey,
    User,
)
from ._select import KeySelector

__all__ = ["AuditReport", "KeyAuditRow", "KeyLeak", "audit_application_keys"]

_LATEST = datetime.max.replace(tzinfo=UTC)


@attrs.frozen
class KeyLeak:
    """Where and when Datadog found a key leaked: the ``leaked_keys`` item its
    ``relationships.leak_information`` points at. ``date`` and ``source`` are ``None`` when the
    listing did not include that item."""

    id: str
    date: datetime | None = None
    source: str | None = None


@attrs.frozen
class KeyAuditRow:
    """One application key of one service account, as the audit saw it.

    ``age`` is measured at the audit's ``now``; ``last_used_at`` is ``None`` for a key never
    used; ``registered_for_actions`` is ``None`` when the registrations could not be listed.
    """

    service_account_id: str
    service_account_name: str | None
    service_account_status: str | None
    key_id: str
    name: str | None
    created_at: datetime | None
    age: timedelta | None
    last_used_at: datetime | None
    leak: KeyLeak | None
    scopes: tuple[str, ...] | None
    registered_for_actions: bool | None

    @property
    def leaked(self) -> bool:
        return self.leak is not None


@attrs.define
class AuditReport:
    """The rows, sorted leaked first then oldest, and what could not be read."""

    rows: list[KeyAuditRow] = attrs.Factory(list)
    #: service account id -> why its keys could not be listed (all of them or the rest of them)
    account_errors: dict[str, str] = attrs.Factory(dict)
    #: why the App Key Registrations could not be listed (``registered_for_actions`` is then None)
    registrations_error: str | None = None

    @property
    def ok(self) -> bool:
        """True when every listing succeeded."""
        return not self.account_errors and self.registrations_error is None


def _sort_key(row: KeyAuditRow) -> tuple[bool, datetime, str, str]:
    return (not row.leaked, row.created_at or _LATEST, row.service_account_id, row.key_id)


def _leak_of(key: PartialApplicationKey, leaks: dict[str, LeakedKey]) -> KeyLeak | None:
    relation = key.relationships.leak_information if key.relationships else None
    if relation is None or relation.data is None:
        return None
    item = leaks.get(relation.data.id)
    if item is None:
        return KeyLeak(relation.data.id)
    return KeyLeak(relation.data.id, item.attributes.date, item.attributes.leak_source)


class _Audit:
    def __init__(self, dd: Client, select: KeySelector | None, concurrency: int, now: datetime) -> None:
        self.dd = dd
        self.select = select
        self.limit = asyncio.Semaphore(concurrency)
        self.now = now
        self.report = AuditReport()
        self.registered: set[str] | None = None

    async def run(self, accounts: dict[str, User | None]) -> AuditReport:
        await asyncio.gather(self._registrations(), *(self._account(sa, user) for sa, user in accounts.items()))
        self.report.rows.sort(key=_sort_key)
        return self.report

    async def _registrations(self) -> None:
        try:
            async with self.limit:
                self.registered = {r.id.lower() async for r in self.dd.app_key_registrations.list() if r.id}
        except APIError as exc:
            self.report.registrations_error = str(exc)

    async def _account(self, sa: str, owner: User | None) -> None:
        keys: list[PartialApplicationKey] = []
        included: list[ApplicationKeyResponseIncludedItem] = []
        try:
            async with self.limit:
                async for page in self.dd.service_accounts.application_keys.list(sa).pages():
                    keys.extend(page.data)
                    included.extend(page.included or ())
        except APIError as exc:
            self.report.account_errors[sa] = str(exc)
        leaks = {item.id: item for item in included if isinstance(item, LeakedKey)}
        if owner is None:  # named by id: the listing includes the owner
            owner = next((item for item in included if isinstance(item, User) and item.id == sa), None)
        for key in keys:
            if key.id and (self.select is None or self.select(key)):
                self.report.rows.append(self._row(sa, owner, key, leaks))

    def _row(self, sa: str, owner: User | None, key: PartialApplicationKey, leaks: dict[str, LeakedKey]) -> KeyAuditRow:
        assert key.id is not None
        person = owner.attributes if owner else None
        attributes = key.attributes
        created = attributes.created_at if attributes else None
        scopes = attributes.scopes if attributes else None
        return KeyAuditRow(
            service_account_id=sa,
            service_account_name=person.name if person else None,
            service_account_status=person.status if person else None,
            key_id=key.id,
            name=attributes.name if attributes else None,
            created_at=created,
            age=None if created is None else self.now - created,
            last_used_at=attributes.last_used_at if attributes else None,
            leak=_leak_of(key, leaks),
            scopes=None if scopes is None else tuple(scopes),
            registered_for_actions=None if self.registered is None else key.id.lower() in self.registered,
        )


def _ids(service_account_ids: Iterable[str] | str | None) -> list[str]:
    if service_account_ids is None:
        return []
    ids = [service_account_ids] if isinstance(service_account_ids, str) else list(service_account_ids)
    for sa in ids:
        if not isinstance(sa, str) or not sa.strip():
            raise InvalidArgumentError(f"service account ids must be non-empty strings, got {sa!r}")
    return ids


async def audit_application_keys(
    dd: Client,
    service_account_ids: Iterable[str] | str | None = None,
    *,
    all_service_accounts: bool = False,
    select: KeySelector | None = None,
    concurrency: int = 8,
    now: datetime | None = None,
) -> AuditReport:
    """Audit the application keys of the given service accounts, and/or of every active one.

    ``select`` keeps only the keys it selects (see ``older_than``, ``unused_for``, ``leaked``,
    ``name_matches``, ``all_of``). ``concurrency`` bounds the listings in flight at once.
    ``now`` (timezone-aware; default the wall clock) is the one instant every ``age`` is measured
    at. Raises :class:`~aiodd.APIError` only if the service accounts cannot be listed.
    """
    ids = _ids(service_account_ids)
    if not ids and not all_service_accounts:
        raise InvalidArgumentError("give service account ids, or all_service_accounts=True")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidArgumentError(f"concurrency must be a positive integer, got {concurrency!r}")
    if select is not None and not callable(select):
        raise InvalidArgumentError("select must be a callable taking a key, or None")
    if now is not None and (not isinstance(now, datetime) or now.tzinfo is None):
        raise InvalidArgumentError("now must be a timezone-aware datetime (e.g. datetime.now(UTC))")
    accounts: dict[str, User | None] = dict.fromkeys(ids)
    if all_service_accounts:
        async for user in dd.service_accounts.list(status="Active"):
            if user.id:
                accounts[user.id] = user
    return await _Audit(dd, select, concurrency, now or datetime.now(UTC)).run(accounts)
