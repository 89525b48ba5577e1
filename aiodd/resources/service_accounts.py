"""``dd.service_accounts`` and ``dd.service_accounts.application_keys``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, get_args

from .._converter import converter
from .._exceptions import InvalidArgumentError
from .._not_given import NOT_GIVEN, NotGiven
from .._pagination import MAX_PAGE_SIZE, AsyncPaginator, check_page_size
from .._request import APIRequest, check_unicode, path_param, require_text
from ..models.service_accounts import (
    ApplicationKeyCreateAttributes,
    ApplicationKeyCreateData,
    ApplicationKeyCreateRequest,
    ApplicationKeyResponse,
    ApplicationKeysSort,
    ApplicationKeyUpdateAttributes,
    ApplicationKeyUpdateData,
    ApplicationKeyUpdateRequest,
    ListApplicationKeysResponse,
    PartialApplicationKey,
    PartialApplicationKeyResponse,
    RelationshipToRoleData,
    RelationshipToRoles,
    ServiceAccountCreateAttributes,
    ServiceAccountCreateData,
    ServiceAccountCreateRequest,
    User,
    UserRelationships,
    UserResponse,
)
from ..models.users import QuerySortOrder, UsersResponse, UsersSort, UserStatus
from .users import is_service_account

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["ApplicationKeys", "ServiceAccounts"]

_SERVICE_ACCOUNTS = "/api/v2/service_accounts"
_KEYS = "/api/v2/service_accounts/{service_account_id}/application_keys"
_KEY = "/api/v2/service_accounts/{service_account_id}/application_keys/{app_key_id}"
_SORTS = frozenset(get_args(ApplicationKeysSort))


def _scopes(scopes: Sequence[str] | None) -> list[str] | None:
    if scopes is None:
        return None
    if isinstance(scopes, str) or not isinstance(scopes, Sequence) or not all(isinstance(s, str) and s for s in scopes):
        raise InvalidArgumentError("scopes must be a list of non-empty strings")
    return [require_text(scope, "scopes[]") for scope in scopes]


def _timestamp(value: datetime | str | None, argument: str) -> str | None:
    """A timezone-aware datetime as ISO 8601 text, or an ISO 8601 string with a timezone, passed through."""
    if value is None:
        return None
    if isinstance(value, str):
        text = require_text(value, argument)
        try:
            parsed: datetime | None = datetime.fromisoformat(text)
        except ValueError:
            parsed = None  # refused below, without chaining the parser's error
        if parsed is None or parsed.tzinfo is None:
            raise InvalidArgumentError(
                f"{argument} must be an ISO 8601 timestamp with a timezone such as '2024-05-01T00:00:00Z', "
                f"got {value!r}"
            )
        return text
    if not isinstance(value, datetime):
        raise InvalidArgumentError(f"{argument} must be a datetime or an ISO 8601 string, got {type(value).__name__}")
    if value.tzinfo is None:
        raise InvalidArgumentError(f"{argument} must be timezone-aware (e.g. datetime.now(UTC))")
    return value.isoformat()


class ApplicationKeys:
    """Application keys owned by a service account."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def create(
        self, service_account_id: str, name: str, scopes: Sequence[str] | None = None
    ) -> ApplicationKeyResponse:
        """Create a key. ``result.data.attributes.key`` is its secret: the only time Datadog shows it.

        Never retried after an ambiguous failure (a retry could create a second key).
        """
        sa = path_param(service_account_id, "service_account_id")
        body = ApplicationKeyCreateRequest(
            ApplicationKeyCreateData(ApplicationKeyCreateAttributes(require_text(name, "name"), _scopes(scopes)))
        )
        request = APIRequest(
            "POST", _KEYS, f"{_SERVICE_ACCOUNTS}/{sa}/application_keys", json=converter.unstructure(body)
        )
        return await self._client.request(request, ApplicationKeyResponse)

    async def get(self, service_account_id: str, app_key_id: str) -> PartialApplicationKeyResponse:
        """Get one key (without its secret)."""
        path = self._key_path(service_account_id, app_key_id)
        return await self._client.request(APIRequest("GET", _KEY, path), PartialApplicationKeyResponse)

    async def update(
        self,
        service_account_id: str,
        app_key_id: str,
        name: str | NotGiven | None = NOT_GIVEN,
        scopes: Sequence[str] | NotGiven | None = NOT_GIVEN,
    ) -> PartialApplicationKeyResponse:
        """Rename a key or replace its scopes; at least one of the two must be given.

        What is left out stays as it is. A name cannot be null, so ``name=None`` also keeps it;
        ``scopes=None`` is sent as ``"scopes": null``, which leaves the key unscoped: it then has
        every permission of its service account.
        """
        path = self._key_path(service_account_id, app_key_id)
        if name is None:
            name = NOT_GIVEN
        if isinstance(name, NotGiven) and isinstance(scopes, NotGiven):
            raise InvalidArgumentError("update needs name or scopes")
        attributes = ApplicationKeyUpdateAttributes(
            name=name if isinstance(name, NotGiven) else require_text(name, "name"),
            scopes=scopes if isinstance(scopes, NotGiven) else _scopes(scopes),
        )
        body = ApplicationKeyUpdateRequest(ApplicationKeyUpdateData(attributes, app_key_id))
        request = APIRequest("PATCH", _KEY, path, json=converter.unstructure(body))
        return await self._client.request(request, PartialApplicationKeyResponse)

    async def delete(self, service_account_id: str, app_key_id: str) -> None:
        """Delete a key."""
        path = self._key_path(service_account_id, app_key_id)
        await self._client.request(APIRequest("DELETE", _KEY, path), None)

    def list(
        self,
        service_account_id: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        sort: ApplicationKeysSort | None = None,
        filter: str | None = None,
        created_after: datetime | str | None = None,
        created_before: datetime | str | None = None,
    ) -> AsyncPaginator[PartialApplicationKey, ListApplicationKeysResponse]:
        """Every key of the service account, fetched lazily ``page_size`` (1..100, default 100) at a time."""
        sa = path_param(service_account_id, "service_account_id")
        check_page_size(page_size)
        params: dict[str, str] = {}
        if sort is not None:
            if not isinstance(sort, str) or sort not in _SORTS:
                raise InvalidArgumentError(f"sort must be one of {sorted(_SORTS)}, got {sort!r}")
            params["sort"] = sort
        if filter is not None:
            params["filter"] = require_text(filter, "filter")
        start = _timestamp(created_after, "created_after")
        end = _timestamp(created_before, "created_before")
        if start is not None:
            params["filter[created_at][start]"] = start
        if end is not None:
            params["filter[created_at][end]"] = end
        path = f"{_SERVICE_ACCOUNTS}/{sa}/application_keys"

        async def fetch(query: Mapping[str, str]) -> ListApplicationKeysResponse:
            return await self._client.request(APIRequest("GET", _KEYS, path, query), ListApplicationKeysResponse)

        return AsyncPaginator(
            fetch,
            lambda page: page.data,
            lambda page: page.meta.page.total_filtered_count if page.meta and page.meta.page else None,
            page_size=page_size,
            params=params,
        )

    @staticmethod
    def _key_path(service_account_id: str, app_key_id: str) -> str:
        sa = path_param(service_account_id, "service_account_id")
        key = path_param(app_key_id, "app_key_id")
        return f"{_SERVICE_ACCOUNTS}/{sa}/application_keys/{key}"


class ServiceAccounts:
    """Service accounts (``dd.service_accounts``); their keys are ``dd.service_accounts.application_keys``."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self.application_keys = ApplicationKeys(client)

    async def create(
        self,
        email: str,
        name: str | None = None,
        title: str | None = None,
        role_ids: Sequence[str] | None = None,
    ) -> UserResponse:
        """Create a service account, optionally with roles. Never retried after an ambiguous failure."""
        roles = None
        if role_ids is not None:
            if isinstance(role_ids, str):
                raise InvalidArgumentError("role_ids must be a list of role ids, not a string")
            roles = UserRelationships(
                RelationshipToRoles([RelationshipToRoleData(require_text(r, "role_ids[]")) for r in role_ids])
            )
        if title is not None and not isinstance(title, str):
            raise InvalidArgumentError(f"title must be a string, got {type(title).__name__}")
        attributes = ServiceAccountCreateAttributes(
            email=require_text(email, "email"),
            name=None if name is None else require_text(name, "name"),
            title=None if title is None else check_unicode(title, "title"),
        )
        body = ServiceAccountCreateRequest(ServiceAccountCreateData(attributes, roles))
        request = APIRequest("POST", _SERVICE_ACCOUNTS, _SERVICE_ACCOUNTS, json=converter.unstructure(body))
        return await self._client.request(request, UserResponse)

    def list(
        self,
        *,
        filter: str | None = None,
        status: UserStatus | str | Sequence[UserStatus | str] | None = "Active",
        sort: UsersSort | None = None,
        sort_dir: QuerySortOrder | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncPaginator[User, UsersResponse]:
        """The service accounts among the users (default: the active ones), lazily.

        The arguments are those of ``dd.users.list``; ``status=None`` lists every status. People
        are dropped client-side (Datadog cannot filter on ``service_account``), so ``pages()``
        still yields whole pages of users.
        """
        return self._client.users._paginator(filter, status, sort, sort_dir, page_size, keep=is_service_account)
