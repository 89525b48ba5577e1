"""One attempt reads the whole body under its deadline and size cap; a body cut off is a failed attempt.

Each server here misbehaves on purpose, by hand (``rawserver``): a trickled body, an endless one,
one far over the cap, one cut off by a reset.
"""

from __future__ import annotations

import asyncio
import json
import time
import traceback

import pytest

import aiodd

from rawserver import RawServer, chunk, head
from stubserver import API_KEY, APP_KEY

KEY_PATH = "/api/v2/service_accounts/sa/application_keys/k1"
KEYS_PATH = "/api/v2/service_accounts/sa/application_keys"
KEY_JSON = json.dumps({"data": {"id": "k1", "type": "application_keys", "attributes": {"name": "deploy"}}}).encode()
FAST = aiodd.RetryPolicy(backoff_initial=0.01, backoff_max=0.02)
MiB = 1024 * 1024


def make_client(server: RawServer, **kwargs: object) -> aiodd.Client:
    return aiodd.Client(API_KEY, APP_KEY, base_url=server.base_url, **kwargs)  # type: ignore[arg-type]


async def trickle(server: RawServer, writer: asyncio.StreamWriter, _: int) -> None:
    """A whole, valid 69-byte answer, one byte every 0.25 s (17 s in all)."""
    body = KEY_JSON[:69].ljust(69)
    writer.write(head(length=len(body)))
    for byte in body:
        await server.send(writer, bytes([byte]))
        await asyncio.sleep(0.25)


async def endless_trickle(server: RawServer, writer: asyncio.StreamWriter, _: int) -> None:
    writer.write(head(length=None))
    while True:
        await server.send(writer, chunk(b" "))
        await asyncio.sleep(0.05)


async def test_a_trickled_body_ends_within_the_timeout() -> None:
    async with RawServer(trickle) as server, make_client(server, timeout=1.0, retry=None) as dd:
        started = time.monotonic()
        with pytest.raises(aiodd.APITimeoutError):
            await dd.service_accounts.application_keys.get("sa", "k1")
        elapsed = time.monotonic() - started
    assert elapsed < 3.0  # the timeout (1 s) with a generous margin; the whole body takes 17 s
    assert server.sent < 69


async def test_an_endless_trickle_ends_after_the_last_attempt() -> None:
    async with RawServer(endless_trickle) as server, make_client(server, timeout=0.3, retry=FAST) as dd:
        started = time.monotonic()
        with pytest.raises(aiodd.APITimeoutError):
            await dd.service_accounts.application_keys.get("sa", "k1")
        elapsed = time.monotonic() - started
    assert len(server.requests) == FAST.max_attempts  # a timed-out GET is retried, and each try is bounded
    assert elapsed < FAST.max_attempts * 0.3 + 5.0


async def test_a_body_read_in_time_is_decoded() -> None:
    async def slow_but_in_time(server: RawServer, writer: asyncio.StreamWriter, _: int) -> None:
        writer.write(head(length=len(KEY_JSON)))
        for part in (KEY_JSON[:10], KEY_JSON[10:]):
            await server.send(writer, part)
            await asyncio.sleep(0.05)

    async with RawServer(slow_but_in_time) as server, make_client(server, timeout=5.0, retry=None) as dd:
        got = await dd.service_accounts.application_keys.get("sa", "k1")
    assert got.data is not None and got.data.id == "k1"


# --- size cap -----------------------------------------------------------------------------------


async def huge_chunked(server: RawServer, writer: asyncio.StreamWriter, _: int) -> None:
    """A 500 MB chunked body, produced lazily one MiB at a time (never held whole)."""
    writer.write(head(length=None))
    block = chunk(b" " * MiB)
    for _ in range(500):
        await server.send(writer, block)
    await server.send(writer, b"0\r\n\r\n")


async def test_a_500_mb_body_fails_at_the_default_cap_without_reading_the_rest() -> None:
    async with RawServer(huge_chunked) as server, make_client(server, retry=None) as dd:
        started = time.monotonic()
        with pytest.raises(aiodd.ResponseTooLargeError) as caught:
            await dd.service_accounts.application_keys.get("sa", "k1")
        await asyncio.sleep(0.2)  # let the server notice the closed connection
        elapsed = time.monotonic() - started
    error = caught.value
    assert isinstance(error, aiodd.APIResponseValidationError)
    assert error.limit == 64 * MiB == aiodd.Client.__init__.__kwdefaults__["max_response_bytes"]
    assert error.status == 200
    assert error.body == ""
    assert "max_response_bytes" in str(error)
    assert server.sent < 100 * MiB  # the client closed the connection soon after the cap
    assert elapsed < 30.0


async def test_a_content_length_over_the_cap_fails_before_reading_the_body() -> None:
    async def announced(server: RawServer, writer: asyncio.StreamWriter, _: int) -> None:
        writer.write(head(length=500_000_000))
        while True:
            await server.send(writer, b" " * MiB)

    async with RawServer(announced) as server, make_client(server, retry=None, max_response_bytes=1024) as dd:
        with pytest.raises(aiodd.ResponseTooLargeError) as caught:
            await dd.service_accounts.application_keys.get("sa", "k1")
        await asyncio.sleep(0.2)
    assert caught.value.limit == 1024
    assert server.sent < 100 * MiB


async def test_the_cap_is_configurable_and_applies_to_error_answers_too() -> None:
    body = json.dumps({"errors": ["x" * 2000]}).encode()

    async def big_error(server: RawServer, writer: asyncio.StreamWriter, _: int) -> None:
        writer.write(head(status=400, length=None))
        await server.send(writer, chunk(body) + b"0\r\n\r\n")

    async with RawServer(big_error) as server, make_client(server, retry=None, max_response_bytes=1000) as dd:
        with pytest.raises(aiodd.ResponseTooLargeError) as caught:
            await dd.service_accounts.application_keys.get("sa", "k1")
    assert caught.value.status == 400


async def test_a_body_of_exactly_the_cap_is_read() -> None:
    async def exact(server: RawServer, writer: asyncio.StreamWriter, _: int) -> None:
        writer.write(head(length=len(KEY_JSON)))
        await server.send(writer, KEY_JSON)

    limit = len(KEY_JSON)
    async with RawServer(exact) as server, make_client(server, retry=None, max_response_bytes=limit) as dd:
        got = await dd.service_accounts.application_keys.get("sa", "k1")
    assert got.data is not None


async def test_a_too_large_error_reaches_the_caller_without_aiohttp_frames() -> None:
    async with RawServer(huge_chunked) as server, make_client(server, retry=None, max_response_bytes=MiB) as dd:
        with pytest.raises(aiodd.ResponseTooLargeError) as caught:
            await dd.service_accounts.application_keys.get("sa", "k1")
    files = [frame.filename for frame in traceback.extract_tb(caught.value.__traceback__)]
    assert not any("aiohttp" in name for name in files)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


# --- a connection dropped mid-body --------------------------------------------------------------


async def reset_mid_body_then_answer(server: RawServer, writer: asyncio.StreamWriter, number: int) -> None:
    """First request: the head and 10 of the body's bytes, then a TCP reset. Later ones: the whole answer."""
    writer.write(head(length=len(KEY_JSON)))
    if number == 0:
        await server.send(writer, KEY_JSON[:10])
        await asyncio.sleep(0.05)
        writer.transport.abort()
        return
    await server.send(writer, KEY_JSON)


async def test_a_get_whose_connection_resets_mid_body_is_retried() -> None:
    async with RawServer(reset_mid_body_then_answer) as server, make_client(server, retry=FAST) as dd:
        got = await dd.service_accounts.application_keys.get("sa", "k1")
        retries = dd.stats.retries
    assert got.data is not None and got.data.id == "k1"
    assert len(server.requests) == 2
    assert retries == 1  # aiodd's retry layer resent it, not aiohttp


async def test_a_post_whose_connection_resets_mid_body_is_sent_exactly_once() -> None:
    async with RawServer(reset_mid_body_then_answer) as server, make_client(server, retry=FAST) as dd:
        with pytest.raises(aiodd.APIConnectionError) as caught:
            await dd.service_accounts.application_keys.create("sa", name="n")
    assert len(server.requests) == 1
    assert caught.value.cause_type == "ClientPayloadError"
    assert not isinstance(caught.value, aiodd.APITimeoutError)
