"""Benchmark: K processes share one rate-limit bucket, with and without the governor's state in Redis.

The fake Datadog (in this process, so its 429 count is the server's own) limits the application-key
bucket to L requests per P seconds; K worker processes (this module run with ``--worker``) share M
``GET .../application_keys/{id}`` requests, 8 tasks each, all started at once. Nothing can finish
sooner than about M·P/L. With ``rate_limit="redis://..."`` the processes share each bucket's state;
without, each process's governor sees only its own requests. Reported: wall ÷ M·P/L, 429s per
window, failed requests, and Redis round trips per request. The benchmark starts its own
``redis-server`` (free loopback port, no persistence); without one the Redis rows are left out.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ._harness import ROOT, Section, Target, child_env, median
from .rate_limit import Budget

__all__ = ["FULL", "QUICK", "Config", "run"]

EFFICIENCY_GOAL = 1.10
TASKS_PER_PROCESS = 8


@dataclass(frozen=True)
class Config(Budget):  # M is split across the processes
    processes: tuple[int, ...]  # K values
    rounds: int


FULL = Config(limit=20, period=2.0, requests=200, processes=(1, 2, 4, 8), rounds=1)
QUICK = Config(limit=4, period=1.0, requests=8, processes=(1, 2), rounds=1)


@contextmanager
def _redis_server() -> Iterator[str | None]:
    """A redis-server of the benchmark's own; ``None`` when there is no binary."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="aiodd-bench-redis-") as directory:
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process = subprocess.Popen([*argv, "--dir", directory], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(500):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                        sock.sendall(b"PING\r\n")
                        if sock.recv(64).startswith(b"+PONG"):
                            break
                except OSError:
                    time.sleep(0.02)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(10)


def _flush(url: str) -> None:
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"FLUSHALL\r\n")
        sock.recv(64)


async def _run_once(
    fake: Any, sa: str, key: str, requests: int, processes: int, redis_url: str | None
) -> dict[str, Any]:
    """One run: fresh windows and an empty Redis, ``requests`` dealt out to ``processes`` workers started at once."""
    fake.reset_rate_limits()
    fake.reset_counters()
    if redis_url:
        _flush(redis_url)
    env = {**child_env(), "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key}
    counts = [len(range(number, requests, processes)) for number in range(processes)]
    workers = []
    for count in counts:
        workers.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "benchmarks.shared_rate_limit",
                "--worker",
                fake.base_url,
                sa,
                key,
                str(count),
                *([redis_url] if redis_url else []),
                cwd=ROOT,
                env=env,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
        )
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert (await worker.stdout.readline()).strip() == b"ready"
        started = time.perf_counter()
        outputs = await asyncio.gather(*(worker.communicate(b"go\n") for worker in workers))
        seconds = time.perf_counter() - started
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    results = [json.loads(out.decode().splitlines()[-1]) for out, _ in outputs]
    return {
        "seconds": seconds,
        "rate_limited": fake.rate_limited_count,
        "sent": fake.requests_seen(),
        "failed": sum(r["failed"] for r in results),
        "round_trips": sum(r["round_trips"] for r in results),
    }


async def run(config: Config) -> list[Section]:
    from aiodd.testing import SERVICE_ACCOUNT_APPLICATION_KEYS, FakeDatadog

    runs: dict[tuple[int, bool], list[dict[str, Any]]] = {}
    with _redis_server() as redis_url:
        limits = {SERVICE_ACCOUNT_APPLICATION_KEYS: (config.limit, config.period)}
        async with FakeDatadog(bucket_rate_limits=limits) as fake:
            [sa] = fake.seed(service_accounts=1, keys_per_account=1)
            key = fake.state.application_keys(sa)[0].id
            for _ in range(config.rounds):
                for processes in config.processes:
                    for shared in (True, False) if redis_url else (False,):
                        url = redis_url if shared else None
                        measured = await _run_once(fake, sa, key, config.requests, processes, url)
                        runs.setdefault((processes, shared), []).append(measured)
    return [_report(config, runs, redis_url is not None)]


def _report(config: Config, runs: dict[tuple[int, bool], list[dict[str, Any]]], had_redis: bool) -> Section:
    section = Section(
        "shared_rate_limit",
        f"K processes, one bucket: L={config.limit} per P={config.period:g} s, M={config.requests} requests, "
        f"{TASKS_PER_PROCESS} tasks per process (median of {config.rounds})",
        ["processes", "budget", "wall s", "wall ÷ M·P/L", "429s", "429s per window", "failed", "Redis trips/request"],
    )
    for (processes, shared), measured in sorted(runs.items(), key=lambda item: (item[0][0], not item[0][1])):
        numbers = {
            "seconds": median([r["seconds"] for r in measured]),
            "efficiency": median([r["seconds"] / config.minimum for r in measured]),
            "rate_limited": median([r["rate_limited"] for r in measured]),
            "failed": max(r["failed"] for r in measured),
            "trips": median([r["round_trips"] / config.requests for r in measured]) if shared else math.nan,
        }
        per_window = numbers["rate_limited"] / config.windows
        budget = "shared in Redis" if shared else "per process"
        section.rows.append(
            [processes, budget, numbers["seconds"], numbers["efficiency"], numbers["rate_limited"], per_window,
             numbers["failed"], numbers["trips"]]
        )  # fmt: skip
        section.data[f"{processes} {budget}"] = {
            **numbers,
            "processes": processes,
            "shared": shared,
            "per_window": per_window,
            "runs": measured,
        }
        if shared:
            section.targets += [
                Target(f"K={processes} shared: wall ÷ M·P/L", numbers["efficiency"], EFFICIENCY_GOAL, at_least=False),
                Target(f"K={processes} shared: 429s per window", per_window, 1.0, at_least=False),
            ]
    section.notes.append(
        f"M·P/L = {config.minimum:g} s over {config.windows} windows. Each process is `python -m "
        "benchmarks.shared_rate_limit --worker` with aiodd's defaults (retry policy: 5 attempts, max_wait 60 s); "
        "'failed' counts requests that still got a 429 on their last attempt. Round trips: admissions, "
        "pipelined answer batches and pings, summed over the processes."
        + ("" if had_redis else " No redis-server was found: only the per-process rows were measured.")
    )
    return section


# --- one worker process ----------------------------------------------------------------------------------------


async def _worker(base_url: str, sa: str, key: str, count: int, redis_url: str | None) -> None:
    import aiodd

    async with aiodd.Client(base_url=base_url, rate_limit=redis_url or True) as dd:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        todo = iter(range(count))
        failed = 0

        async def task() -> None:
            nonlocal failed
            for _ in todo:
                try:
                    await dd.service_accounts.application_keys.get(sa, key)
                except aiodd.Error:
                    failed += 1

        await asyncio.gather(*(task() for _ in range(TASKS_PER_PROCESS)))
        trips = getattr(dd.governor, "round_trips", 0)
    print(json.dumps({"failed": failed, "round_trips": trips}), flush=True)


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    base_url, sa, key, count = sys.argv[2:6]
    os.environ.pop("AIODD_RATE_LIMIT_REDIS", None)
    asyncio.run(_worker(base_url, sa, key, int(count), sys.argv[6] if len(sys.argv) > 6 else None))
