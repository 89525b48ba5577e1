"""The governor keeps 50 concurrent tasks within a fixed-window rate limit (loopback, bounded)."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import aiodd

from stubserver import API_KEY, APP_KEY

LIMIT = 10
PERIOD = 1.0


class WindowedServer:
    """LIMIT requests per PERIOD seconds in fixed windows that open at the first request after the
    previous one closed (as Datadog's and the fake's do); counts 429s per window."""

    def __init__(self, integer_reset: bool) -> None:
        self.integer_reset = integer_reset
        self.opened_at = -math.inf
        self.window = -1
        self.used: Counter[int] = Counter()
        self.refused: Counter[int] = Counter()
        self.served = 0

    async def handle(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        if now >= self.opened_at + PERIOD:
            self.opened_at, self.window = now, self.window + 1
        reset = self.opened_at + PERIOD - now
        self.used[self.window] += 1
        headers = {
            "X-RateLimit-Limit": str(LIMIT),
            "X-RateLimit-Period": f"{PERIOD:g}",
            "X-RateLimit-Remaining": str(max(LIMIT - self.used[self.window], 0)),
            "X-RateLimit-Reset": str(max(1, math.ceil(reset))) if self.integer_reset else f"{reset:.3f}",
            "X-RateLimit-Name": "app_keys",
        }
        if self.used[self.window] > LIMIT:
            self.refused[self.window] += 1
            return web.json_response({"errors": ["Too many requests"]}, status=429, headers=headers)
        self.served += 1
        body = {"data": {"id": request.match_info["key"], "type": "application_keys", "attributes": {}}}
        return web.json_response(body, headers=headers)


@pytest.fixture(params=[False, True], ids=["fractional-reset", "integer-reset"])
async def windowed(request: pytest.FixtureRequest) -> AsyncIterator[tuple[WindowedServer, str]]:
    server_state = WindowedServer(integer_reset=request.param)
    app = web.Application()
    app.router.add_get("/api/v2/service_accounts/{sa}/application_keys/{key}", server_state.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server_state, str(server.make_url(""))
    finally:
        await server.close()


async def test_fifty_concurrent_gets_see_at_most_one_429_per_window(windowed: tuple[WindowedServer, str]) -> None:
    server, base_url = windowed
    async with aiodd.Client(api_key=API_KEY, app_key=APP_KEY, base_url=base_url) as dd:
        results = await asyncio.wait_for(
            asyncio.gather(*(dd.service_accounts.application_keys.get("sa", f"k{i}") for i in range(50))), 30
        )
    assert len(results) == 50 and server.served == 50
    assert all(count <= 1 for count in server.refused.values()), dict(server.refused)
    assert len(server.used) <= 6  # windows are filled, not skipped: 50 requests need 5 (one spare for a slow start)
