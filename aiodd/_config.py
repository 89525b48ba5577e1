"""Client settings: sites, base URL, keys from arguments or the environment.

Everything here runs in ``Client.__init__`` so that a misconfigured client fails when it is
built, not at its first request.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping

import attrs
import yarl

from ._exceptions import ConfigurationError

__all__ = ["SITES", "Credentials", "RedactedHeaders", "resolve_base_url", "resolve_credentials", "resolve_user_agent"]

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

# Keys travel as header values and base_url as the request line: visible ASCII only. A stray
# newline (a key read from a file) or any control character would otherwise fail at the first
# request, or split a header.
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
_USER_AGENT_TEXT = re.compile(r"[\x20-\x7e]+")  # a User-Agent may hold spaces


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
    value = value.strip()
    if not _VISIBLE_ASCII.fullmatch(value):  # the message never shows the value: it is a key
        raise ConfigurationError(
            f"{argument} (or {variable}) must be printable ASCII without spaces: it holds a control character "
            "(a newline, carriage return or NUL?), a space or a non-ASCII character"
        )
    return value


def resolve_credentials(api_key: str | None, app_key: str | None, env: Mapping[str, str] | None = None) -> Credentials:
    """Keys from the arguments, else from ``DD_API_KEY`` / ``DD_APP_KEY``."""
    env = os.environ if env is None else env
    return Credentials(
        api_key=_from_env(api_key, "api_key", "DD_API_KEY", env),
        app_key=_from_env(app_key, "app_key", "DD_APP_KEY", env),
    )


def resolve_user_agent(user_agent: str | None, default: str) -> str:
    """``user_agent`` (one line of printable ASCII), else ``default``."""
    if user_agent is None or user_agent == "":
        return default
    if not isinstance(user_agent, str) or not _USER_AGENT_TEXT.fullmatch(user_agent):
        raise ConfigurationError("user_agent must be a string of printable ASCII characters (no control characters)")
    return user_agent


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
    """The API's URL, from the first given of: the ``base_url`` argument, the ``site`` argument,
    the ``DD_BASE_URL`` environment variable, ``DD_SITE``; else ``https://api.datadoghq.com``.

    Keys travel in headers, so plain ``http://`` is refused unless the host is a loopback address
    (a local proxy or the fake Datadog of :mod:`aiodd.testing`).
    """
    env = os.environ if env is None else env
    if base_url is None and site is None and env.get("DD_BASE_URL", "").strip():
        base_url = env["DD_BASE_URL"].strip()
    if base_url is not None:
        if not isinstance(base_url, str | yarl.URL):
            raise ConfigurationError(f"base_url must be a string or a yarl.URL, got {type(base_url).__name__}")
        text = str(base_url)
        # A backslash is a path separator to some servers and proxies, and yarl refuses it in a host.
        if "\\" in text or not _VISIBLE_ASCII.fullmatch(text):
            raise ConfigurationError(
                "base_url must be printable ASCII without backslashes, spaces or control characters"
            )
        try:
            url = yarl.URL(text)
        except ValueError as exc:
            problem = str(exc)  # yarl's reason (bad port, bad IPv6 literal ...), raised below without chaining
        else:
            problem = ""
        if problem:
            raise ConfigurationError(f"base_url is not a valid URL: {problem}")
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
