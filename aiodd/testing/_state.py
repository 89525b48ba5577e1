"""The fake's in-memory store: service accounts, their keys, connections and registrations.

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
from ._records import ActionConnection, ApplicationKey, ServiceAccount

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
        self._accounts: dict[str, ServiceAccount] = {}
        self._keys: dict[str, AccountKeys] = {}
        self._key_owner: dict[str, str] = {}
        self._key_by_secret: dict[str, str] = {}
        self._connections: dict[str, ActionConnection] = {}
        self._registrations: dict[str, None] = {}  # an ordered set of app key ids
        self._last_timestamp = datetime.min.replace(tzinfo=UTC)

    # --- service accounts -----------------------------------------------------------------------

    def create_service_account(
        self, email: str, *, name: str | None = None, title: str | None = None, role_ids: Iterable[str] = ()
    ) -> ServiceAccount:
        now = self._now()
        # Datadog stores the email lower-cased (see the recordings).
        account = ServiceAccount(str(uuid.uuid4()), email.lower(), name, title, list(role_ids), now, now)
        self._accounts[account.id] = account
        self._keys[account.id] = AccountKeys()
        return account

    def service_account(self, sa_id: str) -> ServiceAccount | None:
        return self._accounts.get(sa_id)

    def service_accounts(self) -> list[ServiceAccount]:
        return list(self._accounts.values())

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

    def seed(self, service_accounts: int, keys_per_account: int) -> list[str]:
        """Create accounts with keys in bulk; returns the new account ids.

        Keys are spaced one millisecond apart, ending now, and named
        ``seeded-key-<account>-<n>`` so that name and creation order agree. Nothing per key is
        more than a uuid, a random secret and a few dict inserts, so 100,000 keys take well
        under a second; sorted views are built on the first list call.
        """
        if service_accounts < 0 or keys_per_account < 0:
            raise ValueError("seed counts must be >= 0")
        total = service_accounts * keys_per_account
        base = max(datetime.now(UTC), self._last_timestamp) - timedelta(milliseconds=total)
        step = timedelta(milliseconds=1)
        first = len(self._accounts)
        ids: list[str] = []
        for n in range(service_accounts):
            number = first + n
            account = self.create_service_account(
                f"seeded-sa-{number}@example.com", name=f"Seeded service account {number}"
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
