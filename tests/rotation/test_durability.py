"""``aiodd keys rotate`` as real processes on a bad day: a full disk, two runs at once, torn journals, kills.

The fake Datadog runs in the test's process, so its state survives every kill. A small proxy in
front of it counts requests per process and can SIGKILL the rotation at any request, before the
request reaches the fake or after the fake applied it (the answer is then lost). Bounded: a few
keys per scenario, loopback only.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import aiohttp
import pytest
from aiohttp import web

from aiodd.testing import FakeDatadog

Kill = Literal["pass", "kill_before", "kill_after"]


class KillingProxy:
    """Forwards every request to the fake; ``plan(number, method, path)`` may kill the client instead."""

    def __init__(self, target: str, plan: Callable[[int, str, str], Kill] | None = None, *, delay: float = 0.0) -> None:
        self.target = target
        self.plan = plan
        self.delay = delay
        self.count = 0
        self.process: asyncio.subprocess.Process | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.base_url = ""

    async def __aenter__(self) -> KillingProxy:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None and self._session is not None
        await self._session.close()
        await self._runner.cleanup()

    def _kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.count += 1
        action = self.plan(self.count, request.method, request.path) if self.plan else "pass"
        if action == "kill_before":
            self._kill()
            return web.Response(status=599)  # nobody is left to read it
        assert self._session is not None
        await asyncio.sleep(self.delay)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with self._session.request(
            request.method, self.target + request.path_qs, headers=headers, data=await request.read()
        ) as upstream:
            body = await upstream.read()
            status, content_type = upstream.status, upstream.headers.get("Content-Type")
            passed = {k: v for k, v in upstream.headers.items() if k.lower().startswith("x-ratelimit")}
        if action == "kill_after":
            self._kill()  # the fake applied the request; its answer is lost
        response = web.Response(status=status, body=body, headers=passed)
        if content_type and body:
            response.headers["Content-Type"] = content_type
        return response


def environment(fake: FakeDatadog) -> dict[str, str]:
    return {**os.environ, "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key}


def rotate_args(base_url: str, accounts: list[str], tmp: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "aiodd", "--base-url", base_url, "keys", "rotate", *accounts,
        "--secrets-file", str(tmp / "secrets.jsonl"), "--journal", str(tmp / "journal.jsonl"), *extra,
    ]  # fmt: skip


async def run_rotation(
    fake: FakeDatadog,
    accounts: list[str],
    tmp: Path,
    *extra: str,
    proxy: KillingProxy | None = None,
    file_size_limit: int | None = None,
) -> tuple[int, str, str]:
    def limit_file_size() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    process = await asyncio.create_subprocess_exec(
        *rotate_args(proxy.base_url if proxy else fake.base_url, accounts, tmp, *extra),
        env=environment(fake),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=limit_file_size,
    )
    if proxy is not None:
        proxy.process = process
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def secrets_file_lines(tmp: Path) -> list[dict[str, str]]:
    """Every line of the secrets file, each of which must be a complete JSON object."""
    path = tmp / "secrets.jsonl"
    if not path.exists():
        return []
    raw = path.read_bytes()
    assert not raw or raw.endswith(b"\n"), "the secrets file ends in a torn line"
    return [json.loads(line) for line in raw.splitlines()]


def assert_rotated_and_delivered(fake: FakeDatadog, originals: dict[str, set[str]], tmp: Path) -> None:
    """Every old key is gone; each account has exactly as many keys, each with its secret in the file."""
    delivered = {line["key_id"]: line["secret"] for line in secrets_file_lines(tmp) if "key_id" in line}
    for sa, old_keys in originals.items():
        live = fake.state.application_keys(sa)
        assert len(live) == len(old_keys), f"{sa}: {len(live)} keys alive, {len(old_keys)} expected"
        assert not {k.id for k in live} & old_keys, "an old key survived"
        for key in live:  # no [rotated ...] orphan: every live key's secret was delivered
            assert delivered.get(key.id) == key.secret, f"{key.name} is alive but its secret is not in the file"
    journal = (tmp / "journal.jsonl").read_text()
    assert not any(secret in journal for secret in delivered.values())


# --- a full disk -----------------------------------------------------------------------------------


@pytest.mark.parametrize("room", [20, 600])  # no line fits / a couple of lines fit, then the disk is full
async def test_a_short_write_of_the_secrets_file_loses_nothing_and_a_resume_finishes(room: int, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.jsonl"
    filler = b"".join(b'{"earlier":"%d"}\n' % n for n in range(4000))  # an earlier run's lines
    secrets.write_bytes(filler)
    secrets.chmod(0o600)
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=3)
        originals = {sa: {k.id for k in fake.state.application_keys(sa)} for sa in accounts}
        code, out, err = await run_rotation(fake, accounts, tmp_path, file_size_limit=len(filler) + room)
        assert code == 1, out + err
        [error_line] = [line for line in err.splitlines() if line.startswith("aiodd: error:")]
        assert str(secrets) in error_line and "File too large" in error_line and "resume" in error_line
        lines = secrets_file_lines(tmp_path)  # only complete JSON lines, the earlier ones untouched
        assert secrets.read_bytes().startswith(filler)
        delivered = {line["key_id"] for line in lines if "key_id" in line}
        for sa in accounts:
            live = {k.id for k in fake.state.application_keys(sa)}
            assert len(live) == 3 and live <= originals[sa] | delivered  # old keys kept unless replaced
        if room == 20:
            assert delivered == set() and all(
                {k.id for k in fake.state.application_keys(sa)} == originals[sa] for sa in accounts
            )

        code, out, err = await run_rotation(fake, accounts, tmp_path)  # the disk has room again
        assert code == 0, out + err
        assert_rotated_and_delivered(fake, originals, tmp_path)


async def test_a_full_journal_stops_the_run_cleanly_and_a_resume_finishes(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    earlier = b"".join(b'{"sa":"another-account","old":"k%d","step":"done"}\n' % n for n in range(2000))
    journal.write_bytes(earlier)  # an earlier run's lines; room for only a few more
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=3)
        originals = {sa: {k.id for k in fake.state.application_keys(sa)} for sa in accounts}
        code, out, err = await run_rotation(fake, accounts, tmp_path, file_size_limit=len(earlier) + 700)
        assert code == 1, out + err
        [error_line] = [line for line in err.splitlines() if line.startswith("aiodd: error:")]
        assert str(journal) in error_line and "File too large" in error_line
        raw = journal.read_bytes()
        assert raw.startswith(earlier) and raw.endswith(b"\n")  # consistent: whole lines only
        assert all(json.loads(line) for line in raw.splitlines())
        delivered = {line["key_id"] for line in secrets_file_lines(tmp_path)}
        for sa in accounts:  # nothing lost: old keys kept unless their replacement was delivered
            live = {k.id for k in fake.state.application_keys(sa)}
            assert live <= originals[sa] | delivered

        code, out, err = await run_rotation(fake, accounts, tmp_path)
        assert code == 0, out + err
        assert_rotated_and_delivered(fake, originals, tmp_path)


# --- two runs on one journal -----------------------------------------------------------------------


@pytest.mark.parametrize("trial", range(10))
async def test_a_second_run_on_the_same_journal_exits_2_at_once_and_nothing_is_lost(trial: int, tmp_path: Path) -> None:
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=3)
        originals = {sa: {k.id for k in fake.state.application_keys(sa)} for sa in accounts}
        slow = 0.1  # per request, so that the runs overlap (a run sends 15 requests)
        async with KillingProxy(fake.base_url, delay=slow) as first, KillingProxy(fake.base_url, delay=slow) as second:
            one = asyncio.create_task(run_rotation(fake, accounts, tmp_path, proxy=first))
            await asyncio.sleep(trial * 0.02)  # from "the same instant" to well into the first run
            two = asyncio.create_task(run_rotation(fake, accounts, tmp_path, proxy=second))
            results = await asyncio.gather(one, two)
            codes = sorted(code for code, _, _ in results)
            assert codes == [0, 2], results
            loser, loser_proxy = (results[1], second) if results[1][0] == 2 else (results[0], first)
            assert "in use by another run" in loser[2]
            assert loser_proxy.count == 0  # refused before it sent a single request
        assert_rotated_and_delivered(fake, originals, tmp_path)


# --- torn journal tails and kills at every request ----------------------------------------------------


def chop_last_line(path: Path) -> None:
    """Leave the journal ending mid-line, as a full disk or a crash mid-write would."""
    if not path.exists():
        return
    raw = path.read_bytes()
    last_start = raw.rstrip(b"\n").rfind(b"\n") + 1
    last = raw[last_start:]
    if len(last) > 2:
        path.write_bytes(raw[: last_start + len(last) // 2])


def kill_at(point: int, how: Kill) -> Callable[[int, str, str], Kill]:
    return lambda number, method, path: how if number == point else "pass"


def kill_at_first_create(number: int, method: str, path: str) -> Kill:
    return "kill_after" if method == "POST" else "pass"


REQUESTS_IN_A_FULL_RUN = 8  # registrations, keys, then 4 for the registered key and 2 for the other


@pytest.mark.parametrize("how", ["kill_before", "kill_after"])
@pytest.mark.parametrize("point", range(1, REQUESTS_IN_A_FULL_RUN + 1))
async def test_torn_journal_tail_then_a_kill_during_the_resumes_first_create_loses_and_orphans_nothing(
    point: int, how: Kill, tmp_path: Path
) -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=2)
        originals = {sa: {k.id for k in fake.state.application_keys(sa)}}
        registered_old = min(originals[sa])
        fake.state.register_app_key(registered_old)

        async with KillingProxy(fake.base_url, kill_at(point, how)) as proxy:
            code, _, _ = await run_rotation(fake, [sa], tmp_path, "--concurrency", "1", proxy=proxy)
        assert code == -9, "the run was not killed at this point"
        chop_last_line(tmp_path / "journal.jsonl")

        async with KillingProxy(fake.base_url, kill_at_first_create) as proxy:
            await run_rotation(fake, [sa], tmp_path, "--concurrency", "1", proxy=proxy)

        code, out, err = await run_rotation(fake, [sa], tmp_path)
        assert code == 0, out + err
        assert_rotated_and_delivered(fake, originals, tmp_path)
        delivered_for = {line["replaces"]: line["key_id"] for line in secrets_file_lines(tmp_path)}
        live = {k.id for k in fake.state.application_keys(sa)}
        assert set(fake.state.registered_app_key_ids()) == {delivered_for[registered_old]} & live


async def test_a_full_run_sends_the_requests_the_kill_points_assume(tmp_path: Path) -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=2)
        fake.state.register_app_key(min(k.id for k in fake.state.application_keys(sa)))
        async with KillingProxy(fake.base_url) as proxy:
            code, out, err = await run_rotation(fake, [sa], tmp_path, "--concurrency", "1", proxy=proxy)
        assert code == 0, out + err
        assert proxy.count == REQUESTS_IN_A_FULL_RUN


# --- refusals before anything happens --------------------------------------------------------------------


async def test_a_symlinked_secrets_file_is_refused_with_exit_2_before_any_request(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text("")
    target.chmod(0o600)
    (tmp_path / "secrets.jsonl").symlink_to(target)
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=1, keys_per_account=1)
        code, _, err = await run_rotation(fake, accounts, tmp_path)
        assert code == 2 and "symbolic link" in err
        assert fake.requests_seen() == 0
        assert not (tmp_path / "journal.jsonl").exists()  # created for the lock, removed again unused


async def test_a_dry_run_creates_no_file(tmp_path: Path) -> None:
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=1, keys_per_account=2)
        code, out, err = await run_rotation(fake, accounts, tmp_path, "--dry-run")
        assert code == 0, out + err
        assert os.listdir(tmp_path) == []
        assert fake.requests_seen("POST") == 0
