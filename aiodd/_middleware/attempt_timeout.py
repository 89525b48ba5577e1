"""Bound one attempt (connect, send, headers) with its own deadline."""

from __future__ import annotations

import asyncio

from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse

from .._events import ClientStats


def attempt_timeout(seconds: float, stats: ClientStats) -> ClientMiddlewareType:
    async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        stats.attempts += 1
        async with asyncio.timeout(seconds):
            return await handler(request)

    return middleware
