"""Fixed-window rate limits per bucket, and the ``X-RateLimit-*`` headers Datadog sends with them.

Datadog documents the headers, not the algorithm: ``X-RateLimit-Limit`` requests per
``X-RateLimit-Period`` seconds, ``X-RateLimit-Remaining`` in the current window,
``X-RateLimit-Reset`` seconds until it resets (a countdown, not a timestamp) and
``X-RateLimit-Name`` the bucket. A fixed window that opens at the first request after the
previous one closed reproduces all of them and is easy to reason about in tests.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Clock", "FixedWindowRateLimiter", "Limit", "RateLimitVerdict"]

Clock = Callable[[], float]
"""Returns monotonic seconds; inject a fake one to make windows deterministic."""

Limit = tuple[int, float]
"""``(requests, period_seconds)``."""


@dataclass(frozen=True, slots=True)
class RateLimitVerdict:
    """Whether one request may proceed, and what the headers say about its bucket."""

    allowed: bool
    name: str
    limit: int
    period: float
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            # Datadog periods are whole seconds; fractional ones only exist to keep tests fast.
            "X-RateLimit-Period": f"{self.period:g}",
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
            "X-RateLimit-Name": self.name,
        }


@dataclass(slots=True)
class _Window:
    opened_at: float
    used: int


class FixedWindowRateLimiter:
    """Counts requests per bucket in fixed windows; ``None`` limits switch a bucket off."""

    __slots__ = ("_clock", "_default", "_overrides", "_windows")

    def __init__(
        self,
        default: Limit | None,
        overrides: Mapping[str, Limit | None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._clock: Clock = clock or time.monotonic
        #: limit for buckets without an override
        self._default = _checked(default)
        #: per-bucket limits; a ``None`` value switches that bucket off
        self._overrides: dict[str, Limit | None] = {k: _checked(v) for k, v in (overrides or {}).items()}
        #: the open window of each bucket that has seen a request
        self._windows: dict[str, _Window] = {}

    def configure(self, limit: Limit | None, bucket: str | None = None) -> None:
        """Change the default limit, or one bucket's; the bucket's current window is forgotten."""
        if bucket is None:
            self._default = _checked(limit)
            self._windows.clear()
        else:
            self._overrides[bucket] = _checked(limit)
            self._windows.pop(bucket, None)

    def limit_for(self, bucket: str) -> Limit | None:
        return self._overrides.get(bucket, self._default)

    def hit(self, bucket: str) -> RateLimitVerdict | None:
        """Count one request against ``bucket``; ``None`` when the bucket is not limited."""
        return self._verdict(bucket, consume=True)

    def peek(self, bucket: str) -> RateLimitVerdict | None:
        """The bucket's state without counting a request (for answers that are not served)."""
        return self._verdict(bucket, consume=False)

    def reset(self) -> None:
        """Forget every open window."""
        self._windows.clear()

    def _verdict(self, bucket: str, *, consume: bool) -> RateLimitVerdict | None:
        limit = self.limit_for(bucket)
        if limit is None:
            return None
        requests, period = limit
        now = self._clock()
        window = self._windows.get(bucket)
        if window is None or now >= window.opened_at + period:
            window = _Window(opened_at=now, used=0)
            if consume:  # a peek must not open a window
                self._windows[bucket] = window
        allowed = window.used < requests
        if consume and allowed:
            window.used += 1
        # Round up: a client that waits the advertised seconds must find the window reset.
        reset = max(1, math.ceil(window.opened_at + period - now - 1e-9))
        return RateLimitVerdict(
            allowed=allowed,
            name=bucket,
            limit=requests,
            period=period,
            remaining=max(0, requests - window.used),
            reset=reset,
        )


def _checked(limit: Limit | None) -> Limit | None:
    if limit is None:
        return None
    requests, period = limit
    if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
        raise ValueError(f"rate limit must allow at least 1 request, got {requests!r}")
    if not isinstance(period, int | float) or period <= 0:
        raise ValueError(f"rate limit period must be positive seconds, got {period!r}")
    return requests, float(period)
