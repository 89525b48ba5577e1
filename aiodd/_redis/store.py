"""``RedisBucketStore``: the round trips to Redis, each bounded by a short timeout.

Every failure (refused connection, timeout, an error reply) becomes :class:`StoreUnavailable`,
which the governor answers by asking again or falling back: a Redis problem never reaches a
Datadog request. Values are decoded here, so the governor sees plain Python types.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from redis.exceptions import NoScriptError, RedisError

from .._governor import STALE_AFTER
from .._ratelimit import RateLimit, schedulable
from .keys import KeyLayout
from .scripts import ADMIT, UPDATE

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["Admitted", "LostAttempt", "RedisBucketStore", "StoreUnavailable", "Update"]

KEEP_AFTER_RESET = 10.0
"""Seconds a bucket's state outlives its window: a later request then learns the bucket anew."""
ROUTE_MAP_LIFETIME = 86_400.0
"""Seconds the route -> bucket map outlives its last change."""
MOST_AT_ONCE = 500
"""The most requests one admission may let go (a Lua stack bound)."""


class StoreUnavailable(Exception):
    """Redis did not answer in time, or answered with an error; ``__cause__`` says which."""


class Admitted(NamedTuple):
    """What an admission said.

    ``kind``: ``"bucket"`` (``granted`` leases named ``lease_prefix + n`` for n = 1..granted),
    ``"probe"`` (``lease_prefix`` is the probe's token), ``"wait"`` (a probe is out elsewhere),
    ``"free"`` (the route is not rate limited) or ``"moved"`` (the route uses ``bucket``).
    ``delay``: seconds until the window resets when the bucket is exhausted (``inf``: until an
    answer), 0 when it has room; ``recheck``: when to ask again at the latest.
    """

    kind: str
    granted: int = 0
    lease_prefix: str = ""
    bucket: str | None = None
    delay: float = 0.0
    recheck: float = 0.0
    rate_limit: RateLimit | None = None


class LostAttempt(NamedTuple):
    """An admission whose reply never came (it may have run): its leases and probe are taken back."""

    route: str
    bucket: str | None
    prefix: str
    wanted: int


class Update(NamedTuple):
    """One answer (or its absence) to take in, with the reservation it frees."""

    route: str
    reserved_in: str | None  # the bucket the lease is in
    lease: str  # '' for none
    probe_token: str  # '' for none
    rate_limit: RateLimit | None
    status: int | None


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else str(round(seconds * 1000))


def _seconds(ms: int) -> float:
    return math.inf if ms < 0 else ms / 1000


def _optional(value: int) -> int | None:
    return None if value < 0 else value


class RedisBucketStore:
    """Admission and updates for one organization's buckets in one Redis."""

    __slots__ = ("_keys", "_lease_ms", "_redis", "_stale_ms", "_timeout", "round_trips")

    def __init__(
        self, redis: Redis, keys: KeyLayout, *, lease: float, timeout: float, stale: float = STALE_AFTER
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._lease_ms = str(max(1, round(lease * 1000)))
        self._timeout = timeout
        self._stale_ms = _ms(stale)
        self.round_trips = 0

    async def admit(self, route: str, bucket: str | None, want: int, attempt: str) -> Admitted:
        """Let up to ``want`` requests on ``route`` go, ``bucket`` being the bucket this process believes it uses;
        ``attempt`` names this admission's leases (``<holder>:<n>:``)."""
        keys = self._keys
        believed = bucket or ""
        reply = await self._bounded(
            ADMIT(
                self._redis,
                [keys.routes, keys.probe(route), keys.state(believed), keys.leases(believed)],
                [
                    route,
                    believed,
                    min(want, MOST_AT_ONCE),
                    self._lease_ms,
                    attempt,
                    self._stale_ms,
                    _ms(KEEP_AFTER_RESET),
                ],
            )
        )
        try:
            return self._admitted(reply, believed, attempt)
        except (IndexError, TypeError, ValueError, AttributeError) as exc:  # not our script's answer
            raise StoreUnavailable(f"unexpected reply from Redis: {type(exc).__name__}") from exc

    @staticmethod
    def _admitted(reply: Any, believed: str, attempt: str) -> Admitted:
        kind = reply[0].decode()
        if kind == "probe":
            return Admitted("probe", lease_prefix=reply[1].decode())  # the token
        if kind == "wait":
            return Admitted("wait", recheck=_seconds(reply[1]))
        if kind == "free":
            return Admitted("free")
        if kind == "moved":
            return Admitted("moved", bucket=reply[1].decode())
        granted, delay, recheck, limit, remaining, reset, period = reply[1:]
        return Admitted(
            "bucket",
            granted=granted,
            lease_prefix=attempt,
            bucket=believed,
            delay=_seconds(delay),
            recheck=max(_seconds(recheck), 0.0),
            rate_limit=RateLimit(
                name=believed,
                limit=_optional(limit),
                period=None if period < 0 else period / 1000,
                remaining=_optional(remaining),
                reset=None if reset < 0 else reset / 1000,
            ),
        )

    async def update(self, updates: Sequence[Update], lost: Sequence[LostAttempt] = ()) -> None:
        """Take in answers and free their leases, and take back what ``lost`` admissions may have granted:
        one pipelined round trip for all of them."""
        calls = [self._update_call(update) for update in updates]
        calls += [self._update_call(Update(a.route, None, "", a.prefix + "probe", None, None)) for a in lost]
        pipeline = self._redis.pipeline(transaction=False)
        for keys, args in calls:
            pipeline.evalsha(UPDATE.sha, len(keys), *keys, *args)
        for attempt in lost:
            if attempt.bucket is not None and attempt.wanted:
                members = [f"{attempt.prefix}{n}" for n in range(1, min(attempt.wanted, MOST_AT_ONCE) + 1)]
                pipeline.zrem(self._keys.leases(attempt.bucket), *members)

        async def run() -> None:
            results = await pipeline.execute(raise_on_error=False)
            flushed = [call for call, result in zip(calls, results, strict=False) if isinstance(result, NoScriptError)]
            failed = next((r for r in results if isinstance(r, Exception) and not isinstance(r, NoScriptError)), None)
            if failed is not None:
                raise failed
            for keys, args in flushed:  # Redis lost the script: the first EVAL caches it again
                await UPDATE(self._redis, keys, args)

        await self._bounded(run())

    async def ping(self) -> None:
        await self._bounded(self._redis.ping())

    def _update_call(self, update: Update) -> tuple[list[str], list[str | int]]:
        keys = self._keys
        rate_limit = update.rate_limit
        name = "" if rate_limit is None else (rate_limit.name or update.route)
        reserved = update.reserved_in or ""
        limit = remaining = ""
        if rate_limit is not None:
            limit = "" if rate_limit.limit is None else str(rate_limit.limit)
            remaining = "" if rate_limit.remaining is None else str(rate_limit.remaining)
        return (
            [keys.routes, keys.probe(update.route), keys.leases(reserved), keys.state(name), keys.leases(name)],
            [
                update.route,
                update.lease,
                update.probe_token,
                name,
                "0" if update.status is None else "1",
                limit,
                remaining,
                _ms(schedulable(rate_limit.reset) if rate_limit else None),
                _ms(schedulable(rate_limit.period) if rate_limit else None),
                "1" if update.status == 429 else "0",
                _ms(KEEP_AFTER_RESET),
                self._lease_ms,
                _ms(ROUTE_MAP_LIFETIME),
            ],
        )

    async def _bounded(self, call: Any) -> Any:
        self.round_trips += 1
        try:
            async with asyncio.timeout(self._timeout):
                return await call
        except (RedisError, OSError, TimeoutError) as exc:
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
