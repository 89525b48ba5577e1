"""Models of the Users API's listing (``GET /api/v2/users``), where service accounts are found.

A service account is a :class:`User` whose ``attributes.service_account`` is true; ``User`` and
its included items are shared with the Service Accounts group.
"""

from __future__ import annotations

from typing import Literal

import attrs

from .service_accounts import User, UserResponseIncludedItem

__all__ = [
    "Pagination",
    "QuerySortOrder",
    "ResponseMetaAttributes",
    "UserStatus",
    "UsersResponse",
    "UsersSort",
]

UsersSort = Literal["name", "-name", "modified_at", "-modified_at", "user_count", "-user_count"]
QuerySortOrder = Literal["asc", "desc"]
UserStatus = Literal["Active", "Pending", "Disabled"]
"""The values of ``filter[status]`` (and of ``UserAttributes.status``)."""


@attrs.define
class Pagination:
    total_count: int | None = None
    total_filtered_count: int | None = None


@attrs.define
class ResponseMetaAttributes:
    page: Pagination | None = None


@attrs.define
class UsersResponse:
    data: list[User] = attrs.Factory(list)
    included: list[UserResponseIncludedItem] | None = None
    meta: ResponseMetaAttributes | None = None
