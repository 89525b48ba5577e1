"""RateLimitGovernor: admission decisions with a fake clock, no network."""

from __future__ import annotations

import asyncio
import gc
import math
from collections.abc import Callable
from typing import Any, cast

import pytest

from aiodd import RateLimit
from aiodd._governor import STALE_AFTER, BucketState, RateLimitGovernor, Ticket, WaitTooLong


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


# --- Bounded waits, sanitised answers, and the per-bucket waiting queues (fake clock and timers) ---


class FakeTime(FakeClock):
    """The governor's clock and ``call_later``, driven by the test: :meth:`advance` fires what falls due."""

    def __init__(self) -> None:
        super().__init__()
        self._timers: list[list[Any]] = []  # [when, callback, cancelled]

    def call_later(self, seconds: float, callback: Callable[[], object]) -> FakeTimer:
        timer = [self.now + seconds, callback, False]
        self._timers.append(timer)
        return FakeTimer(timer)

    @property
    def pending(self) -> int:
        return sum(1 for timer in self._timers if not timer[2])

    def fire_due(self) -> None:
        """Run every timer due by now, earliest first (the woken tasks have not run yet)."""
        while due := sorted((t for t in self._timers if not t[2] and t[0] <= self.now), key=lambda t: t[0]):
            timer = due[0]
            timer[2] = True
            self._timers.remove(timer)
            timer[1]()

    async def advance(self, seconds: float) -> None:
        """Move the clock, fire what falls due, then let the woken tasks run."""
        self.now += seconds
        self.fire_due()
        await settle()


class FakeTimer:
    def __init__(self, timer: list[Any]) -> None:
        self._timer = timer

    def cancel(self) -> None:
        self._timer[2] = True


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def governed_by(time_: FakeTime, max_wait: float = 60.0) -> RateLimitGovernor:
    return RateLimitGovernor(time_, max_wait=max_wait, call_later=time_.call_later)


async def exhausted(governor: RateLimitGovernor, route: str = "GET /keys", reset: float = 10.0, limit: int = 2) -> None:
    """Teach ``governor`` that ``route``'s bucket has nothing left for ``reset`` seconds."""
    ticket = await governor.acquire(route)
    governor.release(ticket, state(remaining=0, reset=reset, limit=limit), 200)


def queued(governor: RateLimitGovernor, count: int, route: str = "GET /keys") -> list[asyncio.Task[Ticket]]:
    return [asyncio.create_task(governor.acquire(route), name=f"waiter {i}") for i in range(count)]


def admitted(tasks: list[asyncio.Task[Ticket]]) -> list[int]:
    return [i for i, task in enumerate(tasks) if task.done() and not task.cancelled() and not task.exception()]


@pytest.mark.parametrize("reset", [1e12, 1e308, math.inf, math.nan, -5.0, 86_401.0])
def test_an_absurd_reset_is_ignored_for_scheduling(reset: float) -> None:
    bucket = BucketState()
    bucket.update(RateLimit("b", 10, reset, 0, reset), now=100.0, refused=False)
    assert bucket.reset_at is None and bucket.period is None
    assert bucket.delay(100.0) is None  # nothing in flight: one request may go and bring a sane answer


def test_a_429_with_an_absurd_reset_waits_one_period() -> None:
    bucket = BucketState()
    bucket.update(RateLimit("b", 10, 10.0, 0, 1e12), now=100.0, refused=True)
    assert bucket.reset_at == 110.0


def test_a_reset_of_up_to_a_day_is_believed() -> None:
    bucket = BucketState()
    bucket.update(RateLimit("b", 10, None, 0, 86_400.0), now=0.0, refused=False)
    assert bucket.reset_at == 86_400.0


def test_an_exhausted_bucket_that_heard_nothing_for_a_minute_lets_one_request_learn_its_state() -> None:
    bucket = BucketState()
    bucket.update(RateLimit("b", 10, 3600.0, 0, 3600.0), now=0.0, refused=True)
    assert bucket.delay(STALE_AFTER - 1) == pytest.approx(3600 - STALE_AFTER + 1)
    assert bucket.changes_at() == STALE_AFTER
    assert bucket.delay(STALE_AFTER) is None
    bucket.in_flight += 1
    assert bucket.delay(STALE_AFTER) == math.inf  # the others wait for that one answer
    bucket.update(RateLimit("b", 10, 3600.0, 0, 3540.0), now=STALE_AFTER + 0.1, refused=True)
    bucket.in_flight -= 1
    assert bucket.delay(STALE_AFTER + 0.2) == pytest.approx(3540.0 - 0.1)


def test_a_snapshot_counts_the_reset_from_now() -> None:
    bucket = BucketState(limit=10, remaining=0, reset_at=130.0, period=60.0)
    assert bucket.snapshot("b", 100.0) == RateLimit("b", 10, 60.0, 0, 30.0)


async def test_a_wait_longer_than_max_wait_fails_at_once_with_the_time_until_the_reset() -> None:
    time_ = FakeTime()
    governor = governed_by(time_, max_wait=5)
    await exhausted(governor, reset=3600)
    with pytest.raises(WaitTooLong) as caught:
        await governor.acquire("GET /keys")
    assert caught.value.retry_after == pytest.approx(3600)
    assert caught.value.rate_limit == RateLimit("keys", 2, 10.0, 0, 3600.0)
    assert "max_wait=5" in str(caught.value)
    assert time_.pending == 0  # nothing left waiting


async def test_a_wait_within_max_wait_ends_when_the_window_opens() -> None:
    time_ = FakeTime()
    governor = governed_by(time_, max_wait=5)
    await exhausted(governor, reset=4)
    [waiter] = queued(governor, 1)
    await settle()
    assert not waiter.done()
    await time_.advance(4)
    assert waiter.result().bucket == "keys"


async def test_waiting_for_an_answer_that_never_comes_fails_at_max_wait() -> None:
    time_ = FakeTime()
    governor = governed_by(time_, max_wait=5)
    await exhausted(governor, reset=1e12)  # ignored: remaining 0, no reset known
    in_flight = await governor.acquire("GET /keys")  # nothing in flight, so one may go and ask
    [waiter] = queued(governor, 1)
    await settle()
    await time_.advance(4.9)
    assert not waiter.done()
    await time_.advance(0.1)
    assert isinstance(waiter.exception(), WaitTooLong)
    assert cast(WaitTooLong, waiter.exception()).retry_after is None
    governor.release(in_flight, None, None)
    bucket = governor.bucket_of("GET /keys")
    assert bucket is not None and bucket.in_flight == 0 and bucket.reset_at is None


async def test_an_answer_that_moves_the_reset_past_a_deadline_fails_those_waiters_at_once() -> None:
    time_ = FakeTime()
    governor = governed_by(time_, max_wait=5)
    ticket = await governor.acquire("GET /keys")
    governor.release(ticket, state(remaining=1, reset=1), 200)
    held = await governor.acquire("GET /keys")
    waiters = queued(governor, 3)
    await settle()
    governor.release(held, state(remaining=0, reset=30), 429)  # the window is longer than they may wait
    await settle()
    assert all(isinstance(w.exception(), WaitTooLong) for w in waiters)


async def test_a_freed_slot_lets_exactly_the_first_waiter_go() -> None:
    time_ = FakeTime()
    governor = governed_by(time_)
    ticket = await governor.acquire("GET /keys")
    governor.release(ticket, state(remaining=2, reset=10), 200)
    held = [await governor.acquire("GET /keys"), await governor.acquire("GET /keys")]
    waiters = queued(governor, 5)
    await settle()
    governor.release(held[0], None, None)  # no answer: its slot is free again
    await settle()
    assert admitted(waiters) == [0]
    governor.release(held[1], None, None)
    await settle()
    assert admitted(waiters) == [0, 1]
    bucket = governor.bucket_of("GET /keys")
    assert bucket is not None and bucket.in_flight == 2
    for waiter in waiters[2:]:
        waiter.cancel()


async def test_a_new_window_lets_waiters_go_in_the_order_they_asked_one_per_slot() -> None:
    time_ = FakeTime()
    governor = governed_by(time_)
    await exhausted(governor, reset=10, limit=3)
    waiters = queued(governor, 7)
    await settle()
    assert time_.pending == 1  # one timer for the bucket, not one per waiter
    await time_.advance(10)
    assert admitted(waiters) == [0, 1, 2]
    for i in (0, 1, 2):  # their answers start the next window
        governor.release(waiters[i].result(), state(remaining=2 - i, reset=10, limit=3), 200)
    await settle()
    assert admitted(waiters) == [0, 1, 2]
    await time_.advance(10)
    assert admitted(waiters) == [0, 1, 2, 3, 4, 5]
    waiters[6].cancel()


async def test_a_newcomer_does_not_pass_those_already_waiting() -> None:
    time_ = FakeTime()
    governor = governed_by(time_)
    await exhausted(governor, reset=10, limit=1)
    [first] = queued(governor, 1)
    await settle()
    time_.now += 10  # the window has opened, but its timer has not fired yet
    assert governor.try_acquire("GET /keys") is None
    await settle()
    assert first.result().bucket == "keys"


async def test_answers_on_one_bucket_never_touch_another_buckets_waiters(monkeypatch: pytest.MonkeyPatch) -> None:
    time_ = FakeTime()
    governor = governed_by(time_)
    await exhausted(governor, "GET /keys", reset=30)
    waiters = queued(governor, 100, "GET /keys")
    await settle()
    keys_bucket = governor.bucket_of("GET /keys")
    looked_at: list[int] = []
    original = BucketState.delay

    def counting(self: BucketState, now: float) -> float | None:
        if self is keys_bucket:
            looked_at.append(1)
        return original(self, now)

    monkeypatch.setattr(BucketState, "delay", counting)
    for _ in range(50):
        ticket = await governor.acquire("GET /connections")
        governor.release(ticket, state(remaining=1000, reset=10, name="connections", limit=1000), 200)
    assert looked_at == [] and admitted(waiters) == []
    for waiter in waiters:
        waiter.cancel()


async def test_a_waiter_cancelled_while_waiting_gives_its_place_to_the_next() -> None:
    time_ = FakeTime()
    governor = governed_by(time_)
    await exhausted(governor, reset=10, limit=1)
    waiters = queued(governor, 3)
    await settle()
    waiters[0].cancel()
    await time_.advance(10)
    assert waiters[0].cancelled() and admitted(waiters) == [1]
    bucket = governor.bucket_of("GET /keys")
    assert bucket is not None and bucket.in_flight == 1
    waiters[2].cancel()


async def test_a_waiter_let_in_but_cancelled_before_it_ran_passes_its_slot_on() -> None:
    time_ = FakeTime()
    governor = governed_by(time_)
    await exhausted(governor, reset=10, limit=1)
    waiters = queued(governor, 3)
    await settle()
    time_.now += 10
    time_.fire_due()  # the window opens: waiter 0 is let in ...
    waiters[0].cancel()  # ... and cancelled before it ran: the slot passes to waiter 1
    await settle()
    assert waiters[0].cancelled() and admitted(waiters) == [1]
    governor.release(waiters[1].result(), None, None)  # no answer: the slot is free again, for waiter 2
    waiters[2].cancel()  # its future already holds the ticket; the task has not run yet
    await settle()
    bucket = governor.bucket_of("GET /keys")
    assert bucket is not None and bucket.in_flight == 0  # nothing leaked
    assert (await governor.acquire("GET /keys")).bucket == "keys"  # nothing lost


async def test_a_waiter_failed_but_cancelled_before_it_ran_holds_nothing() -> None:
    loop_errors: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: loop_errors.append(context))
    time_ = FakeTime()
    governor = governed_by(time_, max_wait=5)
    await exhausted(governor, reset=1e12)
    held = await governor.acquire("GET /keys")
    [waiter] = queued(governor, 1)
    await settle()
    time_.now += 5
    time_.fire_due()  # its deadline: the governor fails it ...
    waiter.cancel()  # ... and it is cancelled before it ran
    await settle()
    assert waiter.cancelled()
    governor.release(held, None, None)
    bucket = governor.bucket_of("GET /keys")
    assert bucket is not None and bucket.in_flight == 0
    del waiter
    gc.collect()
    assert loop_errors == []  # its WaitTooLong was retrieved, not left for the loop to complain about


async def test_a_cancelled_queue_leaves_no_timer_behind() -> None:
    time_ = FakeTime()
    governor = governed_by(time_)
    await exhausted(governor, reset=10)
    waiters = queued(governor, 10)
    await settle()
    for waiter in waiters:
        waiter.cancel()
    await time_.advance(10)
    assert time_.pending == 0
    assert (await governor.acquire("GET /keys")).bucket == "keys"


async def test_cold_start_waiters_wait_in_order_and_a_cancelled_probe_heir_passes_the_probe_on() -> None:
    time_ = FakeTime()
    governor = governed_by(time_)
    probe = await governor.acquire("GET /keys")
    waiters = queued(governor, 3)
    await settle()
    governor.release(probe, None, None)  # the probe got no answer: waiter 0 probes next ...
    waiters[0].cancel()  # ... but is cancelled before it ran
    await settle()
    assert admitted(waiters) == [1] and waiters[1].result().probe
    governor.release(waiters[1].result(), state(remaining=5, reset=10), 200)
    await settle()
    assert admitted(waiters) == [1, 2] and waiters[2].result() == Ticket("GET /keys", "keys", probe=False)


async def test_cold_start_waiters_join_the_bucket_queue_in_the_order_they_asked() -> None:
    time_ = FakeTime()
    governor = governed_by(time_)
    await exhausted(governor, "GET /keys", reset=10, limit=3)
    early = queued(governor, 2, "GET /keys")  # the bucket's own waiters
    await settle()
    time_.now += 1
    probe = await governor.acquire("POST /keys")  # another route, same bucket, not known yet
    late = queued(governor, 2, "POST /keys")
    await settle()
    time_.now += 1
    latest = queued(governor, 1, "GET /keys")
    await settle()
    governor.release(probe, state(remaining=0, reset=8, limit=3), 201)  # POST /keys is in "keys" too
    await time_.advance(8)
    assert admitted(early) == [0, 1] and admitted(late) == [0] and admitted(latest) == []
    late[1].cancel()
    latest[0].cancel()


async def test_a_probe_slower_than_max_wait_does_not_hold_the_others_longer() -> None:
    time_ = FakeTime()
    governor = governed_by(time_, max_wait=5)
    probe = await governor.acquire("GET /keys")
    waiters = queued(governor, 3)
    await settle()
    await time_.advance(4.9)
    assert admitted(waiters) == []
    await time_.advance(0.1)  # they go without the probe's answer, unprobed and ungoverned
    assert [w.result() for w in waiters] == [Ticket("GET /keys", None, probe=False)] * 3
    governor.release(probe, state(remaining=5, reset=10), 200)
    assert (await governor.acquire("GET /keys")).bucket == "keys"
