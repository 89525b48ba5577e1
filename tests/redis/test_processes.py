"""Real processes sharing one budget through a real redis-server, against the fake Datadog in this process.

K = 4 workers (tests/redis/worker.py) share M GETs on a bucket of L requests per P seconds. Nothing can
finish sooner than about M·P/L; with the shared state they draw at most one 429 per window and stay within
1.10 times M·P/L. The same run without Redis shows the storm it prevents (reported, and compared).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from redis.asyncio import Redis

import aiodd
from aiodd.testing import SERVICE_ACCOUNT_APPLICATION_KEYS, FakeDatadog

from redisserver import RedisServer
from stubserver import API_KEY, APP_KEY

WORKER = Path(__file__).with_name("worker.py")
K, L, P, M = 4, 10, 1.0, 80
WINDOWS = M // L
BOUND = M * P / L


@pytest.fixture
async def fake() -> AsyncIterator[FakeDatadog]:
    async with FakeDatadog(bucket_rate_limits={SERVICE_ACCOUNT_APPLICATION_KEYS: (L, P)}) as fake:
        yield fake


async def start_workers(
    base_url: str, args: list[str], count: int, env: dict[str, str]
) -> list[asyncio.subprocess.Process]:
    workers = []
    for _ in range(count):
        workers.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                str(WORKER),
                base_url,
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env={**os.environ, **env},
            )
        )
    for worker in workers:
        assert worker.stdout is not None
        assert (await asyncio.wait_for(worker.stdout.readline(), 30)).strip() == b"ready"
    return workers


async def run_workers(
    fake: FakeDatadog, sa: str, key: str, redis_url: str | None, during: Any = None, **env: str
) -> tuple[float, list[dict[str, Any]]]:
    """K workers, M requests in all, started at once; the wall time from the start to the last one's end."""
    env.update(DD_API_KEY=fake.api_key, DD_APP_KEY=fake.app_key)
    args = [sa, key, str(M // K), *([redis_url] if redis_url else [])]
    workers = await start_workers(fake.base_url, args, K, env)
    try:
        started = time.monotonic()
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write(b"go\n")
            await worker.stdin.drain()
        if during is not None:
            await during()
        outputs = await asyncio.wait_for(asyncio.gather(*(worker.communicate(b"stop\n") for worker in workers)), 90)
        seconds = time.monotonic() - started
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    assert all(worker.returncode == 0 for worker in workers), [w.returncode for w in workers]
    return seconds, [json.loads(out.decode().splitlines()[-1]) for out, _ in outputs]


def seeded(fake: FakeDatadog) -> tuple[str, str]:
    [sa] = fake.seed(service_accounts=1, keys_per_account=1)
    return sa, fake.state.application_keys(sa)[0].id


async def test_four_processes_share_one_budget(fake: FakeDatadog, redis_url: str) -> None:
    sa, key = seeded(fake)
    shared_seconds, shared = await run_workers(fake, sa, key, redis_url)
    shared_429s = fake.rate_limited_count

    fake.reset_rate_limits()
    fake.reset_counters()
    alone_seconds, alone = await run_workers(fake, sa, key, None)
    alone_429s = fake.rate_limited_count
    print(
        f"\nK={K} processes, L={L} per P={P:g} s, M={M} (M·P/L = {BOUND:g} s): "
        f"shared in Redis {shared_seconds:.2f} s, {shared_429s} 429s; "
        f"each its own governor {alone_seconds:.2f} s, {alone_429s} 429s, "
        f"{sum(len(r['errors']) for r in alone)} requests failed"
    )
    assert sum(r["done"] for r in shared) == M and not [e for r in shared for e in r["errors"]]
    assert shared_429s <= WINDOWS, shared_429s
    assert shared_seconds <= 1.10 * BOUND, shared_seconds
    assert alone_429s > shared_429s  # the storm the shared state prevents


async def test_redis_killed_mid_run_every_request_completes_and_each_process_logs_once(
    fake: FakeDatadog, own_redis: RedisServer
) -> None:
    sa, key = seeded(fake)

    async def outage() -> None:
        await asyncio.sleep(1.5)
        own_redis.kill()
        await asyncio.sleep(1.0)
        own_redis.start()
        await asyncio.sleep(1.0)  # each worker's client, done or not, is still open: it finds Redis again

    # While Redis is down each process keeps a quarter of each bucket, so the run outlasts the outage.
    _, results = await run_workers(fake, sa, key, own_redis.url, during=outage, AIODD_TEST_SHARE=str(1 / K))
    assert sum(r["done"] for r in results) == M and not [e for r in results for e in r["errors"]], results
    for result in results:
        warnings = [line for line in result["logs"] if line.startswith("WARNING") and "Redis" in line]
        infos = [line for line in result["logs"] if line.startswith("INFO") and "Redis" in line]
        assert len(warnings) == 1 and len(infos) == 1, result["logs"]
        assert "unavailable" in warnings[0] and "available again" in infos[0]


class HoldingServer:
    """Answers with a roomy bucket (10 per 60 s); while ``hold`` is set it keeps requests waiting instead."""

    def __init__(self) -> None:
        self.hold = False
        self.holding = 0
        self.let_go = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        if self.hold:
            self.holding += 1
            await self.let_go.wait()
        headers = {
            "X-RateLimit-Limit": "10",
            "X-RateLimit-Period": "60",
            "X-RateLimit-Remaining": "10",
            "X-RateLimit-Reset": "60",
            "X-RateLimit-Name": "keys",
        }
        return web.json_response({"data": {"id": "k1", "type": "application_keys"}}, headers=headers)


async def test_a_killed_worker_gives_its_reservations_back_within_the_lease(redis_url: str) -> None:
    lease = 4.0
    server_state = HoldingServer()
    app = web.Application()
    app.router.add_get("/api/v2/service_accounts/{sa}/application_keys/{key}", server_state.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    base_url = str(server.make_url(""))
    redis = Redis.from_url(redis_url)
    try:
        async with aiodd.Client(API_KEY, APP_KEY, base_url=base_url, rate_limit=redis_url) as dd:
            await dd.service_accounts.application_keys.get("sa", "k1")  # the bucket: 10 remain
            server_state.hold = True
            env = {
                "DD_API_KEY": API_KEY,
                "DD_APP_KEY": APP_KEY,
                "AIODD_TEST_LEASE": str(lease),
                "AIODD_TEST_TASKS": "10",
            }
            [worker] = await start_workers(base_url, ["sa", "k1", "10", redis_url], 1, env)
            assert worker.stdin is not None
            worker.stdin.write(b"go\n")
            await worker.stdin.drain()
            for _ in range(500):
                if server_state.holding == 10:  # the worker's 10 tasks each wait for an answer
                    break
                await asyncio.sleep(0.02)
            assert server_state.holding == 10
            worker.send_signal(signal.SIGKILL)
            await worker.wait()
            killed = time.monotonic()
            server_state.hold = False
            leases_key = next(k for k in await redis.keys("aiodd:rl:*:leases"))
            assert await redis.zcard(leases_key) == 10  # the dead worker's reservations still count

            task = asyncio.create_task(dd.service_accounts.application_keys.get("sa", "k1"))
            await asyncio.sleep(0.5)
            assert not task.done()  # held back: 10 remain, 10 reserved
            await asyncio.wait_for(task, lease + 5)
            assert time.monotonic() - killed <= lease + 5
            assert await redis.zcard(leases_key) == 0  # expired, and the survivor's own came back
    finally:
        server_state.let_go.set()
        await redis.aclose()
        await server.close()
