"""RetryPolicy decisions, tested without a network or a clock."""

from __future__ import annotations

import pytest

from aiodd import ConfigurationError, RetryPolicy
from aiodd._retry import server_requested_wait

POLICY = RetryPolicy(max_attempts=3, max_wait=60.0, backoff_initial=0.5, backoff_max=8.0)


def half() -> float:
    return 0.5


def test_429_waits_for_the_rate_limit_reset() -> None:
    assert POLICY.wait_after_status("GET", 429, {"X-RateLimit-Reset": "1"}, attempt=1) == 1.0


def test_429_honours_retry_after() -> None:
    assert POLICY.wait_after_status("GET", 429, {"Retry-After": "7"}, attempt=1) == 7.0


def test_429_takes_the_larger_of_reset_and_retry_after() -> None:
    headers = {"X-RateLimit-Reset": "3", "Retry-After": "9"}
    assert POLICY.wait_after_status("GET", 429, headers, attempt=1) == 9.0


def test_a_doubled_header_means_its_value() -> None:
    assert POLICY.wait_after_status("GET", 429, {"X-RateLimit-Reset": "7, 7"}, attempt=1) == 7.0


def test_reset_zero_means_retry_now_not_give_up() -> None:
    assert POLICY.wait_after_status("GET", 429, {"X-RateLimit-Reset": "0"}, attempt=1) == 0.0


def test_429_without_headers_backs_off_with_full_jitter_within_bounds() -> None:
    assert POLICY.wait_after_status("GET", 429, {}, attempt=1, rand=half) == 0.25
    assert POLICY.wait_after_status("GET", 429, {}, attempt=2, rand=lambda: 1.0) == 1.0
    assert RetryPolicy(max_attempts=10).backoff(9, rand=lambda: 1.0) == 10.0  # capped at backoff_max
    for attempt in (1, 2):
        wait = POLICY.wait_after_status("GET", 429, {}, attempt=attempt)
        assert wait is not None and 0 <= wait <= 0.5 * 2 ** (attempt - 1)


def test_429_is_retried_for_post() -> None:
    assert POLICY.wait_after_status("POST", 429, {"X-RateLimit-Reset": "2"}, attempt=1) == 2.0


def test_a_requested_wait_over_max_wait_is_not_slept() -> None:
    assert POLICY.wait_after_status("GET", 429, {"X-RateLimit-Reset": "61"}, attempt=1) is None


def test_no_retry_once_attempts_are_used_up() -> None:
    assert POLICY.wait_after_status("GET", 429, {"X-RateLimit-Reset": "1"}, attempt=3) is None
    assert POLICY.wait_after_status("GET", 503, {}, attempt=3) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_transient_statuses_are_retried_for_idempotent_methods(status: int) -> None:
    for method in ("GET", "PUT", "DELETE", "HEAD", "OPTIONS"):
        assert POLICY.wait_after_status(method, status, {}, attempt=1, rand=half) == 0.25


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_post_is_never_resent_after_a_server_error(status: int) -> None:
    assert POLICY.wait_after_status("POST", status, {}, attempt=1) is None


def test_patch_is_resent_only_when_the_policy_opts_in() -> None:
    assert POLICY.wait_after_status("PATCH", 503, {}, attempt=1) is None
    assert RetryPolicy(retry_patch=True).wait_after_status("PATCH", 503, {}, attempt=1, rand=half) == 0.25


def test_client_errors_are_not_retried() -> None:
    for status in (400, 401, 403, 404, 409, 422):
        assert POLICY.wait_after_status("GET", status, {}, attempt=1) is None


def test_transport_errors_after_sending_resend_only_idempotent_methods() -> None:
    assert POLICY.wait_after_error("GET", sent=True, attempt=1, rand=half) == 0.25
    assert POLICY.wait_after_error("POST", sent=True, attempt=1) is None
    assert POLICY.wait_after_error("PATCH", sent=True, attempt=1) is None


def test_a_connection_never_opened_is_retried_for_any_method() -> None:
    assert POLICY.wait_after_error("POST", sent=False, attempt=1, rand=half) == 0.25
    assert POLICY.wait_after_error("POST", sent=False, attempt=3) is None


def test_retry_after_as_an_http_date_in_the_past_means_now() -> None:
    assert server_requested_wait({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0


def test_unusable_headers_fall_back_to_backoff() -> None:
    assert server_requested_wait({"X-RateLimit-Reset": "soon", "Retry-After": "-3"}) is None


def test_defaults_suit_datadog_windows() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts >= 3
    assert policy.max_wait >= 60


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": True},
        {"max_wait": -1},
        {"max_wait": float("nan")},
        {"max_wait": float("inf")},
        {"backoff_initial": -0.1},
        {"backoff_max": float("nan")},
    ],
)
def test_invalid_policies_are_configuration_errors(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
