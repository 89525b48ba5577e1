"""Benchmark 3: walk every application key of a service account and watch the walker's memory.

The fake Datadog (``python -m aiodd.testing``, seeded, rate limits off) runs in one process; each
walk runs in a fresh process of its own (``python -m benchmarks.pagination --walk ...``), so the
RSS it reports is the walk's alone. It samples RSS after every page: growth is the peak minus the
RSS after the first page (imports, connections and hooks already paid for). A walk that keeps
nothing stays flat however many pages it reads.

- ``aiodd``: ``async for key in dd.service_accounts.application_keys.list(sa)``, 100 per page.
- ``official async``: ``list_service_account_application_keys`` page after page (the official
  client has no paginated variant of this call), keys counted and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from ._harness import ROOT, ChildProcess, Section, Target, banner_value, child_env, median, rss_bytes
from .clients import Endpoint

__all__ = ["FULL", "QUICK", "Config", "run"]

PAGE_SIZE = 100
GOAL_MB = 20.0
WALKERS = ("aiodd", "official async")


@dataclass(frozen=True)
class Config:
    keys: int
    rounds: int  # walks per walker, alternating; medians reported
    walkers: tuple[str, ...] = WALKERS


FULL = Config(keys=100_000, rounds=3)
QUICK = Config(keys=1_000, rounds=1)


async def _walk_aiodd(endpoint: Endpoint, on_page: Any) -> int:
    import aiodd

    count = 0
    async with aiodd.Client(endpoint.api_key, endpoint.app_key, base_url=endpoint.base_url) as dd:
        async for _key in dd.service_accounts.application_keys.list(endpoint.service_account_id, page_size=PAGE_SIZE):
            count += 1
            if count % PAGE_SIZE == 0:
                on_page()
    return count


async def _walk_official(endpoint: Endpoint, on_page: Any) -> int:
    from .clients import OfficialAsync

    count = 0
    async with OfficialAsync(endpoint) as official:
        from datadog_api_client.v2.api.service_accounts_api import ServiceAccountsApi

        api: Any = ServiceAccountsApi(official.client)
        for number in range(sys.maxsize):
            page = await api.list_service_account_application_keys(
                endpoint.service_account_id, page_size=PAGE_SIZE, page_number=number
            )
            count += len(page.data)
            on_page()
            if len(page.data) < PAGE_SIZE:
                return count
    return count


def walk(walker: str, endpoint: Endpoint) -> dict[str, Any]:
    """One walk in this process: keys seen, and after each page the clock and the RSS in bytes.

    Timing starts after the first page, so imports and opening connections are not counted.
    """
    clock: list[float] = []
    rss: list[int] = []

    def on_page() -> None:
        clock.append(time.perf_counter())
        rss.append(rss_bytes())

    walk_fn = _walk_aiodd if walker == "aiodd" else _walk_official
    count = asyncio.run(walk_fn(endpoint, on_page))
    return {"keys": count, "seconds": clock[-1] - clock[0], "timed_keys": count - PAGE_SIZE, "rss": rss}


def _walk_in_child(walker: str, endpoint: Endpoint) -> dict[str, Any]:
    argv = [sys.executable, "-m", "benchmarks.pagination", "--walk", walker, "--endpoint", json.dumps(vars(endpoint))]
    done = subprocess.run(argv, cwd=ROOT, env=child_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {walker} walk failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run(config: Config) -> list[Section]:
    seed = ["--seed-service-accounts", "1", "--seed-keys-per-account", str(config.keys)]
    walks: dict[str, list[dict[str, Any]]] = {walker: [] for walker in config.walkers}
    with ChildProcess("aiodd.testing", "--port", "0", *seed) as banner:
        endpoint = Endpoint(
            base_url=banner_value(banner, "listening on "),
            api_key=banner_value(banner, "DD-API-KEY: "),
            app_key=banner_value(banner, "DD-APPLICATION-KEY: "),
            service_account_id=banner_value(banner, "first: "),
        )
        for _ in range(config.rounds):
            for walker in config.walkers:
                walks[walker].append(_walk_in_child(walker, endpoint))
    return [_report(config, walks)]


def _report(config: Config, walks: dict[str, list[dict[str, Any]]]) -> Section:
    mb = 1024 * 1024
    section = Section(
        "pagination",
        f"Pagination: {config.keys:,} keys in pages of {PAGE_SIZE} (median of {config.rounds} walks)",
        ["walker", "keys/s", "wall s (pages 2..n)", "RSS after page 1, MB", "peak growth, MB", "growth at the end, MB"],
    )
    for walker, runs in walks.items():
        for run_ in runs:
            if run_["keys"] != config.keys:
                raise AssertionError(f"the {walker} walk saw {run_['keys']} keys, not {config.keys}")
        numbers = {
            "keys_per_s": median([r["timed_keys"] / r["seconds"] for r in runs]),
            "seconds": median([r["seconds"] for r in runs]),
            "rss_first_mb": median([r["rss"][0] / mb for r in runs]),
            "peak_growth_mb": median([(max(r["rss"]) - r["rss"][0]) / mb for r in runs]),
            "end_growth_mb": median([(r["rss"][-1] - r["rss"][0]) / mb for r in runs]),
            "keys": config.keys,
        }
        section.rows.append(
            [
                walker,
                *(numbers[k] for k in ("keys_per_s", "seconds", "rss_first_mb", "peak_growth_mb", "end_growth_mb")),
            ]
        )
        section.data[walker] = numbers
        if walker == "aiodd":
            section.targets.append(
                Target("aiodd peak RSS growth over the walk, MB", numbers["peak_growth_mb"], GOAL_MB, at_least=False)
            )
    section.notes.append(
        "Each walk runs in a fresh process against `python -m aiodd.testing` (seeded, rate limits off), "
        "sampling its RSS after every page; growth is measured from the RSS after the first page."
    )
    return section


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pagination")
    parser.add_argument("--walk", choices=WALKERS, required=True)
    parser.add_argument("--endpoint", required=True, help="JSON: base_url, api_key, app_key, service_account_id")
    args = parser.parse_args(argv)
    print(json.dumps(walk(args.walk, Endpoint(**json.loads(args.endpoint)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
