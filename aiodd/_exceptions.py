"""Every error aiodd raises.

Error
├── ConfigurationError          bad client settings; raised by ``Client(...)``
├── InvalidArgumentError        bad input to a method; raised before anything is sent
├── ClientClosedError           the client was closed (before the call, or while it was in flight)
└── APIError                    something went wrong talking to Datadog
    ├── APIConnectionError      the request did not get an HTTP answer
    │   └── APITimeoutError
    ├── APIResponseValidationError   an answer we could not decode
    │   └── ResponseTooLargeError    its body is over ``Client(max_response_bytes=...)``
    └── APIStatusError          Datadog answered outside 2xx
        ├── BadRequestError            400
        ├── AuthenticationError        401
        ├── PermissionDeniedError      403
        ├── NotFoundError              404
        ├── ConflictError              409
        ├── UnprocessableEntityError   422
        ├── RateLimitError             429 (or a rate-limit wait over ``RetryPolicy.max_wait``)
        └── InternalServerError        >= 500

No message, attribute or repr here ever contains an API key, an application key or a secret:
URLs carry only the path and query, and text taken from an answer is hidden by
:mod:`aiodd._redact` (the client's own keys, secret-named members and ``name: value`` pairs).
An error never chains the exception that caused it (whose frames would hold the request's
headers): ``cause_type`` and the message say what it was. Every error pickles with everything
it carries (``ProcessPoolExecutor`` sends errors between processes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._redact import redact_secrets

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
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "Error",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "UnprocessableEntityError",
]

_SNIPPET = 500


def _restore(cls: type[Error], args: tuple[Any, ...], state: dict[str, Any]) -> Error:
    """Unpickle an error without calling its ``__init__`` (whose arguments are keyword-only)."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class Error(Exception):
    """Base class of every aiodd error."""

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore, (type(self), self.args, self.__dict__)


class ConfigurationError(Error, ValueError):
    """The client cannot be built from the given settings (missing key, unknown site, ...)."""


class InvalidArgumentError(Error, ValueError):
    """A method argument is invalid; nothing was sent."""


class ClientClosedError(Error, RuntimeError):
    """The client was closed: before this call (nothing was sent), or while the request was in
    flight (it may or may not have reached Datadog). Also a RuntimeError, as in httpx."""


class APIError(Error):
    """A request to Datadog failed. ``url`` holds no credentials (keys travel in headers)."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """The request got no HTTP answer, or lost it mid-body (refused, reset, DNS, TLS ...).

    ``cause_type`` names the underlying exception (``"ServerDisconnectedError"``, ...); its message,
    with secrets hidden, is part of this one. The exception itself is not chained.
    """

    def __init__(self, message: str, *, method: str, url: str, cause_type: str | None = None) -> None:
        super().__init__(message, method=method, url=url)
        self.cause_type = cause_type


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class APIResponseValidationError(APIError):
    """Datadog answered with success, but the body is not the JSON document we expected (or, as
    :class:`ResponseTooLargeError`, an answer of any status was too large to read)."""

    def __init__(self, message: str, *, method: str, url: str, status: int, body: str) -> None:
        body = redact_secrets(body)
        shown = f"; body starts: {body[:_SNIPPET]!r}" if body else ""
        super().__init__(f"{message} (HTTP {status}{shown})", method=method, url=url)
        self.status = status
        self.body = body


class ResponseTooLargeError(APIResponseValidationError):
    """The answer's body is larger than ``Client(max_response_bytes=...)`` (``limit``).

    Raised as soon as the ``Content-Length`` or the bytes read so far pass the limit; the rest is
    never read and the connection is closed. ``body`` is empty. Any status, success or not.
    """

    def __init__(self, *, method: str, url: str, status: int, limit: int) -> None:
        super().__init__(
            f"{method} {url}: the answer is larger than max_response_bytes={limit}; it was not read",
            method=method,
            url=url,
            status=status,
            body="",
        )
        self.limit = limit


class APIStatusError(APIError):
    """Datadog answered with an error status.

    ``errors`` is the parsed error list: plain strings from the Service Accounts group
    (``{"errors": ["Bad Request"]}``), :class:`~aiodd.models.JSONAPIErrorItem` objects from the
    Actions group. ``body`` is the answer's text; ``headers`` its ``X-RateLimit-*`` headers.
    ``message`` replaces the message built from the status and errors.
    """

    def __init__(
        self,
        *,
        status: int,
        method: str,
        url: str,
        errors: Sequence[str | JSONAPIErrorItem] = (),
        body: str = "",
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        message: str | None = None,
    ) -> None:
        body = redact_secrets(body)
        self.status = status
        self.errors: list[str | JSONAPIErrorItem] = list(errors)
        self.body = body
        self.request_id = request_id
        self.headers: Mapping[str, str] = dict(headers or {})
        if message is None:
            detail = "; ".join(str(e) for e in self.errors) or body[:_SNIPPET].strip() or "no details"
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
    """Rate limited, and waiting was not possible or not allowed: a 429 that retries could not
    absorb, or a wait for a rate-limit reset longer than ``RetryPolicy.max_wait`` (then raised at
    once, before sending, and ``status`` is 429 without an answer).

    ``rate_limit`` is the parsed ``X-RateLimit-*`` state of the last answer, when it had one;
    ``retry_after`` the seconds Datadog asked to wait (``X-RateLimit-Reset`` / ``Retry-After``),
    ``None`` when unknown.
    """

    def __init__(
        self,
        *,
        method: str,
        url: str,
        status: int = 429,
        errors: Sequence[str | JSONAPIErrorItem] = (),
        body: str = "",
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        message: str | None = None,
        rate_limit: RateLimit | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            status=status,
            method=method,
            url=url,
            errors=errors,
            body=body,
            request_id=request_id,
            headers=headers,
            message=message,
        )
        self.rate_limit = rate_limit
        self.retry_after = retry_after


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
