"""The fake's Service Accounts and Application Keys endpoints, checked over raw HTTP."""

from __future__ import annotations

import re

import pytest
from fakehttp import KEYS, SA_JSON, RawAPI

from aiodd.testing import FakeDatadog

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")


async def test_create_service_account_answers_201_with_a_recorded_shape_user(api: RawAPI) -> None:
    status, headers, body = await api.call(
        "POST",
        "/api/v2/service_accounts",
        json={
            "data": {
                "type": "users",
                "attributes": {"email": "Robot@Example.com", "name": "Robot", "service_account": True},
                "relationships": {"roles": {"data": [{"id": "role-1", "type": "roles"}]}},
            }
        },
    )

    assert status == 201
    assert headers["Content-Type"] == SA_JSON
    user = body["data"]
    assert user["type"] == "users"
    assert user["attributes"]["handle"] == user["id"]
    assert user["attributes"]["email"] == "robot@example.com"  # Datadog lower-cases it
    assert user["attributes"]["name"] == "Robot"
    assert user["attributes"]["title"] is None
    assert user["attributes"]["service_account"] is True
    assert user["attributes"]["allowed_login_methods"] == []
    assert user["attributes"]["status"] == "Active"
    assert TIMESTAMP.fullmatch(user["attributes"]["created_at"])
    assert user["relationships"]["roles"] == {"data": [{"type": "roles", "id": "role-1"}]}
    assert user["relationships"]["org"]["data"]["type"] == "orgs"


async def test_create_service_account_requires_service_account_true(api: RawAPI) -> None:
    body = {"data": {"type": "users", "attributes": {"email": "a@example.com", "service_account": False}}}

    status, headers, error = await api.call("POST", "/api/v2/service_accounts", json=body)

    assert status == 400
    assert headers["Content-Type"] == SA_JSON
    assert error == {"errors": ["Field 'data.attributes.service_account' must be true"]}


async def test_create_service_account_rejects_a_wrong_type_and_a_missing_email(api: RawAPI) -> None:
    wrong_type = {"data": {"type": "roles", "attributes": {"email": "a@example.com", "service_account": True}}}
    no_email = {"data": {"type": "users", "attributes": {"service_account": True}}}

    assert (await api.call("POST", "/api/v2/service_accounts", json=wrong_type))[0] == 400
    status, _, error = await api.call("POST", "/api/v2/service_accounts", json=no_email)
    assert status == 400
    assert error == {"errors": ["Missing required field 'data.attributes.email'"]}


async def test_malformed_json_is_a_400_in_the_string_error_format(api: RawAPI) -> None:
    status, _, error = await api.call(
        "POST", "/api/v2/service_accounts", data=b"{nope", headers={"Content-Type": "application/json"}
    )

    assert status == 400
    assert isinstance(error["errors"][0], str)


async def test_create_key_returns_the_secret_once_and_never_again(api: RawAPI) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]

    created = await api.create_key(sa_id, "ci", scopes=["dashboards_read"])

    key = created["data"]
    assert key["type"] == "application_keys"
    assert re.fullmatch(r"[0-9a-f]{40}", key["attributes"]["key"])
    assert key["attributes"]["last4"] == key["attributes"]["key"][-4:]
    assert key["attributes"]["scopes"] == ["dashboards_read"]
    assert key["relationships"]["owned_by"]["data"] == {"type": "users", "id": sa_id}
    assert key["relationships"]["leak_information"] == {"data": None}
    status, _, fetched = await api.call("GET", f"{KEYS.format(sa=sa_id)}/{key['id']}")
    assert status == 200
    assert "key" not in fetched["data"]["attributes"]
    listed = (await api.call("GET", KEYS.format(sa=sa_id)))[2]
    assert "key" not in listed["data"][0]["attributes"]


async def test_a_key_created_without_scopes_has_null_scopes(api: RawAPI) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]

    key = (await api.create_key(sa_id))["data"]

    assert key["attributes"]["scopes"] is None


async def test_get_key_includes_the_owning_service_account(api: RawAPI) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    key_id = (await api.create_key(sa_id))["data"]["id"]

    status, headers, body = await api.call("GET", f"{KEYS.format(sa=sa_id)}/{key_id}")

    assert status == 200
    assert headers["Content-Type"] == SA_JSON
    assert body["data"]["id"] == key_id
    assert [(item["type"], item["id"]) for item in body["included"]] == [("users", sa_id)]


async def test_patch_key_renames_and_rescopes(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    key_id = (await api.create_key(sa_id, "old"))["data"]["id"]
    body = {"data": {"id": key_id, "type": "application_keys", "attributes": {"name": "new", "scopes": ["a"]}}}

    status, _, updated = await api.call("PATCH", f"{KEYS.format(sa=sa_id)}/{key_id}", json=body)

    assert status == 200
    assert updated["data"]["attributes"]["name"] == "new"
    assert updated["data"]["attributes"]["scopes"] == ["a"]
    assert "key" not in updated["data"]["attributes"]
    assert [key.name for key in fake_datadog.state.application_keys(sa_id)] == ["new"]


async def test_patch_key_leaves_scopes_alone_when_not_given(api: RawAPI) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    key_id = (await api.create_key(sa_id, "old", scopes=["x"]))["data"]["id"]
    body = {"data": {"id": key_id, "type": "application_keys", "attributes": {"name": "new"}}}

    _, _, updated = await api.call("PATCH", f"{KEYS.format(sa=sa_id)}/{key_id}", json=body)

    assert updated["data"]["attributes"]["scopes"] == ["x"]


async def test_patch_key_with_null_scopes_clears_them(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    key_id = (await api.create_key(sa_id, "old", scopes=["x"]))["data"]["id"]
    body = {"data": {"id": key_id, "type": "application_keys", "attributes": {"scopes": None}}}

    _, _, updated = await api.call("PATCH", f"{KEYS.format(sa=sa_id)}/{key_id}", json=body)

    assert updated["data"]["attributes"]["scopes"] is None
    assert updated["data"]["attributes"]["name"] == "old"
    assert [key.scopes for key in fake_datadog.state.application_keys(sa_id)] == [None]


async def test_patch_key_requires_the_body_id_to_match_the_path(api: RawAPI) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    key_id = (await api.create_key(sa_id))["data"]["id"]
    body = {"data": {"id": "someone-else", "type": "application_keys", "attributes": {"name": "x"}}}

    status, _, error = await api.call("PATCH", f"{KEYS.format(sa=sa_id)}/{key_id}", json=body)

    assert status == 400
    assert error == {"errors": ["Field 'data.id' must match the application key id in the path"]}


async def test_patch_key_requires_the_application_keys_type(api: RawAPI) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    key_id = (await api.create_key(sa_id))["data"]["id"]
    body = {"data": {"id": key_id, "type": "users", "attributes": {"name": "x"}}}

    status, _, _ = await api.call("PATCH", f"{KEYS.format(sa=sa_id)}/{key_id}", json=body)

    assert status == 400


async def test_delete_key_answers_204_text_html_with_an_empty_body_then_404(api: RawAPI) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    key_id = (await api.create_key(sa_id))["data"]["id"]
    path = f"{KEYS.format(sa=sa_id)}/{key_id}"

    status, headers, body = await api.call("DELETE", path)
    again = await api.call("DELETE", path)

    assert (status, body) == (204, None)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert again[0] == 404
    assert again[1]["Content-Type"] == SA_JSON
    assert again[2] == {"errors": ["Application key not found"]}


async def test_a_key_of_another_service_account_is_not_found(api: RawAPI) -> None:
    owner = (await api.create_service_account("a@example.com"))["data"]["id"]
    other = (await api.create_service_account("b@example.com"))["data"]["id"]
    key_id = (await api.create_key(owner))["data"]["id"]

    status, _, error = await api.call("GET", f"{KEYS.format(sa=other)}/{key_id}")

    assert status == 404
    assert error == {"errors": ["Application key not found"]}


async def test_keys_of_an_unknown_service_account_are_not_found(api: RawAPI) -> None:
    status, headers, error = await api.call("GET", KEYS.format(sa="00000000-0000-0000-0000-000000000000"))

    assert status == 404
    assert headers["Content-Type"] == SA_JSON
    assert error == {"errors": ["Service account not found"]}


async def test_create_key_requires_a_name(api: RawAPI) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    body = {"data": {"type": "application_keys", "attributes": {}}}

    status, _, error = await api.call("POST", KEYS.format(sa=sa_id), json=body)

    assert status == 400
    assert error == {"errors": ["Missing required field 'data.attributes.name'"]}


@pytest.mark.fake_datadog(max_keys_per_account=1)
async def test_max_keys_per_account_caps_creation(api: RawAPI) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    await api.create_key(sa_id)
    body = {"data": {"type": "application_keys", "attributes": {"name": "second"}}}

    status, _, _ = await api.call("POST", KEYS.format(sa=sa_id), json=body)
    listed = (await api.call("GET", KEYS.format(sa=sa_id)))[2]

    assert status == 400
    assert listed["meta"]["max_allowed_per_user"] == 1


async def test_state_records_print_without_key_secrets(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa_id = (await api.create_service_account())["data"]["id"]
    secret = (await api.create_key(sa_id))["data"]["attributes"]["key"]

    [key] = fake_datadog.state.application_keys(sa_id)

    assert key.secret == secret
    assert secret not in repr(key)
    assert fake_datadog.state.key_id_for_secret(secret) == key.id
