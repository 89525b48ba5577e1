"""Models of Action Connections (Actions API group): the connection documents around an integration.

The integrations themselves (``AWSIntegration``, ...) live in :mod:`aiodd.models.integrations`.
A create sends ``ActionConnectionData`` without ``id``; every answer is an ``ActionConnectionData``
with its ``id`` and the integration as Datadog stores it (secrets left out).
"""

from __future__ import annotations

import attrs

from .integrations import ActionConnectionIntegration, ActionConnectionIntegrationUpdate

__all__ = [
    "ActionConnectionAttributes",
    "ActionConnectionAttributesUpdate",
    "ActionConnectionData",
    "ActionConnectionDataUpdate",
    "CreateActionConnectionRequest",
    "CreateActionConnectionResponse",
    "GetActionConnectionResponse",
    "UpdateActionConnectionRequest",
    "UpdateActionConnectionResponse",
]


@attrs.define
class ActionConnectionAttributes:
    """A connection: its ``name``, ``integration`` and ``tags`` (``key:value``; the key ``default`` is reserved)."""

    integration: ActionConnectionIntegration
    name: str
    tags: list[str] | None = None


@attrs.define
class ActionConnectionData:
    """``id`` is read-only: Datadog assigns it, a create leaves it out."""

    attributes: ActionConnectionAttributes
    id: str | None = None
    type: str = "action_connection"


@attrs.define
class ActionConnectionAttributesUpdate:
    """What to change: a ``None`` field is left out of the request."""

    integration: ActionConnectionIntegrationUpdate | None = None
    name: str | None = None
    tags: list[str] | None = None


@attrs.define
class ActionConnectionDataUpdate:
    attributes: ActionConnectionAttributesUpdate
    type: str = "action_connection"


@attrs.define
class CreateActionConnectionRequest:
    data: ActionConnectionData


@attrs.define
class CreateActionConnectionResponse:
    data: ActionConnectionData | None = None


@attrs.define
class GetActionConnectionResponse:
    data: ActionConnectionData | None = None


@attrs.define
class UpdateActionConnectionRequest:
    data: ActionConnectionDataUpdate


@attrs.define
class UpdateActionConnectionResponse:
    data: ActionConnectionData | None = None
