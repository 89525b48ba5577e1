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


@attrs.define
class AppKeyRegistrationData:
    """A registration; its ``id`` is the application key's id."""

    id: str | None = None
    type: str = "app_key_registration"


@attrs.define
class RegisterAppKeyResponse:
    data: AppKeyRegistrationData | None = None


@attrs.define
class GetAppKeyRegistrationResponse:
    data: AppKeyRegistrationData | None = None


@attrs.define
class ListAppKeyRegistrationsResponseMeta:
    total: int | None = None
    total_filtered: int | None = None


@attrs.define
class ListAppKeyRegistrationsResponse:
    data: list[AppKeyRegistrationData] | None = None
    meta: ListAppKeyRegistrationsResponseMeta | None = None
