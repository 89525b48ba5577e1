"""Fixtures for testing the fake itself: a raw aiohttp session with the fake's keys."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from fakehttp import RawAPI, auth_headers

from aiodd.testing import FakeDatadog


@pytest.fixture
async def session(fake_datadog: FakeDatadog) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=fake_datadog.base_url, headers=auth_headers(fake_datadog)) as http:
        yield http


@pytest.fixture
def api(session: aiohttp.ClientSession) -> RawAPI:
    return RawAPI(session)
