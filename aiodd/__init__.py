"""aiodd: an asyncio-native client for the Datadog API v2.

Action Connections, App Key Registrations, Service Accounts and their Application Keys.

A request's path: a resource method (``resources/``) checks its arguments and builds an
``APIRequest`` (``_request.py``); ``Client.request`` (``_client.py``, only I/O) sends it through the
middleware chain (``_middleware/``), where one built-in layer resends as ``_retry.py`` decides,
throttles as ``_governor.py`` decides and bounds each attempt by its deadline; ``_response.py``
decodes the answer into a model (rules in ``_converter.py``) or a typed error (``_exceptions.py``).
"""

import logging
from typing import TYPE_CHECKING, Any

from . import models
from ._client import Client
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    Error,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    UnprocessableEntityError,
)
from ._not_given import NOT_GIVEN, NotGiven
from ._pagination import AsyncPaginator
from ._ratelimit import RateLimit
from ._retry import RetryPolicy
from ._stats import ClientStats, RetryEvent
from ._version import __version__

if TYPE_CHECKING:
    from ._redis.config import RedisRateLimit
    from .rotation import rotate_application_keys

logging.getLogger("aiodd").addHandler(logging.NullHandler())  # the application decides where logs go

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ClientClosedError",
    "ClientStats",
    "ConfigurationError",
    "ConflictError",
    "Error",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RedisRateLimit",
    "ResponseTooLargeError",
    "RetryEvent",
    "RetryPolicy",
    "UnprocessableEntityError",
    "__version__",
    "models",
    "rotate_application_keys",
]


def __getattr__(name: str) -> Any:
    # Rotation and the Redis options are imported on first use: a plain ``get`` should not pay for them.
    if name == "rotate_application_keys":
        from .rotation import rotate_application_keys

        return rotate_application_keys
    if name == "RedisRateLimit":
        from ._redis.config import RedisRateLimit

        return RedisRateLimit
    raise AttributeError(f"module 'aiodd' has no attribute {name!r}")
