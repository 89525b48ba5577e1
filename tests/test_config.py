"""Client configuration: sites, base URL, keys from arguments or the environment.

Every configuration error is raised by ``aiodd.Client(...)`` itself, before any request.
"""

from __future__ import annotations

from typing import Any

import pytest

import aiodd

from stubserver import API_KEY, APP_KEY

SITE_HOSTS = [
    ("datadoghq.com", "https://api.datadoghq.com"),
    ("us3.datadoghq.com", "https://api.us3.datadoghq.com"),
    ("us5.datadoghq.com", "https://api.us5.datadoghq.com"),
    ("datadoghq.eu", "https://api.datadoghq.eu"),
    ("ap1.datadoghq.com", "https://api.ap1.datadoghq.com"),
    ("ap2.datadoghq.com", "https://api.ap2.datadoghq.com"),
    ("uk1.datadoghq.com", "https://api.uk1.datadoghq.com"),
    ("ddog-gov.com", "https://api.ddog-gov.com"),
    ("us2.ddog-gov.com", "https://api.us2.ddog-gov.com"),
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No DD_* variable of the machine running the tests may leak in."""
    for name in ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "DD_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def make(**kwargs: Any) -> aiodd.Client:
    kwargs.setdefault("api_key", API_KEY)
    kwargs.setdefault("app_key", APP_KEY)
    return aiodd.Client(**kwargs)


# --- sites ------------------------------------------------------------------------------------


def test_default_site_is_datadoghq_com() -> None:
    assert str(make().base_url) == "https://api.datadoghq.com"


@pytest.mark.parametrize(("site", "url"), SITE_HOSTS)
def test_each_site_maps_to_its_api_host(site: str, url: str) -> None:
    assert str(make(site=site).base_url) == url


@pytest.mark.parametrize(("site", "url"), SITE_HOSTS)
def test_site_is_read_from_dd_site(monkeypatch: pytest.MonkeyPatch, site: str, url: str) -> None:
    monkeypatch.setenv("DD_SITE", site)
    assert str(make().base_url) == url


def test_site_argument_wins_over_dd_site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_SITE", "us5.datadoghq.com")
    assert str(make(site="datadoghq.eu").base_url) == "https://api.datadoghq.eu"


def test_empty_dd_site_means_the_default_site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_SITE", "")
    assert str(make().base_url) == "https://api.datadoghq.com"


def test_site_tolerates_case_spaces_and_an_api_prefix() -> None:
    assert str(make(site=" API.DatadogHQ.eu ").base_url) == "https://api.datadoghq.eu"


@pytest.mark.parametrize("site", ["datadoghq.fr", "evil.example.com", "", "https://api.datadoghq.eu"])
def test_unknown_site_is_a_configuration_error_listing_the_known_sites(site: str) -> None:
    with pytest.raises(aiodd.ConfigurationError, match="unknown Datadog site") as caught:
        make(site=site)
    assert "datadoghq.eu" in str(caught.value)
    assert "us2.ddog-gov.com" in str(caught.value)


def test_unknown_dd_site_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_SITE", "datadoghq.moon")
    with pytest.raises(aiodd.ConfigurationError, match=r"'datadoghq\.moon'"):
        make()


def test_non_string_site_is_a_configuration_error() -> None:
    with pytest.raises(aiodd.ConfigurationError, match="site must be a string"):
        make(site=42)


# --- base_url -------------------------------------------------------------------------------


def test_base_url_overrides_site_and_dd_site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_SITE", "datadoghq.eu")
    client = make(site="us3.datadoghq.com", base_url="https://proxy.internal.example")
    assert str(client.base_url) == "https://proxy.internal.example"


def test_dd_base_url_is_read_from_the_environment_and_beats_dd_site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_SITE", "datadoghq.eu")
    monkeypatch.setenv("DD_BASE_URL", " http://127.0.0.1:8126/ ")
    assert str(make().base_url) == "http://127.0.0.1:8126"


def test_arguments_beat_dd_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_BASE_URL", "http://127.0.0.1:8126")
    assert str(make(site="datadoghq.eu").base_url) == "https://api.datadoghq.eu"
    assert str(make(base_url="https://proxy.example").base_url) == "https://proxy.example"


def test_dd_base_url_is_checked_like_the_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_BASE_URL", "http://datadog.example.com")  # keys over plain http, not loopback
    with pytest.raises(aiodd.ConfigurationError, match="plain http"):
        make()


def test_base_url_keeps_its_path_prefix_without_a_trailing_slash() -> None:
    assert str(make(base_url="https://proxy.example/datadog/").base_url) == "https://proxy.example/datadog"


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8126",
        "http://127.0.0.2:8126",
        "http://127.255.255.254",
        "http://[::1]:8126",
        "http://localhost:8126",
        "http://LOCALHOST",
        "http://fake.localhost:8126",
    ],
)
def test_plain_http_is_allowed_to_loopback(base_url: str) -> None:
    assert make(base_url=base_url).base_url.scheme == "http"


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.datadoghq.com",
        "http://10.0.0.1:8126",
        "http://192.168.1.10",
        "http://0.0.0.0:8126",
        "http://127.0.0.1.nip.io",
        "http://localhost.evil.example",
        "http://[::2]",
    ],
)
def test_plain_http_to_anything_but_loopback_is_refused(base_url: str) -> None:
    with pytest.raises(aiodd.ConfigurationError, match="refusing to send API keys over plain http"):
        make(base_url=base_url)


def test_https_is_allowed_to_any_host() -> None:
    assert str(make(base_url="https://10.0.0.1:8443").base_url) == "https://10.0.0.1:8443"


@pytest.mark.parametrize("base_url", ["ftp://127.0.0.1", "127.0.0.1:8126", "/api", "https://"])
def test_base_url_must_be_an_absolute_http_url(base_url: str) -> None:
    with pytest.raises(aiodd.ConfigurationError, match="absolute http"):
        make(base_url=base_url)


@pytest.mark.parametrize(
    "base_url",
    ["https://user:pw@proxy.example", "https://proxy.example/?api_key=x", "https://proxy.example/#frag"],
)
def test_base_url_must_not_carry_credentials_query_or_fragment(base_url: str) -> None:
    with pytest.raises(aiodd.ConfigurationError, match="credentials, a query or a fragment"):
        make(base_url=base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1\\x",
        "https://api.datadoghq.com\\@evil.example",
        "http://127.0.0.1:8126/a\\b",
        "http://127.0.0.1:8126/\nHost: evil",
        "http://127.0.0.1:8126/ x",
        "http://[::1",
        "http://127.0.0.1:99999",
        b"http://127.0.0.1",
    ],
    ids=["backslash-host", "backslash-authority", "backslash-path", "newline", "space", "ipv6", "port", "bytes"],
)
def test_a_malformed_base_url_is_a_configuration_error(base_url: str) -> None:
    with pytest.raises(aiodd.ConfigurationError, match="base_url") as caught:
        make(base_url=base_url)
    assert caught.value.__context__ is None


# --- keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\n", "\r", "\r\n", "\x00", "\t", "\x7f", " ", "é"])
@pytest.mark.parametrize(("argument", "variable"), [("api_key", "DD_API_KEY"), ("app_key", "DD_APP_KEY")])
def test_a_key_with_a_control_character_is_refused_naming_the_argument_not_the_value(
    argument: str, variable: str, character: str
) -> None:
    value = f"0123456789abcdef{character}0123456789abcdef"
    with pytest.raises(aiodd.ConfigurationError, match=argument) as caught:
        make(**{argument: value})
    assert "0123456789abcdef" not in str(caught.value)


def test_a_key_from_the_environment_with_a_newline_inside_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_API_KEY", "0123456789abcdef\n0123456789abcdef")
    with pytest.raises(aiodd.ConfigurationError, match="DD_API_KEY") as caught:
        aiodd.Client(app_key=APP_KEY)
    assert "0123456789abcdef" not in str(caught.value)


def test_a_trailing_newline_around_a_key_is_stripped() -> None:
    assert make(api_key=API_KEY + "\n")._credentials.api_key == API_KEY


def test_keys_are_read_from_dd_api_key_and_dd_app_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_API_KEY", "env-api-key")
    monkeypatch.setenv("DD_APP_KEY", "env-app-key")
    headers = aiodd.Client()._credentials.headers()
    assert headers == {"DD-API-KEY": "env-api-key", "DD-APPLICATION-KEY": "env-app-key"}


def test_key_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DD_API_KEY", "env-api-key")
    monkeypatch.setenv("DD_APP_KEY", "env-app-key")
    headers = aiodd.Client(api_key="arg-api-key", app_key="arg-app-key")._credentials.headers()
    assert headers == {"DD-API-KEY": "arg-api-key", "DD-APPLICATION-KEY": "arg-app-key"}


@pytest.mark.parametrize(("argument", "variable"), [("api_key", "DD_API_KEY"), ("app_key", "DD_APP_KEY")])
def test_missing_key_error_names_the_argument_and_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch, argument: str, variable: str
) -> None:
    other = {"api_key": "app_key", "app_key": "api_key"}[argument]
    with pytest.raises(aiodd.ConfigurationError) as caught:
        aiodd.Client(**{other: "present"})
    assert f"{argument}=" in str(caught.value)
    assert variable in str(caught.value)


@pytest.mark.parametrize(("argument", "variable"), [("api_key", "DD_API_KEY"), ("app_key", "DD_APP_KEY")])
def test_empty_key_environment_variable_counts_as_missing(
    monkeypatch: pytest.MonkeyPatch, argument: str, variable: str
) -> None:
    monkeypatch.setenv("DD_API_KEY", "env-api-key")
    monkeypatch.setenv("DD_APP_KEY", "env-app-key")
    monkeypatch.setenv(variable, "")
    with pytest.raises(aiodd.ConfigurationError, match=f"missing {argument}.*{variable}"):
        aiodd.Client()


@pytest.mark.parametrize("value", ["", "   ", 12345])
@pytest.mark.parametrize("argument", ["api_key", "app_key"])
def test_blank_or_non_string_key_argument_is_refused(argument: str, value: object) -> None:
    with pytest.raises(aiodd.ConfigurationError, match=argument):
        make(**{argument: value})


# --- other settings, all checked at construction --------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"timeout": -1},
        {"timeout": "10"},
        {"connect_timeout": 0},
        {"timeout": True},
        {"max_connections": -1},
        {"max_connections_per_host": -1},
        {"retry": 3},
        {"session": object()},
        {"timeout": float("nan")},
        {"timeout": float("inf")},
        {"connect_timeout": float("nan")},
        {"max_response_bytes": 0},
        {"max_response_bytes": 1.5},
        {"max_response_bytes": True},
        {"user_agent": "x\r\nX-Injected: 1"},
        {"user_agent": 3},
    ],
    ids=[
        "timeout-zero",
        "timeout-negative",
        "timeout-str",
        "connect-timeout-zero",
        "timeout-bool",
        "max-connections",
        "max-connections-per-host",
        "retry-not-a-policy",
        "session",
        "timeout-nan",
        "timeout-inf",
        "connect-timeout-nan",
        "max-response-bytes-zero",
        "max-response-bytes-float",
        "max-response-bytes-bool",
        "user-agent-newline",
        "user-agent-not-a-string",
    ],
)
def test_bad_setting_is_a_configuration_error_at_construction(kwargs: dict[str, Any]) -> None:
    with pytest.raises(aiodd.ConfigurationError, match=next(iter(kwargs))):
        make(**kwargs)


def test_configuration_error_is_an_aiodd_error_and_a_value_error() -> None:
    assert issubclass(aiodd.ConfigurationError, aiodd.Error)
    assert issubclass(aiodd.ConfigurationError, ValueError)


# --- no secrets -----------------------------------------------------------------------------


def test_client_repr_shows_neither_key() -> None:
    client = make(base_url="http://127.0.0.1:8126")
    for text in (repr(client), str(client), repr(client._credentials)):
        assert API_KEY not in text
        assert APP_KEY not in text
    assert "127.0.0.1:8126" in repr(client)


def test_configuration_errors_never_echo_a_key() -> None:
    with pytest.raises(aiodd.ConfigurationError) as caught:
        make(base_url="http://example.com")
    assert API_KEY not in str(caught.value)
    assert APP_KEY not in str(caught.value)
