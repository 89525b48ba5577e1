"""RateLimitGovernor: admission decisions with a fake clock, no network."""

from __future__ import annotations

import asyncio
import math

import pytest

from aiodd import RateLimit
from aiodd._governor import BucketState, RateLimitGovernor


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def state(remaining: int, reset: float, name: str = "keys", limit: int = 10) -> RateLimit:
    return RateLimit(name=name, limit=limit, period=10.0, remaining=remaining, reset=reset)


def test_bucket_admits_while_remaining_exceeds_in_flight() -> None:
    bucket = BucketState(limit=10, remaining=2, reset_at=110.0)
    assert bucket.delay(100.0) is None
    bucket.in_flight = 2
    assert bucket.delay(100.0) == 10.0


def test_bucket_refills_when_the_window_resets() -> None:
    bucket = BucketState(limit=10, remaining=0, reset_at=110.0, in_flight=3)
    assert bucket.delay(109.0) == pytest.approx(1.0)
    assert bucket.delay(110.0) is None  # new window: 10 allowed, 3 still in flight count against it
    assert bucket.remaining == 10


def test_exhausted_bucket_without_reset_waits_for_an_answer_in_flight() -> None:
    assert BucketState(remaining=0, in_flight=1).delay(0.0) == math.inf
    assert BucketState(remaining=0, in_flight=0).delay(0.0) is None  # nothing to wait for: never deadlock


def test_a_429_leaves_nothing_until_the_reset() -> None:
    bucket = BucketState(limit=10, remaining=5)
    bucket.update(RateLimit("b", 10, 10.0, 3, 4.0), now=50.0, refused=True)
    assert bucket.remaining == 0 and bucket.reset_at == 54.0


async def test_cold_start_sends_one_probe_and_holds_the_rest() -> None:
    clock = FakeClock()
    governor = RateLimitGovernor(clock)
    probe = await governor.acquire("GET /keys")
    assert probe.probe
    waiter = asyncio.create_task(governor.acquire("GET /keys"))
    await asyncio.sleep(0)
    assert not waiter.done()
    governor.release(probe, state(remaining=5, reset=10), 200)
    ticket = await asyncio.wait_for(waiter, 1)
    assert ticket.bucket == "keys" and not ticket.probe


async def test_known_bucket_limits_requests_in_flight_to_remaining() -> None:
    clock = FakeClock()
    governor = RateLimitGovernor(clock)
    governor.release(await governor.acquire("GET /keys"), state(remaining=2, reset=10), 200)
    first = await governor.acquire("GET /keys")
    second = await governor.acquire("GET /keys")
    third = asyncio.create_task(governor.acquire("GET /keys"))
    await asyncio.sleep(0.01)
    assert not third.done()
    governor.release(first, state(remaining=1, reset=9), 200)  # one left, one still in flight
    await asyncio.sleep(0.01)
    assert not third.done()
    clock.now += 10  # the window resets
    governor.release(second, state(remaining=0, reset=0.0), 200)
    assert (await asyncio.wait_for(third, 1)).bucket == "keys"


async def test_other_buckets_are_not_delayed() -> None:
    governor = RateLimitGovernor(FakeClock())
    governor.release(await governor.acquire("GET /keys"), state(remaining=0, reset=30), 429)
    blocked = asyncio.create_task(governor.acquire("GET /keys"))
    other = await asyncio.wait_for(governor.acquire("GET /connections"), 1)
    assert other.probe
    assert not blocked.done()
    blocked.cancel()


async def test_routes_without_rate_limit_headers_are_not_governed() -> None:
    governor = RateLimitGovernor(FakeClock())
    governor.release(await governor.acquire("GET /free"), None, 200)
    tickets = [await asyncio.wait_for(governor.acquire("GET /free"), 1) for _ in range(50)]
    assert all(t.bucket is None and not t.probe for t in tickets)


async def test_a_failed_probe_lets_the_next_request_probe() -> None:
    governor = RateLimitGovernor(FakeClock())
    probe = await governor.acquire("GET /keys")
    waiter = asyncio.create_task(governor.acquire("GET /keys"))
    await asyncio.sleep(0)
    governor.release(probe, None, None)  # connection error: no answer
    assert (await asyncio.wait_for(waiter, 1)).probe


async def test_routes_sharing_a_bucket_share_its_budget() -> None:
    governor = RateLimitGovernor(FakeClock())
    governor.release(await governor.acquire("GET /keys"), state(remaining=1, reset=30), 200)
    governor.release(await governor.acquire("POST /keys"), state(remaining=0, reset=30), 201)
    waiter = asyncio.create_task(governor.acquire("GET /keys"))
    await asyncio.sleep(0.01)
    assert not waiter.done()
    waiter.cancel()


async def test_cancelling_a_waiting_request_holds_no_slot() -> None:
    governor = RateLimitGovernor(FakeClock())
    governor.release(await governor.acquire("GET /keys"), state(remaining=1, reset=30), 200)
    held = await governor.acquire("GET /keys")
    waiter = asyncio.create_task(governor.acquire("GET /keys"))
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    bucket = governor.bucket_of("GET /keys")
    assert bucket is not None and bucket.in_flight == 1
    governor.release(held, None, None)
    assert bucket.in_flight == 0


def test_within_a_window_the_earliest_reset_bound_is_kept() -> None:
    bucket = BucketState()
    bucket.update(RateLimit("b", 10, 2.0, 9, 2.0), now=100.0, refused=False)  # window ends by 102.0
    bucket.update(RateLimit("b", 10, 2.0, 5, 2.0), now=100.7, refused=False)  # rounded up: says 102.7
    assert bucket.reset_at == 102.0


def test_a_new_window_or_a_429_replaces_the_reset_bound() -> None:
    bucket = BucketState()
    bucket.update(RateLimit("b", 10, 2.0, 1, 2.0), now=100.0, refused=False)
    bucket.update(RateLimit("b", 10, 2.0, 9, 2.0), now=101.0, refused=False)  # remaining went up: a new window
    assert bucket.reset_at == 103.0
    bucket.update(RateLimit("b", 10, 2.0, 0, 1.0), now=101.5, refused=True)
    assert bucket.reset_at == 102.5 and bucket.remaining == 0
