"""The aiodd command line, run as a real process against the fake Datadog."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from pathlib import Path

from aiodd.testing import FakeDatadog


async def run(fake: FakeDatadog, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiodd", "--base-url", fake.base_url, *args,
        env={**os.environ, "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_rotate_writes_secrets_to_an_owner_only_file_and_summarises(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.jsonl"
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=2)
        code, out, err = await run(
            fake, "keys", "rotate", *accounts, "--secrets-file", str(secrets), "--journal", str(tmp_path / "j")
        )
        assert code == 0, err
        assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
        lines = [json.loads(line) for line in secrets.read_text().splitlines()]
        live = {k.id: k.secret for sa in accounts for k in fake.state.application_keys(sa)}
        assert {line["key_id"]: line["secret"] for line in lines} == live
        assert "rotated" in out and " 4" in out
        for secret in live.values():
            assert secret not in out and secret not in err
        assert "keys 4/4" in err  # plain progress lines when not a terminal


async def test_rotate_json_report_and_failure_exit_status(tmp_path: Path) -> None:
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=1)
        fake.fail_next("DELETE", f"/api/v2/service_accounts/{accounts[0]}/application_keys/*", status=403)
        code, out, _ = await run(
            fake, "keys", "rotate", *accounts, "--json",
            "--secrets-file", str(tmp_path / "s.jsonl"), "--journal", str(tmp_path / "j"),
        )  # fmt: skip
        report = json.loads(out)
        assert code == 1 and report["ok"] is False
        assert sorted(k["outcome"] for k in report["keys"]) == ["failed", "rotated"]


async def test_an_existing_secrets_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.jsonl"
    secrets.write_text("")
    secrets.chmod(0o644)
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=1, keys_per_account=1)
        code, _, err = await run(
            fake, "keys", "rotate", *accounts, "--secrets-file", str(secrets), "--journal", str(tmp_path / "j")
        )
        assert code == 2 and "accessible to other users" in err
        assert fake.requests_seen("POST") == 0


async def test_dry_run_and_filters_select_without_changing_anything(tmp_path: Path) -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=3)
        fake.state.update_application_key(fake.state.application_keys(sa)[0], name="ci-runner")
        code, out, _ = await run(
            fake, "keys", "rotate", sa, "--dry-run", "--json", "--name-pattern", "seeded-*", "--older-than", "0s",
            "--secrets-file", str(tmp_path / "s.jsonl"), "--journal", str(tmp_path / "j"),
        )  # fmt: skip
        assert code == 0
        assert [k["outcome"] for k in json.loads(out)["keys"]] == ["dry_run", "dry_run"]
        assert fake.requests_seen("POST") == 0 and fake.requests_seen("DELETE") == 0


async def test_keys_list_prints_every_key(tmp_path: Path) -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=120)
        code, out, _ = await run(fake, "keys", "list", sa, "--json")
        assert code == 0
        ids = [json.loads(line)["id"] for line in out.splitlines()]
        assert sorted(ids) == sorted(k.id for k in fake.state.application_keys(sa))


async def test_missing_keys_are_a_clear_error() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiodd", "keys", "list", "sa",
        env={k: v for k, v in os.environ.items() if not k.startswith("DD_")},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await process.communicate()
    assert process.returncode == 2 and "DD_API_KEY" in err.decode()


async def test_demo_runs_the_sweep_and_verifies_it() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiodd", "demo", "--accounts", "40", "--keys", "2", "--rate-limit", "1000/1",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert "rotated                       80" in out.decode() and "retired                       80" in out.decode()
    log = err.decode()
    assert "1/3 Audit" in log and "2/3 Rotate, leaked keys first" in log and "3/3 Retire" in log
    assert "80 keys in 40 active service accounts: 3 leaked" in log
    assert (
        "Check: leaked keys rotated first: yes; 80 live keys, 0 old keys left: yes; "
        "every live key's secret delivered: yes; Actions registrations moved: yes"
    ) in log


async def test_the_demo_as_json_says_what_it_checked() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiodd", "demo", "--accounts", "5", "--keys", "2", "--rate-limit", "1000/1", "--json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    document = json.loads(out)
    assert process.returncode == 0 and document["verified"] is True, err.decode()
    assert all(document["checks"].values()) and len(document["rotation"]["keys"]) == 10


async def test_connection_options_may_follow_the_command(tmp_path: Path) -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=2)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aiodd", "keys", "list", sa, "--json", "--base-url", fake.base_url,
            env={**os.environ, "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
        assert len(out.decode().splitlines()) == 2
