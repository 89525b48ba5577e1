"""``Client``: owns the aiohttp session, sends :class:`APIRequest` objects, decodes answers.

Data flows one way: resource method -> APIRequest -> middleware chain -> response -> converter
-> model. Resource groups hang off the client as attributes (``dd.service_accounts``).
"""

from __future__ import annotations

import enum
import functools
import json
import platform
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

import aiohttp
import yarl
from aiohttp import ClientMiddlewareType

from ._config import RedactedHeaders, resolve_base_url, resolve_credentials
from ._converter import converter
from ._events import ClientStats, RetryEvent
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ConfigurationError,
    Error,
    RateLimitError,
    parse_error_list,
    status_error_class,
)
from ._governor import Admission, RateLimitGovernor
from ._middleware import build_chain
from ._ratelimit import parse_rate_limit
from ._request import APIRequest, current_request
from ._retry import RetryPolicy
from ._version import __version__

if TYPE_CHECKING:
    from ._redis.config import RedisRateLimit
    from .resources.action_connections import ActionConnections
    from .resources.app_key_registrations import AppKeyRegistrations
    from .resources.service_accounts import ServiceAccounts
    from .resources.users import Users

__all__ = ["Client"]

T = TypeVar("T")

USER_AGENT = f"aiodd/{__version__} python/{platform.python_version()} aiohttp/{aiohttp.__version__}"
_NO_BODY_HEADERS = ("Content-Type",)  # aiohttp would label an empty PUT application/octet-stream
_BODY_METHODS = frozenset({"PATCH", "POST", "PUT"})  # the methods aiohttp labels so (ClientRequest.POST_METHODS)
_REQUEST_ID_HEADERS = ("X-Request-Id", "DD-Request-Id", "X-Datadog-Request-Id")


_DEFAULT_RETRY = RetryPolicy()


class _ClientClosedError(Error, RuntimeError):
    """Using a client after ``close()``; also a RuntimeError, as in httpx."""


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPEN = "open"
    CLOSED = "closed"


class Client:
    """An async Datadog API v2 client. Use it as ``async with aiodd.Client() as dd: ...``.

    Keys come from the arguments or ``DD_API_KEY`` / ``DD_APP_KEY``; the site from ``site`` or
    ``DD_SITE`` (default ``datadoghq.com``); ``base_url`` overrides the site (a proxy, or the fake
    Datadog of :mod:`aiodd.testing`). Every configuration error is raised here, not at the first
    request.

    ``timeout`` bounds one attempt (connect, send, receive headers) and each read of the body, in
    seconds; waits for a rate-limit reset are not counted. ``retry`` is the :class:`RetryPolicy`
    (``None`` disables retries). ``rate_limit`` is the governor that keeps concurrent tasks within
    each rate-limit bucket: ``True`` keeps the buckets' state in this process, a ``redis://`` URL or
    an :class:`RedisRateLimit` keeps it in Redis, shared by every process of the organization
    (needs ``aiodd[redis]``), ``False`` turns it off. ``middlewares`` are aiohttp client middlewares run
    outermost, once per call. ``on_retry`` is called with a :class:`RetryEvent` before each retry
    wait; ``stats`` counts attempts, retries and waits. A borrowed ``session`` is used as is and
    never closed by the client.
    """

    def __init__(
        self,
        api_key: str | None = None,
        app_key: str | None = None,
        *,
        site: str | None = None,
        base_url: str | yarl.URL | None = None,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        max_connections: int = 100,
        max_connections_per_host: int = 0,
        retry: RetryPolicy | None = _DEFAULT_RETRY,
        rate_limit: bool | str | RedisRateLimit = True,
        middlewares: Sequence[ClientMiddlewareType] = (),
        on_retry: Callable[[RetryEvent], object] | None = None,
        user_agent: str | None = None,
    ) -> None:
        self._credentials = resolve_credentials(api_key, app_key)
        self.base_url = resolve_base_url(site, base_url)
        for name, value in (("timeout", timeout), ("connect_timeout", connect_timeout)):
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ConfigurationError(f"{name} must be a positive number of seconds, got {value!r}")
        for name, count in (
            ("max_connections", max_connections),
            ("max_connections_per_host", max_connections_per_host),
        ):
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ConfigurationError(f"{name} must be an integer >= 0 (0 = unlimited), got {count!r}")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError("session must be an aiohttp.ClientSession")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError("retry must be an aiodd.RetryPolicy or None")
        # No total: it would count rate-limit waits; the chain bounds each attempt instead.
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=float(connect_timeout), sock_read=float(timeout))
        self._max_connections = max_connections
        self._max_connections_per_host = max_connections_per_host
        self.stats = ClientStats()
        # Governor waits are bounded like 429 waits: by the policy's max_wait (the default one's without retries).
        max_wait = (retry or _DEFAULT_RETRY).max_wait
        self.governor: Admission | None
        if isinstance(rate_limit, bool):
            self.governor = RateLimitGovernor(max_wait=max_wait) if rate_limit else None
        else:  # shared through Redis: its module loads only for this
            from ._redis.config import rate_limit_option, shared_governor

            self.governor = shared_governor(
                rate_limit_option(rate_limit),
                base_url=self.base_url,
                api_key=self._credentials.api_key,
                max_wait=max_wait,
                attempt_timeout=float(timeout),
            )
        self._middlewares = build_chain(
            user=tuple(middlewares),
            retry=retry,
            governor=self.governor,
            timeout=float(timeout),
            stats=self.stats,
            on_retry=on_retry,
        )
        self._headers = self._credentials.headers()
        self._headers.update({"User-Agent": user_agent or USER_AGENT, "Accept": "application/json"})
        self._borrowed_session = session
        self._session: aiohttp.ClientSession | None = session
        self._state = _State.UNOPENED

    # Resource groups, each imported on its first use: their models are attrs classes, costly to
    # create at import time (Action Connections alone has about a hundred).

    @functools.cached_property
    def service_accounts(self) -> ServiceAccounts:
        """Service accounts and, as ``.application_keys``, their application keys."""
        from .resources.service_accounts import ServiceAccounts

        return ServiceAccounts(self)

    @functools.cached_property
    def users(self) -> Users:
        """Users of the organisation, people and service accounts."""
        from .resources.users import Users

        return Users(self)

    @functools.cached_property
    def action_connections(self) -> ActionConnections:
        """Workflow Automation Action Connections."""
        from .resources.action_connections import ActionConnections

        return ActionConnections(self)

    @functools.cached_property
    def app_key_registrations(self) -> AppKeyRegistrations:
        """Which application keys may call the Actions APIs."""
        from .resources.app_key_registrations import AppKeyRegistrations

        return AppKeyRegistrations(self)

    def __repr__(self) -> str:
        return f"<aiodd.Client base_url={str(self.base_url)!r} state={self._state.value}>"

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> Client:
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._state is _State.CLOSED:
            raise _ClientClosedError("this aiodd.Client is closed and cannot be reopened; create a new one")
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=self._max_connections_per_host)
            self._session = aiohttp.ClientSession(connector=connector, raise_for_status=False)
        self._state = _State.OPEN
        return self._session

    async def close(self) -> None:
        """Close the session the client owns (a borrowed one is left open). Idempotent."""
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        session, self._session = self._session, None
        if session is not None and session is not self._borrowed_session:
            await session.close()
        if self.governor is not None:
            await self.governor.aclose()  # a shared governor's connections and tasks

    @property
    def closed(self) -> bool:
        return self._state is _State.CLOSED

    # --- requests ----------------------------------------------------------------------------

    @overload
    async def request(self, api_request: APIRequest, cast_to: type[T]) -> T: ...
    @overload
    async def request(self, api_request: APIRequest, cast_to: None) -> None: ...

    async def request(self, api_request: APIRequest, cast_to: type[T] | None) -> T | None:
        """Send one API request through the middleware chain; return the structured answer."""
        session = self._open()
        url = yarl.URL(str(self.base_url) + api_request.path, encoded=True)
        if api_request.params:
            url = url.update_query(api_request.params)
        data: bytes | None = None
        headers = self._headers
        if api_request.json is not None:
            data = json.dumps(api_request.json, separators=(",", ":")).encode()
            headers = RedactedHeaders(headers, **{"Content-Type": "application/json"})
        token = current_request.set(api_request)
        try:
            async with session.request(
                api_request.method,
                url,
                data=data,
                headers=headers,
                timeout=self._timeout,
                middlewares=self._middlewares,
                allow_redirects=False,
                raise_for_status=False,
                # aiohttp builds a multidict from a skip list (~3 µs a request): pass one only where it matters.
                skip_auto_headers=_NO_BODY_HEADERS if data is None and api_request.method in _BODY_METHODS else None,
            ) as response:
                status = response.status
                response_headers = response.headers
                body = await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            shown_url = str(url)
            raise APITimeoutError(
                f"{api_request.method} {shown_url} timed out", method=api_request.method, url=shown_url
            ) from exc
        except aiohttp.ClientError as exc:
            shown_url = str(url)
            raise APIConnectionError(
                f"{api_request.method} {shown_url} failed: {type(exc).__name__}: {exc}",
                method=api_request.method,
                url=shown_url,
            ) from exc
        finally:
            current_request.reset(token)

        if not 200 <= status < 300:  # a 3xx is never followed (allow_redirects=False) and never a success
            error_class = status_error_class(status)
            error = error_class(
                status=status,
                method=api_request.method,
                url=str(url),
                errors=parse_error_list(body),
                body=body.decode("utf-8", "replace"),
                request_id=next((response_headers[h] for h in _REQUEST_ID_HEADERS if h in response_headers), None),
                headers={k: v for k, v in response_headers.items() if k.lower().startswith("x-ratelimit")},
            )
            if isinstance(error, RateLimitError):
                error.rate_limit = parse_rate_limit(response_headers)
            raise error
        if cast_to is None:
            return None
        return self._decode(body, cast_to, status=status, method=api_request.method, url=url)

    @staticmethod
    def _decode(body: bytes, cast_to: type[T], *, status: int, method: str, url: yarl.URL) -> T:
        try:
            document: Any = json.loads(body)
        except ValueError:
            problem = "the response body is not JSON"
        else:
            if not isinstance(document, dict):
                problem = "the response body is not a JSON object"
            else:
                try:
                    return converter.structure(document, cast_to)
                except Exception as exc:
                    problem = f"the response does not match {cast_to.__name__}: {type(exc).__name__}"
        # The text and URL are built for an error only, not for every answer.
        raise APIResponseValidationError(
            problem, method=method, url=str(url), status=status, body=body.decode("utf-8", "replace")
        ) from None
