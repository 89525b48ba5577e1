"""Every governor wait is bounded, against real servers on 127.0.0.1 that send hostile rate-limit answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import aiodd

from stubserver import API_KEY, APP_KEY, StubAPI

KEY_PATH = "/api/v2/service_accounts/sa/application_keys/k1"
KEY_JSON = {"data": {"id": "k1", "type": "application_keys", "attributes": {"name": "deploy"}}}
NO_HANG = 10.0  # seconds: far beyond every expected duration, so a hang fails instead of blocking the suite


def make_client(base_url: str, **kwargs: object) -> aiodd.Client:
    return aiodd.Client(api_key=API_KEY, app_key=APP_KEY, base_url=base_url, **kwargs)  # type: ignore[arg-type]


def exhausted_headers(reset: str, period: str = "10") -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Period": period,
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset,
        "X-RateLimit-Name": "keys",
    }


async def get_many(dd: aiodd.Client, count: int) -> list[object]:
    calls = (dd.service_accounts.application_keys.get("sa", "k1") for _ in range(count))
    return await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), NO_HANG)


@pytest.mark.parametrize("status", [200, 429])
@pytest.mark.parametrize("reset", ["1e12", "1e308"])
async def test_an_absurd_reset_is_ignored_and_later_requests_go(stub: StubAPI, status: int, reset: str) -> None:
    headers = exhausted_headers(reset, period="1")  # after the 429, the period is waited instead
    stub.reply("GET", KEY_PATH, status, json=KEY_JSON if status == 200 else {"errors": ["Too many"]}, headers=headers)
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON, headers=headers)
    async with make_client(stub.base_url) as dd:  # type: ignore[attr-defined]
        first = await get_many(dd, 1)
        assert isinstance(first[0], aiodd.RateLimitError) == (status == 429)  # a 1e12 s wait is never slept
        later = await get_many(dd, 5)
    assert all(not isinstance(result, BaseException) for result in later), later
    assert len(stub.seen) == 6  # one at a time (nothing remains), but every one went


@pytest.mark.parametrize("status", [200, 429])
async def test_an_hour_long_reset_fails_later_requests_at_once_without_sending(stub: StubAPI, status: int) -> None:
    stub.reply(
        "GET",
        KEY_PATH,
        status,
        json={"errors": ["Too many"]} if status == 429 else KEY_JSON,
        headers=exhausted_headers("3600"),
    )
    async with make_client(stub.base_url) as dd:  # type: ignore[attr-defined]
        await get_many(dd, 1)
        started = time.monotonic()
        later = await get_many(dd, 5)
        elapsed = time.monotonic() - started
    assert elapsed < NO_HANG / 2
    assert len(stub.seen) == 1
    for error in later:
        assert isinstance(error, aiodd.RateLimitError), error
        assert error.rate_limit is not None and error.rate_limit.remaining == 0 and error.rate_limit.name == "keys"
        assert 3500 < error.retry_after <= 3600  # type: ignore[attr-defined]
        assert error.method == "GET" and error.url.endswith(KEY_PATH)
        assert "max_wait=60" in str(error) and "not sent" in str(error)
        assert API_KEY not in f"{error}{error!r}" and APP_KEY not in f"{error}{error!r}"


async def test_with_retries_off_the_governor_waits_at_most_the_default_max_wait(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON, headers=exhausted_headers("61"))
    async with make_client(stub.base_url, retry=None) as dd:  # type: ignore[attr-defined]
        await get_many(dd, 1)
        [error] = await get_many(dd, 1)
    assert isinstance(error, aiodd.RateLimitError) and len(stub.seen) == 1
    assert aiodd.RetryPolicy().max_wait == 60


async def test_the_policys_max_wait_bounds_governor_waits(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON, headers=exhausted_headers("2"))
    async with make_client(stub.base_url, retry=aiodd.RetryPolicy(max_wait=0.5)) as dd:  # type: ignore[attr-defined]
        await get_many(dd, 1)
        [error] = await get_many(dd, 1)
    assert isinstance(error, aiodd.RateLimitError)
    assert 1.5 < error.retry_after <= 2  # type: ignore[attr-defined]


async def test_a_wait_within_max_wait_is_waited(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON, headers=exhausted_headers("0.3", period="0.3"))
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON, headers={"X-RateLimit-Remaining": "9", "X-RateLimit-Name": "keys"})
    async with make_client(stub.base_url, retry=aiodd.RetryPolicy(max_wait=5)) as dd:  # type: ignore[attr-defined]
        await get_many(dd, 1)
        results = await get_many(dd, 3)
    assert all(not isinstance(result, BaseException) for result in results), results
    assert dd.stats.throttle_wait_seconds > 0


class HangingServer:
    """Answers nothing while ``hanging``; afterwards, a key with rate-limit headers."""

    def __init__(self) -> None:
        self.hanging = True
        self.received = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.received += 1
        if self.hanging:
            await asyncio.sleep(3600)
        return web.json_response(KEY_JSON, headers={"X-RateLimit-Remaining": "9", "X-RateLimit-Name": "keys"})


@pytest.fixture
async def hanging() -> AsyncIterator[tuple[HangingServer, str]]:
    server_state = HangingServer()
    app = web.Application()
    app.router.add_get(KEY_PATH, server_state.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server_state, str(server.make_url(""))
    finally:
        await server.close()


async def test_a_probe_that_never_answers_does_not_pin_the_route(hanging: tuple[HangingServer, str]) -> None:
    server, base_url = hanging
    policy = aiodd.RetryPolicy(max_attempts=1, max_wait=0.3)
    async with make_client(base_url, timeout=2.0, retry=policy) as dd:
        started = time.monotonic()
        results = await get_many(dd, 4)  # a probe, and three waiting for its answer, at most max_wait
        elapsed = time.monotonic() - started
        assert all(isinstance(result, aiodd.APITimeoutError) for result in results), results
        # Probing one after another would take 4 x 2 s; the waiters went after 0.3 s instead.
        assert server.received == 4 and elapsed < 6.0
        server.hanging = False
        assert not any(isinstance(result, BaseException) for result in await get_many(dd, 3))
