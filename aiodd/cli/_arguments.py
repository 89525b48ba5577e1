"""Argument types the commands share: each turns bad input into one clear usage error."""

from __future__ import annotations

import argparse
import os
import re
from datetime import timedelta

__all__ = [
    "RATE_LIMIT_REDIS",
    "add_rate_limit_redis",
    "parse_age",
    "positive_int",
    "positive_seconds",
    "rate_limit",
    "rate_limit_option",
]

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


RATE_LIMIT_REDIS = "AIODD_RATE_LIMIT_REDIS"


def add_rate_limit_redis(parser: argparse.ArgumentParser) -> None:
    """``--rate-limit-redis URL``, for the commands that send many requests."""
    parser.add_argument(
        "--rate-limit-redis",
        metavar="URL",
        help="keep the rate-limit budget in this Redis (redis://host:6379/0), shared with every other process of "
        f"the organization that uses it; needs aiodd[redis] (default: {RATE_LIMIT_REDIS})",
    )


def rate_limit_option(args: argparse.Namespace) -> bool | str:
    """The client's ``rate_limit``: the Redis URL from the option or the environment, else in-process."""
    if not hasattr(args, "rate_limit_redis"):  # a command without the option
        return True
    return args.rate_limit_redis or os.environ.get(RATE_LIMIT_REDIS, "").strip() or True
