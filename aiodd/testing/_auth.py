"""Who is calling: check ``DD-API-KEY`` / ``DD-APPLICATION-KEY`` and name the calling key.

Every operation of both groups requires both headers. The application key header carries a
secret while registrations are by key *id*, so the caller is resolved to an id: the fake's own
key has one, and every key created through the fake can call it too (which sets its
``last_used_at``).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from ._state import FakeState

__all__ = ["Authenticator"]


class Authenticator:
    __slots__ = ("_api_key", "_app_key", "_app_key_id", "_state")

    def __init__(self, state: FakeState, *, api_key: str, app_key: str, app_key_id: str) -> None:
        self._state = state
        self._api_key = api_key
        self._app_key = app_key
        self._app_key_id = app_key_id

    def caller(self, headers: Mapping[str, str]) -> str | None:
        """The calling application key's id, or ``None`` when the request must be refused (403)."""
        api_key = headers.get("DD-API-KEY")
        app_key = headers.get("DD-APPLICATION-KEY")
        if not api_key or not app_key or not _same(api_key, self._api_key):
            return None
        if _same(app_key, self._app_key):
            return self._app_key_id
        key_id = self._state.key_id_for_secret(app_key)
        if key_id is not None:
            self._state.note_key_used(key_id)  # as Datadog keeps last_used_at
        return key_id


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
