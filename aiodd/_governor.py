"""``RateLimitGovernor``: keeps concurrent tasks from firing into an exhausted or unknown bucket.

Datadog reports each bucket's state in ``X-RateLimit-*`` headers; limits differ per endpoint
and are only known from those headers. The governor learns which bucket each route (method +
path template) belongs to and remembers each bucket's latest state:

- cold start: while a route's bucket is unknown, one request goes as a probe and the others
  wait for its answer;
- known bucket: at most ``remaining`` requests are in flight (those already sent count); the
  rest wait until the window resets (``X-RateLimit-Reset`` is a countdown in seconds);
- a route whose answers carry no rate-limit headers is not governed.

:class:`BucketState` holds the arithmetic (no I/O, the clock passed in); the governor adds the
waiting. One governor is shared by every task of a client.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from typing import NamedTuple

import attrs

from ._ratelimit import RateLimit

__all__ = ["BucketState", "RateLimitGovernor", "Ticket"]

_UNKNOWN = object()


@attrs.define
class BucketState:
    """What we know of one bucket. ``reset_at`` is a clock time; ``in_flight`` counts admitted requests
    whose answer has not arrived."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    in_flight: int = 0

    def delay(self, now: float) -> float | None:
        """``None`` if a request may go now, else how long to wait (``inf``: until an answer arrives)."""
        if self.reset_at is not None and now >= self.reset_at:
            self.remaining = self.limit  # a new window; in-flight requests still count against it
            self.reset_at = None
        if self.remaining is None or self.in_flight < self.remaining:
            return None
        if self.reset_at is None:  # exhausted with no reset known: wait for an answer, if one is coming
            return math.inf if self.in_flight else None
        return self.reset_at - now

    def update(self, rate_limit: RateLimit, now: float, refused: bool) -> None:
        """Take in an answer's headers; a 429 (``refused``) means nothing remains until the reset.

        ``X-RateLimit-Reset`` is whole seconds rounded up, so each answer only bounds the reset from
        above; within one window the earliest bound is kept, which pins the reset down to about a
        round trip instead of up to a second late.
        """
        new_window = (
            self.reset_at is None
            or now >= self.reset_at
            or (
                rate_limit.remaining is not None
                and self.remaining is not None
                and rate_limit.remaining > self.remaining
            )
        )
        if rate_limit.limit is not None:
            self.limit = rate_limit.limit
        if rate_limit.remaining is not None:
            self.remaining = rate_limit.remaining
        if refused:
            self.remaining = 0
        if rate_limit.reset is not None:
            candidate = now + rate_limit.reset
            keep_earlier = not (new_window or refused) and self.reset_at is not None
            self.reset_at = min(self.reset_at, candidate) if keep_earlier and self.reset_at is not None else candidate
        elif refused and rate_limit.period is not None:
            self.reset_at = now + rate_limit.period


class Ticket(NamedTuple):
    """Permission to send one request; hand it back with :meth:`RateLimitGovernor.release`."""

    route: str
    bucket: str | None
    probe: bool


class RateLimitGovernor:
    """Admit requests per bucket as described in the module docstring."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._routes: dict[str, str | None] = {}  # route -> bucket name; None: not rate limited
        self._buckets: dict[str, BucketState] = {}
        self._probing: set[str] = set()
        self._changed: asyncio.Event | None = None

    def bucket_of(self, route: str) -> BucketState | None:
        name = self._routes.get(route)
        return None if name is None else self._buckets.get(name)

    def try_acquire(self, route: str) -> Ticket | float:
        """A ticket if a request on ``route`` may go now, else how long to wait (``inf``: until a change)."""
        name = self._routes.get(route, _UNKNOWN)
        if name is _UNKNOWN:
            if route in self._probing:
                return math.inf
            self._probing.add(route)
            return Ticket(route, None, probe=True)
        if name is None:
            return Ticket(route, None, probe=False)
        assert isinstance(name, str)
        state = self._buckets[name]
        delay = state.delay(self._clock())
        if delay is not None:
            return delay
        state.in_flight += 1
        return Ticket(route, name, probe=False)

    async def acquire(self, route: str) -> Ticket:
        """Wait until a request on ``route`` may be sent. Cancellation-safe: nothing is held while waiting."""
        while not isinstance(ticket := self.try_acquire(route), Ticket):
            await self._wait(ticket)
        return ticket

    def release(self, ticket: Ticket, rate_limit: RateLimit | None, status: int | None) -> None:
        """Hand a ticket back with what the answer said (``status`` None: no answer arrived)."""
        if ticket.probe:
            self._probing.discard(ticket.route)
        if ticket.bucket is not None:
            self._buckets[ticket.bucket].in_flight -= 1
        if rate_limit is not None:
            name = rate_limit.name or ticket.route
            self._routes[ticket.route] = name
            state = self._buckets.setdefault(name, BucketState())
            state.update(rate_limit, self._clock(), refused=status == 429)
        elif status is not None and ticket.route not in self._routes:
            self._routes[ticket.route] = None
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def _wait(self, seconds: float) -> None:
        """Sleep until the state changes or ``seconds`` pass, whichever first."""
        if self._changed is None:
            self._changed = asyncio.Event()
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), None if math.isinf(seconds) else max(seconds, 0.0))
