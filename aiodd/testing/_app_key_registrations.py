"""Handlers for App Key Registrations (register, get, unregister, list), in raw JSON:API.

A registration is by application key *id* (a UUID); the errors copy the recordings, e.g. a
malformed id answers 400 ``Invalid Parameter`` and an unknown one 404 ``app key not found``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ._routing import APP_KEY_REGISTRATIONS, Route
from ._state import FakeState
from ._validation import BadRequest, is_uuid
from ._wire import ErrorAnswer, Group, json_response, no_content

__all__ = ["AppKeyRegistrationHandlers"]

_GROUP = Group.ACTIONS
_INVALID = "Invalid Parameter"


class AppKeyRegistrationHandlers:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    def routes(self) -> list[Route]:
        registrations = "/api/v2/actions/app_key_registrations"
        registration = registrations + "/{app_key_id}"
        return [
            Route("GET", registrations, self.list_registrations, APP_KEY_REGISTRATIONS),
            Route("PUT", registration, self.register, APP_KEY_REGISTRATIONS),
            Route("GET", registration, self.get, APP_KEY_REGISTRATIONS),
            Route("DELETE", registration, self.unregister, APP_KEY_REGISTRATIONS),
        ]

    async def register(self, request: web.Request) -> web.Response:
        app_key_id = _app_key_id(request)
        self._state.register_app_key(app_key_id)
        return json_response(_GROUP, 201, {"data": _registration(app_key_id)})

    async def get(self, request: web.Request) -> web.Response:
        app_key_id = _app_key_id(request)
        if not self._state.is_registered(app_key_id):
            raise ErrorAnswer(404, "app key not found")
        return json_response(_GROUP, 200, {"data": _registration(app_key_id)})

    async def unregister(self, request: web.Request) -> web.Response:
        if not self._state.unregister_app_key(_app_key_id(request)):
            raise ErrorAnswer(404, "app key not found")
        return no_content(_GROUP)

    async def list_registrations(self, request: web.Request) -> web.Response:
        """All registrations, or one page when ``page[size]`` is given (no default, no maximum)."""
        ids = self._state.registered_app_key_ids()
        size = _query_int(request, "page[size]", minimum=1)
        number = _query_int(request, "page[number]", minimum=0) or 0
        page = ids if size is None else ids[number * size : (number + 1) * size]
        return json_response(
            _GROUP,
            200,
            {
                "data": [_registration(app_key_id) for app_key_id in page],
                "meta": {"total": len(ids), "total_filtered": len(ids)},
            },
        )


def _registration(app_key_id: str) -> dict[str, Any]:
    return {"id": app_key_id, "type": "app_key_registration"}


def _app_key_id(request: web.Request) -> str:
    app_key_id = request.match_info["app_key_id"]
    if not is_uuid(app_key_id):
        raise BadRequest('invalid parameter "appKeyId" in "path"; expected type "uuid"', title=_INVALID)
    return app_key_id.lower()


def _query_int(request: web.Request, name: str, *, minimum: int) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise BadRequest(f'invalid parameter "{name}" in "query"; expected type "integer" >= {minimum}', title=_INVALID)
    return value
