"""``CommandSink`` (``--sink exec:COMMAND``): a real command per key; success, failure, a hang, stderr."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
import time
import traceback
from pathlib import Path

import pytest

import aiodd
from aiodd.rotation import CommandSink, DeliveryError, NewKeySecret, Outcome, rotate_application_keys
from aiodd.testing import FakeDatadog

SECRET = "dd-new-secret-0123456789abcdef0123456789ab"


def script(tmp: Path, name: str, body: str) -> Path:
    """A small Python executable standing in for vault / aws / kubectl."""
    path = tmp / name
    path.write_text(f"#!{sys.executable}\nimport json, os, sys, time\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def recorder(tmp: Path) -> Path:
    """Records its stdin and AIODD_* environment, one JSON line per call, then exits 0."""
    return script(
        tmp,
        "record",
        f"""
given = json.load(sys.stdin)
env = {{k: v for k, v in os.environ.items() if k.startswith("AIODD_")}}
with open({str(tmp / "calls.jsonl")!r}, "a") as out:
    out.write(json.dumps({{"argv": sys.argv[1:], "stdin": given, "env": env}}) + "\\n")
""",
    )


def new_secret() -> NewKeySecret:
    return NewKeySecret("sa-1", "key-1", "deploy [rotated 0123456789ab]", "old-1", SECRET)


async def test_the_command_gets_the_secret_on_stdin_and_the_rest_in_its_environment(tmp_path: Path) -> None:
    sink = CommandSink(f"{recorder(tmp_path)} --path 'datadog/ci keys'")
    await sink(new_secret())
    [call] = [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
    assert call["argv"] == ["--path", "datadog/ci keys"]  # split like a shell, but no shell
    assert call["stdin"] == {
        "service_account_id": "sa-1",
        "key_id": "key-1",
        "name": "deploy [rotated 0123456789ab]",
        "replaces": "old-1",
        "secret": SECRET,
    }
    assert call["env"] == {
        "AIODD_SERVICE_ACCOUNT_ID": "sa-1",
        "AIODD_KEY_ID": "key-1",
        "AIODD_KEY_NAME": "deploy [rotated 0123456789ab]",
        "AIODD_REPLACES": "old-1",
    }


async def test_a_failing_command_is_a_delivery_error_with_its_stderr_minus_the_secret(tmp_path: Path) -> None:
    failing = script(
        tmp_path,
        "fail",
        "sys.stderr.write('vault: permission denied for ' + json.load(sys.stdin)['secret'] + '\\n'); sys.exit(3)",
    )
    sink = CommandSink([str(failing)])
    with pytest.raises(DeliveryError) as caught:
        await sink(new_secret())
    message = str(caught.value)
    assert "exited with status 3" in message and "vault: permission denied for <redacted>" in message
    rendered = "".join(
        traceback.TracebackException(
            type(caught.value), caught.value, caught.value.__traceback__, capture_locals=True
        ).format()
    )
    assert SECRET not in message and SECRET not in rendered


async def test_a_command_that_hangs_is_killed_with_its_children_at_the_timeout(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    hanging = script(
        tmp_path,
        "hang",
        f"""
import subprocess
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open({str(pid_file)!r}, "w").write(str(child.pid))
time.sleep(60)
""",
    )
    sink = CommandSink([str(hanging)], timeout=1.0)
    started = time.monotonic()
    with pytest.raises(DeliveryError, match="did not exit within 1s"):
        await sink(new_secret())
    assert time.monotonic() - started < 10
    child = int(pid_file.read_text())
    for _ in range(50):  # the kill of the process group reaches the grandchild too
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the command's child survived the timeout")


def test_a_missing_program_or_an_empty_command_is_refused_up_front(tmp_path: Path) -> None:
    with pytest.raises(aiodd.ConfigurationError, match="not found"):
        CommandSink("no-such-program-for-aiodd put")
    with pytest.raises(aiodd.ConfigurationError, match="empty"):
        CommandSink("  ")
    with pytest.raises(aiodd.ConfigurationError, match="timeout"):
        CommandSink("true", timeout=0)
    assert "true" in repr(CommandSink("true"))


@pytest.mark.parametrize("kind", ["fail", "hang", "stderr"])
async def test_every_failed_delivery_rolls_the_replacement_back(kind: str, tmp_path: Path) -> None:
    bodies = {
        "fail": "sys.exit(1)",
        "hang": "time.sleep(60)",
        "stderr": "json.load(sys.stdin); sys.stderr.write('quota exceeded\\n'); sys.exit(2)",
    }
    sink = CommandSink([str(script(tmp_path, kind, bodies[kind]))], timeout=1.0)
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=2)
        before = {k.id for k in fake.state.application_keys(sa)}
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, [sa], sink=sink, journal=tmp_path / "j.jsonl")
        assert [k.outcome for k in report.keys] == [Outcome.FAILED] * 2
        assert all((k.error or "").startswith("sink failed: ") for k in report.keys)
        if kind == "stderr":
            assert all("quota exceeded" in (k.error or "") for k in report.keys)
        assert {k.id for k in fake.state.application_keys(sa)} == before  # old keys kept, replacements gone
        assert fake.requests_seen("POST") == 2 and fake.requests_seen("DELETE") == 2


async def test_a_succeeding_command_delivers_every_key(tmp_path: Path) -> None:
    sink = CommandSink([str(recorder(tmp_path))])
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=2)
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, accounts, sink=sink)
        assert report.ok and report.rotated == 4
        calls = [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
        live = {k.id: k.secret for sa in accounts for k in fake.state.application_keys(sa)}
        assert {c["stdin"]["key_id"]: c["stdin"]["secret"] for c in calls} == live
