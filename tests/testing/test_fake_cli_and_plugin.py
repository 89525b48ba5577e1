"""``python -m aiodd.testing``, the pytest fixtures, and ``FakeDatadog.client()``."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp
import pytest
from fakehttp import REGISTRATIONS, RawAPI

import aiodd
from aiodd.testing import FakeDatadog

REPO = Path(aiodd.__file__).resolve().parents[1]


async def _read_banner(process: asyncio.subprocess.Process) -> dict[str, str]:
    assert process.stdout is not None
    lines: dict[str, str] = {}
    for _ in range(10):
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=15)).decode()
        if line.startswith("Fake Datadog listening on "):
            lines["base_url"] = line.split()[-1]
        elif line.startswith("DD-API-KEY: "):
            lines["api_key"] = line.split()[1]
        elif line.startswith("DD-APPLICATION-KEY: "):
            lines["app_key"] = line.split()[1]
        elif line.startswith("Ctrl-C"):
            return lines
    raise AssertionError(f"unexpected banner: {lines}")


async def test_cli_serves_the_fake_until_interrupted() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiodd.testing",
        "--port",
        "0",
        "--rate-limit",
        "5/1",
        "--seed-service-accounts",
        "1",
        "--seed-keys-per-account",
        "3",
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO,
    )
    try:
        banner = await _read_banner(process)
        headers = {"DD-API-KEY": banner["api_key"], "DD-APPLICATION-KEY": banner["app_key"]}
        async with aiohttp.ClientSession(base_url=banner["base_url"], headers=headers) as session:
            status, response_headers, _ = await RawAPI(session).call("GET", REGISTRATIONS)
    finally:
        process.send_signal(signal.SIGINT)
        returncode = await asyncio.wait_for(process.wait(), timeout=15)

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", banner["base_url"])
    assert status == 200
    assert response_headers["X-RateLimit-Limit"] == "5"
    assert returncode == 0


def test_cli_rejects_a_malformed_rate_limit() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "aiodd.testing", "--rate-limit", "lots"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO,
        check=False,
    )

    assert result.returncode == 2
    assert "REQUESTS/SECONDS" in result.stderr


async def test_fake_datadog_fixture_is_a_started_fake(fake_datadog: FakeDatadog) -> None:
    assert isinstance(fake_datadog, FakeDatadog)
    assert fake_datadog.base_url.startswith("http://127.0.0.1:")


@pytest.mark.fake_datadog(rate_limit=(7, 1.0))
async def test_the_marker_configures_the_fixture(api: RawAPI) -> None:
    _, headers, _ = await api.call("GET", REGISTRATIONS)

    assert headers["X-RateLimit-Limit"] == "7"


async def test_dd_fixture_is_an_aiodd_client_on_the_fake(fake_datadog: FakeDatadog, dd: aiodd.Client) -> None:
    await dd.app_key_registrations.register(fake_datadog.app_key_id)

    assert isinstance(dd, aiodd.Client)
    assert fake_datadog.state.is_registered(fake_datadog.app_key_id)
    [seen] = fake_datadog.requests("PUT")
    assert seen.path == f"{REGISTRATIONS}/{fake_datadog.app_key_id}"


async def test_client_passes_options_through() -> None:
    async with FakeDatadog() as fake, fake.client(user_agent="probe/1") as client:
        await client.app_key_registrations.register(fake.app_key_id)
        [seen] = fake.requests()

    assert seen.headers["User-Agent"] == "probe/1"


async def test_start_stop_without_a_context_manager() -> None:
    fake = FakeDatadog()
    with pytest.raises(RuntimeError):
        _ = fake.base_url
    await fake.start()
    try:
        with pytest.raises(RuntimeError):
            await fake.start()
        async with aiohttp.ClientSession() as session, session.get(fake.base_url + REGISTRATIONS) as response:
            status = response.status
    finally:
        await fake.stop()

    assert status == 403
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(fake.base_url + REGISTRATIONS)


def _pytest_in(folder: Path, *options: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run pytest in a fresh interpreter on the tests written into ``folder``, with this checkout importable."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        check=False,
    )


def test_fixtures_explain_a_missing_pytest_asyncio(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import sys

            sys.modules["pytest_asyncio"] = None  # as if it were not installed
            pytest_plugins = ["aiodd.testing.pytest_plugin"]
            """
        )
    )
    (tmp_path / "test_it.py").write_text(
        textwrap.dedent(
            """
            def test_without_fixtures():
                pass

            def test_with_fixture(fake_datadog):
                pass
            """
        )
    )
    result = _pytest_in(tmp_path, env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})

    assert "1 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "needs pytest-asyncio" in result.stdout


def _modules_after(code: str) -> list[str]:
    """The aiodd.testing / aiodd.models submodules and aiohttp.web modules loaded after running ``code``."""
    prefixes = ("aiodd.testing.", "aiodd.models.", "aiohttp.web")
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def test_loading_the_pytest_plugin_does_not_import_the_fake() -> None:
    # Every pytest run of every project with aiodd installed loads the plugin.
    assert _modules_after("import aiodd.testing.pytest_plugin") == ["aiodd.testing.pytest_plugin"]


def test_the_fake_imports_the_integration_models_only_when_a_request_needs_them() -> None:
    loaded = _modules_after("from aiodd.testing import FakeDatadog")
    assert "aiodd.testing._fake" in loaded
    assert "aiodd.models.integrations" not in loaded


def test_the_plugin_imports_the_fake_when_a_test_uses_a_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_it.py").write_text(
        textwrap.dedent(
            """
            import sys

            import pytest

            def test_without_the_fixtures():
                assert "aiodd.testing._fake" not in sys.modules

            @pytest.mark.asyncio
            async def test_with_a_fixture(fake_datadog):
                assert type(fake_datadog).__module__ == "aiodd.testing._fake"
            """
        )
    )
    result = _pytest_in(tmp_path, "-p", "no:randomly")

    assert "2 passed" in result.stdout, result.stdout + result.stderr
