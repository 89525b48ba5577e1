"""The governor's slow path: a request held back waits for room, or fails as a 429 would.

A request the governor will not let go within ``max_wait`` fails here with
:class:`aiodd.RateLimitError`, as a 429 whose wait is over ``max_wait`` does; nothing is sent.
"""

from __future__ import annotations

import time

from aiohttp import ClientRequest

from .._exceptions import RateLimitError
from .._governor import Admission, Ticket, WaitTooLong
from .._stats import ClientStats


async def wait_for_room(governor: Admission, bucket_route: str, request: ClientRequest, stats: ClientStats) -> Ticket:
    """Wait in line for the bucket of ``bucket_route`` (``"METHOD /path/template"``); count the wait."""
    started = time.monotonic()
    try:
        return await governor.acquire(bucket_route)
    except WaitTooLong as refusal:
        raise rate_limit_error(request, refusal) from None
    finally:
        stats.throttle_wait_seconds += time.monotonic() - started


def rate_limit_error(request: ClientRequest, refusal: WaitTooLong) -> RateLimitError:
    """The error for a request the governor held back too long."""
    return RateLimitError(
        method=request.method,
        url=str(request.url),
        message=f"{request.method} {request.url} not sent: {refusal}",
        rate_limit=refusal.rate_limit,
        retry_after=refusal.retry_after,
    )
