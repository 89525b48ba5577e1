"""Kill a real rotation process with SIGKILL at random points, resume it, and check nothing was lost.

The fake Datadog runs in the test's process (its state survives the kills); `aiodd keys rotate`
runs as a subprocess against it. Bounded: a few kills per seed, loopback only.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from pathlib import Path

import pytest

from aiodd.testing import FakeDatadog

ACCOUNTS = 5
KEYS_PER_ACCOUNT = 3


def rotate_command(fake: FakeDatadog, accounts: list[str], tmp: Path) -> list[str]:
    return [
        sys.executable, "-m", "aiodd", "--base-url", fake.base_url, "keys", "rotate", *accounts,
        "--secrets-file", str(tmp / "secrets.jsonl"), "--journal", str(tmp / "journal.jsonl"), "--concurrency", "4",
    ]  # fmt: skip


def environment(fake: FakeDatadog) -> dict[str, str]:
    return {**os.environ, "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key}


@pytest.mark.parametrize("seed", [11, 23, 37])
async def test_resume_after_sigkill_loses_and_orphans_nothing(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    async with FakeDatadog(rate_limit=(12, 1.0)) as fake:  # slow enough that kills land mid-rotation
        accounts = fake.seed(service_accounts=ACCOUNTS, keys_per_account=KEYS_PER_ACCOUNT)
        originals = {sa: {k.id for k in fake.state.application_keys(sa)} for sa in accounts}
        registered_before = {next(iter(sorted(originals[sa]))) for sa in accounts[::2]}
        for key_id in registered_before:
            fake.state.register_app_key(key_id)
        command, env = rotate_command(fake, accounts, tmp_path), environment(fake)

        kills = 0
        for _ in range(3):
            process = await asyncio.create_subprocess_exec(
                *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
            )
            try:
                await asyncio.wait_for(process.wait(), rng.uniform(0.3, 1.5))
            except TimeoutError:
                process.kill()  # SIGKILL: no cleanup, no journal flush beyond what was fsynced
                await process.wait()
                kills += 1
        final = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await asyncio.wait_for(final.communicate(), 60)
        assert final.returncode == 0, (out + err).decode()
        assert kills >= 1  # the scenario really interrupted a run

        deliveries = [json.loads(line) for line in (tmp_path / "secrets.jsonl").read_text().splitlines()]
        latest_for_old: dict[str, dict[str, str]] = {}
        for line in deliveries:
            latest_for_old[line["replaces"]] = line
        for sa in accounts:
            live = {k.id: k for k in fake.state.application_keys(sa)}
            assert len(live) == KEYS_PER_ACCOUNT  # exactly one key per rotated key: none lost, none orphaned
            assert not live.keys() & originals[sa]  # every old key is gone
            for old in originals[sa]:
                delivered = latest_for_old[old]
                assert delivered["key_id"] in live and live[delivered["key_id"]].secret == delivered["secret"]
            assert {latest_for_old[old]["key_id"] for old in originals[sa]} == live.keys()
        registered_after = set(fake.state.registered_app_key_ids())
        assert registered_after == {latest_for_old[old]["key_id"] for old in registered_before}
        journal_text = (tmp_path / "journal.jsonl").read_text()
        assert not any(line["secret"] in journal_text for line in deliveries)
