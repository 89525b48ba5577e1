"""Fixtures for the CLI commands' functions: ``run`` calls one against the fake, capturing output."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from types import ModuleType

import pytest
from orgseed import Org, seed_org

import aiodd
from aiodd.testing import FakeDatadog

Run = Callable[..., Awaitable[tuple[int, str, str]]]


def parse(command: ModuleType, *argv: str) -> argparse.Namespace:
    """Parse ``argv`` with the command's own ``add_arguments``, raising instead of exiting."""
    parser = argparse.ArgumentParser(prog="aiodd", exit_on_error=False)
    command.add_arguments(parser)
    return parser.parse_args(argv)


@pytest.fixture
def org(fake_datadog: FakeDatadog) -> Org:
    return seed_org(fake_datadog)


@pytest.fixture
def run(dd: aiodd.Client, capsys: pytest.CaptureFixture[str]) -> Run:
    """``code, out, err = await run(command_module, *argv)``."""

    async def run(command: ModuleType, *argv: str) -> tuple[int, str, str]:
        code = await command.run(dd, parse(command, *argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
