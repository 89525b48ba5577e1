"""``dd.users``: the organisation's users, where service accounts are found.

``GET /api/v2/users`` (permission ``user_access_read``) lists every user, people and service
accounts alike; a service account is a user with ``attributes.service_account`` true. Datadog
offers no filter for that attribute, so ``dd.service_accounts.list`` keeps them client-side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, get_args

from .._exceptions import InvalidArgumentError
from .._pagination import MAX_PAGE_SIZE, AsyncPaginator, check_page_size
from .._request import APIRequest, require_text
from ..models.service_accounts import User
from ..models.users import QuerySortOrder, UsersResponse, UsersSort, UserStatus

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["Users", "is_service_account"]

_USERS = "/api/v2/users"
_SORTS = frozenset(get_args(UsersSort))
_SORT_DIRS = frozenset(get_args(QuerySortOrder))
_STATUSES = {status.casefold(): status for status in get_args(UserStatus)}


def is_service_account(user: User) -> bool:
    """Whether a listed user is a service account (``attributes.service_account`` is true)."""
    return user.attributes is not None and user.attributes.service_account is True


def _status_filter(status: str | Sequence[str]) -> str:
    """``"Active"``, ``"active,disabled"`` or ``["Active", "Disabled"]`` -> ``"Active,Disabled"``."""
    values = status.split(",") if isinstance(status, str) else status
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InvalidArgumentError("status must be a string or a list of strings")
    chosen: dict[str, None] = {}
    for value in values:
        known = _STATUSES.get(value.strip().casefold()) if isinstance(value, str) else None
        if known is None:
            raise InvalidArgumentError(f"status must be among {', '.join(_STATUSES.values())}, got {value!r}")
        chosen[known] = None
    if not chosen:
        raise InvalidArgumentError("status must name at least one of Active, Pending, Disabled")
    return ",".join(chosen)


class Users:
    """Users of the organisation (``dd.users``)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def list(
        self,
        *,
        filter: str | None = None,
        status: UserStatus | str | Sequence[UserStatus | str] | None = None,
        sort: UsersSort | None = None,
        sort_dir: QuerySortOrder | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncPaginator[User, UsersResponse]:
        """Every user matching the arguments, fetched lazily ``page_size`` (1..100) at a time.

        ``filter`` is matched by Datadog (name, email, handle); ``status`` is one of ``Active``,
        ``Pending``, ``Disabled`` or several (a list, or comma-separated); ``sort`` is ``name``,
        ``modified_at`` or ``user_count``, ``-`` first for descending, or set ``sort_dir``.
        """
        return self._paginator(filter, status, sort, sort_dir, page_size, keep=None)

    def _paginator(
        self,
        filter: str | None,
        status: str | Sequence[str] | None,
        sort: str | None,
        sort_dir: str | None,
        page_size: int,
        *,
        keep: Callable[[User], bool] | None,
    ) -> AsyncPaginator[User, UsersResponse]:
        check_page_size(page_size)
        params: dict[str, str] = {}
        if sort is not None:
            if not isinstance(sort, str) or sort not in _SORTS:
                raise InvalidArgumentError(f"sort must be one of {sorted(_SORTS)}, got {sort!r}")
            params["sort"] = sort
        if sort_dir is not None:
            if not isinstance(sort_dir, str) or sort_dir not in _SORT_DIRS:
                raise InvalidArgumentError(f"sort_dir must be 'asc' or 'desc', got {sort_dir!r}")
            params["sort_dir"] = sort_dir
        if filter is not None:
            params["filter"] = require_text(filter, "filter")
        if status is not None:
            params["filter[status]"] = _status_filter(status)

        async def fetch(query: Mapping[str, str]) -> UsersResponse:
            return await self._client.request(APIRequest("GET", _USERS, _USERS, query), UsersResponse)

        return AsyncPaginator(fetch, lambda page: page.data, _total, page_size=page_size, params=params, keep=keep)


def _total(page: UsersResponse) -> int | None:
    """The larger of the two counts: the reference does not say which filters the filtered count
    reflects, and an undercount would end the walk early and silently drop users. An overcount
    costs at most one request: the walk also ends at the first short page."""
    counts = page.meta.page if page.meta else None
    known = [n for n in (counts.total_count, counts.total_filtered_count) if n is not None] if counts else []
    return max(known) if known else None
