"""One timer keeps every attempt's deadline: each attempt still ends at its own, as asyncio.timeout would."""

from __future__ import annotations

import asyncio
import time

import pytest

from aiodd._middleware.attempt import Deadlines


async def attempt(deadlines: Deadlines, seconds: float) -> float:
    """Sleep ``seconds`` under a deadline; return when it ended (loop time)."""
    with deadlines.start():
        await asyncio.sleep(seconds)
    return asyncio.get_running_loop().time()


async def test_an_attempt_past_its_deadline_raises_timeout_error() -> None:
    deadlines = Deadlines(0.05)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await attempt(deadlines, 10)
    assert time.monotonic() - started < 1.0
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0  # the deadline's cancellation is taken back


async def test_an_attempt_within_its_deadline_is_untouched() -> None:
    deadlines = Deadlines(1.0)
    assert await attempt(deadlines, 0.01) > 0
    await asyncio.sleep(0)  # nothing left to cancel this task later
    await asyncio.sleep(0.01)


async def test_attempts_started_at_different_times_end_at_their_own_deadlines() -> None:
    deadlines = Deadlines(0.2)
    loop = asyncio.get_running_loop()
    starts: list[float] = []
    ends: list[float] = []

    async def one() -> None:
        starts.append(loop.time())
        try:
            await attempt(deadlines, 10)
        except TimeoutError:
            ends.append(loop.time())

    tasks = []
    for _ in range(3):
        tasks.append(asyncio.create_task(one()))
        await asyncio.sleep(0.1)
    await asyncio.gather(*tasks)
    assert len(ends) == 3
    for start, end in zip(starts, ends, strict=True):
        assert 0.2 <= end - start < 0.2 + 0.15  # its own deadline, not the first one's


async def test_finished_attempts_leave_the_timer_on_time_for_the_next() -> None:
    deadlines = Deadlines(0.1)
    for _ in range(5):
        await attempt(deadlines, 0)  # the timer stays armed for these, long gone
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    with pytest.raises(TimeoutError):
        await attempt(deadlines, 10)
    assert asyncio.get_running_loop().time() - started >= 0.1


async def test_the_callers_own_cancellation_stays_a_cancellation() -> None:
    deadlines = Deadlines(5.0)
    task = asyncio.create_task(attempt(deadlines, 10))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("caller_first", [True, False])
async def test_a_cancellation_in_the_same_turn_as_the_deadline_stays_a_cancellation(caller_first: bool) -> None:
    """Caller and deadline cancel in the same loop turn, in either order: the caller's wins, as with asyncio.timeout."""
    deadlines = Deadlines(5.0)
    task = asyncio.create_task(attempt(deadlines, 10))
    await asyncio.sleep(0.01)
    (running,) = deadlines._running
    running.deadline = 0.0  # due now
    if caller_first:
        task.cancel()
    deadlines._expire()
    if not caller_first:
        task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_deadlines_work_across_event_loops() -> None:
    deadlines = Deadlines(0.05)
    for _ in range(2):
        with pytest.raises(TimeoutError):
            asyncio.run(attempt(deadlines, 10))
        assert asyncio.run(attempt(deadlines, 0)) > 0


def test_an_attempt_outside_a_task_is_refused() -> None:
    deadlines = Deadlines(1.0)
    with pytest.raises(RuntimeError), deadlines.start():
        pass
