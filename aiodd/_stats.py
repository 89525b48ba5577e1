"""What the client reports about its retries and waits: running counters, and one event per retry."""

from __future__ import annotations

import attrs

__all__ = ["ClientStats", "RetryEvent"]


@attrs.frozen
class RetryEvent:
    """One decision to resend: passed to ``Client(on_retry=...)`` before the wait starts."""

    method: str
    route: str
    attempt: int  # the attempt that failed (1-based)
    status: int | None  # None when the failure was a transport error
    error: str | None  # the transport error's class name
    wait: float  # seconds until the next attempt


@attrs.define
class ClientStats:
    """Running totals for one client, e.g. for metrics or a progress bar."""

    attempts: int = 0
    retries: int = 0
    rate_limited: int = 0  # 429 answers received
    rate_limit_wait_seconds: float = 0.0  # slept because of 429s
    throttle_wait_seconds: float = 0.0  # held back by the governor before sending
