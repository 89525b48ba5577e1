"""``dd.app_key_registrations``: which application keys may call the Actions APIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .._pagination import MAX_PAGE_SIZE, AsyncPaginator, check_page_size
from .._request import APIRequest, path_param
from ..models.app_key_registrations import (
    AppKeyRegistrationData,
    GetAppKeyRegistrationResponse,
    ListAppKeyRegistrationsResponse,
    RegisterAppKeyResponse,
)

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["AppKeyRegistrations"]

_REGISTRATIONS = "/api/v2/actions/app_key_registrations"
_REGISTRATION = "/api/v2/actions/app_key_registrations/{app_key_id}"


class AppKeyRegistrations:
    """Register, inspect and unregister application keys for Workflow Automation / App Builder."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def register(self, app_key_id: str) -> RegisterAppKeyResponse:
        """Register an application key (by id). A PUT: safe to retry."""
        return await self._client.request(
            APIRequest("PUT", _REGISTRATION, self._path(app_key_id)), RegisterAppKeyResponse
        )

    async def get(self, app_key_id: str) -> GetAppKeyRegistrationResponse:
        """Get a registration; :class:`aiodd.NotFoundError` when the key is not registered."""
        return await self._client.request(
            APIRequest("GET", _REGISTRATION, self._path(app_key_id)), GetAppKeyRegistrationResponse
        )

    async def unregister(self, app_key_id: str) -> None:
        """Unregister an application key."""
        await self._client.request(APIRequest("DELETE", _REGISTRATION, self._path(app_key_id)), None)

    def list(
        self, *, page_size: int = MAX_PAGE_SIZE
    ) -> AsyncPaginator[AppKeyRegistrationData, ListAppKeyRegistrationsResponse]:
        """Every registration, ``page_size`` (1..100, default 100) at a time."""
        check_page_size(page_size)

        async def fetch(query: Mapping[str, str]) -> ListAppKeyRegistrationsResponse:
            return await self._client.request(
                APIRequest("GET", _REGISTRATIONS, _REGISTRATIONS, query), ListAppKeyRegistrationsResponse
            )

        return AsyncPaginator(
            fetch,
            lambda page: page.data or [],
            lambda page: page.meta.total_filtered if page.meta else None,
            page_size=page_size,
        )

    @staticmethod
    def _path(app_key_id: str) -> str:
        return f"{_REGISTRATIONS}/{path_param(app_key_id, 'app_key_id')}"
