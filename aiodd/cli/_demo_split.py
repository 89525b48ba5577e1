"""``aiodd demo --workers N``: the rotation and the retirement split across N processes, as pods split a sweep.

Each worker is the real command line against the demo's fake Datadog: ``aiodd keys rotate --from-file
<its share of the accounts> ...``, then ``aiodd keys retire --journal ...``. With ``--rate-limit-redis URL``
they share one rate-limit budget; without it each process has its own governor, sees only its own
requests, and together they fire into exhausted buckets: the 429 storm the shared budget prevents.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import attrs

from ..testing import FakeDatadog
from ._arguments import RATE_LIMIT_REDIS

__all__ = ["WorkerRun", "run_workers"]

_STDERR_TAIL = 2000  # characters of a failed worker's standard error shown


@attrs.frozen
class WorkerRun:
    """One worker's share: its files, and the ``--json`` reports of its two commands (``None``: it failed)."""

    accounts: list[str]
    journal: Path
    secrets: Path
    rotation: dict[str, Any] | None
    retire: dict[str, Any] | None
    error: str | None


async def _command(fake: FakeDatadog, argv: list[str], redis_url: str | None) -> tuple[dict[str, Any] | None, str]:
    """Run ``aiodd <argv> --json`` as its own process; its report, or ``None`` and its standard error."""
    env = {**os.environ, "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key}
    env.pop(RATE_LIMIT_REDIS, None)  # each worker is told explicitly
    shared = ["--rate-limit-redis", redis_url] if redis_url else []
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiodd",
        "--base-url",
        fake.base_url,
        *argv,
        "--json",
        *shared,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    try:
        report: dict[str, Any] = json.loads(out)
    except ValueError:
        return None, err.decode(errors="replace")[-_STDERR_TAIL:]
    return report, err.decode(errors="replace")[-_STDERR_TAIL:]


async def _worker(
    fake: FakeDatadog, number: int, accounts: list[str], tmp: Path, concurrency: int, redis_url: str | None
) -> WorkerRun:
    ids, journal, secrets = tmp / f"accounts-{number}.txt", tmp / f"journal-{number}.jsonl", tmp / f"secrets-{number}"
    ids.write_text("".join(f"{account}\n" for account in accounts), encoding="utf-8")
    rotate = ["keys", "rotate", "--from-file", str(ids), "--sink", f"file:{secrets}", "--journal", str(journal)]
    rotate += ["--grace", "1h", "--concurrency", str(concurrency)]
    rotation, error = await _command(fake, rotate, redis_url)
    retire = None
    if rotation is not None:
        retire, error = await _command(fake, ["keys", "retire", "--journal", str(journal), "--force"], redis_url)
    failed = rotation is None or retire is None
    return WorkerRun(accounts, journal, secrets, rotation, retire, error if failed else None)


async def run_workers(
    fake: FakeDatadog, accounts: list[str], *, workers: int, concurrency: int, redis_url: str | None, tmp: Path
) -> list[WorkerRun]:
    """The accounts dealt out to ``workers`` processes (each with ``concurrency`` keys at once), run together."""
    shares = [accounts[number::workers] for number in range(workers)]
    return list(
        await asyncio.gather(
            *(
                _worker(fake, number, share, tmp, concurrency, redis_url)
                for number, share in enumerate(shares, 1)
                if share
            )
        )
    )
