"""Models of App Key Registrations (Actions API group)."""

from __future__ import annotations

import attrs

__all__ = [
    "AppKeyRegistrationData",
    "GetAppKeyRegistrationResponse",
    "ListAppKeyRegistrationsResponse",
    "ListAppKeyRegistrationsResponseMeta",
    "RegisterAppKeyResponse",
]


@attrs.frozen
class AppKeyRegistrationData:
    """A registration; its ``id`` is the application key's id."""

    id: str | None = None
    type: str = "app_key_registration"


@attrs.frozen
class RegisterAppKeyResponse:
    data: AppKeyRegistrationData | None = None


@attrs.frozen
class GetAppKeyRegistrationResponse:
    data: AppKeyRegistrationData | None = None


@attrs.frozen
class ListAppKeyRegistrationsResponseMeta:
    total: int | None = None
    total_filtered: int | None = None


@attrs.frozen
class ListAppKeyRegistrationsResponse:
    data: list[AppKeyRegistrationData] | None = None
    meta: ListAppKeyRegistrationsResponseMeta | None = None
