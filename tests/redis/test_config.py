"""RedisRateLimit and Client(rate_limit=...): checked when the client is built; the org fingerprint; the breaker."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yarl

import aiodd
from aiodd import RedisRateLimit
from aiodd._redis.breaker import CircuitBreaker
from aiodd._redis.keys import KeyLayout, org_fingerprint

from stubserver import API_KEY, APP_KEY

SITE = yarl.URL("https://api.datadoghq.com")


@pytest.mark.parametrize(
    "value",
    ["http://localhost:6379/0", "localhost:6379", "redis://", "", 6379, ["redis://x"]],
)
def test_a_bad_rate_limit_is_a_configuration_error(value: object) -> None:
    with pytest.raises(aiodd.ConfigurationError) as caught:
        aiodd.Client(API_KEY, APP_KEY, rate_limit=value)  # type: ignore[arg-type]
    assert "rate_limit" in str(caught.value) or "Redis URL" in str(caught.value)


@pytest.mark.parametrize(
    ("option", "value"),
    [("timeout", 0), ("timeout", float("inf")), ("fall_back_after", 0), ("fallback_share", 1.5),
     ("fallback_share", 0), ("lease", -1), ("poll_interval", True), ("org", " ")],
)  # fmt: skip
def test_bad_options_are_configuration_errors(option: str, value: object) -> None:
    with pytest.raises(aiodd.ConfigurationError, match=option):
        RedisRateLimit("redis://localhost:6379/0", **{option: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["redis://localhost:6379/0", "rediss://user:pw@cache.internal:6380/2", "unix:///r.sock"]
)
async def test_a_redis_url_or_options_make_a_shared_governor(url: str) -> None:
    from aiodd._redis.governor import RedisGovernor

    for rate_limit in (url, RedisRateLimit(url, timeout=0.05)):
        client = aiodd.Client(API_KEY, APP_KEY, rate_limit=rate_limit)
        assert isinstance(client.governor, RedisGovernor)
        await client.close()  # closes the governor's connections (none were opened)


def test_true_and_false_keep_their_meaning() -> None:
    assert isinstance(aiodd.Client(API_KEY, APP_KEY).governor, aiodd._governor.RateLimitGovernor)
    assert aiodd.Client(API_KEY, APP_KEY, rate_limit=False).governor is None


def test_without_redis_py_a_redis_url_is_a_configuration_error_naming_the_extra() -> None:
    code = (
        "import sys; sys.modules['redis'] = None\n"  # as if not installed
        "import aiodd\n"
        "try:\n"
        "    aiodd.Client('k', 'a', rate_limit='redis://localhost:6379/0')\n"
        "except aiodd.ConfigurationError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'aiodd[redis]'" in out


def test_the_repr_hides_the_password() -> None:
    config = RedisRateLimit("redis://admin:s3cr3t@cache:6379/0")
    assert "s3cr3t" not in repr(config) and "admin:***@cache" in repr(config)


def test_the_fingerprint_tells_sites_keys_and_named_orgs_apart_and_holds_no_key() -> None:
    eu = yarl.URL("https://api.datadoghq.eu")
    base = org_fingerprint(SITE, api_key=API_KEY)
    assert len(base) == 16 and int(base, 16) >= 0
    assert base == org_fingerprint(yarl.URL("https://api.datadoghq.com/"), api_key=API_KEY)
    assert base != org_fingerprint(eu, api_key=API_KEY)
    assert base != org_fingerprint(SITE, api_key=API_KEY + "x")
    named = org_fingerprint(SITE, api_key="one", org="acme")
    assert named == org_fingerprint(SITE, api_key="another", org="acme") != base
    assert API_KEY[:8] not in base and API_KEY[-8:] not in base


def test_every_key_of_an_org_shares_one_cluster_hash_tag() -> None:
    keys = KeyLayout("3f9a0c1d2b4e5f60")
    names = [keys.state("app_keys"), keys.leases("app_keys"), keys.routes, keys.probe("GET /api/v2/x/{id}")]
    assert all(name.startswith("aiodd:rl:{3f9a0c1d2b4e5f60}:") for name in names)
    assert keys.state("app_keys") == "aiodd:rl:{3f9a0c1d2b4e5f60}:app_keys"
    # A bucket name cannot spell another key: ':' and braces are encoded.
    assert keys.state("x:leases") != keys.leases("x") and keys.state(":routes") != keys.routes
    assert "}" not in keys.state("a}b").split("}", 1)[1]


def test_the_breaker_opens_after_failures_in_a_row_and_reports_each_change_once() -> None:
    breaker = CircuitBreaker(3)
    assert [breaker.failed(), breaker.failed()] == [False, False]
    assert not breaker.succeeded() and not breaker.is_open  # an answer resets the count
    assert [breaker.failed(), breaker.failed(), breaker.failed(), breaker.failed()] == [False, False, True, False]
    assert breaker.is_open
    assert breaker.succeeded() and not breaker.is_open and not breaker.succeeded()
