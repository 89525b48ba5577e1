"""Handlers for Action Connections (create, get, update, delete), in raw JSON:API.

Error details copy the recorded ones ("error getting connection: rpc error: code = NotFound
desc = connection not found"), including Datadog's "error creating connection" on a failed
update. Credentials' write-only fields never appear in an answer.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from ._integrations import parse_integration, public_integration, update_integration
from ._routing import ACTION_CONNECTIONS, Route
from ._state import FakeState
from ._stored import ActionConnection
from ._validation import (
    BadRequest,
    is_uuid,
    optional_str,
    read_json_object,
    require_enum,
    require_object,
    require_str,
)
from ._wire import ErrorAnswer, Group, json_response, no_content

__all__ = ["ActionConnectionHandlers"]

_GROUP = Group.ACTIONS
_TAG = re.compile(r"([^:\s]+):(\S.*)")
_NOT_FOUND = "rpc error: code = NotFound desc = connection not found"


class ActionConnectionHandlers:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    def routes(self) -> list[Route]:
        connections = "/api/v2/actions/connections"
        connection = connections + "/{connection_id}"
        return [
            Route("POST", connections, self.create, ACTION_CONNECTIONS, needs_registered_key=True),
            Route("GET", connection, self.get, ACTION_CONNECTIONS, needs_registered_key=True),
            Route("PATCH", connection, self.update, ACTION_CONNECTIONS, needs_registered_key=True),
            Route("DELETE", connection, self.delete, ACTION_CONNECTIONS, needs_registered_key=True),
        ]

    async def create(self, request: web.Request) -> web.Response:
        attributes = _attributes(await read_json_object(request))
        name = require_str(attributes, "name", "data.attributes.")
        if "integration" not in attributes:
            raise BadRequest("Missing required field 'data.attributes.integration'")
        integration = parse_integration(attributes["integration"])
        connection = self._state.create_connection(name, integration, _tags(attributes))
        return json_response(_GROUP, 201, {"data": render_connection(connection)})

    async def get(self, request: web.Request) -> web.Response:
        connection = self._connection(request, "getting")
        return json_response(_GROUP, 200, {"data": render_connection(connection)})

    async def update(self, request: web.Request) -> web.Response:
        connection = self._connection(request, "creating")  # sic: Datadog's wording for updates
        attributes = _attributes(await read_json_object(request))
        name = optional_str(attributes, "name", "data.attributes.")
        tags = _tags(attributes)
        integration = (
            update_integration(connection.integration, attributes["integration"])
            if attributes.get("integration") is not None
            else None
        )
        # Only now, with everything valid, change the stored connection.
        if name is not None:
            connection.name = name
        if tags is not None:
            connection.tags = tags
        if integration is not None:
            connection.integration = integration
        return json_response(_GROUP, 200, {"data": render_connection(connection)})

    async def delete(self, request: web.Request) -> web.Response:
        connection_id = request.match_info["connection_id"]
        # DELETE declares no 400: a malformed id simply names no connection.
        if not self._state.delete_connection(connection_id):
            raise ErrorAnswer(404, f"error deleting connection: {_NOT_FOUND}")
        return no_content(_GROUP)

    def _connection(self, request: web.Request, verb: str) -> ActionConnection:
        connection_id = request.match_info["connection_id"]
        if not is_uuid(connection_id):
            raise BadRequest("error connectionId not a valid UUID")
        connection = self._state.connection(connection_id)
        if connection is None:
            raise ErrorAnswer(404, f"error {verb} connection: {_NOT_FOUND}")
        return connection


def render_connection(connection: ActionConnection) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "integration": public_integration(connection.integration),
        "name": connection.name,
    }
    if connection.tags is not None:
        attributes["tags"] = list(connection.tags)
    return {"id": connection.id, "type": "action_connection", "attributes": attributes}


def _attributes(body: dict[str, Any]) -> dict[str, Any]:
    data = require_object(body, "data", "")
    require_enum(data, "type", "data.", {"action_connection"})
    return require_object(data, "attributes", "data.")


def _tags(attributes: dict[str, Any]) -> list[str] | None:
    """``key:value`` strings; the ``default`` key is reserved (per the reference)."""
    tags = attributes.get("tags")
    if tags is None:
        return None
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise BadRequest("Field 'data.attributes.tags' must be an array of strings")
    for tag in tags:
        match = _TAG.fullmatch(tag)
        if match is None:
            raise BadRequest(f"Invalid tag {tag!r}: tags must follow the key:value format")
        if match.group(1) == "default":
            raise BadRequest(f"Invalid tag {tag!r}: the 'default' tag key is reserved")
    return list(tags)
