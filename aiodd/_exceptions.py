"""Every error aiodd raises.

Error
├── ConfigurationError          bad client settings; raised by ``Client(...)``
├── InvalidArgumentError        bad input to a method; raised before anything is sent
└── APIError                    something went wrong talking to Datadog
    ├── APIConnectionError      the request did not get an HTTP answer
    │   └── APITimeoutError
    ├── APIResponseValidationError   a success answer we could not decode
    └── APIStatusError          Datadog answered 4xx/5xx
        ├── BadRequestError            400
        ├── AuthenticationError        401
        ├── PermissionDeniedError      403
        ├── NotFoundError              404
        ├── ConflictError              409
        ├── UnprocessableEntityError   422
        ├── RateLimitError             429
        └── InternalServerError        >= 500

No message, attribute or repr here ever contains an API key, an application key or a secret:
URLs carry only the path and query, and a body kept on an error has the value of every
secret-named JSON member (``key``, ``*_key``, ``*token``, ``*secret``, ``password``) redacted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._ratelimit import RateLimit
    from .models import JSONAPIErrorItem

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "Error",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
]

_SNIPPET = 500

# A JSON string member whose name says it holds a secret: ``"key"`` (the new application key's
# secret in a create answer) and any ``*_key``, ``*token``, ``*secret`` or ``password`` member.
_SECRET_MEMBER = re.compile(
    r'("(?:[A-Za-z0-9_]*_)?(?:key|token|secret|password|value|content)"\s*:\s*)"(?:[^"\\]|\\.)*"?', re.IGNORECASE
)


def redact_secrets(text: str) -> str:
    """``text`` with the value of every secret-named JSON string member replaced by ``<redacted>``.

    Applied to whole bodies before they are cut to a snippet, so a secret cut in half is still
    hidden.
    """
    return _SECRET_MEMBER.sub(r'\1"<redacted>"', text)


class Error(Exception):
    """Base class of every aiodd error."""


class ConfigurationError(Error, ValueError):
    """The client cannot be built from the given settings (missing key, unknown site, ...)."""


class InvalidArgumentError(Error, ValueError):
    """A method argument is invalid; nothing was sent."""


class APIError(Error):
    """A request to Datadog failed. ``url`` holds no credentials (keys travel in headers)."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """The request got no HTTP answer (refused, reset, DNS, TLS ...)."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class APIResponseValidationError(APIError):
    """Datadog answered with success, but the body is not the JSON document we expected."""

    def __init__(self, message: str, *, method: str, url: str, status: int, body: str) -> None:
        body = redact_secrets(body)
        super().__init__(f"{message} (HTTP {status}; body starts: {body[:_SNIPPET]!r})", method=method, url=url)
        self.status = status
        self.body = body


class APIStatusError(APIError):
    """Datadog answered with an error status.

    ``errors`` is the parsed error list: plain strings from the Service Accounts group
    (``{"errors": ["Bad Request"]}``), :class:`~aiodd.models.JSONAPIErrorItem` objects from the
    Actions group. ``body`` is the raw text when it was not JSON.
    """

    def __init__(
        self,
        *,
        status: int,
        method: str,
        url: str,
        errors: list[str | JSONAPIErrorItem],
        body: str,
        request_id: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        body = redact_secrets(body)
        self.status = status
        self.errors = errors
        self.body = body
        self.request_id = request_id
        self.headers: Mapping[str, str] = dict(headers or {})
        detail = "; ".join(str(e) for e in errors) or body[:_SNIPPET].strip() or "no details"
        message = f"{method} {url} -> HTTP {status}: {detail}"
        if request_id:
            message += f" (request id {request_id})"
        super().__init__(message, method=method, url=url)


class BadRequestError(APIStatusError):
    """400: the request was malformed."""


class AuthenticationError(APIStatusError):
    """401: the keys were not accepted."""


class PermissionDeniedError(APIStatusError):
    """403: the keys lack a permission (or the application key is not registered for Actions)."""


class NotFoundError(APIStatusError):
    """404: no such resource."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but semantically wrong."""


class RateLimitError(APIStatusError):
    """429: rate limited, and retrying was not possible or not allowed.

    ``rate_limit`` is the parsed ``X-RateLimit-*`` state of the last answer, when it had one.
    """

    rate_limit: RateLimit | None = None


class InternalServerError(APIStatusError):
    """5xx: Datadog failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIStatusError)


def parse_error_list(body: bytes) -> list[str | JSONAPIErrorItem]:
    """Parse both error formats Datadog uses; anything else gives an empty list."""
    from ._converter import converter
    from .models import JSONAPIErrorItem

    try:
        document: Any = json.loads(body)
    except ValueError:
        return []
    items = document.get("errors") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return []
    parsed: list[str | JSONAPIErrorItem] = []
    for item in items:
        if isinstance(item, str):
            parsed.append(item)
        elif isinstance(item, dict):
            try:
                parsed.append(converter.structure(item, JSONAPIErrorItem))
            except Exception:  # a malformed item must not hide the status error
                parsed.append(json.dumps(item))
        else:
            parsed.append(str(item))
    return parsed
