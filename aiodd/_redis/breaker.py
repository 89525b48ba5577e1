"""``CircuitBreaker``: when to stop asking Redis. Pure: no I/O, no clock.

Closed, it counts failed round trips in a row; at ``threshold`` it opens, and the governor keeps
its own budget (the in-process governor) while a background task asks Redis again now and then;
the first answer closes it. Each change is reported once, so a long outage logs one line when it
starts and one when it ends.
"""

from __future__ import annotations

__all__ = ["CircuitBreaker"]


class CircuitBreaker:
    __slots__ = ("_failures", "is_open", "threshold")

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.is_open = False
        self._failures = 0  # in a row, while closed

    def failed(self) -> bool:
        """Count a failed round trip; ``True`` if this one opened the breaker."""
        if self.is_open:
            return False
        self._failures += 1
        if self._failures >= self.threshold:
            self.is_open = True
            return True
        return False

    def succeeded(self) -> bool:
        """Count an answer; ``True`` if it closed the breaker."""
        self._failures = 0
        if self.is_open:
            self.is_open = False
            return True
        return False
