"""The fake's Action Connection endpoints: JSON:API shapes, write-only secrets, validation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fakehttp import ACTIONS_JSON, CONNECTIONS, RawAPI, aws

from aiodd.models import secret_credential_fields
from aiodd.testing import FakeDatadog

MISSING_ID = "aaa11111-aa11-aa11-aaaa-aaaaaa111111"

# One valid create body per credential type (25 for 24 integrations); every secret field holds "s".
# Which fields are secret is aiodd.models' one list of them (secret_credential_fields).
CREDENTIALS: list[dict[str, Any]] = [
    {"type": "Anthropic", "credentials": {"type": "AnthropicAPIKey", "api_token": "s"}},
    {"type": "Asana", "credentials": {"type": "AsanaAccessToken", "access_token": "s"}},
    {
        "type": "Azure",
        "credentials": {"type": "AzureTenant", "tenant_id": "t", "app_client_id": "c", "client_secret": "s"},
    },
    {"type": "CircleCI", "credentials": {"type": "CircleCIAPIKey", "api_token": "s"}},
    {"type": "Clickup", "credentials": {"type": "ClickupAPIKey", "api_token": "s"}},
    {"type": "Cloudflare", "credentials": {"type": "CloudflareAPIToken", "api_token": "s"}},
    {
        "type": "Cloudflare",
        "credentials": {"type": "CloudflareGlobalAPIToken", "auth_email": "a@b.c", "global_api_key": "s"},
    },
    {
        "type": "ConfigCat",
        "credentials": {"type": "ConfigCatSDKKey", "sdk_key": "s", "api_username": "u", "api_password": "s"},
    },
    {"type": "Datadog", "credentials": {"type": "DatadogAPIKey", "datacenter": "us1", "api_key": "s", "app_key": "s"}},
    {"type": "Fastly", "credentials": {"type": "FastlyAPIKey", "api_key": "s"}},
    {"type": "Freshservice", "credentials": {"type": "FreshserviceAPIKey", "domain": "d", "api_key": "s"}},
    {"type": "GCP", "credentials": {"type": "GCPServiceAccount", "service_account_email": "e", "private_key": "s"}},
    {"type": "Gemini", "credentials": {"type": "GeminiAPIKey", "api_key": "s"}},
    {"type": "Gitlab", "credentials": {"type": "GitlabAPIKey", "api_token": "s"}},
    {"type": "GreyNoise", "credentials": {"type": "GreyNoiseAPIKey", "api_key": "s"}},
    {"type": "HTTP", "base_url": "https://example.com", "credentials": {"type": "HTTPTokenAuth"}},
    {"type": "LaunchDarkly", "credentials": {"type": "LaunchDarklyAPIKey", "api_token": "s"}},
    {"type": "Notion", "credentials": {"type": "NotionAPIKey", "api_token": "s"}},
    {"type": "Okta", "credentials": {"type": "OktaAPIToken", "domain": "d", "api_token": "s"}},
    {"type": "OpenAI", "credentials": {"type": "OpenAIAPIKey", "api_token": "s"}},
    {
        "type": "ServiceNow",
        "credentials": {"type": "ServiceNowBasicAuth", "instance": "i", "username": "u", "password": "s"},
    },
    {"type": "Split", "credentials": {"type": "SplitAPIKey", "api_key": "s"}},
    {"type": "Statsig", "credentials": {"type": "StatsigAPIKey", "api_key": "s"}},
    {"type": "VirusTotal", "credentials": {"type": "VirusTotalAPIKey", "api_key": "s"}},
    aws(),
]


def test_every_integration_type_is_covered() -> None:
    assert len({integration["type"] for integration in CREDENTIALS}) == 24
    assert len({integration["credentials"]["type"] for integration in CREDENTIALS}) == 25


@pytest.mark.parametrize("integration", CREDENTIALS, ids=[item["credentials"]["type"] for item in CREDENTIALS])
async def test_create_stores_secrets_but_never_echoes_them(
    api: RawAPI, fake_datadog: FakeDatadog, integration: dict[str, Any]
) -> None:
    secrets = secret_credential_fields()[integration["credentials"]["type"]]
    assert secrets == {field for field, value in integration["credentials"].items() if value == "s"}
    created = (await api.create_connection(integration, "c"))["data"]

    stored = fake_datadog.state.connection(created["id"])
    assert stored is not None
    credentials = created["attributes"]["integration"]["credentials"]
    assert created["type"] == "action_connection"
    assert created["attributes"]["integration"]["type"] == integration["type"]
    assert secrets.isdisjoint(credentials)
    assert all(stored.integration["credentials"][field] == "s" for field in secrets)
    sent = {k: v for k, v in integration["credentials"].items() if k not in secrets}
    assert sent.items() <= credentials.items()


async def test_aws_assume_role_gets_external_and_principal_ids(api: RawAPI) -> None:
    created = (await api.create_connection(aws(), "Cassette Connection"))["data"]

    credentials = created["attributes"]["integration"]["credentials"]
    assert re.fullmatch(r"[0-9a-f]{32}", credentials["external_id"])
    assert re.fullmatch(r"\d{12}", credentials["principal_id"])
    assert created["attributes"]["name"] == "Cassette Connection"


async def test_get_answers_the_stored_connection_in_vnd_api_json(api: RawAPI) -> None:
    created = (await api.create_connection(aws(), "c"))["data"]

    status, headers, body = await api.call("GET", f"{CONNECTIONS}/{created['id']}")

    assert status == 200
    assert headers["Content-Type"] == ACTIONS_JSON
    assert body == {"data": created}


async def test_get_with_a_malformed_id_is_400_and_unknown_id_404(api: RawAPI) -> None:
    bad = await api.call("GET", f"{CONNECTIONS}/bad-format")
    missing = await api.call("GET", f"{CONNECTIONS}/{MISSING_ID}")

    assert bad[0] == 400
    assert bad[2] == {
        "errors": [{"status": "400", "title": "Bad Request", "detail": "error connectionId not a valid UUID"}]
    }
    assert missing[0] == 404
    assert missing[1]["Content-Type"] == ACTIONS_JSON
    assert missing[2]["errors"][0]["status"] == "404"
    assert missing[2]["errors"][0]["title"] == "Not Found"
    assert missing[2]["errors"][0]["detail"].endswith("connection not found")


async def test_create_rejects_an_aws_account_id_that_is_not_12_digits(api: RawAPI) -> None:
    body = {"data": {"type": "action_connection", "attributes": {"name": "c", "integration": aws("1")}}}

    status, headers, error = await api.call("POST", CONNECTIONS, json=body)

    assert status == 400
    assert headers["Content-Type"] == ACTIONS_JSON
    assert error["errors"][0]["status"] == "400"
    assert "does not match regex pattern" in error["errors"][0]["detail"]


@pytest.mark.parametrize(
    "integration",
    [
        {"type": "Jira", "credentials": {"type": "JiraAPIKey"}},
        {"type": "Gitlab", "credentials": {"type": "OpenAIAPIKey", "api_token": "s"}},
        {"type": "Gitlab", "credentials": {"type": "GitlabAPIKey"}},
        {"type": "Gitlab"},
        {"type": "HTTP", "credentials": {"type": "HTTPTokenAuth"}},
        {
            "type": "HTTP",
            "base_url": "https://x",
            "credentials": {"type": "HTTPTokenAuth", "tokens": [{"name": "1bad", "value": "v", "type": "SECRET"}]},
        },
    ],
    ids=[
        "unknown-integration",
        "mismatched-credentials",
        "missing-secret",
        "no-credentials",
        "http-no-base-url",
        "bad-token-name",
    ],
)
async def test_create_rejects_invalid_integrations(api: RawAPI, integration: dict[str, Any]) -> None:
    body = {"data": {"type": "action_connection", "attributes": {"name": "c", "integration": integration}}}

    status, _, _ = await api.call("POST", CONNECTIONS, json=body)

    assert status == 400


async def test_create_requires_name_integration_and_the_action_connection_type(api: RawAPI) -> None:
    no_name = {"data": {"type": "action_connection", "attributes": {"integration": aws()}}}
    no_integration = {"data": {"type": "action_connection", "attributes": {"name": "c"}}}
    wrong_type = {"data": {"type": "connection", "attributes": {"name": "c", "integration": aws()}}}

    statuses = [(await api.call("POST", CONNECTIONS, json=body))[0] for body in (no_name, no_integration, wrong_type)]

    assert statuses == [400, 400, 400]


async def test_http_token_values_are_write_only(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    integration = {
        "type": "HTTP",
        "base_url": "https://example.com",
        "credentials": {
            "type": "HTTPTokenAuth",
            "tokens": [{"name": "Token", "value": "secret-value", "type": "SECRET"}],
            "headers": [{"name": "X-Auth", "value": "Bearer {{ Token }}"}],
        },
    }

    created = (await api.create_connection(integration))["data"]

    credentials = created["attributes"]["integration"]["credentials"]
    assert credentials["tokens"] == [{"name": "Token", "type": "SECRET"}]
    assert credentials["headers"] == [{"name": "X-Auth", "value": "Bearer {{ Token }}"}]
    assert created["attributes"]["integration"]["base_url"] == "https://example.com"
    stored = fake_datadog.state.connection(created["id"])
    assert stored is not None
    assert stored.integration["credentials"]["tokens"][0]["value"] == "secret-value"


async def test_tags_must_be_key_value_and_not_default(api: RawAPI) -> None:
    created = (await api.create_connection(aws(), tags=["team:infra"]))["data"]
    bodies = [
        {"data": {"type": "action_connection", "attributes": {"name": "c", "integration": aws(), "tags": [tag]}}}
        for tag in ("novalue", "default:x")
    ]

    statuses = [(await api.call("POST", CONNECTIONS, json=body))[0] for body in bodies]

    assert created["attributes"]["tags"] == ["team:infra"]
    assert statuses == [400, 400]


async def test_patch_merges_name_and_credentials_and_keeps_the_external_id(api: RawAPI) -> None:
    created = (await api.create_connection(aws(role="Old"), "before"))["data"]
    external_id = created["attributes"]["integration"]["credentials"]["external_id"]
    update = {
        "data": {
            "type": "action_connection",
            "attributes": {
                "name": "after",
                "integration": {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "role": "New"}},
            },
        }
    }

    status, headers, body = await api.call("PATCH", f"{CONNECTIONS}/{created['id']}", json=update)

    assert status == 200
    assert headers["Content-Type"] == ACTIONS_JSON
    credentials = body["data"]["attributes"]["integration"]["credentials"]
    assert body["data"]["attributes"]["name"] == "after"
    assert credentials["role"] == "New"
    assert credentials["account_id"] == "123456789123"
    assert credentials["external_id"] == external_id


async def test_patch_generate_new_external_id_regenerates_it(api: RawAPI) -> None:
    created = (await api.create_connection(aws()))["data"]
    old = created["attributes"]["integration"]["credentials"]["external_id"]
    update = {
        "data": {
            "type": "action_connection",
            "attributes": {
                "integration": {
                    "type": "AWS",
                    "credentials": {"type": "AWSAssumeRole", "generate_new_external_id": True},
                }
            },
        }
    }

    _, _, body = await api.call("PATCH", f"{CONNECTIONS}/{created['id']}", json=update)

    new = body["data"]["attributes"]["integration"]["credentials"]["external_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", new)
    assert new != old


async def test_patch_updates_a_secret_without_echoing_it(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    created = await api.create_connection({"type": "Gitlab", "credentials": {"type": "GitlabAPIKey", "api_token": "1"}})
    connection_id = created["data"]["id"]
    update = {
        "data": {
            "type": "action_connection",
            "attributes": {
                "integration": {"type": "Gitlab", "credentials": {"type": "GitlabAPIKey", "api_token": "2"}}
            },
        }
    }

    _, _, body = await api.call("PATCH", f"{CONNECTIONS}/{connection_id}", json=update)

    assert "api_token" not in body["data"]["attributes"]["integration"]["credentials"]
    stored = fake_datadog.state.connection(connection_id)
    assert stored is not None
    assert stored.integration["credentials"]["api_token"] == "2"


async def test_a_rejected_patch_leaves_the_connection_unchanged(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    created = (await api.create_connection(aws(), "same"))["data"]
    update = {
        "data": {
            "type": "action_connection",
            "attributes": {
                "name": "changed",
                "integration": {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "1"}},
            },
        }
    }

    status, _, _ = await api.call("PATCH", f"{CONNECTIONS}/{created['id']}", json=update)

    assert status == 400
    assert (await api.call("GET", f"{CONNECTIONS}/{created['id']}"))[2] == {"data": created}


async def test_patch_cannot_change_the_integration_type(api: RawAPI) -> None:
    created = (await api.create_connection(aws()))["data"]
    update = {"data": {"type": "action_connection", "attributes": {"integration": {"type": "Gitlab"}}}}

    status, _, _ = await api.call("PATCH", f"{CONNECTIONS}/{created['id']}", json=update)

    assert status == 400


async def test_patch_an_unknown_connection_is_404(api: RawAPI) -> None:
    update = {"data": {"type": "action_connection", "attributes": {"name": "x"}}}

    status, _, body = await api.call("PATCH", f"{CONNECTIONS}/{MISSING_ID}", json=update)

    assert status == 404
    assert body["errors"][0]["detail"].endswith("connection not found")


async def test_delete_answers_a_bare_204_then_404(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    created = (await api.create_connection(aws()))["data"]

    status, headers, body = await api.call("DELETE", f"{CONNECTIONS}/{created['id']}")
    again = await api.call("DELETE", f"{CONNECTIONS}/{created['id']}")

    assert (status, body) == (204, None)
    assert "Content-Type" not in headers
    assert fake_datadog.state.connections() == []
    assert again[0] == 404
    assert again[1]["Content-Type"] == ACTIONS_JSON
    assert again[2]["errors"][0]["detail"] == (
        "error deleting connection: rpc error: code = NotFound desc = connection not found"
    )


async def test_stored_connections_print_without_credentials(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    await api.create_connection({"type": "OpenAI", "credentials": {"type": "OpenAIAPIKey", "api_token": "sk-x1"}})

    assert "sk-x1" not in repr(fake_datadog.state.connections())
