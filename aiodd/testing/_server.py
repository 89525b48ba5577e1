"""The aiohttp application: routes, and the pipeline every request goes through.

Order, outermost first: record the request; serve a scripted fault if one matches; refuse
missing or wrong keys (403); count against the route's rate-limit bucket (429 when exhausted);
refuse unregistered application keys on Action Connection calls when enforced (403); run the
handler and render any ``ErrorAnswer`` in the route's group format. Every answer from a known
route carries the bucket's ``X-RateLimit-*`` headers, unless rate limiting is off for it.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp.web_urldispatcher import AbstractRoute

from ._auth import Authenticator
from ._faults import FaultPlan, answer_fault
from ._ratelimit import FixedWindowRateLimiter, RateLimitVerdict
from ._recorder import RequestLog
from ._routing import Route
from ._state import FakeState
from ._wire import ErrorAnswer, Group, error_response

__all__ = ["RequestPipeline"]


class RequestPipeline:
    """Owns the application and the counters the pipeline keeps."""

    def __init__(
        self,
        *,
        state: FakeState,
        auth: Authenticator,
        limiter: FixedWindowRateLimiter,
        faults: FaultPlan,
        log: RequestLog,
        routes: list[Route],
        require_registered_app_key: bool,
    ) -> None:
        self._state = state
        self._auth = auth
        self._limiter = limiter
        self._faults = faults
        self._log = log
        self.require_registered_app_key = require_registered_app_key
        #: 429 answers sent, by the rate limiter or by injected faults
        self.rate_limited_count = 0
        #: set while the server stops, to cut injected delays short
        self.stopping = asyncio.Event()
        self.app = web.Application(middlewares=[self._middleware])
        self._routes: dict[AbstractRoute, Route] = {}
        for route in routes:
            self._routes[self.app.router.add_route(route.method, route.path, route.handler)] = route

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        await self._log.record(request)
        fault = self._faults.take(request.method, request.path)
        if fault is not None:
            faulty = await answer_fault(fault, request, self.stopping)
            if faulty is not None:
                self._count(faulty)
                return faulty
        route = self._routes.get(request.match_info.route)
        if route is None:  # aiohttp's own 404 / 405
            return await handler(request)
        group = Group.for_path(request.path)
        caller = self._auth.caller(request.headers)
        if caller is None:
            return _with_limits(error_response(group, 403, "Forbidden"), self._limiter.peek(route.bucket))
        verdict = self._limiter.hit(route.bucket)
        if verdict is not None and not verdict.allowed:
            self.rate_limited_count += 1
            return _with_limits(error_response(group, 429, "Too many requests"), verdict)
        if route.needs_registered_key and self.require_registered_app_key and not self._state.is_registered(caller):
            return _with_limits(error_response(group, 403, "This API requires a registered application key"), verdict)
        try:
            response = await handler(request)
        except ErrorAnswer as error:
            response = error_response(group, error.status, error.detail, title=error.title)
        return _with_limits(response, verdict)

    def _count(self, response: web.StreamResponse) -> None:
        if response.status == 429:
            self.rate_limited_count += 1


def _with_limits(response: web.StreamResponse, verdict: RateLimitVerdict | None) -> web.StreamResponse:
    if verdict is not None:
        response.headers.update(verdict.headers())
    return response
