"""The Lua scripts, through ``RedisBucketStore``, on a real redis-server. Two holders stand for two processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from aiodd import RateLimit
from aiodd._redis.keys import KeyLayout
from aiodd._redis.scripts import ADMIT, UPDATE
from aiodd._redis.store import KEEP_AFTER_RESET, Admitted, LostAttempt, RedisBucketStore, Update

from redisserver import RedisServer

ROUTE = "GET /api/v2/service_accounts/{service_account_id}/application_keys/{app_key_id}"
OTHER_ROUTE = "DELETE /api/v2/service_accounts/{service_account_id}/application_keys/{app_key_id}"
BUCKET = "app_keys"
KEYS = KeyLayout("0123456789abcdef")


class Process:
    """One process's view: the store, and the names of its admission attempts."""

    def __init__(self, store: Process, holder: str) -> None:
        self.store = store
        self.holder = holder
        self.attempts = 0

    async def admit(self, route: str, bucket: str | None, want: int) -> Admitted:
        self.attempts += 1
        return await self.store.admit(route, bucket, want, f"{self.holder}:{self.attempts}:")

    async def update(self, updates: list[Update], lost: list[LostAttempt] | None = None) -> None:
        await self.store.update(updates, lost or [])


MakeStore = Callable[..., Process]


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def make_store(redis: Redis) -> MakeStore:
    def make(holder: str = "a", lease: float = 30.0, stale: float = 60.0) -> Process:
        return Process(RedisBucketStore(redis, KEYS, lease=lease, timeout=2.0, stale=stale), holder)

    return make


def answer(remaining: int, reset: float | None = 10.0, limit: int = 10, name: str = BUCKET) -> RateLimit:
    return RateLimit(name=name, limit=limit, period=10.0, remaining=remaining, reset=reset)


async def learn(store: Process, remaining: int, reset: float | None = 10.0, limit: int = 10) -> None:
    """A probe goes and its answer arrives: the route's bucket is known everywhere."""
    probe = await store.admit(ROUTE, None, 1)
    assert probe.kind == "probe"
    await store.update([Update(ROUTE, None, "", probe.lease_prefix, answer(remaining, reset, limit), 200)])


async def take(store: Process, want: int) -> Admitted:
    admitted = await store.admit(ROUTE, BUCKET, want)
    assert admitted.kind == "bucket"
    return admitted


def leases(admitted: Admitted) -> list[str]:
    return [f"{admitted.lease_prefix}{n}" for n in range(1, admitted.granted + 1)]


async def test_a_route_nobody_knows_sends_one_probe_across_processes(make_store: MakeStore) -> None:
    first, second = make_store("a"), make_store("b")
    probe = await first.admit(ROUTE, None, 5)
    assert probe.kind == "probe"
    waiting = await second.admit(ROUTE, None, 5)
    assert waiting.kind == "wait" and 0 < waiting.recheck <= 30
    await first.update([Update(ROUTE, None, "", probe.lease_prefix, answer(remaining=7), 200)])
    assert (await second.admit(ROUTE, None, 5)) == Admitted("moved", bucket=BUCKET)
    assert (await take(second, 5)).granted == 5


async def test_a_failed_probe_lets_another_process_probe(make_store: MakeStore) -> None:
    first, second = make_store("a"), make_store("b")
    probe = await first.admit(ROUTE, None, 1)
    await first.update([Update(ROUTE, None, "", probe.lease_prefix, None, None)])  # no answer
    assert (await second.admit(ROUTE, None, 1)).kind == "probe"


async def test_a_route_without_rate_limit_headers_is_free_for_everyone(make_store: MakeStore) -> None:
    first, second = make_store("a"), make_store("b")
    probe = await first.admit(ROUTE, None, 1)
    await first.update([Update(ROUTE, None, "", probe.lease_prefix, None, 200)])
    assert (await second.admit(ROUTE, None, 1)).kind == "free"


async def test_processes_share_remaining_minus_in_flight(make_store: MakeStore) -> None:
    first, second = make_store("a"), make_store("b")
    await learn(first, remaining=5)
    assert (await take(first, 3)).granted == 3
    refused = await take(second, 3)
    assert refused.granted == 2  # 5 remain, 3 in flight elsewhere
    assert 9 < refused.delay <= 10 and refused.recheck == pytest.approx(refused.delay, abs=0.01)
    assert refused.rate_limit == RateLimit(BUCKET, 10, 10.0, 5, pytest.approx(refused.delay, abs=0.01))
    assert (await take(first, 1)).granted == 0


async def test_an_answer_frees_its_lease_but_not_the_budget_it_used(make_store: MakeStore) -> None:
    store = make_store()
    await learn(store, remaining=2)
    granted = await take(store, 2)
    await store.update([Update(ROUTE, BUCKET, leases(granted)[0], "", answer(remaining=1), 200)])
    assert (await take(store, 1)).granted == 0  # 1 remains, 1 in flight
    await store.update([Update(ROUTE, BUCKET, leases(granted)[1], "", None, None)])  # failed: no answer
    assert (await take(store, 5)).granted == 1  # its slot was never used


async def test_within_a_window_the_smaller_remaining_and_the_earlier_reset_are_kept(
    make_store: MakeStore, redis: Redis
) -> None:
    store = make_store()
    await learn(store, remaining=9, reset=10.0)
    granted = leases(await take(store, 4))
    # Answers arrive out of order: remaining 5, then 8 (sent earlier); a reset bound that is later, then earlier.
    await store.update([Update(ROUTE, BUCKET, granted[0], "", answer(remaining=5, reset=10.0), 200)])
    await store.update([Update(ROUTE, BUCKET, granted[1], "", answer(remaining=8, reset=7.0), 200)])
    state = await redis.hgetall(KEYS.state(BUCKET))
    assert int(state[b"remaining"]) == 5
    assert int(state[b"reset_at"]) - int(state[b"answered_at"]) <= 7000


async def test_a_new_window_resets_the_count_and_leases_still_count(make_store: MakeStore) -> None:
    store = make_store()
    await learn(store, remaining=1, reset=0.2, limit=4)
    held = await take(store, 1)
    assert (await take(store, 1)).granted == 0
    await asyncio.sleep(0.25)
    assert (await take(store, 10)).granted == 3  # limit 4, one still in flight from the old window
    assert held.granted == 1


async def test_a_429_means_nothing_remains_until_its_reset(make_store: MakeStore) -> None:
    store = make_store()
    await learn(store, remaining=8)
    [lease] = leases(await take(store, 1))
    await store.update([Update(ROUTE, BUCKET, lease, "", answer(remaining=3, reset=5.0), 429)])
    refused = await take(store, 1)
    assert refused.granted == 0 and 4 < refused.delay <= 5
    assert refused.rate_limit is not None and refused.rate_limit.remaining == 0


async def test_an_answer_from_an_older_window_does_not_shrink_the_new_one(make_store: MakeStore) -> None:
    store = make_store()
    await learn(store, remaining=5, reset=0.2, limit=5)
    [late] = leases(await take(store, 1))
    await asyncio.sleep(0.25)
    assert (await take(store, 2)).granted == 2  # the new window: 5, less the one still in flight and these two
    await store.update([Update(ROUTE, BUCKET, late, "", answer(remaining=0, reset=1.0), 429)])
    assert (await take(store, 10)).granted == 3  # the late 429 describes the old window


async def test_a_reset_over_a_day_is_not_scheduled(make_store: MakeStore) -> None:
    store = make_store()
    await learn(store, remaining=0, reset=1e12)
    admitted = await take(store, 3)
    assert admitted.granted == 1  # exhausted, no believable reset, nothing in flight: one goes to learn more
    assert admitted.delay == float("inf") and admitted.rate_limit is not None and admitted.rate_limit.reset is None


async def test_an_exhausted_bucket_that_heard_nothing_for_long_lets_one_through(make_store: MakeStore) -> None:
    store = make_store(stale=0.2)
    await learn(store, remaining=0, reset=3600.0)
    assert (await take(store, 1)).granted == 0
    await asyncio.sleep(0.25)
    assert (await take(store, 5)).granted == 1


async def test_leases_of_a_process_that_never_answers_expire(make_store: MakeStore, redis: Redis) -> None:
    doomed, survivor = make_store("doomed", lease=0.3), make_store("survivor")
    await learn(survivor, remaining=4, reset=60.0)
    assert (await take(doomed, 4)).granted == 4
    assert (await take(survivor, 1)).granted == 0
    await asyncio.sleep(0.35)
    assert (await take(survivor, 4)).granted == 4
    assert await redis.zcard(KEYS.leases(BUCKET)) == 4  # only the survivor's


async def test_keys_expire_shortly_after_the_window_ends(make_store: MakeStore, redis: Redis) -> None:
    store = make_store(lease=5.0)
    await learn(store, remaining=5, reset=3.0)
    await take(store, 2)
    state_ttl = await redis.pttl(KEYS.state(BUCKET))
    assert 3000 + KEEP_AFTER_RESET * 1000 - 500 < state_ttl <= 3000 + KEEP_AFTER_RESET * 1000
    assert 4000 < await redis.pttl(KEYS.leases(BUCKET)) <= 5000
    assert 0 < await redis.pttl(KEYS.routes) <= 86_400_000
    assert await redis.pttl(KEYS.probe(ROUTE)) == -2  # the probe's lock went with its answer


async def test_routes_sharing_a_bucket_share_its_budget(make_store: MakeStore) -> None:
    store = make_store()
    await learn(store, remaining=2)
    probe = await store.admit(OTHER_ROUTE, None, 1)
    await store.update([Update(OTHER_ROUTE, None, "", probe.lease_prefix, answer(remaining=1), 204)])
    assert (await store.admit(OTHER_ROUTE, BUCKET, 5)).granted == 1
    assert (await take(store, 5)).granted == 0


async def test_a_flushed_script_cache_is_refilled(
    make_store: MakeStore, redis: Redis, redis_server: RedisServer
) -> None:
    store = make_store()
    await learn(store, remaining=5)
    granted = leases(await take(store, 2))
    assert redis_server.command("SCRIPT", "FLUSH") == "+OK"
    assert (await take(store, 1)).granted == 1  # EVALSHA -> NOSCRIPT -> EVAL
    assert redis_server.command("SCRIPT", "FLUSH") == "+OK"
    await store.update([Update(ROUTE, BUCKET, lease, "", answer(remaining=3), 200) for lease in granted])
    assert await redis.zcard(KEYS.leases(BUCKET)) == 1
    assert await redis.script_exists(ADMIT.sha, UPDATE.sha) == [False, True]  # cached again by the EVAL


async def test_an_admission_whose_reply_was_lost_is_taken_back(make_store: MakeStore, redis: Redis) -> None:
    store = make_store()
    lost_probe = await store.admit(ROUTE, None, 3)  # say the reply never came: nobody sends this probe
    assert lost_probe.kind == "probe"
    await store.update([], [LostAttempt(ROUTE, None, "a:1:", 3)])
    await learn(store, remaining=5)
    assert (await take(store, 4)).granted == 4  # reply lost too
    await store.update([], [LostAttempt(ROUTE, BUCKET, f"a:{store.attempts}:", 4)])
    assert await redis.zcard(KEYS.leases(BUCKET)) == 0
    assert (await take(store, 9)).granted == 5
