"""The README's Python snippets run as written, against the fake Datadog.

The snippets with top-level ``await`` run in order in one namespace, as in a ``python -m asyncio``
session where ``dd`` is an open client; the complete programs run as their own processes.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from aiodd.testing import FakeDatadog

README = Path(__file__).resolve().parents[1] / "README.md"


def snippets() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)


def is_program(source: str) -> bool:
    return "asyncio.run(main())" in source


def is_test_file(source: str) -> bool:
    return source.startswith("# test_")


async def run_snippet(source: str, number: int, namespace: dict[str, Any]) -> None:
    code = compile(source, f"README.md python snippet {number}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)
    if inspect.iscoroutine(result):
        await result


def test_the_readme_has_the_snippets_these_tests_run() -> None:
    found = snippets()
    assert len(found) >= 10
    assert sum(map(is_program, found)) == 1 and sum(map(is_test_file, found)) == 1


async def test_the_session_snippets_run_in_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeDatadog() as fake:
        fake.seed(service_accounts=2, keys_per_account=2)
        monkeypatch.setenv("DD_API_KEY", fake.api_key)
        monkeypatch.setenv("DD_APP_KEY", fake.app_key)
        first, *rest = [s for s in snippets() if not is_program(s) and not is_test_file(s)]
        await run_snippet(first, 1, {})  # it opens clients of its own
        async with fake.client() as dd:
            namespace: dict[str, Any] = {"dd": dd}
            for number, source in enumerate(rest, 2):
                await run_snippet(source, number, namespace)
        assert fake.requests_seen("POST", "/api/v2/actions/connections") == 2
        assert fake.requests_seen("PUT", "/api/v2/actions/app_key_registrations/*") == 1
    printed = capsys.readouterr().out
    assert "workflows" in printed and fake.api_key not in printed and fake.app_key not in printed


async def test_the_pytest_example_passes_as_written(tmp_path: Path) -> None:
    [source] = [s for s in snippets() if is_test_file(s)]
    (tmp_path / "test_rotation.py").write_text(source)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "test_rotation.py"),
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, out.decode()
    assert "1 passed" in out.decode()


async def test_the_library_sweep_program_runs_as_written(tmp_path: Path) -> None:
    [source] = [s for s in snippets() if is_program(s)]
    (tmp_path / "sweep.py").write_text(source)
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=2)
        for key in (k for sa in accounts for k in fake.state.application_keys(sa)):
            fake.state.set_key_dates(key.id, created_at=key.created_at.replace(year=key.created_at.year - 1))
        env = {**os.environ, "DD_API_KEY": fake.api_key, "DD_APP_KEY": fake.app_key, "DD_BASE_URL": fake.base_url}
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(tmp_path / "sweep.py"), cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
        lines = out.decode().splitlines()
        assert lines[0] == "4 keys, 0 leaked"
        assert "4 0 True" in lines
        assert sum(line.startswith("storing key ") for line in lines) == 4
        assert all(len(fake.state.application_keys(sa)) == 4 for sa in accounts)  # old keys kept for 24 hours
