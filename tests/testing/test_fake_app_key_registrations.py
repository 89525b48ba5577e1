"""App Key Registrations, and the registered-key requirement of Action Connection calls."""

from __future__ import annotations

import uuid

import aiohttp
import pytest
from fakehttp import ACTIONS_JSON, CONNECTIONS, KEYS, REGISTRATIONS, RawAPI, aws

from aiodd.testing import FakeDatadog

INVALID_APP_KEY_ID = {
    "errors": [
        {
            "status": "400",
            "title": "Invalid Parameter",
            "detail": 'invalid parameter "appKeyId" in "path"; expected type "uuid"',
        }
    ]
}


async def test_register_get_unregister_round_trip(api: RawAPI) -> None:
    key_id = str(uuid.uuid4())

    registered = await api.call("PUT", f"{REGISTRATIONS}/{key_id}")
    fetched = await api.call("GET", f"{REGISTRATIONS}/{key_id}")
    deleted = await api.call("DELETE", f"{REGISTRATIONS}/{key_id}")
    gone = await api.call("GET", f"{REGISTRATIONS}/{key_id}")

    assert registered[0] == 201
    assert registered[1]["Content-Type"] == ACTIONS_JSON
    assert registered[2] == {"data": {"id": key_id, "type": "app_key_registration"}}
    assert (fetched[0], fetched[2]) == (200, {"data": {"id": key_id, "type": "app_key_registration"}})
    assert (deleted[0], deleted[2]) == (204, None)
    assert gone[0] == 404
    assert gone[2]["errors"][0]["detail"] == "app key not found"


@pytest.mark.parametrize("method", ["PUT", "GET", "DELETE"])
async def test_a_non_uuid_app_key_id_is_the_recorded_400(api: RawAPI, method: str) -> None:
    status, headers, body = await api.call(method, f"{REGISTRATIONS}/not_valid_app_key_id")

    assert status == 400
    assert headers["Content-Type"] == ACTIONS_JSON
    assert body == INVALID_APP_KEY_ID


async def test_unregistering_an_unknown_key_is_404(api: RawAPI) -> None:
    status, _, body = await api.call("DELETE", f"{REGISTRATIONS}/{uuid.uuid4()}")

    assert status == 404
    assert body["errors"][0]["detail"] == "app key not found"


async def test_list_pages_with_totals(api: RawAPI) -> None:
    ids = [str(uuid.uuid4()) for _ in range(5)]
    for key_id in ids:
        await api.call("PUT", f"{REGISTRATIONS}/{key_id}")

    _, headers, everything = await api.call("GET", REGISTRATIONS)
    _, _, second = await api.call("GET", REGISTRATIONS, params={"page[size]": "2", "page[number]": "1"})
    _, _, past_end = await api.call("GET", REGISTRATIONS, params={"page[size]": "2", "page[number]": "3"})

    assert headers["Content-Type"] == ACTIONS_JSON
    assert [item["id"] for item in everything["data"]] == ids
    assert everything["meta"] == {"total": 5, "total_filtered": 5}
    assert [item["id"] for item in second["data"]] == ids[2:4]
    assert second["meta"] == {"total": 5, "total_filtered": 5}
    assert past_end["data"] == []


async def test_list_rejects_a_bad_page_size(api: RawAPI) -> None:
    status, _, body = await api.call("GET", REGISTRATIONS, params={"page[size]": "zero"})

    assert status == 400
    assert body["errors"][0]["title"] == "Invalid Parameter"


@pytest.mark.fake_datadog(require_registered_app_key=True)
async def test_connections_need_the_calling_key_registered_when_enforced(
    api: RawAPI, fake_datadog: FakeDatadog
) -> None:
    before = await api.call("GET", f"{CONNECTIONS}/{uuid.uuid4()}")
    await api.call("PUT", f"{REGISTRATIONS}/{fake_datadog.app_key_id}")
    after = await api.call("GET", f"{CONNECTIONS}/{uuid.uuid4()}")

    assert before[0] == 403
    assert before[1]["Content-Type"] == ACTIONS_JSON
    assert before[2] == {
        "errors": [{"status": "403", "title": "Forbidden", "detail": "This API requires a registered application key"}]
    }
    assert after[0] == 404


@pytest.mark.fake_datadog(require_registered_app_key=True)
async def test_a_key_created_through_the_fake_calls_as_itself(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    created = (await api.create_key(sa_id))["data"]
    headers = {"DD-API-KEY": fake_datadog.api_key, "DD-APPLICATION-KEY": created["attributes"]["key"]}
    body = {"data": {"type": "action_connection", "attributes": {"name": "c", "integration": aws()}}}

    async with aiohttp.ClientSession(base_url=fake_datadog.base_url, headers=headers) as as_new_key:
        new_key = RawAPI(as_new_key)
        refused = await new_key.call("POST", CONNECTIONS, json=body)
        await api.call("PUT", f"{REGISTRATIONS}/{created['id']}")  # registered by id, by the admin key
        accepted = await new_key.call("POST", CONNECTIONS, json=body)
        await api.call("DELETE", f"{KEYS.format(sa=sa_id)}/{created['id']}")
        revoked = await new_key.call("GET", f"{CONNECTIONS}/{accepted[2]['data']['id']}")

    assert refused[0] == 403
    assert accepted[0] == 201
    assert revoked[0] == 403  # a deleted key no longer authenticates


async def test_registration_is_not_enforced_by_default(api: RawAPI) -> None:
    assert (await api.create_connection(aws()))["data"]["type"] == "action_connection"


async def test_registrations_themselves_never_need_a_registered_key() -> None:
    async with FakeDatadog(require_registered_app_key=True) as fake:
        headers = {"DD-API-KEY": fake.api_key, "DD-APPLICATION-KEY": fake.app_key}
        async with aiohttp.ClientSession(base_url=fake.base_url, headers=headers) as session:
            status, _, _ = await RawAPI(session).call("GET", REGISTRATIONS)

    assert status == 200
