"""Client settings: sites, base URL, keys from arguments or the environment.

Everything here runs in ``Client.__init__`` so that a misconfigured client fails when it is
built, not at its first request.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

import attrs
import yarl

from ._exceptions import ConfigurationError

__all__ = ["SITES", "Credentials", "RedactedHeaders", "resolve_base_url", "resolve_credentials"]

# The API host is https://api.<site> (API reference, "Sites").
SITES = (
    "datadoghq.com",
    "us3.datadoghq.com",
    "us5.datadoghq.com",
    "datadoghq.eu",
    "ap1.datadoghq.com",
    "ap2.datadoghq.com",
    "uk1.datadoghq.com",
    "ddog-gov.com",
    "us2.ddog-gov.com",
)
DEFAULT_SITE = "datadoghq.com"


class RedactedHeaders(dict[str, str]):
    """Request headers that hold the keys: a plain dict for aiohttp, but printed without the keys
    (so a traceback that shows local variables, or a debugger, does not reveal them)."""

    _SECRET = frozenset({"dd-api-key", "dd-application-key"})

    def __repr__(self) -> str:
        shown = {k: "<redacted>" if k.lower() in self._SECRET else v for k, v in self.items()}
        return f"RedactedHeaders({shown!r})"

    __str__ = __repr__


@attrs.frozen(repr=False)
class Credentials:
    """The two keys. Never printed: its repr names no key."""

    api_key: str
    app_key: str

    def __repr__(self) -> str:
        return "Credentials(api_key=<redacted>, app_key=<redacted>)"

    def headers(self) -> RedactedHeaders:
        return RedactedHeaders({"DD-API-KEY": self.api_key, "DD-APPLICATION-KEY": self.app_key})


def _from_env(value: str | None, argument: str, variable: str, env: Mapping[str, str]) -> str:
    if value is None:
        value = env.get(variable) or None
    if value is None:
        raise ConfigurationError(f"missing {argument}: pass {argument}=... or set the {variable} environment variable")
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{argument} must be a non-empty string (or set {variable})")
    return value.strip()


def resolve_credentials(api_key: str | None, app_key: str | None, env: Mapping[str, str] | None = None) -> Credentials:
    """Keys from the arguments, else from ``DD_API_KEY`` / ``DD_APP_KEY``."""
    env = os.environ if env is None else env
    return Credentials(
        api_key=_from_env(api_key, "api_key", "DD_API_KEY", env),
        app_key=_from_env(app_key, "app_key", "DD_APP_KEY", env),
    )


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_base_url(
    site: str | None, base_url: str | yarl.URL | None, env: Mapping[str, str] | None = None
) -> yarl.URL:
    """``base_url`` wins; else ``https://api.<site>`` with ``site`` from the argument or ``DD_SITE``.

    Keys travel in headers, so plain ``http://`` is refused unless the host is a loopback address
    (a local proxy or the fake Datadog of :mod:`aiodd.testing`).
    """
    env = os.environ if env is None else env
    if base_url is not None:
        url = yarl.URL(str(base_url))
        if url.scheme not in ("http", "https") or not url.host:
            raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {str(base_url)!r}")
        if url.scheme == "http" and not _is_loopback(url.host):
            raise ConfigurationError(
                f"refusing to send API keys over plain http to {url.host!r}: use https, or a loopback address"
            )
        if url.user or url.password or url.query_string or url.fragment:
            raise ConfigurationError("base_url must not carry credentials, a query or a fragment")
        return url.with_path(url.path.rstrip("/"))
    if site is not None and not isinstance(site, str):
        raise ConfigurationError(f"site must be a string such as 'datadoghq.eu', got {type(site).__name__}")
    chosen = site if site is not None else (env.get("DD_SITE") or DEFAULT_SITE)
    chosen = chosen.strip().lower()
    if chosen.startswith("api."):
        chosen = chosen[4:]
    if chosen not in SITES:
        raise ConfigurationError(f"unknown Datadog site {chosen!r}; expected one of: {', '.join(SITES)}")
    return yarl.URL(f"https://api.{chosen}")
