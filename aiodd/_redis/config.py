"""``RedisRateLimit``: where the shared rate-limit state lives, and how hard to lean on it.

This module imports no Redis client: ``import aiodd`` stays as fast without ``aiodd[redis]``.
:func:`shared_governor` imports redis-py when a client is built with one of these.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs
import yarl

from .._exceptions import ConfigurationError

if TYPE_CHECKING:
    from .._governor import Admission

__all__ = ["RedisRateLimit", "rate_limit_option", "redacted_url", "shared_governor"]

_SCHEMES = ("redis", "rediss", "unix")


def redacted_url(url: str) -> str:
    """``url`` without its password (``redis://user:***@host:6379/0``): for reprs and log lines."""
    parsed = yarl.URL(url)
    if parsed.password is None:
        return url
    return str(parsed.with_password("***"))


def _check_url(instance: RedisRateLimit, attribute: attrs.Attribute[Any], url: object) -> None:
    if not isinstance(url, str):
        raise ConfigurationError(f"the Redis URL must be a string, got {type(url).__name__}")
    try:
        parsed = yarl.URL(url)
    except ValueError:
        parsed = None
    if parsed is None or parsed.scheme not in _SCHEMES or not (parsed.host or parsed.scheme == "unix"):
        raise ConfigurationError(
            f"rate_limit must be a redis://, rediss:// or unix:// URL, got {redacted_url(url)!r} "
            "(e.g. redis://localhost:6379/0)"
        )


def _positive(instance: RedisRateLimit, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "lease":
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ConfigurationError(f"RedisRateLimit.{attribute.name} must be a positive number of seconds, got {value!r}")


def _share(instance: RedisRateLimit, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ConfigurationError(f"RedisRateLimit.fallback_share must be in (0, 1], got {value!r}")


def _count(instance: RedisRateLimit, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"RedisRateLimit.{attribute.name} must be an integer >= 1, got {value!r}")


def _org(instance: RedisRateLimit, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigurationError("RedisRateLimit.org must be a non-empty string or None")


@attrs.frozen
class RedisRateLimit:
    """Keep the rate-limit governor's bucket state in Redis, shared by every process that uses the
    same Redis and the same Datadog organization: ``aiodd.Client(rate_limit=RedisRateLimit(url))``.

    - ``url``: ``redis://[user:password@]host:port/db``, ``rediss://...`` (TLS) or ``unix://path``.
    - ``timeout``: seconds each Redis round trip may take before it counts as a failure.
    - ``fall_back_after``: consecutive failed round trips after which the process stops asking
      Redis and keeps its own budget (the in-process governor) until Redis answers again; it
      asks again every ``retry_interval`` seconds.
    - ``fallback_share``: the share of each bucket this process allows itself while it falls
      back (e.g. ``0.25`` for one of four workers); 1 by default.
    - ``lease``: seconds a reservation for a request in flight lives if its process never
      hands it back (killed). Default: the client's ``timeout`` plus 5 s, as no attempt
      outlasts it.
    - ``poll_interval``: how often a waiting request asks again while the answer it waits for
      (another process's probe) is still out.
    - ``org``: a name for the organization. By default it is told apart by the site and a hash
      of the API key; name it when processes use different API keys of one organization.
    """

    url: str = attrs.field(validator=_check_url, repr=redacted_url)
    timeout: float = attrs.field(default=0.1, validator=_positive)
    fall_back_after: int = attrs.field(default=3, validator=_count)
    retry_interval: float = attrs.field(default=1.0, validator=_positive)
    fallback_share: float = attrs.field(default=1.0, validator=_share)
    lease: float | None = attrs.field(default=None, validator=_positive)
    poll_interval: float = attrs.field(default=0.05, validator=_positive)
    org: str | None = attrs.field(default=None, validator=_org)


def rate_limit_option(value: object) -> RedisRateLimit:
    """``Client(rate_limit=...)`` when it is not ``True`` or ``False``: a Redis URL or a :class:`RedisRateLimit`."""
    if isinstance(value, RedisRateLimit):
        return value
    if isinstance(value, str):
        return RedisRateLimit(value)
    raise ConfigurationError(
        f"rate_limit must be True, False, a redis:// URL or an aiodd.RedisRateLimit, got {type(value).__name__}"
    )


def shared_governor(
    config: RedisRateLimit, *, base_url: yarl.URL, api_key: str, max_wait: float, attempt_timeout: float
) -> Admission:
    """The governor for ``config``; a :class:`ConfigurationError` when redis-py is not installed."""
    try:
        from .governor import RedisGovernor
    except ImportError as exc:
        if exc.name is None or not exc.name.startswith("redis"):
            raise
        raise ConfigurationError("rate_limit with a Redis URL needs redis-py: pip install 'aiodd[redis]'") from None
    from .keys import org_fingerprint

    return RedisGovernor(
        config,
        org=org_fingerprint(base_url, api_key=api_key, org=config.org),
        max_wait=max_wait,
        lease=config.lease if config.lease is not None else attempt_timeout + 5.0,
    )
