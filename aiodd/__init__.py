"""aiodd: an asyncio-native client for the Datadog API v2.

Action Connections, App Key Registrations, Service Accounts and their Application Keys.
"""

import logging

from . import models
from ._client import Client
from ._events import ClientStats, RetryEvent
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    Error,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._pagination import AsyncPaginator
from ._ratelimit import RateLimit
from ._retry import RetryPolicy
from ._version import __version__

logging.getLogger("aiodd").addHandler(logging.NullHandler())  # the application decides where logs go

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ClientStats",
    "ConfigurationError",
    "ConflictError",
    "Error",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RetryEvent",
    "RetryPolicy",
    "UnprocessableEntityError",
    "__version__",
    "models",
]
