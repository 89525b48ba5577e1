"""Shared fixtures: ``stub`` (a scriptable server on 127.0.0.1) and ``client`` (an aiodd.Client on it)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import aiodd

from stubserver import API_KEY, APP_KEY, StubAPI


@pytest.fixture
async def stub() -> AsyncIterator[StubAPI]:
    api = StubAPI()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", api.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    api.base_url = str(server.make_url(""))  # type: ignore[attr-defined]
    try:
        yield api
    finally:
        await server.close()


@pytest.fixture
async def client(stub: StubAPI) -> AsyncIterator[aiodd.Client]:
    async with aiodd.Client(api_key=API_KEY, app_key=APP_KEY, base_url=stub.base_url) as dd:  # type: ignore[attr-defined]
        yield dd
