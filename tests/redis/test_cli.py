"""``--rate-limit-redis`` / AIODD_RATE_LIMIT_REDIS on the command line, and ``aiodd demo --workers``: real processes."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from redis.asyncio import Redis

from aiodd.testing import FakeDatadog

NO_HANG = 120


async def aiodd(*args: str, fake: FakeDatadog | None = None, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    base = ["--base-url", fake.base_url] if fake is not None else []
    keys = {"DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key} if fake is not None else {}
    inherited = {k: v for k, v in os.environ.items() if k != "AIODD_RATE_LIMIT_REDIS"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiodd", *base, *args,
        env={**inherited, **keys, **(env or {})},
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), NO_HANG)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def shared_keys(redis_url: str) -> list[bytes]:
    client = Redis.from_url(redis_url)
    try:
        return list(await client.keys("aiodd:rl:*"))
    finally:
        await client.aclose()


async def test_audit_with_rate_limit_redis_keeps_the_buckets_in_redis(redis_url: str) -> None:
    async with FakeDatadog(rate_limit=(50, 1.0)) as fake:
        fake.seed(service_accounts=3, keys_per_account=2)
        code, out, err = await aiodd(
            "keys", "audit", "--all-service-accounts", "--json", "--rate-limit-redis", redis_url, fake=fake
        )
    assert code == 0, err
    assert len(json.loads(out)["keys"]) == 6
    assert any(key.endswith(b"::routes") for key in await shared_keys(redis_url))


async def test_rotate_takes_the_redis_url_from_the_environment(redis_url: str, tmp_path: Path) -> None:
    async with FakeDatadog(rate_limit=(50, 1.0)) as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=2)
        code, out, err = await aiodd(
            "keys", "rotate", sa, "--journal", str(tmp_path / "j"), "--sink", f"file:{tmp_path / 's'}", "--json",
            fake=fake, env={"AIODD_RATE_LIMIT_REDIS": redis_url},
        )  # fmt: skip
    assert code == 0, err
    assert [key["outcome"] for key in json.loads(out)["keys"]] == ["rotated", "rotated"]
    assert await shared_keys(redis_url)


async def test_a_bad_redis_url_is_a_usage_error_before_any_request(tmp_path: Path) -> None:
    async with FakeDatadog() as fake:
        code, _, err = await aiodd(
            "keys", "audit", "--all-service-accounts", "--rate-limit-redis", "http://:pw@localhost/0", fake=fake
        )
        assert fake.requests_seen() == 0
    assert code == 2
    assert "redis://" in err and "Traceback" not in err and "pw@" not in err


async def test_demo_split_across_processes_sharing_one_budget(redis_url: str) -> None:
    code, out, err = await aiodd(
        "demo", "--workers", "3", "--accounts", "12", "--keys", "2", "--rate-limit", "20/1", "--concurrency", "8",
        "--rate-limit-redis", redis_url, "--json",
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert document["verified"] and document["workers"] == 3 and document["shared_budget"]
    assert document["outcomes"] == {"rotated": 24, "retired": 24, "failed": 0}
    assert document["rate_limited"] <= max(1, round(document["elapsed"]))  # at most about one per 1 s window
    assert "--rate-limit-redis redis://127.0.0.1" in err


async def test_demo_split_without_redis_gives_each_process_its_own_budget() -> None:
    code, out, err = await aiodd(
        "demo", "--workers", "2", "--accounts", "6", "--keys", "1", "--rate-limit", "50/1", "--json"
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["verified"] and document["workers"] == 2 and not document["shared_budget"]
    assert "each with its own rate-limit budget" in err
