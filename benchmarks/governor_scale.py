"""Benchmark 6: the rate-limit governor with N tasks waiting on one exhausted bucket (issue 13, part 1).

The governor alone, no network: requests are ``acquire`` / one event-loop turn (the "send") /
``release`` with the answer a fixed-window server would give. A fake clock and fake timers open
the windows on cue, so nothing sleeps and every number is CPU spent by the governor, asyncio's
task wake-ups and the answers' bookkeeping. For N = 10, 1,000 and 10,000 waiting tasks:

- **other bucket**: CPU per request on bucket B while N tasks wait on bucket A (exhausted, its
  window far away). Ideally independent of N: an answer on B concerns nobody waiting on A.
- **waiting bucket**: CPU per admitted request while A's windows open one after another; each
  window lets L waiters go, each sends and releases, then asks again at the back of the queue,
  so N stay waiting throughout. Ideally independent of N too: one per freed slot is woken.
- **memory per waiting task**: ``tracemalloc`` growth while the N tasks start waiting, per task
  (the task, its coroutine frames and the governor's share), and the governor's share alone
  (the future, its queue entry and deadline, and the task's wake-up callback on the future).

Goal: both CPU figures at N = 10,000 within 1.5x of the N = 10 figure.
"""

from __future__ import annotations

import asyncio
import gc
import heapq
import itertools
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._harness import Section, Stopwatch, Target, median, ratio

__all__ = ["FULL", "QUICK", "Config", "run"]

GOAL = 1.5  # CPU per request at the largest N ÷ at the smallest, at most
WAITING = "GET /api/v2/service_accounts/{service_account_id}/application_keys/{app_key_id}"
OTHER = "GET /api/v2/actions/connections/{connection_id}"
PERIOD = 10.0  # seconds per window of the waiting bucket (fake time)


@dataclass(frozen=True)
class Config:
    sizes: tuple[int, ...]  # N
    other_requests: int  # requests on bucket B per measurement
    windows: int  # windows of bucket A opened per measurement
    per_window: int  # L: requests bucket A admits per window
    rounds: int


FULL = Config(sizes=(10, 1_000, 10_000), other_requests=20_000, windows=400, per_window=10, rounds=5)
QUICK = Config(sizes=(10, 100), other_requests=200, windows=5, per_window=5, rounds=1)


class _FakeTime:
    """The governor's clock and ``call_later``; :meth:`advance` moves time and fires what fell due."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[tuple[float, int, list[Any]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    def call_later(self, seconds: float, callback: Callable[[], object]) -> _FakeTimer:
        entry: list[Any] = [callback, False]
        heapq.heappush(self._timers, (self.now + seconds, next(self._order), entry))
        return _FakeTimer(entry)

    def advance_to(self, when: float) -> None:
        self.now = max(self.now, when)
        while self._timers and self._timers[0][0] <= self.now:
            _, _, (callback, cancelled) = heapq.heappop(self._timers)
            if not cancelled:
                callback()


class _FakeTimer:
    __slots__ = ("_entry",)

    def __init__(self, entry: list[Any]) -> None:
        self._entry = entry

    def cancel(self) -> None:
        self._entry[1] = True


class _Window:
    """Bucket A as a server sees it: L requests per window, the window opened by the benchmark."""

    def __init__(self, time_: _FakeTime, limit: int) -> None:
        self.time, self.limit = time_, limit
        self.opened_at = 0.0
        self.used = limit  # exhausted until the first window is opened
        self.answered = 0
        self.all_answered = asyncio.Event()

    def open(self) -> None:
        self.opened_at, self.used = self.time.now, 0

    def answer(self) -> Any:
        from aiodd import RateLimit

        self.used += 1
        self.answered += 1
        if self.answered % self.limit == 0:
            self.all_answered.set()
        reset = self.opened_at + PERIOD - self.time.now
        return RateLimit("app_keys", self.limit, PERIOD, max(self.limit - self.used, 0), reset)


async def _keep_asking(governor: Any, window: _Window) -> None:
    """One waiting task: ask, "send" (one loop turn), release with the answer, ask again."""
    while True:
        ticket = await governor.acquire(WAITING)
        await asyncio.sleep(0)
        governor.release(ticket, window.answer(), 200)


async def _scenario(config: Config) -> tuple[Any, _FakeTime, _Window]:
    """A governor that knows both buckets; the waiting one is exhausted until the first window opens."""
    from aiodd import RateLimit
    from aiodd._governor import RateLimitGovernor

    time_ = _FakeTime()
    governor = RateLimitGovernor(time_, max_wait=1e9, call_later=time_.call_later)
    window = _Window(time_, config.per_window)
    governor.release(await governor.acquire(WAITING), RateLimit("app_keys", config.per_window, PERIOD, 0, PERIOD), 200)
    governor.release(await governor.acquire(OTHER), RateLimit("connections", 10**9, PERIOD, 10**9, PERIOD), 200)
    return governor, time_, window


async def _start_waiting(governor: Any, window: _Window, count: int) -> list[asyncio.Task[None]]:
    tasks = [asyncio.create_task(_keep_asking(governor, window)) for _ in range(count)]
    for _ in range(3):
        await asyncio.sleep(0)
    return tasks


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _other_bucket_cpu_us(config: Config, waiting: int) -> float:
    from aiodd import RateLimit

    governor, _, window = await _scenario(config)
    tasks = await _start_waiting(governor, window, waiting)
    answer = RateLimit("connections", 10**9, PERIOD, 10**9, PERIOD)
    try:
        with Stopwatch() as stopwatch:
            for _ in range(config.other_requests):
                ticket = governor.try_acquire(OTHER) or await governor.acquire(OTHER)
                await asyncio.sleep(0)
                governor.release(ticket, answer, 200)
    finally:
        await _stop(tasks)
    assert window.answered == 0  # nobody waiting on the exhausted bucket went
    return stopwatch.cpu / config.other_requests * 1e6


async def _admitted_cpu_us(config: Config, waiting: int) -> float:
    governor, time_, window = await _scenario(config)
    tasks = await _start_waiting(governor, window, waiting)
    try:
        with Stopwatch() as stopwatch:
            for _ in range(config.windows):
                window.all_answered.clear()
                time_.now = window.opened_at + PERIOD
                window.open()
                time_.advance_to(time_.now)  # the bucket's timer fires: L waiters are let in
                await window.all_answered.wait()
                for _ in range(3):  # they ask again, at the back of the queue
                    await asyncio.sleep(0)
    finally:
        await _stop(tasks)
    assert window.answered == config.windows * config.per_window
    return stopwatch.cpu / window.answered * 1e6


async def _memory_per_task(config: Config, waiting: int) -> tuple[float, float]:
    """Bytes per waiting task, all told, and the governor's share (allocated under its frames)."""
    governor, _, window = await _scenario(config)
    gc.collect()
    tracemalloc.start(30)  # deep enough to see the governor's frames under asyncio's
    try:
        before = tracemalloc.take_snapshot()
        tasks = await _start_waiting(governor, window, waiting)
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    total = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    governor = [tracemalloc.Filter(True, f"*{name}", all_frames=True) for name in ("_governor.py", "_waitqueue.py")]
    governor_share = sum(
        stat.size_diff for stat in after.filter_traces(governor).compare_to(before.filter_traces(governor), "filename")
    )
    await _stop(tasks)
    return total / waiting, governor_share / waiting


async def run(config: Config) -> list[Section]:
    if min(config.sizes) < config.per_window:
        raise ValueError("every N must be at least L, so that each window lets exactly L waiters go")
    other: dict[int, list[float]] = {n: [] for n in config.sizes}
    admitted: dict[int, list[float]] = {n: [] for n in config.sizes}
    # The objects left by earlier benchmarks (the official client's thousands of classes) are set
    # aside, so that the full collections the N waiting tasks trigger walk the governor's objects,
    # not theirs: the figure is the governor's cost whatever ran before it in the process.
    gc.collect()
    gc.freeze()
    try:
        for round_ in range(config.rounds):
            turn = round_ % len(config.sizes)
            for n in config.sizes[turn:] + config.sizes[:turn]:  # the sizes take turns, in an order that rotates
                other[n].append(await _other_bucket_cpu_us(config, n))
                admitted[n].append(await _admitted_cpu_us(config, n))
    finally:
        gc.unfreeze()
    memory = {n: await _memory_per_task(config, n) for n in config.sizes}
    return [_report(config, other, admitted, memory)]


def _report(
    config: Config,
    other: dict[int, list[float]],
    admitted: dict[int, list[float]],
    memory: dict[int, tuple[float, float]],
) -> Section:
    section = Section(
        "governor_scale",
        f"Governor: N tasks waiting on one exhausted bucket (governor alone, fake clock, median of {config.rounds})",
        [
            "N waiting",
            "other bucket: CPU µs per request",
            "÷ N=" + f"{config.sizes[0]:,}",
            f"waiting bucket: CPU µs per admitted request (L={config.per_window} per window)",
            "÷ N=" + f"{config.sizes[0]:,}",
            "bytes per waiting task",
            "of which the governor's",
        ],
    )
    smallest = config.sizes[0]
    base_other, base_admitted = median(other[smallest]), median(admitted[smallest])
    for n in config.sizes:
        other_us, admitted_us = median(other[n]), median(admitted[n])
        per_task, governor_bytes = memory[n]
        section.rows.append(
            [
                n,
                other_us,
                ratio(other_us, base_other),
                admitted_us,
                ratio(admitted_us, base_admitted),
                per_task,
                governor_bytes,
            ]
        )
        section.data[str(n)] = {
            "other_cpu_us": other_us,
            "admitted_cpu_us": admitted_us,
            "bytes_per_task": per_task,
            "governor_bytes_per_task": governor_bytes,
            "other_runs": other[n],
            "admitted_runs": admitted[n],
        }
    largest = config.sizes[-1]
    section.targets += [
        Target(
            f"other-bucket CPU per request, N={largest:,} ÷ N={smallest:,}",
            ratio(median(other[largest]), base_other),
            GOAL,
            at_least=False,
        ),
        Target(
            f"waiting-bucket CPU per admitted request, N={largest:,} ÷ N={smallest:,}",
            ratio(median(admitted[largest]), base_admitted),
            GOAL,
            at_least=False,
        ),
    ]
    section.notes.append(
        f"{config.other_requests:,} requests on the other bucket and {config.windows} windows of the waiting bucket "
        "per measurement; a request is acquire, one event-loop turn, release with the answer. Memory: tracemalloc "
        "growth while the N tasks start waiting, per task (task, coroutines, the governor's share); the governor's "
        "share is what was allocated under its frames: the future, its queue entry, the deadline, the wake-up."
    )
    return section
