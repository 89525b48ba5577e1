"""Benchmark: where aiodd's CPU per request goes, by switching its parts off one at a time.

The ``GET application key`` of :mod:`benchmarks.throughput` (32 concurrent, against
:mod:`benchmarks.fixed_server` in its own process), sent by raw aiohttp and by aiodd clients that
each leave something out: the rate-limit governor, the retry policy, the answer's decoding into
models. Every variant runs once per round, in an order that rotates; each figure is the median
over rounds, and the differences between variants say what each part costs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ._harness import ChildProcess, Section, Stopwatch, banner_value, median
from .clients import KEY, BenchClient, Endpoint, RawAiohttp, drive

__all__ = ["FULL", "QUICK", "Config", "run"]


@dataclass(frozen=True)
class Config:
    requests: int  # per variant per round
    rounds: int
    concurrency: int


FULL = Config(requests=4000, rounds=9, concurrency=32)
QUICK = Config(requests=40, rounds=1, concurrency=8)


class _Variant(BenchClient):
    """One way of sending the key GET; ``call`` ignores the operation."""

    def __init__(self, endpoint: Endpoint, name: str, send: Callable[[], Awaitable[Any]]) -> None:
        super().__init__(endpoint)
        self.name = name
        self._send = send

    def call(self, operation: str) -> Callable[[], Awaitable[Any]]:
        return self._send


async def run(config: Config) -> list[Section]:
    import aiodd
    from aiodd._request import APIRequest

    cpu: dict[str, list[float]] = {}
    with ChildProcess("benchmarks.fixed_server") as banner:
        endpoint = Endpoint(banner_value(banner, "listening on "))
        e = endpoint
        path = f"/api/v2/service_accounts/{e.service_account_id}/application_keys/{e.key_id}"
        route = "/api/v2/service_accounts/{service_account_id}/application_keys/{app_key_id}"
        async with contextlib.AsyncExitStack() as stack:
            raw = await stack.enter_async_context(RawAiohttp(endpoint))

            async def client(**options: Any) -> aiodd.Client:
                return await stack.enter_async_context(
                    aiodd.Client(e.api_key, e.app_key, base_url=e.base_url, **options)
                )

            def get(dd: aiodd.Client) -> Callable[[], Awaitable[Any]]:
                keys = dd.service_accounts.application_keys

                async def send() -> Any:
                    return (await keys.get(e.service_account_id, e.key_id)).data

                return send

            def undecoded(dd: aiodd.Client) -> Callable[[], Awaitable[Any]]:
                request = APIRequest("GET", route, path)

                async def send() -> Any:
                    return await dd.request(request, None)

                return send

            full, no_governor = await client(), await client(rate_limit=False)
            no_retry, bare = await client(retry=None), await client(rate_limit=False, retry=None)
            variants = [
                _Variant(endpoint, "raw aiohttp", raw.call(KEY)),
                _Variant(endpoint, "aiodd", get(full)),
                _Variant(endpoint, "aiodd, no governor", get(no_governor)),
                _Variant(endpoint, "aiodd, no retry policy", get(no_retry)),
                _Variant(endpoint, "aiodd, neither", get(bare)),
                _Variant(endpoint, "aiodd, answer not decoded", undecoded(full)),
                _Variant(endpoint, "aiodd, neither, answer not decoded", undecoded(bare)),
            ]
            for variant in variants:
                await drive(variant, variant.call(KEY), max(config.requests // 10, 10), config.concurrency)
            for round_number in range(config.rounds):
                shift = round_number % len(variants)
                for variant in variants[shift:] + variants[:shift]:
                    with Stopwatch() as stopwatch:
                        await drive(variant, variant.call(KEY), config.requests, config.concurrency)
                    cpu.setdefault(variant.name, []).append(stopwatch.cpu / config.requests * 1e6)
    return [_report(config, cpu)]


def _report(config: Config, cpu: dict[str, list[float]]) -> Section:
    section = Section(
        "breakdown",
        f"Where the time goes: GET application key ({config.concurrency} concurrent, median of {config.rounds} rounds)",
        ["client", "CPU µs/request", "over raw aiohttp, µs", "raw ÷ this"],
    )
    medians = {name: median(values) for name, values in cpu.items()}
    raw = medians["raw aiohttp"]
    for name, value in medians.items():
        section.rows.append([name, value, value - raw, raw / value if value else float("nan")])
    section.notes.append(
        f'{config.requests:,} requests per variant per round. "Answer not decoded": `Client.request(..., None)`, '
        "which reads the body but neither parses the JSON nor builds models (raw aiohttp parses the JSON). "
        "The governor and the retry policy are the defaults; the fixed server's buckets never run out."
    )
    section.data = {"cpu_us_runs": cpu, "cpu_us": medians}
    return section
