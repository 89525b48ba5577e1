"""Handler for the Users API's listing (``GET /api/v2/users``), in raw JSON.

Every user is listed, people and service accounts alike (``attributes.service_account``), with
``page[size]`` (default 10, at most 100), ``page[number]`` (from 0), ``sort`` (``name``,
``modified_at``, ``user_count``; ``-`` first or ``sort_dir=desc`` for descending), ``filter`` (a
case-insensitive substring of the name, email or handle) and ``filter[status]``
(comma-separated ``Active``, ``Pending``, ``Disabled``). Errors use the Service Accounts group's
``{"errors": ["..."]}`` format, the same ``/api/v2/`` family.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from ._routing import USERS, Route
from ._service_accounts import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, render_user
from ._state import FakeState
from ._stored import USER_STATUSES, User
from ._validation import BadRequest, parse_int
from ._wire import Group, json_response

__all__ = ["UserHandlers"]

# Users carry no count of their own: ``user_count`` keeps creation order (the tie-breaker of all).
_SORT_KEYS: dict[str, Callable[[User], tuple[Any, ...]]] = {
    "name": lambda user: ((user.name or "").casefold(), user.created_at, user.id),
    "modified_at": lambda user: (user.modified_at, user.created_at, user.id),
    "user_count": lambda user: (user.created_at, user.id),
}
_SORTS = frozenset((*_SORT_KEYS, *(f"-{field}" for field in _SORT_KEYS)))
_SORT_DIRS = frozenset({"asc", "desc"})


class UserHandlers:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    def routes(self) -> list[Route]:
        return [Route("GET", "/api/v2/users", self.list_users, USERS)]

    async def list_users(self, request: web.Request) -> web.Response:
        query = request.query
        size = parse_int(
            query.get("page[size]"), "page[size]", default=DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE
        )
        number = parse_int(query.get("page[number]"), "page[number]", default=0, minimum=0)
        sort = query.get("sort", "name")
        if sort not in _SORTS:
            raise BadRequest(f"Invalid value {sort!r} for 'sort'; allowed values: {', '.join(sorted(_SORTS))}")
        sort_dir = query.get("sort_dir", "asc")
        if sort_dir not in _SORT_DIRS:
            raise BadRequest(f"Invalid value {sort_dir!r} for 'sort_dir'; allowed values: asc, desc")
        statuses = _statuses(query.get("filter[status]"))
        needle = (query.get("filter") or "").casefold()

        users = self._state.users()
        chosen = [
            user
            for user in users
            if (statuses is None or user.status in statuses)
            and (not needle or any(needle in field.casefold() for field in _searchable(user)))
        ]
        chosen.sort(key=_SORT_KEYS[sort.lstrip("-")], reverse=sort.startswith("-") or sort_dir == "desc")
        page = chosen[number * size : (number + 1) * size]
        return json_response(
            Group.SERVICE_ACCOUNTS,
            200,
            {
                "data": [render_user(user) for user in page],
                "meta": {"page": {"total_count": len(users), "total_filtered_count": len(chosen)}},
            },
        )


def _statuses(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    values = [value.strip() for value in raw.split(",")]
    for value in values:
        if value not in USER_STATUSES:
            allowed = ", ".join(USER_STATUSES)
            raise BadRequest(f"Invalid value {value!r} for 'filter[status]'; allowed values: {allowed}")
    return frozenset(values)


def _searchable(user: User) -> tuple[str, ...]:
    handle = user.id if user.service_account else user.email
    return (user.name or "", user.email, handle)
