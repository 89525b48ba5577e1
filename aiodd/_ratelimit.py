"""Datadog's ``X-RateLimit-*`` headers, parsed. Pure functions: no I/O, no clock."""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs
from multidict import istr

__all__ = ["LONGEST_WINDOW", "RateLimit", "parse_rate_limit", "parse_seconds", "schedulable"]

LONGEST_WINDOW = 86_400.0
"""A reset or period further away than a day is not believed: Datadog's windows are seconds to minutes."""


@attrs.frozen
class RateLimit:
    """One response's view of its bucket. ``reset`` is seconds until the window resets (a countdown)."""

    name: str | None
    limit: int | None
    period: float | None
    remaining: int | None
    reset: float | None


def parse_seconds(value: str | None) -> float | None:
    """A non-negative number of seconds, tolerating a header that arrived twice (``"7, 7"`` means 7)."""
    if value is None:
        return None
    try:  # the usual case: one plain number
        number = float(value)
    except ValueError:
        pass
    else:
        return number if 0 <= number < math.inf else None  # NaN, infinities and negatives are noise
    numbers: list[float] = []
    for part in value.split(","):
        try:
            number = float(part.strip())
        except ValueError:
            continue
        if 0 <= number < math.inf:
            numbers.append(number)
    return max(numbers) if numbers else None


def schedulable(seconds: float | None) -> float | None:
    """``seconds`` if a wait may be planned on it (finite, 0 to :data:`LONGEST_WINDOW`), else ``None``.

    A hostile or broken ``X-RateLimit-Reset: 1e12`` must never hold requests back for decades.
    """
    return seconds if seconds is not None and 0.0 <= seconds <= LONGEST_WINDOW else None


def _int(value: str | None) -> int | None:
    seconds = parse_seconds(value)
    return None if seconds is None else int(seconds)


# istr: header names whose case-folded form is computed once, not on every lookup.
_NAME = istr("X-RateLimit-Name")
_LIMIT = istr("X-RateLimit-Limit")
_PERIOD = istr("X-RateLimit-Period")
_REMAINING = istr("X-RateLimit-Remaining")
_RESET = istr("X-RateLimit-Reset")


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """The rate-limit state of a response, or ``None`` when it carries no ``X-RateLimit-*`` header."""
    name = headers.get(_NAME)
    limit = headers.get(_LIMIT)
    period = headers.get(_PERIOD)
    remaining = headers.get(_REMAINING)
    reset = headers.get(_RESET)
    if name is None and limit is None and period is None and remaining is None and reset is None:
        return None
    if name is not None:
        name = name.split(",")[0].strip() or None
    return RateLimit(
        name=name,
        limit=_int(limit),
        period=parse_seconds(period),
        remaining=_int(remaining),
        reset=parse_seconds(reset),
    )
