"""WaitQueue: arrival order, cancelled waiters skipped, one timer that only ever moves earlier."""

from __future__ import annotations

from collections.abc import Callable

from aiodd._waitqueue import WaitQueue


class Timers:
    def __init__(self) -> None:
        self.set: list[tuple[float, Callable[[], object]]] = []
        self.cancelled: list[float] = []

    def call_later(self, seconds: float, callback: Callable[[], object]) -> Timer:
        self.set.append((seconds, callback))
        return Timer(self, seconds)


class Timer:
    def __init__(self, timers: Timers, seconds: float) -> None:
        self._timers, self._seconds = timers, seconds

    def cancel(self) -> None:
        self._timers.cancelled.append(self._seconds)


async def test_waiters_come_out_in_arrival_order_skipping_cancelled_ones() -> None:
    queue = WaitQueue()
    futures = [queue.add(float(i), f"route {i}") for i in range(4)]
    futures[0].cancel()
    futures[2].cancel()
    seen = []
    while (waiter := queue.peek()) is not None:
        queue.pop()
        seen.append(waiter.route)
        waiter.future.cancel()
    assert seen == ["route 1", "route 3"]


async def test_absorbing_another_queue_keeps_the_order_the_requests_asked_in() -> None:
    bucket, route = WaitQueue(), WaitQueue()
    for deadline in (1.0, 4.0):
        bucket.add(deadline, "GET /x")
    for deadline in (2.0, 3.0, 5.0):
        route.add(deadline, "POST /x")
    bucket.absorb(route)
    order = []
    while (waiter := bucket.peek()) is not None:
        bucket.pop()
        order.append(waiter.deadline)
        waiter.future.cancel()
    assert order == [1.0, 2.0, 3.0, 4.0, 5.0] and route.peek() is None


def test_an_earlier_wake_replaces_the_timer_and_a_later_one_keeps_it() -> None:
    timers, fired = Timers(), []
    queue = WaitQueue()
    queue.wake_at(10.0, 0.0, timers.call_later, lambda: fired.append("a"))
    queue.wake_at(20.0, 0.0, timers.call_later, lambda: fired.append("b"))  # later: the 10 s timer stays
    assert [s for s, _ in timers.set] == [10.0] and timers.cancelled == []
    queue.wake_at(5.0, 1.0, timers.call_later, lambda: fired.append("c"))  # earlier: replaces it
    assert [s for s, _ in timers.set] == [10.0, 4.0] and timers.cancelled == [10.0]
    timers.set[-1][1]()  # it fires ...
    assert fired == ["c"]
    queue.wake_at(20.0, 6.0, timers.call_later, lambda: fired.append("d"))  # ... so a later wish sets a new one
    assert [s for s, _ in timers.set] == [10.0, 4.0, 14.0]
    queue.close()
    assert timers.cancelled == [10.0, 14.0]
