"""The Redis governor inside real clients: fake Datadog on 127.0.0.1, a real redis-server. Clients in one
process stand for processes here (each has its own leases and queues); tests/redis/test_processes.py uses
real processes."""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

import aiodd
from aiodd import RateLimit, RedisRateLimit
from aiodd._governor import Ticket
from aiodd._redis.governor import RedisGovernor
from aiodd._redis.scripts import ADMIT, UPDATE
from aiodd.testing import SERVICE_ACCOUNT_APPLICATION_KEYS, FakeDatadog

from redisserver import RedisServer, free_port
from stubserver import API_KEY, APP_KEY, StubAPI

NO_HANG = 30.0
BUCKET = SERVICE_ACCOUNT_APPLICATION_KEYS


async def fake_with(limit: int, period: float) -> FakeDatadog:
    fake = FakeDatadog(bucket_rate_limits={BUCKET: (limit, period)})
    await fake.start()
    return fake


@pytest.fixture
async def fake() -> AsyncIterator[FakeDatadog]:
    fake = await fake_with(10, 1.0)
    try:
        yield fake
    finally:
        await fake.stop()


def first_key(fake: FakeDatadog) -> tuple[str, str]:
    [sa] = fake.seed(service_accounts=1, keys_per_account=1)
    return sa, fake.state.application_keys(sa)[0].id


async def gets(clients: list[aiodd.Client], sa: str, key: str, count: int) -> list[object]:
    calls = (clients[i % len(clients)].service_accounts.application_keys.get(sa, key) for i in range(count))
    return await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), NO_HANG)


def fallback_lines(caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[str]]:
    records = [r for r in caplog.records if r.name == "aiodd" and "Redis" in r.getMessage()]
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    infos = [r.getMessage() for r in records if r.levelno == logging.INFO]
    return warnings, infos


async def test_clients_sharing_redis_keep_within_the_bucket_together(fake: FakeDatadog, redis_url: str) -> None:
    sa, key = first_key(fake)
    clients = [fake.client(rate_limit=redis_url) for _ in range(3)]
    try:
        started = time.monotonic()
        results = await gets(clients, sa, key, 40)  # 10 per second: 4 windows
        elapsed = time.monotonic() - started
    finally:
        for client in clients:
            await client.close()
    assert not [r for r in results if isinstance(r, BaseException)]
    assert fake.rate_limited_count <= 4
    assert elapsed < 4 * 1.5  # windows are filled, not skipped


async def test_the_same_clients_each_with_its_own_governor_draw_429s(fake: FakeDatadog) -> None:
    """What the shared state prevents (the counterpart of the test above)."""
    sa, key = first_key(fake)
    clients = [fake.client() for _ in range(3)]
    try:
        results = await gets(clients, sa, key, 40)
    finally:
        for client in clients:
            await client.close()
    assert not [r for r in results if isinstance(r, BaseException)]  # the retries absorb them
    assert fake.rate_limited_count > 4


async def test_with_redis_unreachable_requests_go_and_one_warning_says_so(
    fake: FakeDatadog, caplog: pytest.LogCaptureFixture
) -> None:
    sa, key = first_key(fake)
    caplog.set_level(logging.INFO, logger="aiodd")
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    async with fake.client(rate_limit=RedisRateLimit(nobody, retry_interval=0.1)) as dd:
        results = await gets([dd], sa, key, 25)
        assert isinstance(dd.governor, RedisGovernor) and dd.governor.falling_back
    assert not [r for r in results if isinstance(r, BaseException)]
    assert fake.rate_limited_count <= 3  # the in-process governor took over
    warnings, infos = fallback_lines(caplog)
    assert len(warnings) == 1 and nobody in warnings[0] and infos == []


async def test_redis_killed_mid_run_and_restarted(
    fake: FakeDatadog, own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    sa, key = first_key(fake)
    fake.set_rate_limit((50, 1.0), BUCKET)
    caplog.set_level(logging.INFO, logger="aiodd")
    config = RedisRateLimit(own_redis.url, retry_interval=0.1)
    clients = [fake.client(rate_limit=config) for _ in range(2)]
    done: list[object] = []

    async def steady(client: aiodd.Client) -> None:
        for _ in range(60):
            done.extend(await gets([client], sa, key, 1))
            await asyncio.sleep(0.02)

    try:
        workers = [asyncio.create_task(steady(client)) for client in clients]
        await asyncio.sleep(0.4)
        own_redis.kill()
        await asyncio.sleep(0.5)
        assert all(isinstance(c.governor, RedisGovernor) and c.governor.falling_back for c in clients)
        own_redis.start()  # empty: the state is learned again
        await asyncio.wait_for(asyncio.gather(*workers), NO_HANG)
        assert all(isinstance(c.governor, RedisGovernor) and not c.governor.falling_back for c in clients)
    finally:
        for client in clients:
            await client.close()
    assert len(done) == 120 and not [r for r in done if isinstance(r, BaseException)]
    warnings, infos = fallback_lines(caplog)
    assert len(warnings) == 2 and len(infos) == 2  # one each per client (per process)
    assert own_redis.command("KEYS", "aiodd:rl:*") not in (None, "*0")  # the restarted Redis learned the buckets again


async def test_a_script_flush_mid_run_is_recovered_without_falling_back(
    fake: FakeDatadog, redis_url: str, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    sa, key = first_key(fake)
    caplog.set_level(logging.INFO, logger="aiodd")
    async with fake.client(rate_limit=redis_url) as dd:
        first = await gets([dd], sa, key, 15)
        assert redis_server.command("SCRIPT", "FLUSH") == "+OK"
        second = await gets([dd], sa, key, 15)
        assert isinstance(dd.governor, RedisGovernor) and not dd.governor.falling_back
    assert not [r for r in first + second if isinstance(r, BaseException)]
    assert fake.rate_limited_count <= 3
    assert fallback_lines(caplog) == ([], [])
    assert redis_server.command("SCRIPT", "EXISTS", ADMIT.sha, UPDATE.sha) == "*2"


async def test_two_organizations_on_one_redis_never_share_a_budget(redis_url: str) -> None:
    first, second = await fake_with(2, 30.0), await fake_with(2, 30.0)  # different API keys: different orgs
    try:
        ids = [first_key(first), first_key(second)]
        async with first.client(rate_limit=redis_url) as one, second.client(rate_limit=redis_url) as other:
            await gets([one], *ids[0], 2)  # the first org's bucket is spent for 30 s
            started = time.monotonic()
            results = await gets([other], *ids[1], 2)
            assert time.monotonic() - started < 5
            assert not [r for r in results if isinstance(r, BaseException)]
    finally:
        await first.stop()
        await second.stop()
    client = Redis.from_url(redis_url)
    try:
        tags = {key.split(b"{")[1].split(b"}")[0] for key in await client.keys("aiodd:rl:*")}
    finally:
        await client.aclose()
    assert len(tags) == 2


async def test_a_wait_past_max_wait_is_a_rate_limit_error_at_once(stub: StubAPI, redis_url: str) -> None:
    path = "/api/v2/service_accounts/sa/application_keys/k1"
    headers = {
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Period": "3600",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "3600",
        "X-RateLimit-Name": "keys",
    }
    stub.reply("GET", path, 200, json={"data": {"id": "k1", "type": "application_keys"}}, headers=headers)
    base_url = stub.base_url  # type: ignore[attr-defined]
    async with aiodd.Client(API_KEY, APP_KEY, base_url=base_url, rate_limit=redis_url) as dd:
        await dd.service_accounts.application_keys.get("sa", "k1")
        started = time.monotonic()
        with pytest.raises(aiodd.RateLimitError) as caught:
            await dd.service_accounts.application_keys.get("sa", "k1")
        assert time.monotonic() - started < 5
    assert len(stub.seen) == 1
    assert 3500 < caught.value.retry_after <= 3600  # type: ignore[attr-defined]
    assert caught.value.rate_limit is not None and caught.value.rate_limit.remaining == 0
    assert "max_wait=60" in str(caught.value)


async def test_a_reset_of_a_trillion_seconds_holds_nothing_back(stub: StubAPI, redis_url: str) -> None:
    path = "/api/v2/service_accounts/sa/application_keys/k1"
    headers = {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e12"}
    headers["X-RateLimit-Name"] = "keys"
    stub.reply("GET", path, 200, json={"data": {"id": "k1", "type": "application_keys"}}, headers=headers)
    base_url = stub.base_url  # type: ignore[attr-defined]
    async with aiodd.Client(API_KEY, APP_KEY, base_url=base_url, rate_limit=redis_url) as dd:
        results = await asyncio.wait_for(
            asyncio.gather(*(dd.service_accounts.application_keys.get("sa", "k1") for _ in range(5))), NO_HANG
        )
    assert len(results) == 5 and len(stub.seen) == 5  # one at a time, but every one went


async def test_a_cancelled_waiter_holds_no_lease(redis_url: str) -> None:
    governor = RedisGovernor(RedisRateLimit(redis_url), org="cancelled", max_wait=60.0, lease=30.0)
    route = "GET /keys"
    try:
        probe = await governor.acquire(route)
        governor.release(probe, RateLimit("keys", 10, 10.0, 1, 10.0), 200)
        held = await asyncio.wait_for(governor.acquire(route), NO_HANG)
        waiter = asyncio.create_task(governor.acquire(route))
        await asyncio.sleep(0.2)
        assert not waiter.done()
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        governor.release(held, None, None)
        again = await asyncio.wait_for(governor.acquire(route), NO_HANG)
        assert again.lease and again.bucket == "keys"
    finally:
        await governor.aclose()
    client = Redis.from_url(redis_url)
    try:
        assert await client.zcard("aiodd:rl:{cancelled}:keys:leases") == 1  # closing gave nothing back it did not hold
    finally:
        await client.aclose()


async def test_falling_back_uses_the_configured_share_of_each_bucket() -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    config = RedisRateLimit(nobody, fall_back_after=1, fallback_share=0.5, retry_interval=60)
    governor = RedisGovernor(config, org="share", max_wait=60.0, lease=30.0)
    try:
        probe = await asyncio.wait_for(governor.acquire("GET /keys"), NO_HANG)  # Redis fails: the fallback probes
        assert governor.falling_back and probe.lease is None and probe.probe
        governor.release(probe, RateLimit("keys", 10, 10.0, 10, 10.0), 200)
        tickets = [governor.try_acquire("GET /keys") for _ in range(6)]
        assert [t is not None for t in tickets] == [True] * 5 + [False]
    finally:
        await governor.aclose()


def with_password(port: int, scheme: str = "redis") -> RedisRateLimit:
    return RedisRateLimit(f"{scheme}://:hunter2-secret@127.0.0.1:{port}/0")


async def test_the_redis_password_never_shows(fake: FakeDatadog, caplog: pytest.LogCaptureFixture) -> None:
    sa, key = first_key(fake)
    fake.fail_next("GET", "/api/v2/service_accounts/*/application_keys/*", status=500)
    caplog.set_level(logging.DEBUG)
    config = with_password(free_port())  # nobody listens: the governor falls back and says so
    async with fake.client(rate_limit=config, retry=None) as dd:
        with pytest.raises(aiodd.InternalServerError) as caught:
            await dd.service_accounts.application_keys.get(sa, key)
        await gets([dd], sa, key, 3)
        shown = f"{config!r} {dd!r} {dd.governor!r} {vars(dd)!r} {vars(dd.governor)!r}"
        shown += "".join(traceback.TracebackException.from_exception(caught.value, capture_locals=True).format())
    with pytest.raises(aiodd.ConfigurationError) as refused:
        with_password(6379, scheme="http")
    assert "config" in shown and "***" in shown  # the governor's locals were captured, redacted
    assert "Redis" in caplog.text  # the fallback was logged
    assert "hunter2" not in shown + caplog.text + str(refused.value) + repr(refused.value)


def test_ticket_of_a_shared_governor_carries_its_lease() -> None:
    assert Ticket("GET /x", "b", probe=False, lease="1:a:1").lease == "1:a:1"
    assert Ticket("GET /x", "b", probe=False).lease is None
