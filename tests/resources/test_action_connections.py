"""``dd.action_connections`` against a local server: requests sent, answers decoded, arguments refused."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from types import NoneType
from typing import Any, get_args, get_type_hints

import attrs
import pytest
import yaml
import yarl

import aiodd
from aiodd import models as m
from aiodd._converter import structure, unstructure

API_KEY = "api-key-action-connections-0123456789ab"
APP_KEY = "app-key-action-connections-0123456789abcd"
RECORDINGS = Path(__file__).resolve().parents[3] / "shared" / "api" / "recordings"
CONNECTIONS = "/api/v2/actions/connections"
CONNECTION_ID = "cb460d51-3c88-4e87-adac-d47131d0423d"
VND = "application/vnd.api+json"


@pytest.fixture
async def dd(stub: Any) -> AsyncIterator[aiodd.Client]:
    async with aiodd.Client(api_key=API_KEY, app_key=APP_KEY, base_url=stub.base_url) as client:
        yield client


def aws(account_id: str = "123456789123", role: str = "MyRoleUpdated") -> m.AWSIntegration:
    return m.AWSIntegration(credentials=m.AWSAssumeRole(account_id=account_id, role=role))


def http(credentials: m.HTTPTokenAuth) -> m.HTTPIntegration:
    return m.HTTPIntegration(base_url="https://example.com", credentials=credentials)


# Inline copies of recorded answers, with their quirks: vnd.api+json, keys in server order, read-only
# external_id / principal_id, errors without "status", a 204 with no body and no content type.
CREATED = {
    "data": {
        "id": "4b60345a-85b2-4417-94b2-72a9528b4060",
        "type": "action_connection",
        "attributes": {
            "integration": {
                "credentials": {
                    "account_id": "123456789123",
                    "role": "MyRole",
                    "external_id": "3bceadebe70c4df7b8ec6abb789e08c0",
                    "principal_id": "464622532012",
                    "type": "AWSAssumeRole",
                },
                "type": "AWS",
            },
            "name": "Cassette Connection DELETE",
        },
    }
}
FOUND = {
    "data": {
        "id": CONNECTION_ID,
        "type": "action_connection",
        "attributes": {
            "integration": {
                "credentials": {
                    "account_id": "123456789123",
                    "external_id": "909b33b1242748cfbef42f20011e2fa0",
                    "principal_id": "464622532012",
                    "role": "MyRoleUpdated",
                    "type": "AWSAssumeRole",
                },
                "type": "AWS",
            },
            "name": "Cassette Connection",
        },
    }
}
NOT_FOUND = {
    "errors": [
        {
            "title": "Generic Error",
            "detail": "error getting connection: rpc error: code = NotFound desc = connection not found",
        }
    ]
}
BAD_ID = {"errors": [{"title": "Generic Error", "detail": "error connectionId not a valid UUID"}]}
BAD_ACCOUNT_ID = (
    '{"errors":[{"title":"Generic Error","detail":"error creating connection: rpc error: code = InvalidArgument '
    "desc = multiple errors: 1 error occurred:\\n\\t* [error_code=8]: invalid CreateCustomConnectionRequest.Data: "
    "embedded message failed validation | caused by: invalid CustomConnectionData_AwsAuthData_AssumeRole.AccountId: "
    'value does not match regex pattern \\"^\\\\\\\\d{12}$\\"\\n\\n"}]}'
)


# --- create ------------------------------------------------------------------------------------------


async def test_create_posts_the_connection_and_decodes_the_201(stub: Any, dd: aiodd.Client) -> None:
    stub.reply("POST", CONNECTIONS, 201, json=CREATED, content_type=VND)

    created = await dd.action_connections.create("Cassette Connection DELETE", aws(role="MyRole"))

    [seen] = stub.seen
    assert (seen.method, seen.path) == ("POST", CONNECTIONS)
    assert seen.headers["DD-API-KEY"] == API_KEY
    assert seen.headers["DD-APPLICATION-KEY"] == APP_KEY
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.json == {
        "data": {
            "attributes": {
                "integration": {
                    "credentials": {"account_id": "123456789123", "role": "MyRole", "type": "AWSAssumeRole"},
                    "type": "AWS",
                },
                "name": "Cassette Connection DELETE",
            },
            "type": "action_connection",
        }
    }
    assert isinstance(created, m.CreateActionConnectionResponse)
    assert created.data is not None
    assert created.data.id == "4b60345a-85b2-4417-94b2-72a9528b4060"
    assert created.data.attributes.integration == m.AWSIntegration(
        credentials=m.AWSAssumeRole(
            account_id="123456789123",
            external_id="3bceadebe70c4df7b8ec6abb789e08c0",
            principal_id="464622532012",
            role="MyRole",
        )
    )


async def test_create_sends_tags(stub: Any, dd: aiodd.Client) -> None:
    stub.reply("POST", CONNECTIONS, 201, json=CREATED, content_type=VND)
    await dd.action_connections.create("c", aws(), tags=["team:infra", "env:prod"])
    assert stub.seen[0].json["data"]["attributes"]["tags"] == ["team:infra", "env:prod"]


async def test_create_sends_every_secret(stub: Any, dd: aiodd.Client) -> None:
    stub.reply("POST", CONNECTIONS, 201, json=CREATED, content_type=VND)
    integration = m.HTTPIntegration(
        base_url="https://api.example.com",
        credentials=m.HTTPTokenAuth(
            headers=[m.HTTPHeader(name="Authorization", value="Bearer h")],
            tokens=[m.HTTPToken(name="MyToken", value="t")],
            url_parameters=[m.UrlParam(name="region", value="eu")],
        ),
    )
    await dd.action_connections.create("http", integration)
    assert stub.seen[0].json["data"]["attributes"]["integration"] == {
        "base_url": "https://api.example.com",
        "credentials": {
            "headers": [{"name": "Authorization", "value": "Bearer h"}],
            "tokens": [{"name": "MyToken", "type": "SECRET", "value": "t"}],
            "type": "HTTPTokenAuth",
            "url_parameters": [{"name": "region", "value": "eu"}],
        },
        "type": "HTTP",
    }


async def test_create_sends_an_unknown_integration_as_given(stub: Any, dd: aiodd.Client) -> None:
    stub.reply("POST", CONNECTIONS, 201, json=CREATED, content_type=VND)
    raw = {"type": "Jira2031", "credentials": {"type": "JiraOAuth", "client_id": "c"}}
    await dd.action_connections.create("future", m.UnknownIntegration(raw))
    assert stub.seen[0].body == (
        b'{"data":{"attributes":{"integration":{"type":"Jira2031","credentials":{"type":"JiraOAuth",'
        b'"client_id":"c"}},"name":"future"},"type":"action_connection"}}'
    )


async def test_create_400_is_a_bad_request_error_with_datadogs_words(stub: Any, dd: aiodd.Client) -> None:
    stub.reply("POST", CONNECTIONS, 400, body=BAD_ACCOUNT_ID.encode(), content_type=VND)
    with pytest.raises(aiodd.BadRequestError) as caught:
        await dd.action_connections.create("c", aws())
    [error] = caught.value.errors
    assert isinstance(error, m.JSONAPIErrorItem)
    assert error.title == "Generic Error"
    assert error.status is None
    assert error.detail is not None and "value does not match regex pattern" in error.detail
    assert "Generic Error" in str(caught.value)


async def test_a_reference_style_403_keeps_source_and_status(stub: Any, dd: aiodd.Client) -> None:
    body = {
        "errors": [
            {
                "detail": "Missing required attribute in body",
                "meta": {},
                "source": {"header": "Authorization", "parameter": "limit", "pointer": "/data/attributes/title"},
                "status": "400",
                "title": "Bad Request",
            }
        ]
    }
    stub.reply("POST", CONNECTIONS, 403, json=body, content_type=VND)
    with pytest.raises(aiodd.PermissionDeniedError) as caught:
        await dd.action_connections.create("c", aws())
    [error] = caught.value.errors
    assert isinstance(error, m.JSONAPIErrorItem)
    assert error.source == m.JSONAPIErrorItemSource(
        header="Authorization", parameter="limit", pointer="/data/attributes/title"
    )


# --- get -------------------------------------------------------------------------------------------


async def test_get_decodes_the_connection(stub: Any, dd: aiodd.Client) -> None:
    stub.reply("GET", f"{CONNECTIONS}/{CONNECTION_ID}", 200, json=FOUND, content_type=VND)

    found = await dd.action_connections.get(CONNECTION_ID)

    [seen] = stub.seen
    assert (seen.method, seen.path, seen.body) == ("GET", f"{CONNECTIONS}/{CONNECTION_ID}", b"")
    assert (seen.headers["DD-API-KEY"], seen.headers["DD-APPLICATION-KEY"]) == (API_KEY, APP_KEY)
    assert isinstance(found, m.GetActionConnectionResponse)
    assert unstructure(found) == FOUND


@pytest.mark.parametrize(
    ("connection_id", "raw_path"),
    [
        ("a/../b", f"{CONNECTIONS}/a%2F..%2Fb"),
        ("..", f"{CONNECTIONS}/%2E%2E"),
        ("x?y#z", f"{CONNECTIONS}/x%3Fy%23z"),
        ("50%", f"{CONNECTIONS}/50%25"),
    ],
)
async def test_the_connection_id_stays_one_path_segment(
    stub: Any, dd: aiodd.Client, connection_id: str, raw_path: str
) -> None:
    stub.reply("GET", raw_path, 200, json=FOUND, content_type=VND)
    await dd.action_connections.get(connection_id)
    assert stub.seen[0].path == raw_path


async def test_get_without_secrets_gives_the_right_classes(stub: Any, dd: aiodd.Client) -> None:
    answer = {
        "data": {
            "id": CONNECTION_ID,
            "type": "action_connection",
            "attributes": {
                "name": "servicenow",
                "integration": {
                    "type": "ServiceNow",
                    "credentials": {"type": "ServiceNowBasicAuth", "instance": "acme", "username": "bot"},
                },
            },
        }
    }
    stub.reply("GET", f"{CONNECTIONS}/{CONNECTION_ID}", 200, json=answer, content_type=VND)
    found = await dd.action_connections.get(CONNECTION_ID)
    assert found.data is not None
    assert found.data.attributes.integration == m.ServiceNowIntegration(
        credentials=m.ServiceNowBasicAuth(instance="acme", username="bot")
    )


async def test_get_404_is_a_not_found_error_with_parsed_items(stub: Any, dd: aiodd.Client) -> None:
    stub.reply("GET", f"{CONNECTIONS}/{CONNECTION_ID}", 404, json=NOT_FOUND, content_type=VND)
    with pytest.raises(aiodd.NotFoundError) as caught:
        await dd.action_connections.get(CONNECTION_ID)
    assert caught.value.status == 404
    assert caught.value.errors == [
        m.JSONAPIErrorItem(
            title="Generic Error",
            detail="error getting connection: rpc error: code = NotFound desc = connection not found",
        )
    ]


async def test_get_400_is_a_bad_request_error(stub: Any, dd: aiodd.Client) -> None:
    stub.reply("GET", f"{CONNECTIONS}/bad-format", 400, json=BAD_ID, content_type=VND)
    with pytest.raises(aiodd.BadRequestError) as caught:
        await dd.action_connections.get("bad-format")
    assert caught.value.errors == [
        m.JSONAPIErrorItem(title="Generic Error", detail="error connectionId not a valid UUID")
    ]


# --- update ------------------------------------------------------------------------------------------


async def test_update_patches_only_what_is_given(stub: Any, dd: aiodd.Client) -> None:
    stub.reply("PATCH", f"{CONNECTIONS}/{CONNECTION_ID}", 200, json=FOUND, content_type=VND)

    updated = await dd.action_connections.update(
        CONNECTION_ID,
        integration=m.AWSIntegrationUpdate(credentials=m.AWSAssumeRoleUpdate(generate_new_external_id=True)),
    )

    [seen] = stub.seen
    assert (seen.method, seen.path) == ("PATCH", f"{CONNECTIONS}/{CONNECTION_ID}")
    assert (seen.headers["DD-API-KEY"], seen.headers["DD-APPLICATION-KEY"]) == (API_KEY, APP_KEY)
    assert seen.json == {
        "data": {
            "attributes": {
                "integration": {
                    "credentials": {"generate_new_external_id": True, "type": "AWSAssumeRole"},
                    "type": "AWS",
                }
            },
            "type": "action_connection",
        }
    }
    assert isinstance(updated, m.UpdateActionConnectionResponse)
    assert unstructure(updated) == FOUND


async def test_update_sends_name_and_tags(stub: Any, dd: aiodd.Client) -> None:
    stub.reply("PATCH", f"{CONNECTIONS}/{CONNECTION_ID}", 200, json=FOUND, content_type=VND)
    await dd.action_connections.update(CONNECTION_ID, name="renamed", tags=[])
    assert stub.seen[0].json == {"data": {"attributes": {"name": "renamed", "tags": []}, "type": "action_connection"}}


async def test_update_404_is_a_not_found_error(stub: Any, dd: aiodd.Client) -> None:
    body = {
        "errors": [
            {
                "title": "Generic Error",
                "detail": "error creating connection: rpc error: code = NotFound desc = connection not found",
            }
        ]
    }
    stub.reply("PATCH", f"{CONNECTIONS}/{CONNECTION_ID}", 404, json=body, content_type=VND)
    with pytest.raises(aiodd.NotFoundError) as caught:
        await dd.action_connections.update(CONNECTION_ID, name="x")
    [error] = caught.value.errors
    assert isinstance(error, m.JSONAPIErrorItem)
    assert error.detail == body["errors"][0]["detail"]


# --- delete ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "text/html"}], ids=["no content type", "text/html"])
async def test_delete_204_with_an_empty_body_returns_none(stub: Any, dd: aiodd.Client, headers: dict[str, str]) -> None:
    stub.reply("DELETE", f"{CONNECTIONS}/{CONNECTION_ID}", 204, body=b"", headers=headers)
    assert await dd.action_connections.delete(CONNECTION_ID) is None
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.body) == ("DELETE", f"{CONNECTIONS}/{CONNECTION_ID}", b"")
    assert (seen.headers["DD-API-KEY"], seen.headers["DD-APPLICATION-KEY"]) == (API_KEY, APP_KEY)


async def test_delete_404_is_a_not_found_error(stub: Any, dd: aiodd.Client) -> None:
    body = {
        "errors": [
            {
                "title": "Generic Error",
                "detail": "error deleting connection: rpc error: code = NotFound desc = connection not found",
            }
        ]
    }
    stub.reply("DELETE", f"{CONNECTIONS}/{CONNECTION_ID}", 404, json=body, content_type=VND)
    with pytest.raises(aiodd.NotFoundError):
        await dd.action_connections.delete(CONNECTION_ID)


# --- arguments refused before sending ------------------------------------------------------------------


def _refused_calls() -> list[Any]:
    update = m.AWSIntegrationUpdate(credentials=m.AWSAssumeRoleUpdate(role="r"))
    calls: list[tuple[str, Any, str]] = [
        ("empty name", lambda c: c.create("", aws()), "name must not be empty"),
        ("blank name", lambda c: c.create("  ", aws()), "name must not be empty"),
        ("name not a string", lambda c: c.create(None, aws()), "name must be a string"),
        ("update integration to create", lambda c: c.create("n", update), "use AWSIntegration to create"),
        (
            "credentials to create",
            lambda c: c.create("n", m.AWSAssumeRole(account_id="123456789012", role="r")),
            "AWSAssumeRole",
        ),
        (
            "credentials of another integration",
            lambda c: c.create("n", m.AWSIntegration(credentials=m.OpenAIAPIKey(api_token="t"))),  # type: ignore[arg-type]
            "AWSIntegration.credentials must be AWSAssumeRole or UnknownCredentials, got OpenAIAPIKey",
        ),
        (
            "update credentials in a create integration",
            lambda c: c.create("n", m.AWSIntegration(credentials=m.AWSAssumeRoleUpdate(role="r"))),  # type: ignore[arg-type]
            "got AWSAssumeRoleUpdate",
        ),
        ("short AWS account id", lambda c: c.create("n", aws(account_id="1")), "account_id must be 12 digits, got '1'"),
        ("non-ASCII digits", lambda c: c.create("n", aws(account_id="١٢٣٤٥٦٧٨٩٠١٢")), "12 digits"),
        (
            "missing secret",
            lambda c: c.create("n", m.OpenAIIntegration(credentials=m.OpenAIAPIKey())),
            "integration.credentials.api_token required",
        ),
        (
            "missing HTTP header value",
            lambda c: c.create(
                "n",
                m.HTTPIntegration(base_url="https://x", credentials=m.HTTPTokenAuth(headers=[m.HTTPHeader(name="A")])),
            ),
            "integration.credentials.headers[0].value required",
        ),
        (
            "HTTP header that is None",
            lambda c: c.create("n", http(m.HTTPTokenAuth(headers=[None]))),  # type: ignore[list-item]
            "integration.credentials.headers[0] must be HTTPHeader, got NoneType",
        ),
        (
            "HTTP tokens as one string",
            lambda c: c.create("n", http(m.HTTPTokenAuth(tokens="abc"))),  # type: ignore[arg-type]
            "integration.credentials.tokens must be a list, got str",
        ),
        (
            "api_token not a string",
            lambda c: c.create("n", m.OpenAIIntegration(credentials=m.OpenAIAPIKey(api_token=123))),  # type: ignore[arg-type]
            "integration.credentials.api_token must be a string, got int",
        ),
        (
            "AWS account id not a string",
            lambda c: c.create("n", aws(account_id=123456789012)),  # type: ignore[arg-type]
            "integration.credentials.account_id must be a string, got int",
        ),
        (
            "token that is not valid Unicode",
            lambda c: c.create("n", http(m.HTTPTokenAuth(tokens=[m.HTTPToken(name="T", value="\ud800")]))),
            "integration.credentials.tokens[0].value is not valid Unicode",
        ),
        (
            "update flag not a bool",
            lambda c: c.update(
                CONNECTION_ID,
                integration=m.AWSIntegrationUpdate(credentials=m.AWSAssumeRoleUpdate(generate_new_external_id=1)),  # type: ignore[arg-type]
            ),
            "generate_new_external_id must be True or False, got int",
        ),
        (
            "unknown integration that is not an object",
            lambda c: c.create("n", m.UnknownIntegration("x")),  # type: ignore[arg-type]
            "integration.raw must be a dict, got str",
        ),
        ("tag not valid Unicode", lambda c: c.create("n", aws(), tags=["team:\ud800"]), "not valid Unicode"),
        ("get id not valid Unicode", lambda c: c.get("\ud800"), "connection_id is not valid Unicode"),
        ("tags as one string", lambda c: c.create("n", aws(), tags="team:infra"), "tags must be a list"),
        ("tag without colon", lambda c: c.create("n", aws(), tags=["infra"]), "not in 'key:value' form"),
        ("tag with empty key", lambda c: c.create("n", aws(), tags=[":x"]), "not in 'key:value' form"),
        ("reserved tag key", lambda c: c.create("n", aws(), tags=["default:x"]), "reserved"),
        ("tag not a string", lambda c: c.create("n", aws(), tags=[1]), "every tag must be"),
        ("update with nothing", lambda c: c.update(CONNECTION_ID), "at least one of name, integration or tags"),
        ("update empty name", lambda c: c.update(CONNECTION_ID, name=""), "name must not be empty"),
        (
            "create integration to update",
            lambda c: c.update(CONNECTION_ID, integration=aws()),
            "use AWSIntegrationUpdate to update",
        ),
        (
            "unknown create integration to update",
            lambda c: c.update(CONNECTION_ID, integration=m.UnknownIntegration({"type": "X"})),
            "use UnknownIntegrationUpdate to update",
        ),
        (
            "short AWS account id on update",
            lambda c: c.update(
                CONNECTION_ID, integration=m.AWSIntegrationUpdate(credentials=m.AWSAssumeRoleUpdate(account_id="1"))
            ),
            "account_id must be 12 digits",
        ),
        ("update bad tag", lambda c: c.update(CONNECTION_ID, tags=["nocolon"]), "key:value"),
        ("get empty id", lambda c: c.get(""), "connection_id must not be empty"),
        ("get id not a string", lambda c: c.get(7), "connection_id must be a string"),
        ("update empty id", lambda c: c.update("", name="x"), "connection_id must not be empty"),
        ("delete empty id", lambda c: c.delete(" "), "connection_id must not be empty"),
    ]
    return [pytest.param(call, message, id=name) for name, call, message in calls]


@pytest.mark.parametrize(("call", "message"), _refused_calls())
async def test_bad_arguments_are_refused_before_sending(stub: Any, dd: aiodd.Client, call: Any, message: str) -> None:
    with pytest.raises(aiodd.InvalidArgumentError, match=None) as caught:
        await call(dd.action_connections)
    assert message in str(caught.value)
    assert stub.seen == []


async def test_an_integration_read_from_datadog_cannot_be_created_again_as_is(stub: Any, dd: aiodd.Client) -> None:
    answer = {
        "data": {
            "id": CONNECTION_ID,
            "type": "action_connection",
            "attributes": {
                "name": "dd",
                "integration": {"type": "Datadog", "credentials": {"type": "DatadogAPIKey", "datacenter": "us1"}},
            },
        }
    }
    stub.reply("GET", f"{CONNECTIONS}/{CONNECTION_ID}", 200, json=answer, content_type=VND)
    found = await dd.action_connections.get(CONNECTION_ID)
    assert found.data is not None
    with pytest.raises(aiodd.InvalidArgumentError) as caught:
        await dd.action_connections.create("copy", found.data.attributes.integration)
    assert "integration.credentials.api_key, integration.credentials.app_key required" in str(caught.value)
    assert [s.method for s in stub.seen] == ["GET"]


# --- secrets stay out of reprs, logs and errors --------------------------------------------------------

PLANTED = "PLANTED-s3cr3t-c4f2"


def _pairs() -> list[tuple[type, type]]:
    integrations = [cls for cls in get_args(m.ActionConnectionIntegration) if cls is not m.UnknownIntegration]
    return [
        (integration, credentials)
        for integration in integrations
        for credentials in get_args(get_type_hints(integration)["credentials"])
        if credentials not in (m.UnknownCredentials, NoneType)
    ]


def _with_secrets(cls: type) -> Any:
    """``cls`` with every string field set; secrets (and everything else but ids and names) get PLANTED."""
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if not field.init:
            continue
        kind = [t for t in get_args(hints[field.name]) if t is not NoneType] or [hints[field.name]]
        if attrs.has(kind[0]):
            values[field.name] = _with_secrets(kind[0])
        elif getattr(kind[0], "__origin__", None) is list:
            values[field.name] = [_with_secrets(get_args(kind[0])[0])]
        elif field.name == "account_id":
            values[field.name] = "123456789012"
        elif field.name == "name":
            values[field.name] = "Name"
        elif field.metadata.get("secret"):
            values[field.name] = PLANTED
        else:
            values[field.name] = f"{cls.__name__}-{field.name}"
    return cls(**values)


PAIRS = _pairs()


@pytest.mark.parametrize(
    ("integration_cls", "credentials_cls"),
    PAIRS,
    ids=[f"{i.__name__}/{c.__name__} [{n}/{len(PAIRS)}]" for n, (i, c) in enumerate(PAIRS, 1)],
)
async def test_secrets_reach_the_wire_and_nothing_else(
    stub: Any, dd: aiodd.Client, caplog: pytest.LogCaptureFixture, integration_cls: type, credentials_cls: type
) -> None:
    extra = {"base_url": "https://api.example.com"} if integration_cls is m.HTTPIntegration else {}
    integration = integration_cls(credentials=_with_secrets(credentials_cls), **extra)
    has_secret = PLANTED in json.dumps(unstructure(integration))
    # Worst case: Datadog echoes the secrets back; a 429 first makes the retry layer log.
    echoed = {
        "data": {
            "id": "i",
            "type": "action_connection",
            "attributes": {"name": "n", "integration": unstructure(integration)},
        }
    }
    stub.reply(
        "POST", CONNECTIONS, 429, json={"errors": [{"title": "Too many requests"}]}, headers={"Retry-After": "0"}
    )
    stub.reply("POST", CONNECTIONS, 201, json=echoed, content_type=VND)
    stub.reply("PATCH", f"{CONNECTIONS}/i", 400, json={"errors": [{"title": "Bad Request", "detail": "nope"}]})
    errors: list[BaseException] = []

    with caplog.at_level(logging.DEBUG, logger="aiodd"):
        created = await dd.action_connections.create("n", integration)
        for bad in (
            lambda: dd.action_connections.create("", integration),
            lambda: dd.action_connections.create("n", integration, tags=["no-colon"]),
            lambda: dd.action_connections.update("i", integration=integration),  # not an *Update
            lambda: dd.action_connections.update("i", name="n", tags=["x:y"]),
        ):
            with pytest.raises(aiodd.Error) as caught:
                await bad()
            errors.append(caught.value)

    assert has_secret == bool(
        [f for f in attrs.fields(credentials_cls) if f.metadata.get("secret")] or integration_cls is m.HTTPIntegration
    )
    if has_secret:
        assert PLANTED in stub.seen[-2].body.decode()  # the 201 attempt carried them
    assert [s.method for s in stub.seen] == ["POST", "POST", "PATCH"]
    assert caplog.records, "the retry after the 429 should have been logged"
    shown = [repr(integration), str(integration), repr(created), str(created)]
    shown += [str(e) for e in errors] + [repr(e) for e in errors] + [str(e.args) for e in errors]
    shown += [record.getMessage() for record in caplog.records] + [str(record.args) for record in caplog.records]
    assert not [text for text in shown if PLANTED in text]


# --- every recorded interaction, replayed ----------------------------------------------------------------


def _recorded() -> list[Any]:
    if not RECORDINGS.is_dir():
        return [pytest.param(None, id="recordings-absent")]
    params = []
    for path in sorted(RECORDINGS.glob("*action_connection*.yaml")):
        for n, interaction in enumerate(yaml.safe_load(path.read_text())["interactions"], 1):
            params.append(pytest.param(interaction, id=f"{path.stem.removeprefix('test_')} #{n}"))
    return params


@pytest.mark.parametrize("interaction", _recorded())
async def test_recorded_interaction_replays(stub: Any, dd: aiodd.Client, interaction: dict[str, Any] | None) -> None:
    if interaction is None:
        pytest.skip("../shared/api/recordings not present")
    request, response = interaction["request"], interaction["response"]
    method, path = request["method"], yarl.URL(request["uri"]).raw_path
    status, body = response["status"]["code"], response["body"]["string"]
    content_type = (response["headers"].get("content-type") or ["application/json"])[0]
    stub.reply(method, path, status, body=body.encode(), content_type=content_type)
    connection_id = path.rsplit("/", 1)[1]
    sent = json.loads(request["body"]) if request["body"] else None
    attributes = sent["data"]["attributes"] if sent else {}

    if method == "POST":
        integration = structure(attributes["integration"], m.ActionConnectionIntegration)
        call = dd.action_connections.create(attributes["name"], integration)
    elif method == "PATCH":
        update = structure(attributes["integration"], m.ActionConnectionIntegrationUpdate)
        call = dd.action_connections.update(connection_id, name=attributes["name"], integration=update)
    elif method == "GET":
        call = dd.action_connections.get(connection_id)
    else:
        call = dd.action_connections.delete(connection_id)

    if sent and sent["data"]["attributes"]["integration"]["credentials"]["account_id"] == "1":
        # Datadog refused this account id with a 400; aiodd refuses it before sending.
        with pytest.raises(aiodd.InvalidArgumentError, match="12 digits"):
            await call
        assert stub.seen == []
        return
    if status >= 400:
        with pytest.raises(aiodd.APIStatusError) as caught:
            await call
        assert caught.value.status == status
        expected = json.loads(body)["errors"]
        assert [unstructure(e) for e in caught.value.errors] == expected
    else:
        result = await call
        assert (unstructure(result) if result is not None else None) == (json.loads(body) if body else None)
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.json) == (method, path, sent)
