"""aiodd_lifespan(rate_limit="redis://...") in a FastAPI app: every worker's client shares the budget."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from aiodd._redis.governor import RedisGovernor
from aiodd.contrib.fastapi import DatadogClient, aiodd_lifespan
from aiodd.testing import SERVICE_ACCOUNT_APPLICATION_KEYS, FakeDatadog


def worker_app(fake: FakeDatadog, redis_url: str) -> FastAPI:
    """One worker's app, as each uvicorn/gunicorn worker process builds it."""
    lifespan = aiodd_lifespan(api_key=fake.api_key, app_key=fake.app_key, base_url=fake.base_url, rate_limit=redis_url)
    app = FastAPI(lifespan=lifespan)

    @app.get("/keys/{sa}/{key}")
    async def key(sa: str, key: str, dd: DatadogClient) -> dict[str, bool]:
        await dd.service_accounts.application_keys.get(sa, key)
        return {"shared": isinstance(dd.governor, RedisGovernor)}

    return app


async def test_workers_built_by_the_lifespan_share_one_budget_in_redis(redis_url: str) -> None:
    async with FakeDatadog(bucket_rate_limits={SERVICE_ACCOUNT_APPLICATION_KEYS: (5, 1.0)}) as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        key = fake.state.application_keys(sa)[0].id
        apps = [worker_app(fake, redis_url) for _ in range(2)]
        async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
            callers = [httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://service") for app in apps]
            answers = await asyncio.wait_for(
                asyncio.gather(*(callers[i % 2].get(f"/keys/{sa}/{key}") for i in range(15))), 30
            )
            for caller in callers:
                await caller.aclose()
            clients = [app.state.aiodd_client for app in apps]
        assert all(answer.status_code == 200 and answer.json() == {"shared": True} for answer in answers)
        assert fake.rate_limited_count <= 3  # 15 requests at 5 per second: about one per window at most
        assert all(client.closed for client in clients)
