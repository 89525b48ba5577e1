"""``FakeDatadog``: a real HTTP server on 127.0.0.1 that speaks Datadog's wire format.

It serves the 14 operations of the Service Accounts / Application Keys and Action Connections /
App Key Registrations groups, and the Users listing where service accounts are found, from
memory, in raw JSON (it tests the client, it does not mirror it: of ``aiodd.models`` it reads only
which credential fields are write-only, the one list of them), and lets a test script faults,
rate limits and data.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._action_connections import ActionConnectionHandlers
from ._app_key_registrations import AppKeyRegistrationHandlers
from ._auth import Authenticator
from ._faults import Fault, FaultKind, FaultPlan, HeadersLike, normalise_headers
from ._matching import RequestMatcher
from ._ratelimit import Clock, FixedWindowRateLimiter, Limit
from ._recorder import RecordedRequest, RequestLog
from ._secrets import new_api_key, new_app_key
from ._server import RequestPipeline
from ._service_accounts import ServiceAccountHandlers
from ._state import FakeState
from ._users import UserHandlers

if TYPE_CHECKING:
    from aiodd import Client

__all__ = ["FakeDatadog"]

_HOST = "127.0.0.1"


class FakeDatadog:
    """An in-process fake Datadog API; use as ``async with FakeDatadog() as fake: ...``.

    ``rate_limit=(requests, seconds)`` limits every bucket (``None``: off, and no
    ``X-RateLimit-*`` headers); ``bucket_rate_limits`` overrides it per bucket name (see
    ``aiodd.testing.BUCKETS``). ``clock`` returns monotonic seconds for the rate limiter.
    ``require_registered_app_key`` makes Action Connection calls answer 403 until the calling
    key's id is registered. ``max_keys_per_account`` caps key creation (``None``: unlimited).
    ``api_key`` / ``app_key`` default to random values; every key created through the fake is a
    valid caller too.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        api_key: str | None = None,
        app_key: str | None = None,
        rate_limit: Limit | None = None,
        bucket_rate_limits: Mapping[str, Limit | None] | None = None,
        clock: Clock | None = None,
        require_registered_app_key: bool = False,
        max_keys_per_account: int | None = None,
    ) -> None:
        self.state = FakeState()
        self.api_key = api_key or new_api_key()
        self.app_key = app_key or new_app_key()
        #: the id of ``app_key``, to register it with App Key Registrations
        self.app_key_id = str(uuid.uuid4())
        self._requested_port = port
        self._limiter = FixedWindowRateLimiter(rate_limit, bucket_rate_limits, clock)
        self._faults = FaultPlan()
        self._log = RequestLog()
        self._pipeline = RequestPipeline(
            state=self.state,
            auth=Authenticator(self.state, api_key=self.api_key, app_key=self.app_key, app_key_id=self.app_key_id),
            limiter=self._limiter,
            faults=self._faults,
            log=self._log,
            routes=[
                *ServiceAccountHandlers(self.state, max_keys_per_account=max_keys_per_account).routes(),
                *UserHandlers(self.state).routes(),
                *ActionConnectionHandlers(self.state).routes(),
                *AppKeyRegistrationHandlers(self.state).routes(),
            ],
            require_registered_app_key=require_registered_app_key,
        )
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._port is not None else "not started"
        return f"<FakeDatadog {where}>"

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 (a free port unless one was given)."""
        if self._runner is not None:
            raise RuntimeError("FakeDatadog is already started")
        self._pipeline.stopping.clear()
        runner = web.AppRunner(self._pipeline.app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, _HOST, self._requested_port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening and close open connections; the state stays readable."""
        runner, self._runner = self._runner, None
        if runner is not None:
            self._pipeline.stopping.set()
            await runner.cleanup()

    async def __aenter__(self) -> FakeDatadog:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDatadog is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{_HOST}:{self.port}"

    def client(self, **kwargs: Any) -> Client:
        """An ``aiodd.Client`` pointed at the fake with its keys; kwargs go to the constructor."""
        from aiodd import Client

        kwargs.setdefault("api_key", self.api_key)
        kwargs.setdefault("app_key", self.app_key)
        kwargs.setdefault("base_url", self.base_url)
        return Client(**kwargs)

    # --- behaviour ------------------------------------------------------------------------------

    @property
    def require_registered_app_key(self) -> bool:
        return self._pipeline.require_registered_app_key

    @require_registered_app_key.setter
    def require_registered_app_key(self, value: bool) -> None:
        self._pipeline.require_registered_app_key = value

    def set_rate_limit(self, limit: Limit | None, bucket: str | None = None) -> None:
        """Change the limit of every bucket, or of one; open windows are forgotten."""
        self._limiter.configure(limit, bucket)

    def reset_rate_limits(self) -> None:
        """Start a fresh window in every bucket."""
        self._limiter.reset()

    def seed(self, service_accounts: int = 1, keys_per_account: int = 0, *, status: str = "Active") -> list[str]:
        """Create service accounts with keys in bulk (fast: 100,000 keys in well under a second).

        Returns the new service account ids; read the keys back with ``state.application_keys``.
        ``status="Disabled"`` seeds disabled accounts (they keep their keys). Backdate keys, mark
        them used or leaked with ``state.set_key_dates`` and ``state.mark_leaked``.
        """
        return self.state.seed(service_accounts, keys_per_account, status=status)

    def seed_users(self, count: int = 1, *, status: str = "Active") -> list[str]:
        """Create people (users that are not service accounts), listed by ``GET /api/v2/users``."""
        return self.state.seed_users(count, status=status)

    # --- faults ---------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_glob: str,
        status: int = 500,
        times: int = 1,
        body: Any = None,
        headers: HeadersLike | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status``.

        ``body`` is a JSON value (sent as the group's content type), or ``str`` / ``bytes`` (sent
        as text); by default the group's error format. ``headers`` are sent as given, pairs may
        repeat a name; no rate-limit headers are added.
        """
        self._add(
            FaultKind.FAIL, method, path_glob, times, status=status, body=body, headers=normalise_headers(headers)
        )

    def drop_next(self, method: str, path_glob: str, times: int = 1) -> None:
        """Close the connection without answering the next ``times`` matching requests.

        aiohttp's client resends an idempotent request (GET, PUT, DELETE...) once when a reused
        keep-alive connection is closed under it, so a single drop of a GET can go unnoticed;
        use ``times=2`` or a fresh connection to make the client see the error.
        """
        self._add(FaultKind.DROP, method, path_glob, times)

    def delay_next(self, method: str, path_glob: str, seconds: float, times: int = 1) -> None:
        """Wait ``seconds`` before serving the next ``times`` matching requests normally."""
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        self._add(FaultKind.DELAY, method, path_glob, times, seconds=seconds)

    def garbage_next(self, method: str, path_glob: str, times: int = 1) -> None:
        """Answer the next ``times`` matching requests 200 with a body that is not JSON."""
        self._add(FaultKind.GARBAGE, method, path_glob, times)

    def clear_faults(self) -> None:
        self._faults.clear()

    @property
    def pending_faults(self) -> int:
        """How many faulted requests are still to come."""
        return self._faults.pending()

    def _add(self, kind: FaultKind, method: str, path_glob: str, times: int, **options: Any) -> None:
        self._faults.add(Fault(kind, RequestMatcher(method, path_glob), times, **options))

    # --- introspection --------------------------------------------------------------------------

    def requests_seen(self, method: str | None = None, path_glob: str | None = None) -> int:
        """How many requests matched (all of them by default), faulted ones included."""
        return self._log.count(RequestMatcher(method, path_glob))

    def requests(self, method: str | None = None, path_glob: str | None = None) -> list[RecordedRequest]:
        """The matching requests, oldest first, with secrets redacted."""
        return self._log.select(RequestMatcher(method, path_glob))

    @property
    def rate_limited_count(self) -> int:
        """429 answers sent, by the rate limiter or by injected faults."""
        return self._pipeline.rate_limited_count

    def reset_counters(self) -> None:
        """Forget recorded requests and the 429 count (state, faults and windows stay)."""
        self._log.clear()
        self._pipeline.rate_limited_count = 0
