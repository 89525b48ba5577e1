"""Benchmark 4: how close to the rate limit each client runs, and how many 429s it draws.

The fake Datadog limits the application-key bucket to L requests per P seconds (fixed windows,
``X-RateLimit-*`` headers as Datadog sends them, ``X-RateLimit-Reset`` rounded up to whole
seconds); N tasks share M ``GET .../application_keys/{id}`` requests. Nothing can finish sooner
than about M·P/L seconds, so wall time ÷ (M·P/L) is the efficiency (1.0 is perfect; the last
window is only partly waited for, so a value a little under 1 is possible). The 429s are counted
by the server. aiodd runs with its defaults; the official async client with
``enable_retry=True`` (it sleeps ``X-RateLimit-Reset`` after a 429) and enough ``max_retries``
that no request gives up. Every run starts with a fresh client and fresh windows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ._harness import Section, Stopwatch, Target, median, ratio
from .clients import KEY, Aiodd, Endpoint, OfficialAsync, drive

__all__ = ["FULL", "QUICK", "Budget", "Config", "run"]

EFFICIENCY_GOAL = 1.10  # wall time ÷ M·P/L, at most
OFFICIAL_MAX_RETRIES = 20


@dataclass(frozen=True)
class Budget:
    """M requests against a bucket of L per P seconds, and the least time they can take."""

    limit: int  # L requests ...
    period: float  # ... per P seconds
    requests: int  # M

    @property
    def minimum(self) -> float:
        return self.requests * self.period / self.limit

    @property
    def windows(self) -> int:
        return math.ceil(self.requests / self.limit)


@dataclass(frozen=True)
class Config(Budget):
    tasks: int  # N
    rounds: int

    @property
    def tight_minimum(self) -> float:
        """The last window's requests can all go the moment it opens: (⌈M/L⌉ - 1)·P."""
        return (self.windows - 1) * self.period


FULL = Config(limit=20, period=2.0, tasks=32, requests=200, rounds=3)
QUICK = Config(limit=4, period=1.0, tasks=4, requests=8, rounds=1)


async def _measure(make_client: Any, fake: Any, config: Config) -> dict[str, Any]:
    """One run: a fresh client, fresh windows, M requests from N tasks."""
    fake.reset_rate_limits()
    fake.reset_counters()
    errors = 0
    async with make_client() as client:
        call = client.call(KEY)

        async def counted() -> None:
            nonlocal errors
            try:
                await call()
            except Exception:  # the official client raises once its retries run out
                errors += 1

        with Stopwatch() as stopwatch:
            await drive(client, counted, config.requests, config.tasks)
    return {
        "seconds": stopwatch.wall,
        "rate_limited": fake.rate_limited_count,
        "sent": fake.requests_seen(),
        "errors": errors,
    }


async def run(config: Config) -> list[Section]:
    from aiodd.testing import SERVICE_ACCOUNT_APPLICATION_KEYS, FakeDatadog

    limits = {SERVICE_ACCOUNT_APPLICATION_KEYS: (config.limit, config.period)}
    runs: dict[str, list[dict[str, Any]]] = {"aiodd": [], "official async": []}
    async with FakeDatadog(bucket_rate_limits=limits) as fake:
        [sa_id] = fake.seed(service_accounts=1, keys_per_account=1)
        endpoint = Endpoint(
            fake.base_url, fake.api_key, fake.app_key, sa_id, key_id=fake.state.application_keys(sa_id)[0].id
        )
        clients = {
            "aiodd": lambda: Aiodd(endpoint),
            "official async": lambda: OfficialAsync(endpoint, enable_retry=True, max_retries=OFFICIAL_MAX_RETRIES),
        }
        for _ in range(config.rounds):
            for name, make_client in clients.items():
                runs[name].append(await _measure(make_client, fake, config))
    return [_report(config, runs)]


def _report(config: Config, runs: dict[str, list[dict[str, Any]]]) -> Section:
    section = Section(
        "rate_limit",
        f"Rate-limit efficiency: L={config.limit} per P={config.period:g} s, N={config.tasks} tasks, "
        f"M={config.requests} requests (median of {config.rounds})",
        [
            "client",
            "wall s",
            "wall ÷ M·P/L",
            "wall ÷ (⌈M/L⌉-1)·P",
            "429s",
            "429s per window",
            "requests sent",
            "failed",
        ],
    )
    for name, measured in runs.items():
        numbers = {
            "seconds": median([r["seconds"] for r in measured]),
            "efficiency": median([r["seconds"] / config.minimum for r in measured]),
            "tight_efficiency": median([ratio(r["seconds"], config.tight_minimum) for r in measured]),
            "rate_limited": median([r["rate_limited"] for r in measured]),
            "sent": median([r["sent"] for r in measured]),
            "errors": max(r["errors"] for r in measured),
        }
        per_window = numbers["rate_limited"] / config.windows
        section.rows.append(
            [
                name,
                *(numbers[key] for key in ("seconds", "efficiency", "tight_efficiency", "rate_limited")),
                per_window,
                numbers["sent"],
                numbers["errors"],
            ]
        )
        section.data[name] = {**numbers, "per_window": per_window, "runs": measured}
        if name == "aiodd":
            section.targets += [
                Target("aiodd wall time ÷ M·P/L", numbers["efficiency"], EFFICIENCY_GOAL, at_least=False),
                Target("aiodd 429s per window", per_window, 1.0, at_least=False),
            ]
    section.notes.append(
        f"M·P/L = {config.minimum:g} s over {config.windows} windows. The fake runs in the benchmark's "
        f"process (its 429 count is the server's own). Official client: enable_retry=True, "
        f"max_retries={OFFICIAL_MAX_RETRIES}."
    )
    return section
