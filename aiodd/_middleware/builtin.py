"""The built-in layer of the chain: retries, the rate-limit governor and each attempt's deadline.

One layer, not three: every aiohttp middleware costs two coroutine frames and a closure built
per request, and these three always run together. The decisions stay in pure modules
(:mod:`aiodd._retry` says whether and when to resend, :mod:`aiodd._governor` whether a request
may go); this loop only carries them out, per attempt:

1. the governor admits the request, at once or after a wait of at most ``max_wait``
   (:mod:`.governor`); a request it holds back longer fails with :class:`aiodd.RateLimitError`,
   unsent;
2. the attempt runs under its own deadline: send, headers and the whole body, at most
   ``max_response_bytes`` (:mod:`.attempt`), so a long rate-limit wait is never a timeout;
3. the governor learns the answer's ``X-RateLimit-*`` headers;
4. the retry policy decides: return the answer, or wait and resend (429s, transient failures;
   a POST only when it was surely not sent).

Log lines name the method, path template, status, attempt and wait: never a header value, so
never a key. A discarded answer is released first so its connection goes back to the pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse

from .._governor import Admission
from .._ratelimit import parse_rate_limit
from .._request import route_of
from .._retry import RetryPolicy
from .._stats import ClientStats, RetryEvent
from .attempt import Deadlines, read_body
from .governor import wait_for_room

__all__ = ["builtin_layer"]

logger = logging.getLogger("aiodd")


def builtin_layer(
    *,
    retry: RetryPolicy | None,
    governor: Admission | None,
    timeout: float,
    max_response_bytes: int,
    stats: ClientStats,
    on_retry: Callable[[RetryEvent], object] | None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> ClientMiddlewareType:
    deadlines = Deadlines(timeout)

    async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        route = route_of(request)
        method = request.method
        bucket_route = f"{method} {route}"
        attempt = 0
        status: int | None
        error: str | None
        while True:
            attempt += 1
            ticket = None
            if governor is not None:
                ticket = governor.try_acquire(bucket_route) or await wait_for_room(
                    governor, bucket_route, request, stats
                )
            stats.attempts += 1
            try:
                with deadlines.start():
                    response = await handler(request)
                    try:
                        await read_body(request, response, max_response_bytes)
                    except BaseException:
                        response.close()  # never back to the pool with a body half read
                        raise
            except BaseException as exc:
                if governor is not None and ticket is not None:
                    governor.release(ticket, None, None)
                if retry is None or not isinstance(exc, aiohttp.ClientError | TimeoutError):
                    raise
                wait = retry.wait_after_error(method, not isinstance(exc, aiohttp.ClientConnectorError), attempt)
                logger.debug(
                    "%s %s attempt %d failed: %s; retry in %s",
                    method,
                    route,
                    attempt,
                    type(exc).__name__,
                    "no" if wait is None else f"{wait:.2f}s",
                )
                if wait is None:
                    raise
                status, error = None, type(exc).__name__
            else:
                status = response.status
                if governor is not None and ticket is not None:
                    governor.release(ticket, parse_rate_limit(response.headers), status)
                if status == 429:
                    stats.rate_limited += 1
                if retry is None:
                    return response
                wait = retry.wait_after_status(method, status, response.headers, attempt)
                if wait is None:
                    logger.debug("%s %s attempt %d -> %d", method, route, attempt, status)
                    return response
                logger.debug("%s %s attempt %d -> %d; retry in %.2fs", method, route, attempt, status, wait)
                response.release()
                if status == 429:
                    stats.rate_limit_wait_seconds += wait
                    logger.warning(
                        "%s %s rate limited (429); waiting %.2fs before attempt %d", method, route, wait, attempt + 1
                    )
                error = None
            stats.retries += 1
            if on_retry is not None:
                on_retry(RetryEvent(method, route, attempt, status, error, wait))
            await sleep(wait)

    return middleware
