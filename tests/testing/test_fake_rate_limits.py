"""Fixed-window rate limits: headers on every answer, 429 when exhausted, deterministic clock."""

from __future__ import annotations

import uuid

import aiohttp
import pytest
from fakehttp import ACTIONS_JSON, CONNECTIONS, REGISTRATIONS, SA_JSON, RawAPI, auth_headers

from aiodd.testing import (
    ACTION_CONNECTIONS,
    APP_KEY_REGISTRATIONS,
    BUCKETS,
    SERVICE_ACCOUNT_APPLICATION_KEYS,
    FakeDatadog,
)
from aiodd.testing._ratelimit import FixedWindowRateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _limits(headers: dict[str, str]) -> tuple[str, str, str, str, str]:
    return (
        headers["X-RateLimit-Limit"],
        headers["X-RateLimit-Period"],
        headers["X-RateLimit-Remaining"],
        headers["X-RateLimit-Reset"],
        headers["X-RateLimit-Name"],
    )


async def _raw(fake: FakeDatadog) -> tuple[aiohttp.ClientSession, RawAPI]:
    session = aiohttp.ClientSession(base_url=fake.base_url, headers=auth_headers(fake))
    return session, RawAPI(session)


async def test_headers_count_down_then_429_then_reset_after_the_period() -> None:
    clock = FakeClock()
    async with FakeDatadog(rate_limit=(2, 10.0), clock=clock) as fake:
        session, api = await _raw(fake)
        async with session:
            first = await api.call("GET", REGISTRATIONS)
            clock.now += 3.2
            second = await api.call("GET", REGISTRATIONS)
            third = await api.call("GET", REGISTRATIONS)
            clock.now += 6.8  # the window opened at 1000.0 closes at 1010.0
            fourth = await api.call("GET", REGISTRATIONS)

    assert first[0] == 200
    assert _limits(first[1]) == ("2", "10", "1", "10", APP_KEY_REGISTRATIONS)
    assert _limits(second[1]) == ("2", "10", "0", "7", APP_KEY_REGISTRATIONS)  # 6.8 s left, rounded up
    assert third[0] == 429
    assert _limits(third[1]) == ("2", "10", "0", "7", APP_KEY_REGISTRATIONS)
    assert third[1]["Content-Type"] == ACTIONS_JSON
    assert third[2]["errors"][0]["status"] == "429"
    assert fourth[0] == 200
    assert _limits(fourth[1]) == ("2", "10", "1", "10", APP_KEY_REGISTRATIONS)
    assert fake.rate_limited_count == 1


async def test_service_accounts_429_uses_the_string_error_format() -> None:
    async with FakeDatadog(rate_limit=(1, 60.0), clock=FakeClock()) as fake:
        session, api = await _raw(fake)
        async with session:
            await api.call("GET", "/api/v2/service_accounts/x/application_keys")
            status, headers, body = await api.call("GET", "/api/v2/service_accounts/x/application_keys")

    assert status == 429
    assert headers["Content-Type"] == SA_JSON
    assert body == {"errors": ["Too many requests"]}
    assert headers["X-RateLimit-Name"] == SERVICE_ACCOUNT_APPLICATION_KEYS


async def test_buckets_are_counted_separately() -> None:
    async with FakeDatadog(rate_limit=(1, 60.0), clock=FakeClock()) as fake:
        session, api = await _raw(fake)
        async with session:
            registrations = await api.call("GET", REGISTRATIONS)
            connections = await api.call("GET", f"{CONNECTIONS}/{uuid.uuid4()}")
            again = await api.call("GET", REGISTRATIONS)

    assert registrations[0] == 200
    assert connections[0] == 404  # its own bucket still had room
    assert connections[1]["X-RateLimit-Name"] == ACTION_CONNECTIONS
    assert again[0] == 429


async def test_per_bucket_overrides_and_switching_one_bucket_off() -> None:
    async with FakeDatadog(
        rate_limit=(1, 60.0),
        bucket_rate_limits={APP_KEY_REGISTRATIONS: (3, 5.0), ACTION_CONNECTIONS: None},
        clock=FakeClock(),
    ) as fake:
        session, api = await _raw(fake)
        async with session:
            registrations = [await api.call("GET", REGISTRATIONS) for _ in range(4)]
            connections = [await api.call("GET", f"{CONNECTIONS}/{uuid.uuid4()}") for _ in range(3)]

    assert [status for status, _, _ in registrations] == [200, 200, 200, 429]
    assert registrations[0][1]["X-RateLimit-Limit"] == "3"
    assert [status for status, _, _ in connections] == [404, 404, 404]
    assert "X-RateLimit-Limit" not in connections[0][1]


async def test_no_rate_limit_headers_when_rate_limiting_is_off(api: RawAPI) -> None:
    _, headers, _ = await api.call("GET", REGISTRATIONS)

    assert not any(name.startswith("X-RateLimit") for name in headers)


async def test_refused_keys_do_not_use_up_the_window_but_show_it() -> None:
    async with FakeDatadog(rate_limit=(1, 60.0), clock=FakeClock()) as fake:
        async with aiohttp.ClientSession(base_url=fake.base_url) as anonymous:
            refused = await RawAPI(anonymous).call("GET", REGISTRATIONS)
        session, api = await _raw(fake)
        async with session:
            accepted = await api.call("GET", REGISTRATIONS)

    assert refused[0] == 403
    assert refused[1]["X-RateLimit-Remaining"] == "1"
    assert accepted[0] == 200


async def test_set_rate_limit_and_reset_counters_at_runtime(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    fake_datadog.set_rate_limit((1, 60.0), bucket=APP_KEY_REGISTRATIONS)
    await api.call("GET", REGISTRATIONS)
    limited = await api.call("GET", REGISTRATIONS)
    counted = fake_datadog.rate_limited_count
    fake_datadog.reset_counters()
    fake_datadog.reset_rate_limits()
    fresh = await api.call("GET", REGISTRATIONS)

    assert limited[0] == 429
    assert counted == 1
    assert fake_datadog.rate_limited_count == 0
    assert fresh[0] == 200


def test_bucket_names_are_documented_constants() -> None:
    assert BUCKETS == (
        "service_accounts",
        "service_account_application_keys",
        "users",
        "action_connections",
        "app_key_registrations",
    )


def test_limiter_reset_is_never_zero_and_rounds_up() -> None:
    clock = FakeClock()
    limiter = FixedWindowRateLimiter((5, 2.0), clock=clock)

    limiter.hit("b")
    clock.now += 1.999
    verdict = limiter.hit("b")

    assert verdict is not None
    assert verdict.reset == 1
    assert verdict.remaining == 3


def test_limiter_peek_does_not_count() -> None:
    limiter = FixedWindowRateLimiter((1, 1.0), clock=FakeClock())

    peeked = limiter.peek("b")
    hit = limiter.hit("b")

    assert peeked is not None and peeked.remaining == 1
    assert hit is not None and hit.allowed and hit.remaining == 0


def test_fractional_periods_are_reported_as_given() -> None:
    verdict = FixedWindowRateLimiter((1, 0.5), clock=FakeClock()).hit("b")

    assert verdict is not None
    assert verdict.headers()["X-RateLimit-Period"] == "0.5"
    assert verdict.headers()["X-RateLimit-Reset"] == "1"


@pytest.mark.parametrize("limit", [(0, 1.0), (1, 0.0), (1, -1.0)])
def test_limiter_rejects_nonsense_limits(limit: tuple[int, float]) -> None:
    with pytest.raises(ValueError):
        FixedWindowRateLimiter(limit)


def test_limiter_peek_does_not_open_a_window() -> None:
    clock = FakeClock()
    limiter = FixedWindowRateLimiter((1, 10.0), clock=clock)

    limiter.peek("b")
    clock.now += 5
    hit = limiter.hit("b")

    assert hit is not None and hit.reset == 10  # the window opened at the hit, not at the peek
