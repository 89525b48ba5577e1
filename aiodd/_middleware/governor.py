"""Wire the governor into the chain: acquire before sending, release with the answer.

A request the governor will not let go within ``max_wait`` fails here with
:class:`aiodd.RateLimitError`, as a 429 whose wait is over ``max_wait`` does; nothing is sent.
"""

from __future__ import annotations

import time

from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse

from .._events import ClientStats
from .._exceptions import RateLimitError
from .._governor import Admission, WaitTooLong
from .._ratelimit import parse_rate_limit
from .._request import current_request


def route_of(request: ClientRequest) -> str:
    """The path template of the request being sent (the raw path for foreign requests)."""
    api_request = current_request.get()
    return api_request.route if api_request is not None else request.url.path


def rate_limit_error(request: ClientRequest, refusal: WaitTooLong) -> RateLimitError:
    """The error for a request the governor held back too long."""
    return RateLimitError(
        method=request.method,
        url=str(request.url),
        message=f"{request.method} {request.url} not sent: {refusal}",
        rate_limit=refusal.rate_limit,
        retry_after=refusal.retry_after,
    )


def governed(governor: Admission, stats: ClientStats) -> ClientMiddlewareType:
    async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        route = f"{request.method} {route_of(request)}"
        ticket = governor.try_acquire(route)
        if ticket is None:  # held back: wait, and count the wait
            started = time.monotonic()
            try:
                ticket = await governor.acquire(route)
            except WaitTooLong as refusal:
                raise rate_limit_error(request, refusal) from None
            finally:
                stats.throttle_wait_seconds += time.monotonic() - started
        try:
            response = await handler(request)
        except BaseException:
            governor.release(ticket, None, None)
            raise
        governor.release(ticket, parse_rate_limit(response.headers), response.status)
        return response

    return middleware
