"""One :class:`aiodd.Client` per FastAPI app: opened at startup, closed at shutdown, injected into endpoints.

    from fastapi import FastAPI
    from aiodd.contrib.fastapi import DatadogClient, aiodd_lifespan, install_error_handlers

    app = FastAPI(lifespan=aiodd_lifespan())  # or aiodd_lifespan(your_lifespan, timeout=30)
    install_error_handlers(app)

    @app.get("/connections/{connection_id}")
    async def connection(connection_id: str, dd: DatadogClient) -> dict[str, str | None]:
        answer = await dd.action_connections.get(connection_id)
        return {"name": answer.data.attributes.name if answer.data else None}

Every request of the process shares that client: one connection pool, and one rate-limit governor
that keeps concurrent requests within Datadog's buckets. A client per request would open a pool
per request and let each request discover the rate limits on its own, by hitting them. Under
several worker processes (``uvicorn --workers 8``, gunicorn), ``aiodd_lifespan(rate_limit=
"redis://host:6379/0")`` makes every worker's client share each bucket through Redis.

:func:`install_error_handlers` maps aiodd's errors to HTTP answers for the service's callers,
see :func:`http_exception_for`. Needs the ``aiodd[fastapi]`` extra.
"""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

try:
    from fastapi import Depends, FastAPI, HTTPException
    from fastapi.requests import HTTPConnection, Request
    from fastapi.responses import JSONResponse
except ImportError as exc:
    raise ImportError("aiodd.contrib.fastapi needs FastAPI; install the extra: pip install 'aiodd[fastapi]'") from exc

from .._client import Client
from .._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from .._ratelimit import RateLimit, schedulable

__all__ = [
    "AppLifespan",
    "DatadogClient",
    "aiodd_client",
    "aiodd_lifespan",
    "http_exception_for",
    "install_error_handlers",
]

logger = logging.getLogger(__name__)

# Where the client lives: in the lifespan state (``request.state.aiodd_client``) and ``app.state``.
_STATE_KEY = "aiodd_client"

AppLifespan = Callable[[FastAPI], AbstractAsyncContextManager[Mapping[str, Any] | None]]
"""An app's own lifespan: ``@asynccontextmanager async def lifespan(app): ... yield [state]``."""

# Used when Datadog gave no reset countdown; its rate-limit windows are 10 to 60 seconds.
_DEFAULT_RETRY_AFTER = 60

_UPSTREAM_CREDENTIALS = "This is a configuration problem of this service, not a problem with your request."


def aiodd_lifespan(
    app_lifespan: AppLifespan | None = None, /, **client_options: Any
) -> Callable[[FastAPI], AbstractAsyncContextManager[dict[str, Any]]]:
    """A lifespan for ``FastAPI(lifespan=...)`` that owns one :class:`aiodd.Client`.

    At startup it builds ``aiodd.Client(**client_options)`` (keys and site default to
    ``DD_API_KEY`` / ``DD_APP_KEY`` / ``DD_SITE``, read at startup, so a misconfigured service
    fails to start rather than at its first request), then enters ``app_lifespan`` if given, which
    can already use the client as ``app.state.aiodd_client``. At shutdown it leaves
    ``app_lifespan`` first, then closes the client. The client is in the lifespan state (what
    endpoints see as ``request.state``), merged over the state ``app_lifespan`` yields, and on
    ``app.state`` for code outside requests.

    A new client is built at every startup because a closed client cannot be reopened (a test
    suite starts the same app many times). Unknown option names raise ``TypeError`` here.
    ``rate_limit="redis://..."`` (or an :class:`aiodd.RedisRateLimit`) shares the rate-limit
    budget with the app's other worker processes.
    """
    inspect.signature(Client).bind(**client_options)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        async with Client(**client_options) as client:
            setattr(app.state, _STATE_KEY, client)
            try:
                if app_lifespan is None:
                    yield {_STATE_KEY: client}
                else:
                    async with app_lifespan(app) as app_state:
                        yield {**(app_state or {}), _STATE_KEY: client}
            finally:
                if getattr(app.state, _STATE_KEY, None) is client:
                    delattr(app.state, _STATE_KEY)

    return lifespan


async def aiodd_client(connection: HTTPConnection) -> Client:
    """The app's client, for ``Depends(aiodd_client)``; prefer the :data:`DatadogClient` alias.

    It returns the client rather than yielding it: the client belongs to the app, not to the
    request, so nothing happens when the request ends (a streamed response can keep using it).
    It is ``async`` so FastAPI runs it on the event loop instead of its thread pool.
    """
    client = getattr(connection.state, _STATE_KEY, None) or getattr(connection.app.state, _STATE_KEY, None)
    if not isinstance(client, Client):
        raise RuntimeError(
            "no aiodd.Client on this app: create it with FastAPI(lifespan=aiodd.contrib.fastapi.aiodd_lifespan()) "
            "or aiodd_lifespan(your_lifespan), and make sure the server runs the lifespan"
        )
    return client


DatadogClient = Annotated[Client, Depends(aiodd_client)]
"""An endpoint parameter typed ``DatadogClient`` receives the app's :class:`aiodd.Client`."""


def http_exception_for(exc: APIError | InvalidArgumentError | ClientClosedError) -> HTTPException:
    """The answer a service should give its caller when a Datadog call failed with ``exc``.

    The service is a gateway. What Datadog said about the thing asked for passes through as a
    4xx; what the caller cannot fix (Datadog refusing the service's own keys, its rate limit, an
    outage) is a 5xx:

    - :class:`~aiodd.NotFoundError` -> 404, :class:`~aiodd.ConflictError` -> 409,
      :class:`~aiodd.BadRequestError` -> 400, :class:`~aiodd.UnprocessableEntityError` -> 422:
      what was asked for usually comes from the caller (an id, a filter);
    - :class:`~aiodd.RateLimitError` (raised once retries could not absorb a 429, or when the
      bucket would not have room within ``max_wait``) -> 503 with ``Retry-After``, the seconds
      until Datadog's window resets;
    - :class:`~aiodd.AuthenticationError`, :class:`~aiodd.PermissionDeniedError` -> 502: Datadog
      refused the service's own keys, which the caller cannot fix;
    - :class:`~aiodd.APITimeoutError` -> 504; any other :class:`~aiodd.APIError` -> 502;
    - :class:`~aiodd.InvalidArgumentError` (nothing was sent) -> 422 with its message;
    - :class:`~aiodd.ClientClosedError` (the app is shutting down and its client closed) -> 503.

    Details are fixed sentences: Datadog's own error text and URLs stay in the service's logs.
    """
    if isinstance(exc, InvalidArgumentError):
        return HTTPException(422, str(exc))
    if isinstance(exc, ClientClosedError):
        return HTTPException(503, "This service is shutting down; retry shortly.", headers={"Retry-After": "1"})
    if isinstance(exc, RateLimitError):
        seconds = _retry_after_seconds(exc.retry_after, exc.rate_limit)
        return HTTPException(
            503,
            f"Datadog's rate limit for this service is exhausted; retry in {seconds} s.",
            headers={"Retry-After": str(seconds)},
        )
    for error_class, status, detail in _ANSWERS:
        if isinstance(exc, error_class):
            return HTTPException(status, detail)
    if isinstance(exc, APIStatusError):
        return HTTPException(502, f"Datadog refused the request this service made (HTTP {exc.status}).")
    return HTTPException(502, "The Datadog request failed.")


# The fixed answer for each error class, most specific first.
_ANSWERS: tuple[tuple[type[APIError], int, str], ...] = (
    (NotFoundError, 404, "The Datadog resource was not found."),
    (ConflictError, 409, "Datadog reported a conflict with the current state of the resource."),
    (BadRequestError, 400, "Datadog rejected the request as invalid."),
    (UnprocessableEntityError, 422, "Datadog could not process the request."),
    (
        AuthenticationError,
        502,
        f"Datadog did not accept the API or application key this service uses. {_UPSTREAM_CREDENTIALS}",
    ),
    (
        PermissionDeniedError,
        502,
        "Datadog refused the credentials this service uses: its application key lacks a permission or scope "
        f"(or is not registered for the Actions API). {_UPSTREAM_CREDENTIALS}",
    ),
    (APITimeoutError, 504, "Datadog did not answer in time."),
    (APIConnectionError, 502, "Datadog could not be reached."),
    (InternalServerError, 502, "Datadog failed to handle the request."),
    (APIResponseValidationError, 502, "Datadog sent an answer this service could not read."),
)


def _retry_after_seconds(retry_after: float | None, rate_limit: RateLimit | None) -> int:
    """Whole seconds until the rate-limit window resets (at least 1): the wait Datadog asked for,
    else the reset, else the period.

    A value over a day is not believed (as the governor does not), so no caller is told to come
    back in 30,000 years.
    """
    candidates = [retry_after]
    if rate_limit is not None:
        candidates += [rate_limit.reset, rate_limit.period]
    for value in candidates:
        seconds = schedulable(value)
        if seconds is not None:
            return max(1, math.ceil(seconds))
    return _DEFAULT_RETRY_AFTER


def install_error_handlers(app: FastAPI) -> None:
    """Answer aiodd's errors as :func:`http_exception_for` says, and log each one.

    The log line (logger ``aiodd.contrib.fastapi``; warning for a 5xx answer, info otherwise)
    holds the full error, Datadog's request id included; like every aiodd message it holds no
    key or secret. Errors raised while a streamed response is being sent cannot change its
    status: catch them in the stream.
    """

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, APIError | InvalidArgumentError | ClientClosedError):  # registered for these only
            raise exc
        answer = http_exception_for(exc)
        level = logging.WARNING if answer.status_code >= 500 else logging.INFO
        logger.log(
            level, "%s %s -> %d: %s: %s", request.method, request.url.path, answer.status_code, type(exc).__name__, exc
        )
        return JSONResponse({"detail": answer.detail}, status_code=answer.status_code, headers=answer.headers)

    app.add_exception_handler(APIError, handle)
    app.add_exception_handler(InvalidArgumentError, handle)
    app.add_exception_handler(ClientClosedError, handle)
