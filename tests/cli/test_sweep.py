"""The org-wide sweep as a user runs it: ``aiodd`` as a real process against the fake Datadog."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from orgseed import Org, seed_org

from aiodd.cli import main
from aiodd.testing import FakeDatadog

DAY = timedelta(days=1)


async def aiodd(
    fake: FakeDatadog | None, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    base = ["--base-url", fake.base_url] if fake is not None else []
    keys = {"DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key} if fake is not None else {}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiodd", *base, *args,
        env={**os.environ, **keys, **(env or {})},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin), 90)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def until(condition: Callable[[], bool], seconds: float = 30) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


async def aiodd_in_thread(
    fake: FakeDatadog | None, *args: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """``aiodd.cli.main`` in a thread of this process (its own event loop): exit status, stdout, stderr.

    For usage errors and help, where a new interpreter per case would only add seconds.
    """
    if fake is not None:
        monkeypatch.setenv("DD_API_KEY", fake.api_key)
        monkeypatch.setenv("DD_APP_KEY", fake.app_key)
    argv = [*(["--base-url", fake.base_url] if fake is not None else []), *args]

    def run() -> int:
        try:
            return main(argv)
        except SystemExit as exit:  # argparse's usage errors, --help and --version
            return exit.code if isinstance(exit.code, int) else 1

    code = await asyncio.to_thread(run)
    out, err = capsys.readouterr()
    return code, out, err


def recorder(tmp: Path) -> Path:
    """An executable standing in for a secret store: appends each JSON it reads to stored.jsonl."""
    path = tmp / "store"
    path.write_text(
        f"#!{sys.executable}\nimport sys\nwith open({str(tmp / 'stored.jsonl')!r}, 'a') as out:\n"
        "    out.write(sys.stdin.read())\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def stored(tmp: Path) -> list[dict[str, str]]:
    path = tmp / "stored.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
async def org() -> Org:  # type: ignore[misc]
    async with FakeDatadog() as fake:
        yield seed_org(fake)


# --- the recipe end to end ------------------------------------------------------------------------


async def test_audit_then_rotate_leaked_keys_into_a_store_with_a_grace_period_then_retire(
    org: Org, tmp_path: Path
) -> None:
    fake = org.fake
    code, out, _ = await aiodd(fake, "keys", "audit", "--all-service-accounts", "--json")
    assert code == 0
    audited = json.loads(out)["keys"]
    assert [k["key_id"] for k in audited if k["leaked"]] == [org.keys["b2"], org.keys["a3"]]
    assert org.keys["d1"] not in {k["key_id"] for k in audited}  # the disabled account is not swept

    journal = tmp_path / "journal.jsonl"
    code, out, err = await aiodd(
        fake, "keys", "rotate", "--all-service-accounts", "--leaked", "--sink", f"exec:{recorder(tmp_path)}",
        "--grace", "1h", "--journal", str(journal), "--json",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert sorted(k["old_key_id"] for k in report["keys"]) == sorted([org.keys["b2"], org.keys["a3"]])
    assert all(k["outcome"] == "rotated" and k["revoke_after"] and k["reason"] == "leaked" for k in report["keys"])
    deliveries = stored(tmp_path)
    assert {d["replaces"] for d in deliveries} == {org.keys["b2"], org.keys["a3"]}
    for delivery in deliveries:  # the store got each new secret; the old keys live on for the grace period
        assert fake.state.application_key(delivery["key_id"]).secret == delivery["secret"]  # type: ignore[union-attr]
        assert fake.state.application_key(delivery["replaces"]) is not None

    code, out, _ = await aiodd(fake, "keys", "retire", "--journal", str(journal), "--json")
    assert code == 0 and [k["outcome"] for k in json.loads(out)["keys"]] == ["waiting", "waiting"]
    code, out, err = await aiodd(fake, "keys", "retire", "--journal", str(journal), "--force")
    assert code == 0, err
    assert "retired                        2" in out
    assert all(fake.state.application_key(d["replaces"]) is None for d in deliveries)
    secrets = [d["secret"] for d in deliveries]
    assert not any(secret in journal.read_text() for secret in secrets)


async def test_retire_keeps_an_old_key_used_after_its_replacement_was_delivered(org: Org, tmp_path: Path) -> None:
    fake, journal = org.fake, tmp_path / "journal.jsonl"
    [sa, _] = org.accounts
    code, _, err = await aiodd(
        fake, "keys", "rotate", sa, "--secrets-file", str(tmp_path / "s.jsonl"), "--grace", "0s",
        "--journal", str(journal),
    )  # fmt: skip
    assert code == 0, err
    fake.state.note_key_used(org.keys["a1"])  # a consumer still uses it
    code, out, err = await aiodd(
        fake, "keys", "retire", "--journal", str(journal), "--require-unused-since-delivery", "--json"
    )
    outcomes = {k["old_key_id"]: k for k in json.loads(out)["keys"]}
    assert code == 1 and outcomes[org.keys["a1"]]["outcome"] == "kept"
    assert "used after" in outcomes[org.keys["a1"]]["reason"]
    assert {outcomes[org.keys[label]]["outcome"] for label in ("a2", "a3")} == {"retired"}
    assert fake.state.application_key(org.keys["a1"]) is not None


async def test_ids_from_standard_input_and_selectors_combined_with_and(org: Org, tmp_path: Path) -> None:
    fake = org.fake
    listing = f"# accounts to sweep\n{org.accounts[0]}\n\n{org.accounts[1]}  # the second\n".encode()
    code, out, err = await aiodd(
        fake, "keys", "rotate", "--from-file", "-", "--older-than", "90d", "--unused-for", "30d",
        "--journal", str(tmp_path / "j"), "--dry-run", "--json", stdin=listing,
    )  # fmt: skip
    assert code == 0, err
    planned = {k["old_key_id"]: k["reason"] for k in json.loads(out)["keys"]}
    # a1 (400d, never used) and b1 (200d, used 60d ago); a2 is old but used 2 days ago
    assert set(planned) == {org.keys["a1"], org.keys["b1"]}
    assert planned[org.keys["b1"]] == "created 200d ago; last used 60d ago"
    assert os.listdir(tmp_path) == [] and fake.requests_seen("POST") == 0


async def test_a_dry_run_prints_the_plan_as_a_table(org: Org, tmp_path: Path) -> None:
    code, out, _ = await aiodd(org.fake, "keys", "rotate", *org.accounts, "--journal", str(tmp_path / "j"), "--dry-run")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["SERVICE", "ACCOUNT", "KEY", "ID", "NAME", "WHY"]
    assert org.keys["b2"] in lines[1] and lines[1].endswith("leaked")  # leaked first
    assert org.keys["a3"] in lines[2] and lines[-1] == "6 keys would be rotated"
    assert os.listdir(tmp_path) == []


# --- a crash between rotate and retire ----------------------------------------------------------


async def test_a_sigkill_during_a_grace_rotation_then_resume_then_retire_loses_nothing(tmp_path: Path) -> None:
    async with FakeDatadog(rate_limit=(8, 1.0)) as fake:  # slow, so the kill lands mid-run
        accounts = fake.seed(service_accounts=3, keys_per_account=2)
        originals = {k.id for sa in accounts for k in fake.state.application_keys(sa)}
        args = ["keys", "rotate", *accounts, "--secrets-file", str(tmp_path / "s.jsonl"), "--grace", "1h",
                "--journal", str(tmp_path / "j.jsonl")]  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aiodd", "--base-url", fake.base_url, *args,
            env={**os.environ, "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key},
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await until(lambda: fake.requests_seen("POST") >= 2)
        process.kill()
        await process.wait()
        code, _, err = await aiodd(fake, *args)
        assert code == 0, err
        code, _, err = await aiodd(fake, "keys", "retire", "--journal", str(tmp_path / "j.jsonl"), "--force")
        assert code == 0, err
        delivered = {
            line["key_id"]: line["secret"] for line in map(json.loads, (tmp_path / "s.jsonl").read_text().splitlines())
        }
        live = [k for sa in accounts for k in fake.state.application_keys(sa)]
        assert len(live) == 6 and not {k.id for k in live} & originals
        assert all(delivered.get(k.id) == k.secret for k in live)


# --- the terminal ----------------------------------------------------------------------------------


async def test_the_progress_bar_fits_an_80_column_terminal_and_redraws_in_place(tmp_path: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    async with FakeDatadog(rate_limit=(40, 1.0)) as fake:
        accounts = fake.seed(service_accounts=20, keys_per_account=2)
        primary, secondary = pty.openpty()
        fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aiodd", "--base-url", fake.base_url, "keys", "rotate", *accounts,
            "--secrets-file", str(tmp_path / "s.jsonl"), "--journal", str(tmp_path / "j.jsonl"),
            env={**os.environ, "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key, "COLUMNS": "80"},
            stdout=asyncio.subprocess.DEVNULL, stderr=secondary,
        )  # fmt: skip
        os.close(secondary)
        output = bytearray()
        loop = asyncio.get_running_loop()
        while True:
            try:
                chunk = await loop.run_in_executor(None, os.read, primary, 65536)
            except OSError:  # the other side closed
                break
            if not chunk:
                break
            output += chunk
        await asyncio.wait_for(process.wait(), 60)
        os.close(primary)
    assert process.returncode == 0
    text = output.decode()
    redraws = [part.replace("\x1b[K", "") for line in text.split("\n") for part in line.split("\r")]
    bars = [part for part in redraws if "keys " in part]
    assert len(bars) >= 3 and all(len(part) < 80 for part in bars)
    assert text.count("\n") <= 2  # one line redrawn in place, ended once


async def test_ctrl_c_prints_a_new_line_the_partial_summary_and_how_to_resume(tmp_path: Path) -> None:
    async with FakeDatadog(rate_limit=(6, 1.0)) as fake:
        accounts = fake.seed(service_accounts=4, keys_per_account=2)
        args = ["keys", "rotate", *accounts, "--secrets-file", str(tmp_path / "s.jsonl"),
                "--journal", str(tmp_path / "j.jsonl")]  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aiodd", "--base-url", fake.base_url, *args,
            env={**os.environ, "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        journal = tmp_path / "j.jsonl"
        await until(lambda: journal.exists() and journal.read_text().count('"step":"done"') >= 3)  # a few keys done
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 130
        text = err.decode()
        assert "Summary" in text and "Traceback" not in text
        rotated = next(int(line.split()[-1]) for line in text.splitlines() if line.startswith("rotated "))
        assert 1 <= rotated < 8
        assert f"re-run with --journal {tmp_path / 'j.jsonl'} to resume" in text
        code, _, stderr = await aiodd(fake, *args)
        assert code == 0, stderr
        assert all(len(fake.state.application_keys(sa)) == 2 for sa in accounts)


# --- errors, exit statuses and help ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["keys", "rotate", "sa", "--secrets-file", "/no/such/dir/s.jsonl", "--journal", "{tmp}/j"], "does not exist"),
        (["demo", "--rate-limit", "banana"], "--rate-limit: invalid rate limit 'banana'"),
        (["demo", "--accounts", "-1"], "--accounts: expected a positive integer"),
        (["keys", "rotate", "--journal", "{tmp}/j", "--secrets-file", "{tmp}/s"], "--all-service-accounts"),
        (["keys", "rotate", "sa", "--journal", "{tmp}/j"], "--sink file:PATH"),
        (["keys", "rotate", "sa", "--journal", "{tmp}/j", "--sink", "vault:x"], "must start with file: or exec:"),
        (["keys", "rotate", "sa", "--journal", "{tmp}/j", "--sink", "exec:no-such-tool-x"], "was not found"),
        (["keys", "rotate", "sa", "--journal", "{tmp}/j", "--sink", "file:{tmp}/a", "--secrets-file", "b"], "not both"),
        (["keys", "rotate", "sa", "--journal", "{tmp}/j", "--older-than", "soon"], "invalid age 'soon'"),
        (["keys", "audit"], "--all-service-accounts"),
        (["keys"], "arguments are required: COMMAND"),
        (["keys", "rotate", "--secrets-file", "s"], "--journal"),
    ],
)
async def test_every_bad_input_is_one_error_line_with_exit_2_and_leaves_no_file(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with FakeDatadog() as fake:
        filled = (arg.replace("{tmp}", str(tmp_path)) for arg in argv)
        code, _, err = await aiodd_in_thread(fake, *filled, capsys=capsys, monkeypatch=monkeypatch)
        assert code == 2, err
        assert message in err and "Traceback" not in err
        assert err.strip().splitlines()[-1].startswith("aiodd")
        assert "keys_command" not in err and "service_account_ids" not in err and "subcommand" not in err
        assert os.listdir(tmp_path) == [] and fake.requests_seen() == 0


async def test_missing_keys_name_the_environment_variables() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DD_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiodd", "keys", "list", "sa", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await process.communicate()
    assert process.returncode == 2
    assert "DD_API_KEY and DD_APP_KEY" in err.decode() and "api_key=" not in err.decode()


async def test_the_base_url_may_come_from_dd_base_url() -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=2)
        env = {"DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key, "DD_BASE_URL": fake.base_url}
        code, out, err = await aiodd(None, "keys", "list", sa, "--json", env=env)
        assert code == 0, err
        assert len(out.splitlines()) == 2 and fake.requests_seen("GET") == 1


async def test_an_api_error_is_exit_1() -> None:
    async with FakeDatadog() as fake:
        code, _, err = await aiodd(fake, "keys", "list", "00000000-0000-4000-8000-000000000000")
        assert code == 1 and "aiodd: error:" in err and "404" in err


async def test_version_and_help_texts(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = await aiodd_in_thread(None, "--version", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 0 and out.strip().startswith("aiodd 0.")
    for argv in (
        [],
        ["keys"],
        ["keys", "rotate"],
        ["keys", "retire"],
        ["keys", "audit"],
        ["keys", "list"],
        ["service-accounts", "list"],
        ["demo"],
    ):
        code, out, _ = await aiodd_in_thread(None, *argv, "--help", capsys=capsys, monkeypatch=monkeypatch)
        assert code == 0 and "usage: aiodd" in out
        assert "``" not in out and ":class:" not in out
    code, out, _ = await aiodd_in_thread(None, "keys", "rotate", "--help", capsys=capsys, monkeypatch=monkeypatch)
    assert "(default: 8)" in out and "(default: 60.0)" in out and "--grace AGE" in out


async def test_the_console_script_runs_as_a_process() -> None:
    code, out, _ = await aiodd(None, "--version")
    assert code == 0 and out.strip().startswith("aiodd 0.")
