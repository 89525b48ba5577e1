"""``Client``: owns the aiohttp session and sends :class:`APIRequest` objects; only the I/O lives here.

Data flows one way: resource method -> APIRequest -> middleware chain -> :class:`Answer` ->
:func:`~aiodd._response.decode_response` -> model. Resource groups hang off the client as
attributes (``dd.service_accounts``).
"""

from __future__ import annotations

import asyncio
import enum
import functools
import math
import platform
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar, overload

import aiohttp
import yarl
from aiohttp import ClientMiddlewareType

from ._config import RedactedHeaders, resolve_base_url, resolve_credentials, resolve_user_agent
from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    ConfigurationError,
    Error,
)
from ._governor import Admission, RateLimitGovernor
from ._middleware import builtin_layer
from ._redact import Redactor
from ._request import APIRequest, current_request, encode_body
from ._response import Answer, decode_response
from ._retry import RetryPolicy
from ._stats import ClientStats, RetryEvent
from ._version import __version__

if TYPE_CHECKING:
    from ._redis.config import RedisRateLimit
    from .resources.action_connections import ActionConnections
    from .resources.app_key_registrations import AppKeyRegistrations
    from .resources.service_accounts import ServiceAccounts
    from .resources.users import Users

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "Client"]

T = TypeVar("T")

USER_AGENT = f"aiodd/{__version__} python/{platform.python_version()} aiohttp/{aiohttp.__version__}"
_NO_BODY_HEADERS = ("Content-Type",)  # aiohttp would label an empty PUT application/octet-stream
_BODY_METHODS = frozenset({"PATCH", "POST", "PUT"})  # the methods aiohttp labels so (ClientRequest.POST_METHODS)
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # a page of 100 keys is ~100 KB: far from it, yet memory stays bounded


_DEFAULT_RETRY = RetryPolicy()


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

    ``timeout`` bounds one attempt in seconds: connect, send, receive the headers and read the
    whole body; waits for a rate-limit reset are not counted. An answer's body may hold at most
    ``max_response_bytes`` (default 64 MiB), else :class:`ResponseTooLargeError` is raised without
    reading the rest. ``retry`` is the :class:`RetryPolicy` (``None`` disables retries).
    ``rate_limit`` is the governor that keeps concurrent tasks within each rate-limit bucket:
    ``True`` keeps the buckets' state in this process, a ``redis://`` URL or a
    :class:`RedisRateLimit` keeps it in Redis, shared by every process of the organization (needs
    ``aiodd[redis]``), ``False`` turns it off. ``middlewares`` are aiohttp client middlewares run
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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
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
        self._base = str(self.base_url)  # request URLs are this plus an encoded path
        for name, value in (("timeout", timeout), ("connect_timeout", connect_timeout)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
                raise ConfigurationError(f"{name} must be a positive, finite number of seconds, got {value!r}")
        for name, count in (
            ("max_connections", max_connections),
            ("max_connections_per_host", max_connections_per_host),
        ):
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ConfigurationError(f"{name} must be an integer >= 0 (0 = unlimited), got {count!r}")
        if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int) or max_response_bytes < 1:
            raise ConfigurationError(f"max_response_bytes must be a positive integer, got {max_response_bytes!r}")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError("session must be an aiohttp.ClientSession")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError("retry must be an aiodd.RetryPolicy or None")
        # No total: it would count rate-limit waits. No sock_read: the chain's deadline bounds each
        # whole attempt, body included, and aiohttp would re-arm a timer on every chunk received.
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=float(connect_timeout))
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
        self._middlewares = (
            *middlewares,
            builtin_layer(
                retry=retry,
                governor=self.governor,
                timeout=float(timeout),
                max_response_bytes=max_response_bytes,
                stats=self.stats,
                on_retry=on_retry,
            ),
        )
        self._headers = self._credentials.headers()
        self._headers.update({"User-Agent": resolve_user_agent(user_agent, USER_AGENT), "Accept": "application/json"})
        self._json_headers = RedactedHeaders(self._headers, **{"Content-Type": "application/json"})
        # Hides the keys in any text an error takes from an answer; its repr shows neither.
        self._redactor = Redactor((self._credentials.api_key, self._credentials.app_key))
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
            raise ClientClosedError("this aiodd.Client is closed and cannot be reopened; create a new one")
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
        """Send one API request through the middleware chain; return the structured answer.

        Every failure is an :class:`aiodd.Error` raised without a chained cause or aiohttp's
        frames, and no frame left in its traceback holds a secret in a local variable that prints
        it: the request body is never a local here, ``api_request`` prints without its ``json``,
        the headers print without the keys, and the answer's body travels in an :class:`Answer`,
        whose repr leaves it out.
        """
        session = self._session if self._state is _State.OPEN and self._session is not None else self._open()
        url = yarl.URL(self._base + api_request.path, encoded=True)
        if api_request.params:
            url = url.update_query(api_request.params)
        has_body = api_request.json is not None
        failure: Error | None = None
        token = current_request.set(api_request)
        try:
            async with session.request(
                api_request.method,
                url,
                data=encode_body(api_request.json) if has_body else None,
                headers=self._json_headers if has_body else self._headers,
                timeout=self._timeout,
                middlewares=self._middlewares,
                allow_redirects=False,
                raise_for_status=False,
                # aiohttp builds a multidict from a skip list (~3 µs a request): pass one only where it matters.
                skip_auto_headers=_NO_BODY_HEADERS if not has_body and api_request.method in _BODY_METHODS else None,
            ) as response:
                # Already read, under the attempt's deadline and size cap.
                answer = Answer(response.status, response.headers, await response.read())
        except asyncio.CancelledError:
            # Closing the connector cancels the requests waiting for a connection; only a task
            # that is itself being cancelled should see a CancelledError.
            task = asyncio.current_task()
            if not self._closed_under(session) or (task is not None and task.cancelling()):
                raise
            failure = self._closed_in_flight(api_request.method, url)
        except Exception as exc:
            failure = self._failure(exc, api_request.method, url, session)
            if failure is None:
                raise  # not aiodd's or aiohttp's: a user middleware's own error
        finally:
            current_request.reset(token)
        if failure is not None:
            raise failure  # outside the except block: nothing chained

        return decode_response(answer, cast_to, method=api_request.method, url=url, redactor=self._redactor)

    def _failure(self, exc: Exception, method: str, url: yarl.URL, session: aiohttp.ClientSession) -> Error | None:
        """The aiodd error to raise for a failed send, or ``None`` when ``exc`` is not one to translate.

        The cause is not chained: aiohttp's frames hold the request headers (both keys) and body.
        Its type and message (secrets hidden) go on the aiodd error instead.
        """
        if isinstance(exc, Error):  # raised inside the chain (size cap, rate limit) or by the encoder
            exc.__cause__ = exc.__context__ = None
            return exc.with_traceback(None)
        if self._closed_under(session):  # aiohttp then fails in many ways, AssertionError included
            return self._closed_in_flight(method, url)
        shown_url = str(url)
        cause = type(exc).__name__
        if isinstance(exc, TimeoutError):  # aiohttp's timeouts are TimeoutErrors too
            return APITimeoutError(f"{method} {shown_url} timed out", method=method, url=shown_url, cause_type=cause)
        if isinstance(exc, aiohttp.ClientError):
            detail = self._redactor.text(str(exc))
            return APIConnectionError(
                f"{method} {shown_url} failed: {cause}: {detail}", method=method, url=shown_url, cause_type=cause
            )
        return None

    def _closed_under(self, session: aiohttp.ClientSession) -> bool:
        """Whether the client, or the session it was using, was closed while a request was in flight."""
        return self._state is _State.CLOSED or session.closed

    @staticmethod
    def _closed_in_flight(method: str, url: yarl.URL) -> ClientClosedError:
        return ClientClosedError(
            f"{method} {url}: the client was closed while the request was in flight; "
            "it may or may not have reached Datadog"
        )
