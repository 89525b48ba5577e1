"""A real ``redis-server`` for the Redis tests: started on a free loopback port, persistence off, in its own
temporary directory, stopped after. The machine's own Redis (6379) is never touched.

Without a ``redis-server`` binary the tests skip with a reason, except under ``CI=true``, where they fail:
CI must run them (``make test`` installs Debian's ``redis-server`` when it can).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from redisserver import RedisServer

REDIS_SERVER = shutil.which("redis-server")


def _require_binary() -> str:
    if REDIS_SERVER is None:
        reason = "no redis-server binary on PATH (Debian: apt-get install redis-server; `make test` does it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the Redis tests: {reason}")
        pytest.skip(reason)
    return REDIS_SERVER


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(_require_binary(), tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session server's URL, emptied first (it is ours: nobody else's data is in it)."""
    assert redis_server.command("FLUSHALL") == "+OK"
    return redis_server.url


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A server for one test, to kill and restart."""
    server = RedisServer(_require_binary(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
