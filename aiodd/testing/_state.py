"""The fake's in-memory store: users (service accounts and people), keys, connections, registrations.

Handlers change it through these methods; tests read it through ``FakeDatadog.state`` to check
what a client really did (for example, that a rotation left exactly one key per account).
"""

from __future__ import annotations

import enum
import secrets
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from ._keyindex import AccountKeys
from ._stored import USER_STATUSES, ActionConnection, ApplicationKey, Leak, User

__all__ = ["KEEP", "ORG_ID", "FakeState"]

ORG_ID = "00000000-0000-beef-0000-000000000000"
"""The one organisation everything belongs to (the reference's example id)."""

_TICK = timedelta(microseconds=1)


class _Keep(enum.Enum):
    KEEP = enum.auto()


KEEP = _Keep.KEEP
"""Leave a field as it is (as opposed to setting it to ``None``)."""


class FakeState:
    """Everything the fake knows. Single-threaded: only the server's event loop touches it."""

    def __init__(self) -> None:
        self._users: dict[str, User] = {}  # service accounts and people, in creation order
        self._keys: dict[str, AccountKeys] = {}
        self._key_owner: dict[str, str] = {}
        self._key_by_secret: dict[str, str] = {}
        self._connections: dict[str, ActionConnection] = {}
        self._registrations: dict[str, None] = {}  # an ordered set of app key ids
        self._last_timestamp = datetime.min.replace(tzinfo=UTC)

    # --- users and service accounts -------------------------------------------------------------

    def create_service_account(
        self,
        email: str,
        *,
        name: str | None = None,
        title: str | None = None,
        role_ids: Iterable[str] = (),
        status: str = "Active",
    ) -> User:
        """A service account (a user that owns application keys)."""
        account = self._add_user(email, name, title, role_ids, status, service_account=True)
        self._keys[account.id] = AccountKeys()
        return account

    def create_user(
        self,
        email: str,
        *,
        name: str | None = None,
        title: str | None = None,
        role_ids: Iterable[str] = (),
        status: str = "Active",
    ) -> User:
        """A person: listed by ``GET /api/v2/users``, but owns no service-account keys."""
        return self._add_user(email, name, title, role_ids, status, service_account=False)

    def _add_user(
        self,
        email: str,
        name: str | None,
        title: str | None,
        role_ids: Iterable[str],
        status: str,
        *,
        service_account: bool,
    ) -> User:
        _check_status(status)
        now = self._now()
        # Datadog stores the email lower-cased (see the recordings).
        user = User(str(uuid.uuid4()), email.lower(), name, title, list(role_ids), now, now, service_account, status)
        self._users[user.id] = user
        return user

    def set_user_status(self, user_id: str, status: str) -> None:
        """``Active``, ``Pending`` or ``Disabled`` (a disabled service account keeps its keys)."""
        _check_status(status)
        user = self._users[user_id]
        user.status = status
        user.modified_at = self._now()

    def user(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    def users(self) -> list[User]:
        """Every user, service accounts included, in creation order."""
        return list(self._users.values())

    def service_account(self, sa_id: str) -> User | None:
        user = self._users.get(sa_id)
        return user if user is not None and user.service_account else None

    def service_accounts(self) -> list[User]:
        return [user for user in self._users.values() if user.service_account]

    # --- application keys -----------------------------------------------------------------------

    def create_application_key(self, sa_id: str, name: str, scopes: list[str] | None = None) -> ApplicationKey:
        """A new key with a fresh 40-character secret; ``KeyError`` if the account does not exist."""
        keys = self._keys[sa_id]
        key = ApplicationKey(str(uuid.uuid4()), sa_id, name, secrets.token_hex(20), scopes, self._now())
        keys.add(key)
        self._index(key)
        return key

    def application_key(self, key_id: str) -> ApplicationKey | None:
        owner = self._key_owner.get(key_id)
        return None if owner is None else self._keys[owner].get(key_id)

    def application_keys(self, sa_id: str) -> list[ApplicationKey]:
        """The account's keys in creation order (empty for an unknown account)."""
        keys = self._keys.get(sa_id)
        return [] if keys is None else list(keys)

    def account_keys(self, sa_id: str) -> AccountKeys | None:
        return self._keys.get(sa_id)

    def update_application_key(
        self, key: ApplicationKey, *, name: str | None = None, scopes: list[str] | _Keep | None = KEEP
    ) -> None:
        """Change a key's name and/or scopes (``KEEP`` leaves the scopes as they are)."""
        if name is not None and name != key.name:
            self._keys[key.owner_id].rename(key, name)
        if not isinstance(scopes, _Keep):
            key.scopes = scopes

    def delete_application_key(self, key_id: str) -> ApplicationKey | None:
        owner = self._key_owner.pop(key_id, None)
        if owner is None:
            return None
        key = self._keys[owner].remove(key_id)
        if key is not None:
            self._key_by_secret.pop(key.secret, None)
        return key

    def set_key_dates(
        self,
        key_id: str,
        *,
        created_at: datetime | _Keep = KEEP,
        last_used_at: datetime | _Keep | None = KEEP,
    ) -> ApplicationKey:
        """Backdate a key, or say when it was last used (``None``: never); ``KeyError`` if unknown."""
        key = self._existing_key(key_id)
        if not isinstance(created_at, _Keep):
            self._keys[key.owner_id].set_created_at(key, _aware(created_at, "created_at"))
        if not isinstance(last_used_at, _Keep):
            key.last_used_at = None if last_used_at is None else _aware(last_used_at, "last_used_at")
        return key

    def mark_leaked(self, key_id: str, *, date: datetime | None = None, source: str | None = "github") -> Leak:
        """Report the key leaked, as Datadog does when it finds one in public code (``date``: now)."""
        key = self._existing_key(key_id)
        key.leak = Leak(str(uuid.uuid4()), self._now() if date is None else _aware(date, "date"), source)
        return key.leak

    def note_key_used(self, key_id: str) -> None:
        """A request authenticated with this key: its ``last_used_at`` becomes now."""
        key = self.application_key(key_id)
        if key is not None:
            key.last_used_at = self._now()

    def _existing_key(self, key_id: str) -> ApplicationKey:
        key = self.application_key(key_id)
        if key is None:
            raise KeyError(f"no application key {key_id!r}")
        return key

    def key_id_for_secret(self, secret: str) -> str | None:
        """Which key a ``DD-APPLICATION-KEY`` value belongs to, so created keys can call the API."""
        return self._key_by_secret.get(secret)

    # --- action connections ---------------------------------------------------------------------

    def create_connection(self, name: str, integration: dict[str, Any], tags: list[str] | None) -> ActionConnection:
        connection = ActionConnection(str(uuid.uuid4()), name, integration, tags)
        self._connections[connection.id] = connection
        return connection

    def connection(self, connection_id: str) -> ActionConnection | None:
        return self._connections.get(connection_id)

    def connections(self) -> list[ActionConnection]:
        return list(self._connections.values())

    def delete_connection(self, connection_id: str) -> bool:
        return self._connections.pop(connection_id, None) is not None

    # --- app key registrations ------------------------------------------------------------------

    def register_app_key(self, app_key_id: str) -> None:
        self._registrations[app_key_id.lower()] = None

    def unregister_app_key(self, app_key_id: str) -> bool:
        if app_key_id.lower() not in self._registrations:
            return False
        del self._registrations[app_key_id.lower()]
        return True

    def is_registered(self, app_key_id: str) -> bool:
        return app_key_id.lower() in self._registrations

    def registered_app_key_ids(self) -> list[str]:
        return list(self._registrations)

    # --- seeding --------------------------------------------------------------------------------

    def seed(self, service_accounts: int, keys_per_account: int, *, status: str = "Active") -> list[str]:
        """Create accounts with keys in bulk; returns the new account ids.

        Keys are spaced one millisecond apart, ending now, and named
        ``seeded-key-<account>-<n>`` so that name and creation order agree. Nothing per key is
        more than a uuid, a random secret and a few dict inserts, so 100,000 keys take well
        under a second; sorted views are built on the first list call.
        """
        if service_accounts < 0 or keys_per_account < 0:
            raise ValueError("seed counts must be >= 0")
        _check_status(status)
        total = service_accounts * keys_per_account
        base = max(datetime.now(UTC), self._last_timestamp) - timedelta(milliseconds=total)
        step = timedelta(milliseconds=1)
        first = len(self.service_accounts())
        ids: list[str] = []
        for n in range(service_accounts):
            number = first + n
            account = self.create_service_account(
                f"seeded-sa-{number}@example.com", name=f"Seeded service account {number}", status=status
            )
            account.created_at = account.modified_at = base
            keys: list[ApplicationKey] = []
            for i in range(keys_per_account):
                created = base + step * (n * keys_per_account + i)
                keys.append(
                    ApplicationKey(
                        str(uuid.uuid4()),
                        account.id,
                        f"seeded-key-{number:04d}-{i:06d}",
                        secrets.token_hex(20),
                        None,
                        created,
                    )
                )
            self._keys[account.id].extend(keys)
            for key in keys:
                self._index(key)
            ids.append(account.id)
        self._last_timestamp = max(self._last_timestamp, base + step * total)
        return ids

    def seed_users(self, count: int, *, status: str = "Active") -> list[str]:
        """Create ``count`` people (not service accounts); returns their ids."""
        if count < 0:
            raise ValueError("seed counts must be >= 0")
        first = len(self._users) - len(self.service_accounts())
        return [
            self.create_user(f"seeded-user-{first + n}@example.com", name=f"Seeded user {first + n}", status=status).id
            for n in range(count)
        ]

    def _index(self, key: ApplicationKey) -> None:
        self._key_owner[key.id] = key.owner_id
        self._key_by_secret[key.secret] = key.id

    def _now(self) -> datetime:
        """Wall-clock UTC, strictly increasing so creation order and ``created_at`` order agree."""
        now = datetime.now(UTC)
        if now <= self._last_timestamp:
            now = self._last_timestamp + _TICK
        self._last_timestamp = now
        return now


def _check_status(status: str) -> None:
    if status not in USER_STATUSES:
        raise ValueError(f"status must be one of {', '.join(USER_STATUSES)}, got {status!r}")


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value
