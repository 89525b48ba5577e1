"""Benchmark 1: requests per second and client CPU per request, four clients side by side.

The fixed-response server (:mod:`benchmarks.fixed_server`) runs in its own process; every client
sends the same requests at the same concurrency. Each round runs every client once, in an order
that rotates from round to round, so a noisy moment on the machine hurts them all alike; each
figure is the median over rounds. CPU is this process's CPU time (all threads) per request:
the client's own cost, whatever the server's.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from ._harness import ChildProcess, Section, Stopwatch, Target, banner_value, median, ratio
from .clients import CLIENTS, KEY, KEY_PAGE, OPERATIONS, BenchClient, Endpoint, drive, expected

__all__ = ["FULL", "QUICK", "Config", "run"]


@dataclass(frozen=True)
class Config:
    requests: dict[str, int]  # per operation, per client, per round
    rounds: int
    warmup: int  # requests per client and operation before the first round
    concurrency: int


FULL = Config({KEY: 5000, "connection": 5000, KEY_PAGE: 500}, rounds=7, warmup=200, concurrency=32)
QUICK = Config({KEY: 40, "connection": 40, KEY_PAGE: 8}, rounds=1, warmup=4, concurrency=8)

PAIRED = ("raw aiohttp", "aiodd")

# operation: (raw aiohttp CPU ÷ aiodd CPU, official async CPU ÷ aiodd CPU), both "at least"
TARGETS = {KEY: (0.8, 5.0), "connection": (0.8, 3.5), KEY_PAGE: (0.45, 10.0)}


async def _check(client: BenchClient, operation: str) -> None:
    """One call must return what the fixed server sent: proof the client parsed it."""
    call = client.call(operation)
    got = call() if client.threaded else await call()
    if got != expected(operation):
        raise AssertionError(f"{client.name} {operation}: read {got!r}, expected {expected(operation)!r}")


async def run(config: Config) -> list[Section]:
    runs: dict[tuple[str, str], list[Stopwatch]] = {}
    with ChildProcess("benchmarks.fixed_server") as banner:
        endpoint = Endpoint(banner_value(banner, "listening on "))
        async with contextlib.AsyncExitStack() as stack:
            clients = [await stack.enter_async_context(cls(endpoint)) for cls in CLIENTS]
            for operation in OPERATIONS:
                for client in clients:
                    await _check(client, operation)
                    await drive(client, client.call(operation), config.warmup, config.concurrency)
                for round_number in range(config.rounds):
                    for client in _order(clients, round_number):
                        with Stopwatch() as stopwatch:
                            await drive(client, client.call(operation), config.requests[operation], config.concurrency)
                        runs.setdefault((operation, client.name), []).append(stopwatch)
    return [_report(config, [client.name for client in clients], runs)]


def _order(clients: list[BenchClient], round_number: int) -> list[BenchClient]:
    """This round's order: the clients take turns in an order that rotates, except that raw aiohttp and
    aiodd always run back to back (which of them first alternates), so that each round gives a ratio of
    the two measured under the same conditions: the machine is shared, and its speed drifts for tens of
    seconds at a time."""
    pair = [client for client in clients if client.name in PAIRED]
    if round_number % 2:
        pair.reverse()
    units: list[list[BenchClient]] = [pair, *([client] for client in clients if client.name not in PAIRED)]
    shift = round_number % len(units)
    return [client for unit in units[shift:] + units[:shift] for client in unit]


def _report(config: Config, names: list[str], runs: dict[tuple[str, str], list[Stopwatch]]) -> Section:
    section = Section(
        "throughput",
        f"Request throughput ({config.concurrency} concurrent, median of {config.rounds} rounds)",
        [
            "operation",
            "client",
            "requests/s",
            "CPU µs/request",
            "of which GC",
            "aiodd req/s ÷ this",
            "CPU ÷ aiodd CPU",
        ],
    )
    for operation, label in OPERATIONS.items():
        count = config.requests[operation]
        numbers: dict[str, dict[str, Any]] = {
            name: {
                "rps": median([count / s.wall for s in runs[operation, name]]),
                "cpu_us": median([s.cpu / count * 1e6 for s in runs[operation, name]]),
                "rps_runs": [count / s.wall for s in runs[operation, name]],
                "cpu_us_runs": [s.cpu / count * 1e6 for s in runs[operation, name]],
                "gc_us": median([s.gc / count * 1e6 for s in runs[operation, name]]),
                "collections": median([s.collections / count for s in runs[operation, name]]),
            }
            for name in names
        }
        ours = numbers["aiodd"]
        for name in names:
            mine = numbers[name]
            section.rows.append(
                [
                    label,
                    name,
                    mine["rps"],
                    mine["cpu_us"],
                    mine["gc_us"],
                    ratio(ours["rps"], mine["rps"]),
                    ratio(mine["cpu_us"], ours["cpu_us"]),
                ]
            )
        raw_goal, official_goal = TARGETS[operation]
        raw_runs, our_runs = runs[operation, "raw aiohttp"], runs[operation, "aiodd"]
        paired = median([ratio(raw_run.cpu, our_run.cpu) for raw_run, our_run in zip(raw_runs, our_runs, strict=True)])
        section.targets += [
            Target(f"{label}: raw aiohttp CPU ÷ aiodd CPU (median of the rounds' ratios)", paired, raw_goal),
            Target(
                f"{label}: official async CPU ÷ aiodd CPU",
                ratio(numbers["official async"]["cpu_us"], ours["cpu_us"]),
                official_goal,
            ),
        ]
        raw = numbers["raw aiohttp"]
        section.notes.append(
            f"{label}: raw ÷ aiodd CPU without the time in garbage collections = "
            f"{ratio(raw['cpu_us'] - raw['gc_us'], ours['cpu_us'] - ours['gc_us']):.2f} "
            f"(aiodd: {ours['collections']:.3f} collections per request, raw aiohttp: {raw['collections']:.3f})."
        )
        section.data[operation] = {"requests": count, "clients": numbers}
    section.notes.append(
        '"Of which GC": CPU µs per request inside the garbage collector (`gc.callbacks`), whichever client\'s '
        "allocations triggered it: the collector runs when enough container objects (dicts, lists, models) are "
        "alive at once, and a full collection walks every object of the process."
    )
    section.notes.append(
        f"{', '.join(f'{OPERATIONS[op]}: {n:,}' for op, n in config.requests.items())} requests per client per round. "
        "Server: `python -m benchmarks.fixed_server` in its own process on 127.0.0.1 (fixed answers with "
        "`X-RateLimit-*` headers). The official async client's aiosonic pool has 30 connections; the sync "
        f"client runs in {config.concurrency} threads with a urllib3 pool of 32 (ApiClient keeps 4)."
    )
    return section
