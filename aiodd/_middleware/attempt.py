"""One attempt under one deadline: connect, send, receive the headers and read the whole body.

Reading the body here, not after the chain returns, means the per-attempt timeout covers a body
that trickles in, a body over the size cap fails the attempt, and a connection dropped mid-body
is a failed attempt that the retry layer sees (and resends, for idempotent methods).
"""

from __future__ import annotations

import asyncio

from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse

from .._events import ClientStats
from .._exceptions import ResponseTooLargeError


def attempt(seconds: float, max_body: int, stats: ClientStats) -> ClientMiddlewareType:
    async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        stats.attempts += 1
        async with asyncio.timeout(seconds):
            response = await handler(request)
            try:
                await _read_body(request, response, max_body)
            except BaseException:
                response.close()  # never back to the pool with a body half read
                raise
        return response

    return middleware


async def _read_body(request: ClientRequest, response: ClientResponse, limit: int) -> None:
    """Read the body into the response, so that ``response.read()`` returns it; at most ``limit`` bytes."""
    length = response.content_length
    if length is not None and length > limit:
        raise ResponseTooLargeError(method=request.method, url=str(request.url), status=response.status, limit=limit)
    content = response.content
    chunks: list[bytes] = []
    size = 0
    while chunk := await content.readany():
        size += len(chunk)
        if size > limit:
            raise ResponseTooLargeError(
                method=request.method, url=str(request.url), status=response.status, limit=limit
            )
        chunks.append(chunk)
    # aiohttp's own read() keeps the body in ``_body`` and returns it from there on later calls.
    response._body = b"".join(chunks)
