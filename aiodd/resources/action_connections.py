"""``dd.action_connections``: credentials Workflow Automation and App Builder use to act in other systems.

Every method needs an application key registered for the Actions APIs (``dd.app_key_registrations``).
Arguments are checked before anything is sent; a bad one raises :class:`aiodd.InvalidArgumentError`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from types import NoneType
from typing import TYPE_CHECKING, get_args, get_type_hints

from .._converter import unstructure
from .._exceptions import InvalidArgumentError
from .._model_check import check_model
from .._request import APIRequest, check_unicode, path_param, require_text
from ..models.action_connections import (
    ActionConnectionAttributes,
    ActionConnectionAttributesUpdate,
    ActionConnectionData,
    ActionConnectionDataUpdate,
    CreateActionConnectionRequest,
    CreateActionConnectionResponse,
    GetActionConnectionResponse,
    UpdateActionConnectionRequest,
    UpdateActionConnectionResponse,
)
from ..models.integrations import (
    ActionConnectionIntegration,
    ActionConnectionIntegrationUpdate,
    AWSAssumeRole,
    AWSAssumeRoleUpdate,
    UnknownIntegration,
    UnknownIntegrationUpdate,
    missing_secrets,
)

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["ActionConnections"]

_CONNECTIONS = "/api/v2/actions/connections"
_CONNECTION = "/api/v2/actions/connections/{connection_id}"

_INTEGRATIONS: tuple[type, ...] = get_args(ActionConnectionIntegration)
_INTEGRATION_UPDATES: tuple[type, ...] = get_args(ActionConnectionIntegrationUpdate)
_AWS_ACCOUNT_ID = re.compile(r"[0-9]{12}")  # the reference's pattern ^\d{12}$, ASCII digits only


class ActionConnections:
    """Create, read, update and delete Action Connections."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def create(
        self,
        name: str,
        integration: ActionConnectionIntegration,
        *,
        tags: Sequence[str] | None = None,
    ) -> CreateActionConnectionResponse:
        """Create a connection (201). Every secret of ``integration``'s credentials must be set.

        A POST: after a 5xx or a dropped connection it is not sent again (it may have run).
        """
        require_text(name, "name")
        _check_integration(integration, _INTEGRATIONS, "create")
        missing = missing_secrets(integration)
        if missing:
            raise InvalidArgumentError(
                f"{', '.join(missing)} required to create a connection (Datadog never returns secrets, "
                "so an integration read from Datadog has them unset)"
            )
        attributes = ActionConnectionAttributes(integration=integration, name=name, tags=_check_tags(tags))
        body = CreateActionConnectionRequest(data=ActionConnectionData(attributes=attributes))
        return await self._client.request(
            APIRequest("POST", _CONNECTIONS, _CONNECTIONS, json=unstructure(body)), CreateActionConnectionResponse
        )

    async def get(self, connection_id: str) -> GetActionConnectionResponse:
        """Get a connection; its credentials come without their secrets."""
        return await self._client.request(
            APIRequest("GET", _CONNECTION, self._path(connection_id)), GetActionConnectionResponse
        )

    async def update(
        self,
        connection_id: str,
        *,
        name: str | None = None,
        integration: ActionConnectionIntegrationUpdate | None = None,
        tags: Sequence[str] | None = None,
    ) -> UpdateActionConnectionResponse:
        """Change a connection's name, integration (an ``*IntegrationUpdate``) or tags; ``None`` keeps it."""
        path = self._path(connection_id)
        if name is None and integration is None and tags is None:
            raise InvalidArgumentError("update needs at least one of name, integration or tags")
        if name is not None:
            require_text(name, "name")
        if integration is not None:
            _check_integration(integration, _INTEGRATION_UPDATES, "update")
        attributes = ActionConnectionAttributesUpdate(integration=integration, name=name, tags=_check_tags(tags))
        body = UpdateActionConnectionRequest(data=ActionConnectionDataUpdate(attributes=attributes))
        return await self._client.request(
            APIRequest("PATCH", _CONNECTION, path, json=unstructure(body)), UpdateActionConnectionResponse
        )

    async def delete(self, connection_id: str) -> None:
        """Delete a connection; :class:`aiodd.NotFoundError` if there is none with this id."""
        await self._client.request(APIRequest("DELETE", _CONNECTION, self._path(connection_id)), None)

    @staticmethod
    def _path(connection_id: str) -> str:
        return f"{_CONNECTIONS}/{path_param(connection_id, 'connection_id')}"


def _check_integration(
    integration: ActionConnectionIntegration | ActionConnectionIntegrationUpdate,
    accepted: tuple[type, ...],
    method: str,
) -> None:
    """``integration`` is one of ``accepted``, holds credentials its class accepts, and every field has its type."""
    if not isinstance(integration, accepted):
        kind = type(integration).__name__
        hint = ""
        if method == "create" and kind.endswith("Update"):
            hint = f"; use {kind.removesuffix('Update')} to create"
        elif method == "update" and kind.endswith("Integration"):
            hint = f"; use {kind}Update to update"
        raise InvalidArgumentError(f"integration must be an integration model for {method}, got {kind}{hint}")
    if not isinstance(integration, UnknownIntegration | UnknownIntegrationUpdate):  # an unknown one is sent as given
        credentials = integration.credentials
        integration_class: type = type(integration)
        accepted_credentials = _credential_classes(integration_class)
        if not isinstance(credentials, accepted_credentials) and not (credentials is None and method == "update"):
            names = " or ".join(c.__name__ for c in accepted_credentials)
            raise InvalidArgumentError(
                f"{type(integration).__name__}.credentials must be {names}, got {type(credentials).__name__}"
            )
    check_model(integration, "integration")  # every field's type, at any depth (a token list, a header ...)
    credentials = getattr(integration, "credentials", None)
    if isinstance(credentials, AWSAssumeRole | AWSAssumeRoleUpdate):
        account_id = credentials.account_id
        if account_id is not None and not _AWS_ACCOUNT_ID.fullmatch(account_id):
            raise InvalidArgumentError(f"AWS account_id must be 12 digits, got {account_id!r}")


@functools.cache
def _credential_classes(integration_class: type) -> tuple[type, ...]:
    """The credential classes an integration class's ``credentials`` annotation accepts (resolved once)."""
    return tuple(c for c in get_args(get_type_hints(integration_class)["credentials"]) if c is not NoneType)


def _check_tags(tags: Sequence[str] | None) -> list[str] | None:
    """Tags as a list, each ``key:value`` with a non-empty key other than the reserved ``default``."""
    if tags is None:
        return None
    if isinstance(tags, str) or not isinstance(tags, Sequence):
        raise InvalidArgumentError(f"tags must be a list of 'key:value' strings, got {type(tags).__name__}")
    for tag in tags:
        if not isinstance(tag, str):
            raise InvalidArgumentError(f"every tag must be a 'key:value' string, got {type(tag).__name__}")
        check_unicode(tag, "tags[]")
        key, colon, _ = tag.partition(":")
        if not colon or not key.strip():
            raise InvalidArgumentError(f"tag {tag!r} is not in 'key:value' form")
        if key == "default":
            raise InvalidArgumentError(f"tag {tag!r}: the tag key 'default' is reserved")
    return list(tags)
