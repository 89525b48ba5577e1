"""Resend on 429 and transient failures as :class:`RetryPolicy` decides; log every attempt.

Log lines name the method, path template, status, attempt and wait: never a header value, so
never a key. A discarded answer is released first so its connection goes back to the pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse

from .._events import ClientStats, RetryEvent
from .._retry import RetryPolicy
from .governor import route_of

logger = logging.getLogger("aiodd")


def retrying(
    policy: RetryPolicy,
    stats: ClientStats,
    on_retry: Callable[[RetryEvent], object] | None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> ClientMiddlewareType:
    async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        route = route_of(request)
        method = request.method
        attempt = 0
        status: int | None
        error: str | None
        while True:
            attempt += 1
            try:
                response = await handler(request)
            except (aiohttp.ClientError, TimeoutError) as exc:
                sent = not isinstance(exc, aiohttp.ClientConnectorError)
                wait = policy.wait_after_error(method, sent, attempt)
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
                status, error = response.status, None
                wait = policy.wait_after_status(method, status, response.headers, attempt)
                if status == 429:
                    stats.rate_limited += 1
                logger.debug(
                    "%s %s attempt %d -> %d%s",
                    method,
                    route,
                    attempt,
                    status,
                    "" if wait is None else f"; retry in {wait:.2f}s",
                )
                if wait is None:
                    return response
                response.release()
                if status == 429:
                    stats.rate_limit_wait_seconds += wait
                    logger.warning(
                        "%s %s rate limited (429); waiting %.2fs before attempt %d", method, route, wait, attempt + 1
                    )
            stats.retries += 1
            if on_retry is not None:
                on_retry(RetryEvent(method, route, attempt, status, error, wait))
            await sleep(wait)

    return middleware
