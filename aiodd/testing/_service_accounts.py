"""Handlers for Service Accounts and their Application Keys (6 operations), in raw JSON.

Shapes follow the recordings rather than the reference where they differ: users carry
``allowed_login_methods`` and ``uuid``, keys carry ``scopes: null`` and a
``leak_information: {"data": null}`` relationship, a delete answers 204 ``text/html`` with an
empty body. Only the create call ever returns a key's secret (``attributes.key``). A leaked
key's ``leak_information`` points at a ``leaked_keys`` item sent in ``included``; a key shows
``last_used_at`` once it was used (no recording shows one never used with the field).
"""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web

from ._keyindex import SORT_FIELDS, AccountKeys
from ._routing import SERVICE_ACCOUNT_APPLICATION_KEYS, SERVICE_ACCOUNTS, Route
from ._state import KEEP, ORG_ID, FakeState
from ._stored import ApplicationKey, Leak, User, wire_timestamp
from ._validation import (
    BadRequest,
    optional_object,
    optional_str,
    optional_str_list,
    parse_datetime,
    parse_int,
    read_json_object,
    require_bool,
    require_enum,
    require_object,
    require_str,
)
from ._wire import ErrorAnswer, Group, json_response, no_content

__all__ = ["ServiceAccountHandlers", "render_user"]

_GROUP = Group.SERVICE_ACCOUNTS
_SORTS = frozenset((*SORT_FIELDS, *(f"-{field}" for field in SORT_FIELDS)))
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 10
DEFAULT_MAX_KEYS_PER_ACCOUNT = 1000  # what Datadog reports in meta.max_allowed_per_user


class ServiceAccountHandlers:
    """The six operations; ``max_keys_per_account`` (``None``: unlimited) caps key creation."""

    def __init__(self, state: FakeState, *, max_keys_per_account: int | None = None) -> None:
        self._state = state
        self._max_keys = max_keys_per_account

    def routes(self) -> list[Route]:
        accounts = "/api/v2/service_accounts"
        keys = accounts + "/{service_account_id}/application_keys"
        key = keys + "/{app_key_id}"
        bucket = SERVICE_ACCOUNT_APPLICATION_KEYS
        return [
            Route("POST", accounts, self.create_service_account, SERVICE_ACCOUNTS),
            Route("POST", keys, self.create_key, bucket),
            Route("GET", keys, self.list_keys, bucket),
            Route("GET", key, self.get_key, bucket),
            Route("PATCH", key, self.update_key, bucket),
            Route("DELETE", key, self.delete_key, bucket),
        ]

    async def create_service_account(self, request: web.Request) -> web.Response:
        data = _data(await read_json_object(request), "users")
        attributes = require_object(data, "attributes", "data.")
        where = "data.attributes."
        email = require_str(attributes, "email", where)
        if "@" not in email:
            raise BadRequest(f"Invalid email address {email!r}")
        if not require_bool(attributes, "service_account", where):
            raise BadRequest(f"Field '{where}service_account' must be true")
        account = self._state.create_service_account(
            email,
            name=optional_str(attributes, "name", where, allow_empty=True),
            title=optional_str(attributes, "title", where, allow_empty=True),
            role_ids=_role_ids(data),
        )
        return json_response(_GROUP, 201, {"data": render_user(account)})

    async def create_key(self, request: web.Request) -> web.Response:
        account, keys = self._account(request)
        data = _data(await read_json_object(request), "application_keys")
        attributes = require_object(data, "attributes", "data.")
        name = require_str(attributes, "name", "data.attributes.")
        scopes = optional_str_list(attributes, "scopes", "data.attributes.")
        if self._max_keys is not None and len(keys) >= self._max_keys:
            raise BadRequest(f"Maximum number of application keys ({self._max_keys}) reached for this user")
        key = self._state.create_application_key(account.id, name, scopes)
        return json_response(_GROUP, 201, {"data": render_key(key, with_secret=True)})

    async def list_keys(self, request: web.Request) -> web.Response:
        account, keys = self._account(request)
        query = request.query
        size = parse_int(
            query.get("page[size]"), "page[size]", default=DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE
        )
        number = parse_int(query.get("page[number]"), "page[number]", default=0, minimum=0)
        sort = query.get("sort", "name")
        if sort not in _SORTS:
            raise BadRequest(f"Invalid value {sort!r} for 'sort'; allowed values: {', '.join(sorted(_SORTS))}")
        start = parse_datetime(query.get("filter[created_at][start]"), "filter[created_at][start]")
        end = parse_datetime(query.get("filter[created_at][end]"), "filter[created_at][end]")
        page, total = keys.page((sort, query.get("filter") or None, start, end), number * size, size)
        payload: dict[str, Any] = {"data": [render_key(key) for key in page]}
        if page:
            payload["included"] = _included(account, page)
        payload["meta"] = {
            "max_allowed_per_user": self._max_keys or DEFAULT_MAX_KEYS_PER_ACCOUNT,
            "page": {"total_filtered_count": total},
        }
        return json_response(_GROUP, 200, payload)

    async def get_key(self, request: web.Request) -> web.Response:
        account, keys = self._account(request)
        key = _key(keys, request)
        return json_response(_GROUP, 200, {"data": render_key(key), "included": _included(account, [key])})

    async def update_key(self, request: web.Request) -> web.Response:
        account, keys = self._account(request)
        data = _data(await read_json_object(request), "application_keys")
        key_id = request.match_info["app_key_id"]
        if require_str(data, "id", "data.") != key_id:
            raise BadRequest("Field 'data.id' must match the application key id in the path")
        attributes = require_object(data, "attributes", "data.")
        name = optional_str(attributes, "name", "data.attributes.")
        scopes = optional_str_list(attributes, "scopes", "data.attributes.") if "scopes" in attributes else KEEP
        key = _key(keys, request)
        self._state.update_application_key(key, name=name, scopes=scopes)
        return json_response(_GROUP, 200, {"data": render_key(key), "included": _included(account, [key])})

    async def delete_key(self, request: web.Request) -> web.Response:
        _, keys = self._account(request)
        key = _key(keys, request)
        self._state.delete_application_key(key.id)
        return no_content(_GROUP)

    def _account(self, request: web.Request) -> tuple[User, AccountKeys]:
        sa_id = request.match_info["service_account_id"]
        account = self._state.service_account(sa_id)
        keys = self._state.account_keys(sa_id)
        if account is None or keys is None:
            raise ErrorAnswer(404, "Service account not found")
        return account, keys


def render_user(user: User) -> dict[str, Any]:
    """A ``users`` resource as Datadog returns a service account or a person."""
    email_hash = hashlib.md5(user.email.encode(), usedforsecurity=False).hexdigest()
    return {
        "type": "users",
        "id": user.id,
        "attributes": {
            "name": user.name,
            "handle": user.id if user.service_account else user.email,
            "created_at": wire_timestamp(user.created_at),
            "modified_at": wire_timestamp(user.modified_at),
            "email": user.email,
            "icon": f"https://secure.gravatar.com/avatar/{email_hash}?s=48&d=retro",
            "title": user.title,
            "verified": user.status != "Pending",
            "service_account": user.service_account,
            "disabled": user.status == "Disabled",
            "allowed_login_methods": [],
            "status": user.status,
            "uuid": user.id,
        },
        "relationships": {
            "roles": {"data": [{"type": "roles", "id": role_id} for role_id in user.role_ids]},
            "org": {"data": {"type": "orgs", "id": ORG_ID}},
        },
    }


def render_key(key: ApplicationKey, *, with_secret: bool = False) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "name": key.name,
        "created_at": wire_timestamp(key.created_at),
        "last4": key.last4,
    }
    if with_secret:
        attributes["key"] = key.secret
    attributes["scopes"] = key.scopes
    if key.last_used_at is not None:
        attributes["last_used_at"] = wire_timestamp(key.last_used_at)
    leak = None if key.leak is None else {"type": "leaked_keys", "id": key.leak.id}
    return {
        "type": "application_keys",
        "id": key.id,
        "attributes": attributes,
        "relationships": {
            "owned_by": {"data": {"type": "users", "id": key.owner_id}},
            "leak_information": {"data": leak},
        },
    }


def render_leak(leak: Leak) -> dict[str, Any]:
    """A ``leaked_keys`` resource (``LeakedKey`` in the reference: ``date``, ``leak_source``)."""
    attributes: dict[str, Any] = {"date": wire_timestamp(leak.date)}
    if leak.source is not None:
        attributes["leak_source"] = leak.source
    return {"type": "leaked_keys", "id": leak.id, "attributes": attributes}


def _included(owner: User, keys: list[ApplicationKey]) -> list[dict[str, Any]]:
    """The owner, then the leaks the keys point at."""
    return [render_user(owner), *(render_leak(key.leak) for key in keys if key.leak is not None)]


def _data(body: dict[str, Any], resource_type: str) -> dict[str, Any]:
    data = require_object(body, "data", "")
    require_enum(data, "type", "data.", {resource_type})
    return data


def _key(keys: AccountKeys, request: web.Request) -> ApplicationKey:
    key = keys.get(request.match_info["app_key_id"])
    if key is None:
        raise ErrorAnswer(404, "Application key not found")  # the recorded message
    return key


def _role_ids(data: dict[str, Any]) -> list[str]:
    relationships = optional_object(data, "relationships", "data.")
    if relationships is None:
        return []
    roles = optional_object(relationships, "roles", "data.relationships.")
    if roles is None:
        return []
    items = roles.get("data") or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise BadRequest("Field 'data.relationships.roles.data' must be an array of objects")
    role_ids: list[str] = []
    for index, item in enumerate(items):
        where = f"data.relationships.roles.data[{index}]."
        if "type" in item:
            require_enum(item, "type", where, {"roles"})
        role_ids.append(require_str(item, "id", where))
    return role_ids
