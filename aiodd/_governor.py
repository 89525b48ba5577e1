"""``RateLimitGovernor``: keeps concurrent tasks from firing into an exhausted or unknown bucket.

Datadog reports each bucket's state in ``X-RateLimit-*`` headers; limits differ per endpoint
and are only known from those headers. The governor learns which bucket each route (method +
path template) belongs to and remembers each bucket's latest state:

- cold start: while a route's bucket is unknown, one request goes as a probe and the others
  wait for its answer;
- known bucket: at most ``remaining`` requests are in flight (those already sent count); the
  rest wait, first come first served, until the window resets (``X-RateLimit-Reset`` is a
  countdown in seconds) or an answer frees room;
- a route whose answers carry no rate-limit headers is not governed.

Every wait is bounded by ``max_wait`` (the retry policy's): a request that could not go before
then fails with :class:`WaitTooLong` (the middleware raises :class:`aiodd.RateLimitError`), at
once when the reset is known to be too far; a request that waited ``max_wait`` for a route's
first answer goes without it. A reset or period over a day is ignored, and an exhausted bucket
that heard no answer for :data:`STALE_AFTER` seconds lets one request through to learn its
state again, so no answer, however stale or hostile, holds a route for long.

:class:`BucketState` holds the arithmetic (no I/O, the clock passed in); :class:`WaitQueue` the
order of the waiters; the governor wires them. :class:`Admission` is all the middleware uses, so
a governor keeping the bucket state elsewhere (shared by processes) can stand in for this one.
One governor is shared by every task of a client.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections.abc import Callable
from typing import NamedTuple, Protocol

import attrs

from ._ratelimit import RateLimit, schedulable
from ._retry import RetryPolicy
from ._waitqueue import CallLater, WaitQueue

__all__ = ["STALE_AFTER", "Admission", "BucketState", "RateLimitGovernor", "Ticket", "WaitTooLong", "too_long"]

STALE_AFTER = 60.0
"""Seconds without an answer after which an exhausted bucket's countdown is no longer trusted."""

_DEFAULT_MAX_WAIT = RetryPolicy().max_wait
_UNKNOWN = object()


@attrs.define
class BucketState:
    """What we know of one bucket. ``reset_at`` and ``answered_at`` are clock times; ``in_flight``
    counts admitted requests whose answer has not arrived."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    in_flight: int = 0
    period: float | None = None
    answered_at: float | None = None

    def delay(self, now: float) -> float | None:
        """``None`` if a request may go now, else how long to wait (``inf``: until an answer arrives)."""
        if self.reset_at is not None:
            if now >= self.reset_at:
                self.remaining = self.limit  # a new window; in-flight requests still count against it
                self.reset_at = None
            elif self.exhausted and self.answered_at is not None and now >= self.answered_at + STALE_AFTER:
                # Nothing heard for a while: the countdown may be stale or hostile. One request may go
                # to learn the bucket's state; the rest wait for its answer.
                self.remaining = self.in_flight + 1
                self.reset_at = None
        if not self.exhausted:
            return None
        if self.reset_at is None:  # exhausted with no reset known: wait for an answer, if one is coming
            return math.inf if self.in_flight else None
        return self.reset_at - now

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.in_flight >= self.remaining

    def changes_at(self) -> float | None:
        """The clock time at which :meth:`delay` may change with no answer: the reset, or the moment an
        exhausted bucket's countdown goes stale, whichever comes first."""
        if self.reset_at is None:
            return None
        if self.answered_at is None:
            return self.reset_at
        return min(self.reset_at, self.answered_at + STALE_AFTER)

    def update(self, rate_limit: RateLimit, now: float, refused: bool) -> None:
        """Take in an answer's headers; a 429 (``refused``) means nothing remains until the reset.

        ``X-RateLimit-Reset`` is whole seconds rounded up, so each answer only bounds the reset from
        above; within one window the earliest bound is kept, which pins the reset down to about a
        round trip instead of up to a second late. A reset or period that is not
        :func:`~aiodd._ratelimit.schedulable` (over a day) is ignored.
        """
        reset = schedulable(rate_limit.reset)
        period = schedulable(rate_limit.period)
        new_window = (
            self.reset_at is None
            or now >= self.reset_at
            or (
                rate_limit.remaining is not None
                and self.remaining is not None
                and rate_limit.remaining > self.remaining
            )
        )
        self.answered_at = now
        if rate_limit.limit is not None:
            self.limit = rate_limit.limit
        if period is not None:
            self.period = period
        if rate_limit.remaining is not None:
            self.remaining = rate_limit.remaining
        if refused:
            self.remaining = 0
        if reset is not None:
            candidate = now + reset
            keep_earlier = not (new_window or refused) and self.reset_at is not None
            self.reset_at = min(self.reset_at, candidate) if keep_earlier and self.reset_at is not None else candidate
        elif refused and self.period is not None:
            self.reset_at = now + self.period

    def snapshot(self, name: str, now: float) -> RateLimit:
        """The bucket as an answer now would describe it (``reset``: seconds from ``now``)."""
        reset = None if self.reset_at is None else max(self.reset_at - now, 0.0)
        return RateLimit(name=name, limit=self.limit, period=self.period, remaining=self.remaining, reset=reset)


class Ticket(NamedTuple):
    """Permission to send one request; hand it back with :meth:`Admission.release`.

    ``lease`` is for a governor that keeps the bucket state elsewhere: its reservation of room
    in the shared bucket (the in-process governor leaves it ``None``).
    """

    route: str
    bucket: str | None
    probe: bool
    lease: str | None = None


class WaitTooLong(Exception):
    """A request's bucket has no room within ``max_wait``: it was not sent.

    ``retry_after`` is the seconds until the bucket's window resets, when known; ``rate_limit``
    the bucket's state as of now.
    """

    def __init__(self, message: str, *, retry_after: float | None, rate_limit: RateLimit | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.rate_limit = rate_limit


class Admission(Protocol):
    """What the middleware asks of a governor: permission before sending, and the answer after.

    The in-process :class:`RateLimitGovernor` implements it; a governor keeping the bucket state
    in a shared store implements the same three methods with the same guarantees (FIFO within a
    bucket, every wait bounded by ``max_wait``).
    """

    def try_acquire(self, route: str) -> Ticket | None:
        """A ticket if a request on ``route`` may go at once, else ``None`` (then await :meth:`acquire`).

        Synchronous, so the common case costs no coroutine.
        """

    async def acquire(self, route: str) -> Ticket:
        """Wait, first come first served, until a request on ``route`` may be sent.

        Raises :class:`WaitTooLong` when it could not go within ``max_wait``. Cancellation-safe:
        a ticket granted to a task cancelled before it ran is handed back.
        """

    def release(self, ticket: Ticket, rate_limit: RateLimit | None, status: int | None) -> None:
        """Hand a ticket back with what the answer said (``status`` ``None``: no answer arrived).

        Synchronous: it also runs when a request is cancelled. A governor whose state lives
        elsewhere sends the update from a task of its own.
        """

    async def aclose(self) -> None:
        """Let go of what the governor holds (connections, background tasks); the client calls it
        when it closes."""


class RateLimitGovernor(Admission):
    """Admit requests per bucket as described in the module docstring (implements :class:`Admission`).

    ``clock`` gives the time in seconds and ``call_later(seconds, callback)`` runs a callback
    later: ``time.monotonic`` and the running loop's ``call_later`` (the same time base) unless
    tests replace both. ``max_wait`` bounds every wait, as the retry policy's bounds a 429's.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_wait: float = _DEFAULT_MAX_WAIT,
        call_later: CallLater | None = None,
    ) -> None:
        self._clock = clock
        self._max_wait = float(max_wait)
        self._call_later = call_later or _loop_call_later
        self._routes: dict[str, str | None] = {}  # route -> bucket name; None: not rate limited
        self._buckets: dict[str, BucketState] = {}
        self._probing: set[str] = set()  # routes whose probe is out
        self._queues: dict[str, WaitQueue] = {}  # bucket name -> its waiters (only while it has some)
        self._route_queues: dict[str, WaitQueue] = {}  # route -> waiters for its probe's answer

    def bucket_of(self, route: str) -> BucketState | None:
        name = self._routes.get(route)
        return None if name is None else self._buckets.get(name)

    def try_acquire(self, route: str) -> Ticket | None:
        name = self._routes.get(route, _UNKNOWN)
        if name is None:
            return Ticket(route, None, probe=False)
        if name is _UNKNOWN:
            if route in self._probing:
                return None
            self._probing.add(route)
            return Ticket(route, None, probe=True)
        assert isinstance(name, str)
        if name in self._queues:  # others asked first: they go first
            self._serve_bucket(name)
            if name in self._queues:
                return None
        state = self._buckets[name]
        if state.delay(self._clock()) is not None:
            return None
        state.in_flight += 1
        return Ticket(route, name, probe=False)

    async def acquire(self, route: str) -> Ticket:
        ticket = self.try_acquire(route)
        if ticket is not None:
            return ticket
        future = self._enqueue(route)
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled() and future.exception() is None:
                self.release(future.result(), None, None)  # let in, but cancelled before it ran: pass it on
            raise

    def release(self, ticket: Ticket, rate_limit: RateLimit | None, status: int | None) -> None:
        route, freed = ticket.route, ticket.bucket
        if ticket.probe:
            self._probing.discard(route)
        if freed is not None:
            self._buckets[freed].in_flight -= 1
        updated = None
        if rate_limit is not None:
            updated = rate_limit.name or route
            self._routes[route] = updated
            state = self._buckets.get(updated)
            if state is None:
                state = self._buckets[updated] = BucketState()
            state.update(rate_limit, self._clock(), refused=status == 429)
            if updated in self._queues:
                self._serve_bucket(updated)
        elif status is not None and route not in self._routes:
            self._routes[route] = None
        if freed is not None and freed != updated and freed in self._queues:
            self._serve_bucket(freed)
        if route in self._route_queues:
            self._serve_route(route)

    async def aclose(self) -> None:
        """Nothing to let go of: the state is this process's memory."""

    def _enqueue(self, route: str) -> asyncio.Future[Ticket]:
        """Queue a request that may not go now; raise :class:`WaitTooLong` if it could not go in time."""
        now = self._clock()
        deadline = now + self._max_wait
        name = self._routes.get(route, _UNKNOWN)
        # A queue that exists has a timer set for its first waiter's deadline or sooner, and the new
        # waiter's deadline is the latest: only a new queue needs serving (which sets its timer).
        if not isinstance(name, str):  # unknown route (an ungoverned one never waits): its probe is out
            queue = self._route_queues.get(route)
            if queue is not None:
                return queue.add(deadline, route)
            queue = self._route_queues[route] = WaitQueue()
            future = queue.add(deadline, route)
            self._serve_route(route)
            return future
        state = self._buckets[name]
        delay = state.delay(now)
        if delay is not None and delay != math.inf and delay > self._max_wait:
            raise self._too_long(name, state, now, delay)
        queue = self._queues.get(name)
        if queue is not None:  # try_acquire has just served it
            return queue.add(deadline, route)
        queue = self._queues[name] = WaitQueue()
        future = queue.add(deadline, route)
        self._serve_bucket(name)
        return future

    def _serve_bucket(self, name: str) -> None:
        """Let the bucket's waiters go in order while it has room; fail those that cannot go in time.

        Each waiter is looked at once when it goes or fails; the one that must keep waiting stops
        the walk, so an answer costs O(1) plus O(1) per waiter it lets go.
        """
        queue = self._queues[name]
        state = self._buckets[name]
        now = self._clock()
        while (waiter := queue.peek()) is not None:
            delay = state.delay(now)
            if delay is None:
                queue.pop()
                state.in_flight += 1
                waiter.future.set_result(Ticket(waiter.route, name, probe=False))
            elif waiter.deadline <= now or (delay != math.inf and waiter.deadline < now + delay):
                queue.pop()
                waiter.future.set_exception(self._too_long(name, state, now, delay))
            else:
                changes_at = state.changes_at()
                when = waiter.deadline if changes_at is None else min(waiter.deadline, changes_at)
                queue.wake_at(when, now, self._call_later, functools.partial(self._serve_bucket_if_queued, name))
                return
        queue.close()
        del self._queues[name]

    def _serve_bucket_if_queued(self, name: str) -> None:
        if name in self._queues:
            self._serve_bucket(name)

    def _serve_route(self, route: str) -> None:
        """Waiters for a route's first answer: they join its bucket once it is known, else the first one
        probes when no probe is out, and any that waited ``max_wait`` go without the answer."""
        queue = self._route_queues.get(route)
        if queue is None:
            return
        name = self._routes.get(route, _UNKNOWN)
        if name is not _UNKNOWN:
            del self._route_queues[route]
            queue.close()
            if name is None:  # not rate limited: all go
                while (waiter := queue.peek()) is not None:
                    queue.pop()
                    waiter.future.set_result(Ticket(route, None, probe=False))
            else:
                assert isinstance(name, str)
                bucket_queue = self._queues.get(name)
                if bucket_queue is None:
                    self._queues[name] = queue
                else:
                    bucket_queue.absorb(queue)
                self._serve_bucket(name)
            return
        now = self._clock()
        while (waiter := queue.peek()) is not None:
            if route not in self._probing:
                queue.pop()
                self._probing.add(route)
                waiter.future.set_result(Ticket(route, None, probe=True))
            elif waiter.deadline <= now:  # the probe is slow (it is bounded by the attempt timeout)
                queue.pop()
                waiter.future.set_result(Ticket(route, None, probe=False))
            else:
                queue.wake_at(waiter.deadline, now, self._call_later, functools.partial(self._serve_route, route))
                return
        queue.close()
        del self._route_queues[route]

    def _too_long(self, name: str, state: BucketState, now: float, delay: float) -> WaitTooLong:
        return too_long(name, delay, self._max_wait, state.snapshot(name, now))


def too_long(name: str, delay: float, max_wait: float, rate_limit: RateLimit | None) -> WaitTooLong:
    """The refusal for a request on bucket ``name`` that could not go within ``max_wait``
    (``delay``: seconds until the bucket resets, ``inf`` when no reset is known)."""
    known = delay != math.inf
    until = f"resets in {delay:.1f} s" if known else "has no known reset"
    return WaitTooLong(
        f"rate-limit bucket {name!r} is exhausted and {until}; requests wait at most max_wait={max_wait:g} s",
        retry_after=delay if known else None,
        rate_limit=rate_limit,
    )


def _loop_call_later(seconds: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
    return asyncio.get_running_loop().call_later(seconds, callback)
