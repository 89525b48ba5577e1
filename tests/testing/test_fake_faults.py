"""Fault injection (fail, drop, delay, garbage) and request introspection."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from fakehttp import ACTIONS_JSON, CONNECTIONS, KEYS, REGISTRATIONS, SA_JSON, RawAPI, auth_headers

from aiodd.testing import FakeDatadog

KEYS_GLOB = "/api/v2/service_accounts/*/application_keys"


async def test_fail_next_answers_the_status_in_the_group_format_then_recovers(
    api: RawAPI, fake_datadog: FakeDatadog
) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    fake_datadog.fail_next("POST", KEYS_GLOB, status=500, times=2)
    body = {"data": {"type": "application_keys", "attributes": {"name": "k"}}}

    statuses = [(await api.call("POST", KEYS.format(sa=sa_id), json=body)) for _ in range(3)]

    assert [status for status, _, _ in statuses] == [500, 500, 201]
    assert statuses[0][1]["Content-Type"] == SA_JSON
    assert statuses[0][2] == {"errors": ["Injected failure"]}
    assert len(fake_datadog.state.application_keys(sa_id)) == 1  # failed creates did nothing
    assert fake_datadog.requests_seen("POST", KEYS_GLOB) == 3  # faults count as seen


async def test_fail_next_in_the_actions_group_is_a_json_api_error(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    fake_datadog.fail_next("GET", "/api/v2/actions/app_key_registrations", status=503)

    status, headers, body = await api.call("GET", REGISTRATIONS)

    assert status == 503
    assert headers["Content-Type"] == ACTIONS_JSON
    assert body == {"errors": [{"status": "503", "title": "Service Unavailable", "detail": "Injected failure"}]}


async def test_fail_next_sends_custom_bodies_and_repeated_headers(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    fake_datadog.fail_next(
        "GET",
        REGISTRATIONS,
        status=429,
        body="",
        headers=[("X-RateLimit-Reset", "7"), ("X-RateLimit-Reset", "7")],
    )

    async with api.session.get(REGISTRATIONS) as response:
        resets = response.headers.getall("X-RateLimit-Reset")
        raw = await response.read()

    assert response.status == 429
    assert resets == ["7", "7"]
    assert raw == b""
    assert fake_datadog.rate_limited_count == 1


async def test_fail_next_with_a_json_body(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    fake_datadog.fail_next("*", "/api/v2/service_accounts", status=400, body={"errors": ["custom"]})

    status, _, body = await api.call("POST", "/api/v2/service_accounts", json={})

    assert (status, body) == (400, {"errors": ["custom"]})


async def test_glob_star_matches_exactly_one_segment(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    key_id = (await api.create_key(sa_id))["data"]["id"]
    fake_datadog.fail_next("GET", KEYS_GLOB, status=502)

    single_key = await api.call("GET", f"{KEYS.format(sa=sa_id)}/{key_id}")  # one segment too many
    listing = await api.call("GET", KEYS.format(sa=sa_id))

    assert single_key[0] == 200
    assert listing[0] == 502


async def test_faults_of_other_methods_do_not_fire(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    fake_datadog.fail_next("DELETE", REGISTRATIONS)

    status, _, _ = await api.call("GET", REGISTRATIONS)

    assert status == 200
    assert fake_datadog.pending_faults == 1


async def test_drop_next_closes_the_connection_without_an_answer(fake_datadog: FakeDatadog) -> None:
    fake_datadog.drop_next("POST", "/api/v2/service_accounts")
    body = {"data": {"type": "users", "attributes": {"email": "a@example.com", "service_account": True}}}

    async with aiohttp.ClientSession(base_url=fake_datadog.base_url, headers=auth_headers(fake_datadog)) as session:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await session.post("/api/v2/service_accounts", json=body)
        async with session.post("/api/v2/service_accounts", json=body) as retried:
            status = retried.status

    assert status == 201
    assert len(fake_datadog.state.service_accounts()) == 1
    assert fake_datadog.requests_seen("POST", "/api/v2/service_accounts") == 2


async def test_a_dropped_get_is_seen_by_the_client_when_dropped_twice(fake_datadog: FakeDatadog) -> None:
    # aiohttp silently resends an idempotent request once on a reused connection.
    fake_datadog.drop_next("GET", REGISTRATIONS, times=2)

    async with aiohttp.ClientSession(base_url=fake_datadog.base_url, headers=auth_headers(fake_datadog)) as session:
        await RawAPI(session).call("POST", "/api/v2/service_accounts", json={})  # warm a keep-alive connection
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(REGISTRATIONS)

    assert fake_datadog.requests_seen("GET", REGISTRATIONS) == 2


async def test_delay_next_holds_the_answer_then_serves_it(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    fake_datadog.delay_next("GET", REGISTRATIONS, seconds=0.2)

    started = time.perf_counter()
    delayed = await api.call("GET", REGISTRATIONS)
    delayed_for = time.perf_counter() - started
    started = time.perf_counter()
    prompt = await api.call("GET", REGISTRATIONS)
    prompt_for = time.perf_counter() - started

    assert delayed[0] == prompt[0] == 200
    assert delayed_for >= 0.2
    assert prompt_for < 0.2


async def test_a_delay_longer_than_the_client_timeout_is_a_client_timeout(fake_datadog: FakeDatadog) -> None:
    fake_datadog.delay_next("GET", REGISTRATIONS, seconds=1.0)
    timeout = aiohttp.ClientTimeout(total=0.1)

    async with aiohttp.ClientSession(
        base_url=fake_datadog.base_url, headers=auth_headers(fake_datadog), timeout=timeout
    ) as session:
        with pytest.raises(asyncio.TimeoutError):
            await session.get(REGISTRATIONS)


async def test_garbage_next_is_a_200_that_is_not_json(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    fake_datadog.garbage_next("GET", f"{CONNECTIONS}/*")

    async with api.session.get(f"{CONNECTIONS}/00000000-0000-0000-0000-000000000000") as response:
        raw = await response.read()
        content_type = response.headers["Content-Type"]

    assert response.status == 200
    assert content_type == ACTIONS_JSON  # claims JSON, so decoding is what fails
    with pytest.raises(ValueError):
        json.loads(raw)


def test_fault_arguments_are_checked() -> None:
    fake = FakeDatadog()

    with pytest.raises(ValueError):
        fake.fail_next("GET", "/x", times=0)
    with pytest.raises(ValueError):
        fake.delay_next("GET", "/x", seconds=-1)
    with pytest.raises(ValueError):
        fake.drop_next("GET", "no-leading-slash")


async def test_clear_faults_forgets_pending_ones(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    fake_datadog.fail_next("GET", REGISTRATIONS, times=5)
    fake_datadog.clear_faults()

    assert (await api.call("GET", REGISTRATIONS))[0] == 200
    assert fake_datadog.pending_faults == 0


async def test_requests_are_recorded_with_secrets_redacted(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    integration = {"type": "Gitlab", "credentials": {"type": "GitlabAPIKey", "api_token": "glpat-secret"}}
    await api.create_connection(integration, "c")
    await api.call("GET", REGISTRATIONS, params={"page[size]": "2"})

    [create] = fake_datadog.requests("POST", CONNECTIONS)
    [listing] = fake_datadog.requests("GET")

    assert create.json["data"]["attributes"]["integration"]["credentials"]["api_token"] == "<redacted>"
    assert create.headers["DD-API-KEY"] == create.headers["DD-APPLICATION-KEY"] == "<redacted>"
    assert listing.query == {"page[size]": "2"}
    recorded = repr(fake_datadog.requests())
    assert "glpat-secret" not in recorded
    assert fake_datadog.api_key not in recorded
    assert fake_datadog.app_key not in recorded


async def test_requests_seen_filters_and_reset_counters_clears(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    await api.create_key(sa_id)
    await api.call("GET", KEYS.format(sa=sa_id))
    await api.call("GET", KEYS.format(sa=sa_id))

    counts = (
        fake_datadog.requests_seen(),
        fake_datadog.requests_seen("GET"),
        fake_datadog.requests_seen(path_glob=KEYS_GLOB),
        fake_datadog.requests_seen("get", KEYS_GLOB),
    )
    fake_datadog.reset_counters()

    assert counts == (4, 2, 3, 2)
    assert fake_datadog.requests_seen() == 0
    assert len(fake_datadog.state.application_keys(sa_id)) == 1  # state is kept


async def test_stopping_cuts_a_pending_delay_short() -> None:
    fake = FakeDatadog()
    await fake.start()
    fake.delay_next("GET", REGISTRATIONS, seconds=30)
    async with aiohttp.ClientSession(base_url=fake.base_url, headers=auth_headers(fake)) as session:
        pending = asyncio.create_task(RawAPI(session).call("GET", REGISTRATIONS))
        for _ in range(500):
            if fake.requests_seen():
                break
            await asyncio.sleep(0.01)

        started = time.perf_counter()
        await fake.stop()
        stopped_in = time.perf_counter() - started
        await asyncio.gather(pending, return_exceptions=True)

    assert fake.requests_seen() == 1
    assert stopped_in < 0.8  # neither the 30 s delay nor aiohttp's 1 s grace period
