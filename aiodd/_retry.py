"""``RetryPolicy`` and the pure decisions behind retries: whether to retry, and how long to wait.

No I/O and no clock here, so every rule is tested directly. The rules:
- 429 is retried for every method, POST included: Datadog refused the request, it did not run.
  The wait is the larger of ``X-RateLimit-Reset`` and ``Retry-After`` (``0`` means now);
  with neither, exponential backoff with full jitter. A requested wait over ``max_wait`` is not
  slept: the 429 is raised at once as :class:`aiodd.RateLimitError`.
- 500/502/503/504, timeouts and dropped connections are retried with backoff only for idempotent
  methods (GET, HEAD, OPTIONS, PUT, DELETE): a POST that may have run is never sent twice, so a
  retry can never create a duplicate key. PATCH is retried only with ``retry_patch=True``.
- A connection that could not be opened at all is retried for every method: nothing was sent.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import attrs

from ._exceptions import ConfigurationError
from ._ratelimit import parse_seconds
from ._request import IDEMPOTENT_METHODS

__all__ = ["RetryPolicy"]


def _check_policy(policy: RetryPolicy) -> None:
    attempts = policy.max_attempts
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise ConfigurationError("RetryPolicy.max_attempts must be an integer >= 1")
    for name in ("max_wait", "backoff_initial", "backoff_max"):
        value = getattr(policy, name)
        # NaN compares false with everything: it would make every wait look acceptable.
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
            raise ConfigurationError(f"RetryPolicy.{name} must be a finite, non-negative number of seconds")


@attrs.frozen
class RetryPolicy:
    """How the client retries. Every send counts as an attempt, the first included.

    Defaults: 5 attempts; a single wait of up to 60 s (Datadog windows are often 10-60 s, so a
    shorter cap would turn ordinary throttling into errors); backoff from 0.5 s doubling to 10 s.
    """

    max_attempts: int = 5
    max_wait: float = 60.0
    backoff_initial: float = 0.5
    backoff_max: float = 10.0
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})
    retry_patch: bool = False

    def __attrs_post_init__(self) -> None:
        _check_policy(self)

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Full-jitter exponential backoff after the ``attempt``-th send (1-based)."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2.0 ** (attempt - 1))
        return ceiling * rand()

    def may_resend(self, method: str) -> bool:
        """Whether a request of this method may be sent again after an ambiguous failure."""
        return method in IDEMPOTENT_METHODS or (method == "PATCH" and self.retry_patch)

    def wait_after_status(
        self,
        method: str,
        status: int,
        headers: Mapping[str, str],
        attempt: int,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before resending after an answer with ``status``; ``None``: do not retry."""
        if attempt >= self.max_attempts:
            return None
        if status == 429:
            requested = server_requested_wait(headers)
            if requested is None:
                return self.backoff(attempt, rand)
            return requested if requested <= self.max_wait else None
        if status in self.retry_statuses and self.may_resend(method):
            requested = parse_seconds(headers.get("Retry-After"))
            wait = requested if requested is not None else self.backoff(attempt, rand)
            return wait if wait <= self.max_wait else None
        return None

    def wait_after_error(
        self, method: str, sent: bool, attempt: int, rand: Callable[[], float] = random.random
    ) -> float | None:
        """Seconds to wait after a transport failure; ``sent`` is False when no connection was made."""
        if attempt >= self.max_attempts or (sent and not self.may_resend(method)):
            return None
        return self.backoff(attempt, rand)


def _retry_after(value: str | None) -> float | None:
    seconds = parse_seconds(value)
    if seconds is not None or value is None:
        return seconds
    try:  # Retry-After may also be an HTTP date
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def server_requested_wait(headers: Mapping[str, str]) -> float | None:
    """The larger of ``X-RateLimit-Reset`` and ``Retry-After``, or ``None`` when neither is usable."""
    waits = [
        w
        for w in (parse_seconds(headers.get("X-RateLimit-Reset")), _retry_after(headers.get("Retry-After")))
        if w is not None
    ]
    return max(waits) if waits else None
