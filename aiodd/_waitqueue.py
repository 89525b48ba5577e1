"""``WaitQueue``: the requests waiting on one rate-limit bucket (or on one route's first answer), in order.

The model is aiolimiter's leaky bucket: a queue of futures, woken in order by whoever frees room,
so a woken task never re-checks anything and nobody else is disturbed. The governor decides who
may go; this queue keeps the order, the deadlines and one timer:

- a waiter is a future with a deadline, appended in arrival order; every waiter of one governor
  waits at most the same ``max_wait``, so deadlines ascend along the queue and the front one is
  always the earliest;
- cancelling a waiting task cancels its future, which then stays in the deque until it reaches
  the front and is dropped there (O(1) to cancel); the next live waiter moves up in its place;
- one timer per queue, armed for the earliest moment anything may change (a window reset, a
  deadline); a later wish never moves it, an earlier one replaces it, and a timer that fires
  early just lets the owner look again.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from ._governor import Ticket

__all__ = ["CallLater", "WaitQueue", "Waiter"]


class _Cancellable(Protocol):
    def cancel(self) -> object: ...


CallLater = Callable[[float, Callable[[], object]], _Cancellable]
"""``call_later(seconds, callback)``, as ``asyncio.get_running_loop().call_later``; a fake in tests."""


class Waiter(NamedTuple):
    """One waiting request: its deadline (a clock time), its route, and the future it awaits."""

    deadline: float
    route: str
    future: asyncio.Future[Ticket]


class WaitQueue:
    """First come, first served waiters with deadlines and one timer."""

    __slots__ = ("_timer", "_timer_at", "_waiters")

    def __init__(self) -> None:
        self._waiters: deque[Waiter] = deque()
        self._timer: _Cancellable | None = None  # the one pending timer, if any
        self._timer_at = math.inf  # when it fires (a clock time)

    def add(self, deadline: float, route: str) -> asyncio.Future[Ticket]:
        """Queue a waiter at the back; resolve the returned future to let it go."""
        future: asyncio.Future[Ticket] = asyncio.get_running_loop().create_future()
        self._waiters.append(Waiter(deadline, route, future))
        return future

    def __len__(self) -> int:
        """Waiters queued, counting cancelled ones not yet dropped: an upper bound of the live ones."""
        return len(self._waiters)

    def peek(self) -> Waiter | None:
        """The longest-waiting live waiter; cancelled ones in front of it are dropped on the way."""
        waiters = self._waiters
        while waiters:
            waiter = waiters[0]
            if not waiter.future.done():
                return waiter
            waiters.popleft()
        return None

    def pop(self) -> Waiter:
        """Remove the waiter :meth:`peek` returned; the caller resolves its future."""
        return self._waiters.popleft()

    def absorb(self, other: WaitQueue) -> None:
        """Take ``other``'s waiters, keeping arrival order (deadlines ascend in both), and stop its timer."""
        other.close()
        if other._waiters:
            merged = heapq.merge(self._waiters, other._waiters, key=lambda waiter: waiter.deadline)
            self._waiters, other._waiters = deque(merged), deque()

    def wake_at(self, when: float, now: float, call_later: CallLater, callback: Callable[[], object]) -> None:
        """Run ``callback`` at clock time ``when`` at the latest (``now`` is the clock time now)."""
        if when >= self._timer_at:
            return  # the timer already set fires no later: its callback will ask again
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = call_later(max(when - now, 0.0), functools.partial(self._fire, callback))

    def close(self) -> None:
        """Stop the timer (the queue is being dropped or merged away)."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._timer_at = None, math.inf

    def _fire(self, callback: Callable[[], object]) -> None:
        self._timer, self._timer_at = None, math.inf
        callback()
