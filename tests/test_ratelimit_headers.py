"""Parsing Datadog's X-RateLimit-* headers."""

from __future__ import annotations

from aiodd import RateLimit
from aiodd._ratelimit import parse_rate_limit, parse_seconds


def test_all_headers_are_parsed() -> None:
    headers = {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Period": "60",
        "X-RateLimit-Remaining": "42",
        "X-RateLimit-Reset": "17",
        "X-RateLimit-Name": "service_account_app_keys",
    }
    assert parse_rate_limit(headers) == RateLimit("service_account_app_keys", 100, 60.0, 42, 17.0)


def test_no_headers_means_no_state() -> None:
    assert parse_rate_limit({"Content-Type": "application/json"}) is None


def test_doubled_headers_are_tolerated() -> None:
    state = parse_rate_limit({"X-RateLimit-Reset": "7, 7", "X-RateLimit-Name": "b, b", "X-RateLimit-Remaining": "0, 0"})
    assert state == RateLimit("b", None, None, 0, 7.0)


def test_garbage_values_are_ignored() -> None:
    assert parse_seconds("soon") is None
    assert parse_seconds("-1") is None
    assert parse_seconds("nan") is None
    assert parse_seconds("inf") is None and parse_seconds("inf, 3") == 3.0
    assert parse_seconds("0") == 0.0
    assert parse_seconds("1.5") == 1.5
