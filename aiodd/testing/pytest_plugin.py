"""pytest fixtures for the fake Datadog: ``fake_datadog`` (a started server) and ``dd`` (a client).

Loaded through the ``pytest11`` entry point when aiodd is installed. The fixtures are async and
need pytest-asyncio; without it, only a test that asks for them fails, with a message saying so.
Pass options to the fake with a marker::

    @pytest.mark.fake_datadog(rate_limit=(5, 1.0), require_registered_app_key=True)
    async def test_something(fake_datadog, dd): ...

Loading the plugin stays cheap: the fake server is imported by the fixture, when a test uses it,
not by every pytest run of every project that has aiodd installed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from aiodd import Client

    from ._fake import FakeDatadog

__all__ = ["dd", "fake_datadog"]

_MARKER = "fake_datadog"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{_MARKER}(**kwargs): keyword arguments for the FakeDatadog fixture")


def _async_fixture(function: Callable[..., Any]) -> Any:
    """``pytest_asyncio.fixture``, or a fixture explaining that pytest-asyncio is missing."""
    try:
        import pytest_asyncio
    except ImportError:

        @pytest.fixture(name=function.__name__)
        def missing() -> None:
            pytest.fail(
                f"the {function.__name__!r} fixture of aiodd.testing is async and needs pytest-asyncio: "
                "pip install pytest-asyncio",
                pytrace=False,
            )

        return missing
    return pytest_asyncio.fixture(function)


async def _fake_datadog(request: pytest.FixtureRequest) -> AsyncIterator[FakeDatadog]:
    """A started FakeDatadog on a free 127.0.0.1 port, stopped after the test."""
    from ._fake import FakeDatadog

    marker = request.node.get_closest_marker(_MARKER)
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    async with FakeDatadog(**options) as fake:
        yield fake


async def _dd(fake_datadog: FakeDatadog) -> AsyncIterator[Client]:
    """An open ``aiodd.Client`` pointed at ``fake_datadog``."""
    async with fake_datadog.client() as client:
        yield client


_fake_datadog.__name__ = "fake_datadog"
_dd.__name__ = "dd"
fake_datadog = _async_fixture(_fake_datadog)
dd = _async_fixture(_dd)
