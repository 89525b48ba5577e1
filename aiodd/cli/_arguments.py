"""Argument types the commands share: each turns bad input into one clear usage error."""

from __future__ import annotations

import argparse
import re
from datetime import timedelta

__all__ = ["parse_age", "positive_int", "positive_seconds", "rate_limit"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_age(text: str) -> timedelta:
    """``90d``, ``12h``, ``2w``, ``30m``, ``45s``."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"invalid age {text!r}: use a number and a unit, e.g. 90d, 12h, 2w")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def rate_limit(text: str) -> tuple[int, float]:
    """``200/2``: 200 requests per 2 seconds (``200`` alone: per second)."""
    count, _, period = text.partition("/")
    try:
        return positive_int(count), positive_seconds(period or "1")
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"invalid rate limit {text!r}: use requests/seconds, e.g. 200/2") from None
