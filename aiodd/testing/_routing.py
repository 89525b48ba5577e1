"""What the server needs to know about each operation besides its handler: the rate-limit bucket.

Datadog names its buckets in ``X-RateLimit-Name`` and limits each one separately; the fake uses
one bucket per resource, listed here so tests and docs can refer to them by constant.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

__all__ = [
    "ACTION_CONNECTIONS",
    "APP_KEY_REGISTRATIONS",
    "BUCKETS",
    "SERVICE_ACCOUNTS",
    "SERVICE_ACCOUNT_APPLICATION_KEYS",
    "USERS",
    "Route",
]

SERVICE_ACCOUNTS = "service_accounts"
"""``POST /api/v2/service_accounts``."""
SERVICE_ACCOUNT_APPLICATION_KEYS = "service_account_application_keys"
"""All five operations under ``/api/v2/service_accounts/{id}/application_keys``."""
USERS = "users"
"""``GET /api/v2/users``, where service accounts are found."""
ACTION_CONNECTIONS = "action_connections"
"""All four operations under ``/api/v2/actions/connections``."""
APP_KEY_REGISTRATIONS = "app_key_registrations"
"""All four operations under ``/api/v2/actions/app_key_registrations``."""

BUCKETS = (SERVICE_ACCOUNTS, SERVICE_ACCOUNT_APPLICATION_KEYS, USERS, ACTION_CONNECTIONS, APP_KEY_REGISTRATIONS)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Handler
    bucket: str
    #: Action Connection calls "require a registered application key" (when the fake enforces it)
    needs_registered_key: bool = False
