"""Wire the :class:`RateLimitGovernor` into the chain: acquire before sending, release with the answer."""

from __future__ import annotations

import time

from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse

from .._events import ClientStats
from .._governor import RateLimitGovernor, Ticket
from .._ratelimit import parse_rate_limit
from .._request import current_request


def route_of(request: ClientRequest) -> str:
    """The path template of the request being sent (the raw path for foreign requests)."""
    api_request = current_request.get()
    return api_request.route if api_request is not None else request.url.path


def governed(governor: RateLimitGovernor, stats: ClientStats) -> ClientMiddlewareType:
    async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        route = f"{request.method} {route_of(request)}"
        ticket = governor.try_acquire(route)
        if not isinstance(ticket, Ticket):  # held back: wait, and count the wait
            started = time.monotonic()
            ticket = await governor.acquire(route)
            stats.throttle_wait_seconds += time.monotonic() - started
        try:
            response = await handler(request)
        except BaseException:
            governor.release(ticket, None, None)
            raise
        governor.release(ticket, parse_rate_limit(response.headers), response.status)
        return response

    return middleware
