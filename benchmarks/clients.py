"""The clients the benchmarks compare, behind one small interface.

Each client is opened with ``async with`` and hands out, per operation, a function that sends one
request and returns what it parsed: the answer's id, or the number of keys on a page. Callers
check that value, so every client is seen to have read the answer it was sent.

- ``raw aiohttp``: one ``ClientSession`` and ``json.loads``; the ceiling nothing can beat.
- ``aiodd``: the full middleware chain (retry, rate-limit governor, attempt timeout) into models.
- ``official async``: ``datadog_api_client.AsyncApiClient`` as shipped (aiosonic underneath).
- ``official sync``: ``datadog_api_client.ApiClient``; ``threaded``, so it is driven from threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp
import yarl

from .fixtures import CONNECTION_ID, KEY_ID, SERVICE_ACCOUNT_ID

__all__ = ["CLIENTS", "OPERATIONS", "BenchClient", "Endpoint", "drive", "expected"]

KEY, CONNECTION, KEY_PAGE = "key", "connection", "key_page"
OPERATIONS = {
    KEY: "GET application key",
    CONNECTION: "GET action connection",
    KEY_PAGE: "GET 100-key page",
}
"""Operation -> label; every client implements all three."""

PAGE_SIZE = 100


def expected(operation: str) -> str | int:
    """What a client's call returns when it read the fixed server's answer."""
    answers: dict[str, str | int] = {KEY: KEY_ID, CONNECTION: CONNECTION_ID, KEY_PAGE: PAGE_SIZE}
    return answers[operation]


@dataclass(frozen=True)
class Endpoint:
    """Where a client sends requests, and the keys it sends."""

    base_url: str
    api_key: str = "benchmark-api-key"
    app_key: str = "benchmark-application-key"
    service_account_id: str = SERVICE_ACCOUNT_ID
    key_id: str = KEY_ID
    connection_id: str = CONNECTION_ID


Call = Callable[[], Awaitable[Any]] | Callable[[], Any]


class BenchClient:
    """Base of the clients: ``async with`` opens it, :meth:`call` gives one operation's request."""

    name = ""
    threaded = False  # True: ``call`` returns a blocking function, to be run in threads

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    async def __aenter__(self) -> BenchClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def call(self, operation: str) -> Call:
        raise NotImplementedError


class RawAiohttp(BenchClient):
    name = "raw aiohttp"

    async def __aenter__(self) -> RawAiohttp:
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._session.close()

    def call(self, operation: str) -> Call:
        e = self.endpoint
        keys = f"{e.base_url}/api/v2/service_accounts/{e.service_account_id}/application_keys"
        url = yarl.URL(
            {
                KEY: f"{keys}/{e.key_id}",
                CONNECTION: f"{e.base_url}/api/v2/actions/connections/{e.connection_id}",
                KEY_PAGE: f"{keys}?page%5Bsize%5D={PAGE_SIZE}&page%5Bnumber%5D=0",
            }[operation],
            encoded=True,
        )
        headers = {"DD-API-KEY": e.api_key, "DD-APPLICATION-KEY": e.app_key, "Accept": "application/json"}
        session = self._session
        read: Callable[[Any], Any] = (
            (lambda doc: len(doc["data"])) if operation == KEY_PAGE else (lambda doc: doc["data"]["id"])
        )

        async def request() -> Any:
            async with session.get(url, headers=headers) as response:
                body = await response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")
            return read(json.loads(body))

        return request


class Aiodd(BenchClient):
    name = "aiodd"

    async def __aenter__(self) -> Aiodd:
        import aiodd

        e = self.endpoint
        self._client = aiodd.Client(api_key=e.api_key, app_key=e.app_key, base_url=e.base_url)
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._client.close()

    def call(self, operation: str) -> Call:
        dd, e = self._client, self.endpoint
        keys, sa = dd.service_accounts.application_keys, e.service_account_id

        async def key() -> Any:
            return (await keys.get(sa, e.key_id)).data.id  # type: ignore[union-attr]

        async def connection() -> Any:
            return (await dd.action_connections.get(e.connection_id)).data.id  # type: ignore[union-attr]

        async def key_page() -> Any:
            # One page document, as the official call returns: iterating its items is benchmark 3's job.
            async with contextlib.aclosing(keys.list(sa, page_size=PAGE_SIZE).pages()) as pages:
                async for page in pages:
                    return len(page.data)

        return {KEY: key, CONNECTION: connection, KEY_PAGE: key_page}[operation]


def _official_configuration(endpoint: Endpoint, **options: Any) -> Any:
    from datadog_api_client import Configuration

    configuration = Configuration(host=endpoint.base_url, **options)
    configuration.api_key["apiKeyAuth"] = endpoint.api_key
    configuration.api_key["appKeyAuth"] = endpoint.app_key
    return configuration


def _official_calls(client: Any, endpoint: Endpoint) -> dict[str, Callable[[], Any]]:
    """The three operations on an official ApiClient / AsyncApiClient (coroutines for the latter)."""
    from datadog_api_client.v2.api.action_connection_api import ActionConnectionApi
    from datadog_api_client.v2.api.service_accounts_api import ServiceAccountsApi

    keys, connections, sa = ServiceAccountsApi(client), ActionConnectionApi(client), endpoint.service_account_id
    return {
        KEY: lambda: keys.get_service_account_application_key(sa, endpoint.key_id),
        CONNECTION: lambda: connections.get_action_connection(endpoint.connection_id),
        KEY_PAGE: lambda: keys.list_service_account_application_keys(sa, page_size=PAGE_SIZE),
    }


def _official_read(operation: str, answer: Any) -> Any:
    return len(answer.data) if operation == KEY_PAGE else answer.data.id


class OfficialAsync(BenchClient):
    """``AsyncApiClient`` as shipped: its aiosonic pool holds 30 connections."""

    name = "official async"

    def __init__(self, endpoint: Endpoint, **configuration: Any) -> None:
        super().__init__(endpoint)
        self._options = configuration

    async def __aenter__(self) -> OfficialAsync:
        from datadog_api_client import AsyncApiClient

        self.client = AsyncApiClient(_official_configuration(self.endpoint, **self._options))
        self._calls = _official_calls(self.client, self.endpoint)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.client.__aexit__(None, None, None)

    def call(self, operation: str) -> Call:
        send = self._calls[operation]

        async def request() -> Any:
            return _official_read(operation, await send())

        return request


class OfficialSync(BenchClient):
    """``ApiClient`` with a urllib3 pool of 32 connections (it keeps 4 by default), driven from threads."""

    name = "official sync"
    threaded = True

    def __init__(self, endpoint: Endpoint, pool_size: int = 32) -> None:
        super().__init__(endpoint)
        self._pool_size = pool_size

    async def __aenter__(self) -> OfficialSync:
        from datadog_api_client import ApiClient, rest

        pool_size = self._pool_size

        class PooledApiClient(ApiClient):
            # ApiClient keeps 4 connections; ThreadedApiClient sizes its pool the same way.
            def _build_rest_client(self) -> Any:
                return rest.RESTClientObject(self.configuration, maxsize=pool_size)

        self.client = PooledApiClient(_official_configuration(self.endpoint))
        self._calls = _official_calls(self.client, self.endpoint)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.client.close()

    def call(self, operation: str) -> Call:
        send = self._calls[operation]
        return lambda: _official_read(operation, send())


CLIENTS: tuple[type[BenchClient], ...] = (RawAiohttp, Aiodd, OfficialAsync, OfficialSync)


async def drive(client: BenchClient, call: Call, total: int, concurrency: int) -> None:
    """Make ``total`` calls from ``concurrency`` workers (tasks, or threads for a threaded client)."""
    jobs = iter(range(total))  # shared: each worker takes the next job until none are left
    if client.threaded:
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for _ in jobs:
                    call()
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return

    async def work_async() -> None:
        for _ in jobs:
            await call()

    await asyncio.gather(*(work_async() for _ in range(concurrency)))
