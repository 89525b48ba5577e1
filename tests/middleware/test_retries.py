"""The middleware chain against a real server on 127.0.0.1: what is resent, what never is."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import ClientHandlerType, ClientRequest, ClientResponse

import aiodd

from stubserver import API_KEY, APP_KEY, StubAPI

KEY_PATH = "/api/v2/service_accounts/sa/application_keys/k1"
KEY_ROUTE = "/api/v2/service_accounts/{service_account_id}/application_keys/{app_key_id}"
KEYS_PATH = "/api/v2/service_accounts/sa/application_keys"
KEY_JSON = {"data": {"id": "k1", "type": "application_keys", "attributes": {"name": "deploy"}}}
CREATED = {"data": {"id": "k2", "type": "application_keys", "attributes": {"name": "n", "key": "s" * 40}}}
FAST = aiodd.RetryPolicy(backoff_initial=0.01, backoff_max=0.02)


def make_client(stub: StubAPI, **kwargs: object) -> aiodd.Client:
    return aiodd.Client(api_key=API_KEY, app_key=APP_KEY, base_url=stub.base_url, **kwargs)  # type: ignore[attr-defined,arg-type]


async def test_429_with_reset_is_retried_once_after_the_reset(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 429, body=b"", headers={"X-RateLimit-Reset": "1"})
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON)
    events: list[aiodd.RetryEvent] = []
    async with make_client(stub, on_retry=events.append) as dd:
        got = await dd.service_accounts.application_keys.get("sa", "k1")
    assert got.data is not None and got.data.id == "k1"
    assert len(stub.seen) == 2
    assert [(e.status, e.wait) for e in events] == [(429, 1.0)]
    assert dd.stats.rate_limited == 1 and dd.stats.rate_limit_wait_seconds == 1.0


async def test_429_with_retry_after_is_honoured(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 429, json={"errors": ["Too many requests"]}, headers={"Retry-After": "0"})
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON)
    events: list[aiodd.RetryEvent] = []
    async with make_client(stub, on_retry=events.append) as dd:
        await dd.service_accounts.application_keys.get("sa", "k1")
    assert [e.wait for e in events] == [0.0]


async def test_429_without_headers_backs_off_within_bounds(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 429, body=b"")
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON)
    events: list[aiodd.RetryEvent] = []
    async with make_client(stub, retry=FAST, on_retry=events.append) as dd:
        await dd.service_accounts.application_keys.get("sa", "k1")
    assert len(events) == 1 and 0 <= events[0].wait <= 0.01


async def test_post_is_retried_on_429_because_it_was_refused(stub: StubAPI) -> None:
    stub.reply("POST", KEYS_PATH, 429, body=b"", headers={"X-RateLimit-Reset": "0"})
    stub.reply("POST", KEYS_PATH, 201, json=CREATED)
    async with make_client(stub) as dd:
        created = await dd.service_accounts.application_keys.create("sa", name="n")
    assert created.data is not None and created.data.id == "k2"
    assert [s.method for s in stub.seen] == ["POST", "POST"]


async def test_exhausted_retries_raise_rate_limit_error_with_the_state(stub: StubAPI) -> None:
    headers = {
        "X-RateLimit-Reset": "0",
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Name": "keys",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Period": "10",
    }
    stub.reply("GET", KEY_PATH, 429, json={"errors": ["Too many requests"]}, headers=headers)
    async with make_client(stub, retry=aiodd.RetryPolicy(max_attempts=3)) as dd:
        with pytest.raises(aiodd.RateLimitError) as caught:
            await dd.service_accounts.application_keys.get("sa", "k1")
    assert len(stub.seen) == 3
    assert caught.value.status == 429 and caught.value.errors == ["Too many requests"]
    assert caught.value.rate_limit == aiodd.RateLimit("keys", 10, 10.0, 0, 0.0)


async def test_a_wait_longer_than_max_wait_raises_at_once(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 429, body=b"", headers={"X-RateLimit-Reset": "3600"})
    async with make_client(stub) as dd:
        with pytest.raises(aiodd.RateLimitError):
            await asyncio.wait_for(dd.service_accounts.application_keys.get("sa", "k1"), 5)
    assert len(stub.seen) == 1


async def test_post_that_gets_a_500_is_sent_exactly_once(stub: StubAPI) -> None:
    stub.reply("POST", KEYS_PATH, 500, json={"errors": ["Internal Server Error"]})
    async with make_client(stub, retry=FAST) as dd:
        with pytest.raises(aiodd.InternalServerError):
            await dd.service_accounts.application_keys.create("sa", name="n")
    assert len(stub.seen) == 1


async def test_post_whose_connection_drops_is_sent_exactly_once(stub: StubAPI) -> None:
    stub.reply("POST", KEYS_PATH, drop=True)
    async with make_client(stub, retry=FAST) as dd:
        with pytest.raises(aiodd.APIConnectionError):
            await dd.service_accounts.application_keys.create("sa", name="n")
    assert len(stub.seen) == 1


async def test_patch_that_gets_a_503_is_sent_once_by_default(stub: StubAPI) -> None:
    stub.reply("PATCH", KEY_PATH, 503, json={"errors": ["unavailable"]})
    async with make_client(stub, retry=FAST) as dd:
        with pytest.raises(aiodd.InternalServerError):
            await dd.service_accounts.application_keys.update("sa", "k1", name="x")
    assert len(stub.seen) == 1


async def test_get_after_two_503s_succeeds_on_the_third_send(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 503, json={"errors": ["unavailable"]})
    stub.reply("GET", KEY_PATH, 503, body=b"<html>bad gateway</html>", content_type="text/html")
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON)
    async with make_client(stub, retry=FAST) as dd:
        got = await dd.service_accounts.application_keys.get("sa", "k1")
    assert got.data is not None and got.data.id == "k1"
    assert len(stub.seen) == 3


async def test_get_whose_connection_drops_is_retried(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, drop=True)
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON)
    async with make_client(stub, retry=FAST) as dd:
        got = await dd.service_accounts.application_keys.get("sa", "k1")
    assert got.data is not None
    assert len(stub.seen) >= 2


async def test_retry_none_disables_retries(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 503, json={"errors": ["unavailable"]})
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON)
    async with make_client(stub, retry=None) as dd:
        with pytest.raises(aiodd.InternalServerError):
            await dd.service_accounts.application_keys.get("sa", "k1")
    assert len(stub.seen) == 1


async def test_a_reset_wait_longer_than_the_timeout_is_not_a_timeout(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 429, body=b"", headers={"X-RateLimit-Reset": "1"})
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON)
    async with make_client(stub, timeout=0.3) as dd:
        got = await dd.service_accounts.application_keys.get("sa", "k1")
    assert got.data is not None


async def test_cancelling_a_task_waiting_for_a_reset_cancels_cleanly(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 429, body=b"", headers={"X-RateLimit-Reset": "30"})
    waiting = asyncio.Event()
    async with make_client(stub, on_retry=lambda event: waiting.set()) as dd:
        task = asyncio.create_task(dd.service_accounts.application_keys.get("sa", "k1"))
        await asyncio.wait_for(waiting.wait(), 5)  # the task now sleeps until the reset
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert dd.governor is not None
        bucket = dd.governor.bucket_of(f"GET {KEY_ROUTE}")
        assert bucket is not None and bucket.in_flight == 0
    assert dd.closed
    ours = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and "RequestHandler" not in repr(t)]
    assert ours == []  # the server's own connection handler may still be winding down


async def test_user_middlewares_run_outermost_once_per_call(stub: StubAPI) -> None:
    calls: list[str] = []

    async def record(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        calls.append(request.method)
        return await handler(request)

    stub.reply("GET", KEY_PATH, 503, json={"errors": ["unavailable"]})
    stub.reply("GET", KEY_PATH, 200, json=KEY_JSON)
    async with make_client(stub, retry=FAST, middlewares=[record]) as dd:
        await dd.service_accounts.application_keys.get("sa", "k1")
    assert calls == ["GET"] and len(stub.seen) == 2


async def test_each_attempt_is_logged_and_429_waits_warn_without_secrets(
    stub: StubAPI, caplog: pytest.LogCaptureFixture
) -> None:
    stub.reply("POST", KEYS_PATH, 429, body=b"", headers={"X-RateLimit-Reset": "0"})
    stub.reply("POST", KEYS_PATH, 201, json=CREATED)
    caplog.set_level(logging.DEBUG, logger="aiodd")
    async with make_client(stub) as dd:
        await dd.service_accounts.application_keys.create("sa", name="n")
    messages = [r.getMessage() for r in caplog.records if r.name == "aiodd"]
    assert any("attempt 1 -> 429" in m for m in messages)
    assert any("attempt 2 -> 201" in m for m in messages)
    assert any(r.levelno == logging.WARNING and "429" in r.getMessage() for r in caplog.records)
    for text in messages:
        assert API_KEY not in text and APP_KEY not in text and "s" * 40 not in text


async def test_a_429_is_counted_without_a_retry_policy_too(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, 429, body=b"", headers={"X-RateLimit-Reset": "1"})
    async with make_client(stub, retry=None) as dd:
        with pytest.raises(aiodd.RateLimitError):
            await dd.service_accounts.application_keys.get("sa", "k1")
    assert len(stub.seen) == 1
    assert dd.stats.rate_limited == 1 and dd.stats.retries == 0 and dd.stats.attempts == 1
