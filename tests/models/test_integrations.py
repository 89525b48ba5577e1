"""Integrations and Action Connection documents: tagged unions, unknown types, secrets."""

from __future__ import annotations

import json
from types import NoneType
from typing import Any, get_args, get_origin, get_type_hints

import attrs
import pytest

from aiodd import models as m
from aiodd._converter import structure, unstructure

# --- the reference's examples (action-connection-api.txt), inlined ---------------------------------

CREATE_REQUEST_EXAMPLE = {
    "data": {
        "type": "action_connection",
        "attributes": {
            "name": "Cassette Connection exampleactionconnection",
            "integration": {
                "type": "AWS",
                "credentials": {"type": "AWSAssumeRole", "role": "MyRoleUpdated", "account_id": "123456789123"},
            },
        },
    }
}
UPDATE_REQUEST_EXAMPLE = {
    "data": {
        "type": "action_connection",
        "attributes": {
            "name": "Cassette Connection",
            "integration": {
                "type": "AWS",
                "credentials": {"type": "AWSAssumeRole", "role": "MyRoleUpdated", "account_id": "123456789123"},
            },
        },
    }
}
RESPONSE_EXAMPLE = {
    "data": {
        "attributes": {
            "integration": {
                "credentials": {
                    "account_id": "111222333444",
                    "external_id": "33a1011635c44b38a064cf14e82e1d8f",
                    "principal_id": "123456789012",
                    "role": "my-role",
                    "type": "AWSAssumeRole",
                },
                "type": "AWS",
            },
            "name": "My AWS Connection",
        },
        "id": "string",
        "type": "action_connection",
    }
}

PLANTED = "PLANTED-s3cr3t-7f1e"


def _integrations(union: Any, unknown: type) -> list[type]:
    return [cls for cls in get_args(union) if cls is not unknown]


def _credentials(integration: type) -> list[type]:
    hint = get_type_hints(integration)["credentials"]
    return [cls for cls in get_args(hint) if cls not in (NoneType, m.UnknownCredentials, m.UnknownCredentialsUpdate)]


def _pairs(union: Any, unknown: type) -> list[tuple[type, type]]:
    return [(i, c) for i in _integrations(union, unknown) for c in _credentials(i)]


CREATE_PAIRS = _pairs(m.ActionConnectionIntegration, m.UnknownIntegration)
UPDATE_PAIRS = _pairs(m.ActionConnectionIntegrationUpdate, m.UnknownIntegrationUpdate)


def _tag(cls: type) -> Any:
    return attrs.fields_dict(cls)["type"].default


def _list_item_classes(cls: type) -> list[type]:
    """The classes in ``cls``'s list fields: ``HTTPHeader``, ``HTTPToken`` and ``UrlParam`` in ``HTTPTokenAuth``."""
    hints = get_type_hints(cls)
    lists = [kind for field in attrs.fields(cls) for kind in get_args(hints[field.name]) if get_origin(kind) is list]
    return [item for kind in lists for item in get_args(kind) if attrs.has(item)]


# Which fields hold secrets: the models' own list, read off their ``{"secret": True}`` markers, per
# credential class and per item class of HTTP credentials. Hidden from repr, optional in answers,
# required to create (tests/models/test_openapi_drift.py checks the markers against the reference).
SECRET_FIELDS: dict[str, set[str]] = {
    cls.__name__: set(m.secret_credential_fields()[_tag(cls)]) for _, cls in CREATE_PAIRS
} | {
    item.__name__: {field.name for field in attrs.fields(item) if field.metadata.get("secret")}
    for _, cls in CREATE_PAIRS
    for item in _list_item_classes(cls)
}


def _ids(pairs: list[tuple[type, type]]) -> list[str]:
    return [f"{i.__name__}/{c.__name__} [{n}/{len(pairs)}]" for n, (i, c) in enumerate(pairs, 1)]


def _sample(hint: Any, owner: type, name: str, secret: str) -> Any:
    """A value for every field: ``secret`` in secret fields, a valid AWS account id, ``True`` for flags."""
    members = [t for t in get_args(hint) if t is not NoneType] or [hint]
    kind = members[0]
    if attrs.has(kind):
        return _build(kind, secret)
    if getattr(kind, "__origin__", None) is list:
        return [_sample(get_args(kind)[0], owner, name, secret)]
    if kind is bool:
        return True
    if name in SECRET_FIELDS.get(owner.__name__.removesuffix("Update"), ()):
        return secret
    if name == "account_id":
        return "123456789012"
    if name == "name":
        return "XName"
    return f"{owner.__name__}.{name}"


def _build(cls: type, secret: str = PLANTED) -> Any:
    """``cls`` with every init field set."""
    hints = get_type_hints(cls)
    return cls(**{f.name: _sample(hints[f.name], cls, f.name, secret) for f in attrs.fields(cls) if f.init})


def _connection(integration_cls: type, credentials_cls: type, secret: str = PLANTED) -> Any:
    extra = {"base_url": "https://api.example.com"} if "base_url" in attrs.fields_dict(integration_cls) else {}
    return integration_cls(credentials=_build(credentials_cls, secret), **extra)


# --- tagged unions ---------------------------------------------------------------------------------


def test_there_are_24_integrations_and_25_credential_types_each_with_an_update_twin() -> None:
    assert len(_integrations(m.ActionConnectionIntegration, m.UnknownIntegration)) == 24
    assert len(_integrations(m.ActionConnectionIntegrationUpdate, m.UnknownIntegrationUpdate)) == 24
    assert len(CREATE_PAIRS) == len(UPDATE_PAIRS) == 25
    assert [(i.__name__ + "Update", c.__name__ + "Update") for i, c in CREATE_PAIRS] == [
        (i.__name__, c.__name__) for i, c in UPDATE_PAIRS
    ]


@pytest.mark.parametrize(("integration_cls", "credentials_cls"), CREATE_PAIRS, ids=_ids(CREATE_PAIRS))
def test_every_create_variant_structures_into_its_classes_and_back(
    integration_cls: type, credentials_cls: type
) -> None:
    wire = unstructure(_connection(integration_cls, credentials_cls))
    parsed = structure(wire, m.ActionConnectionIntegration)
    assert type(parsed) is integration_cls
    assert type(parsed.credentials) is credentials_cls
    assert unstructure(parsed) == wire


@pytest.mark.parametrize(("integration_cls", "credentials_cls"), UPDATE_PAIRS, ids=_ids(UPDATE_PAIRS))
def test_every_update_variant_structures_into_its_classes_and_back(
    integration_cls: type, credentials_cls: type
) -> None:
    wire = unstructure(_connection(integration_cls, credentials_cls))
    parsed = structure(wire, m.ActionConnectionIntegrationUpdate)
    assert type(parsed) is integration_cls
    assert type(parsed.credentials) is credentials_cls
    assert unstructure(parsed) == wire


def test_type_is_fixed_by_the_class_and_written_on_the_wire() -> None:
    integration = m.AWSIntegration(credentials=m.AWSAssumeRole(account_id="111222333444", role="my-role"))
    assert unstructure(integration) == {
        "credentials": {"account_id": "111222333444", "role": "my-role", "type": "AWSAssumeRole"},
        "type": "AWS",
    }
    with pytest.raises(TypeError):
        m.AWSIntegration(credentials=integration.credentials, type="GCP")  # type: ignore[call-arg]


def test_an_update_variant_has_its_own_tags_and_update_only_fields() -> None:
    update = m.AWSIntegrationUpdate(credentials=m.AWSAssumeRoleUpdate(generate_new_external_id=True))
    assert unstructure(update) == {
        "credentials": {"generate_new_external_id": True, "type": "AWSAssumeRole"},
        "type": "AWS",
    }
    assert unstructure(m.GitlabIntegrationUpdate()) == {"type": "Gitlab"}


def test_http_credentials_with_every_part_round_trip() -> None:
    wire = {
        "base_url": "https://api.example.com/v1",
        "credentials": {
            "body": {"content": '{"grant": "x"}', "content_type": "application/json"},
            "headers": [{"name": "Authorization", "value": "Bearer abc"}],
            "tokens": [{"name": "MyToken", "type": "SECRET", "value": "tok"}],
            "type": "HTTPTokenAuth",
            "url_parameters": [{"name": "region", "value": "eu"}],
        },
        "type": "HTTP",
    }
    parsed = structure(wire, m.ActionConnectionIntegration)
    assert parsed == m.HTTPIntegration(
        base_url="https://api.example.com/v1",
        credentials=m.HTTPTokenAuth(
            body=m.HTTPBody(content='{"grant": "x"}', content_type="application/json"),
            headers=[m.HTTPHeader(name="Authorization", value="Bearer abc")],
            tokens=[m.HTTPToken(name="MyToken", value="tok")],
            url_parameters=[m.UrlParam(name="region", value="eu")],
        ),
    )
    assert unstructure(parsed) == wire


def test_http_update_items_carry_deleted() -> None:
    wire = {
        "credentials": {
            "headers": [{"deleted": True, "name": "X-Old"}],
            "tokens": [{"deleted": True, "name": "Old", "type": "SECRET", "value": "v"}],
            "type": "HTTPTokenAuth",
            "url_parameters": [{"deleted": False, "name": "keep", "value": "1"}],
        },
        "type": "HTTP",
    }
    parsed = structure(wire, m.ActionConnectionIntegrationUpdate)
    assert isinstance(parsed, m.HTTPIntegrationUpdate)
    assert isinstance(parsed.credentials, m.HTTPTokenAuthUpdate)
    assert parsed.credentials.headers == [m.HTTPHeaderUpdate(deleted=True, name="X-Old")]
    assert unstructure(parsed) == wire


# --- the reference's examples ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("example", "cls"),
    [
        (CREATE_REQUEST_EXAMPLE, m.CreateActionConnectionRequest),
        (UPDATE_REQUEST_EXAMPLE, m.UpdateActionConnectionRequest),
        (RESPONSE_EXAMPLE, m.CreateActionConnectionResponse),
        (RESPONSE_EXAMPLE, m.GetActionConnectionResponse),
        (RESPONSE_EXAMPLE, m.UpdateActionConnectionResponse),
    ],
    ids=["create request", "update request", "create response", "get response", "update response"],
)
def test_reference_examples_round_trip(example: dict[str, Any], cls: type) -> None:
    assert unstructure(structure(example, cls)) == example


def test_the_response_example_reads_like_the_json() -> None:
    response = structure(RESPONSE_EXAMPLE, m.GetActionConnectionResponse)
    assert response.data.id == "string"
    credentials = response.data.attributes.integration.credentials
    assert isinstance(credentials, m.AWSAssumeRole)
    assert (credentials.external_id, credentials.principal_id) == ("33a1011635c44b38a064cf14e82e1d8f", "123456789012")


def test_tags_travel_in_the_attributes() -> None:
    document = json.loads(json.dumps(RESPONSE_EXAMPLE))
    document["data"]["attributes"]["tags"] = ["team:infra", "env:prod"]
    response = structure(document, m.GetActionConnectionResponse)
    assert response.data.attributes.tags == ["team:infra", "env:prod"]
    assert unstructure(response) == document


def test_the_update_request_omits_what_is_not_changed() -> None:
    request = m.UpdateActionConnectionRequest(
        data=m.ActionConnectionDataUpdate(attributes=m.ActionConnectionAttributesUpdate(tags=[]))
    )
    assert unstructure(request) == {"data": {"attributes": {"tags": []}, "type": "action_connection"}}


# --- answers without secrets ---------------------------------------------------------------------


def test_a_get_without_secrets_structures_into_the_right_classes() -> None:
    document = {
        "data": {
            "id": "c0ffee00-0000-4000-8000-000000000001",
            "type": "action_connection",
            "attributes": {
                "name": "dd",
                "integration": {"type": "Datadog", "credentials": {"type": "DatadogAPIKey", "datacenter": "us1"}},
            },
        }
    }
    response = structure(document, m.GetActionConnectionResponse)
    integration = response.data.attributes.integration
    assert isinstance(integration, m.DatadogIntegration)
    assert integration.credentials == m.DatadogAPIKey(datacenter="us1")
    assert m.missing_secrets(integration) == ["integration.credentials.api_key", "integration.credentials.app_key"]
    assert unstructure(response) == document


@pytest.mark.parametrize(("integration_cls", "credentials_cls"), CREATE_PAIRS, ids=_ids(CREATE_PAIRS))
def test_every_variant_parses_with_its_secrets_withheld(integration_cls: type, credentials_cls: type) -> None:
    wire = unstructure(_connection(integration_cls, credentials_cls))
    secrets = SECRET_FIELDS[credentials_cls.__name__]
    for name in secrets:
        del wire["credentials"][name]
    for item in wire["credentials"].get("headers", []) + wire["credentials"].get("tokens", []):
        del item["value"]
    parsed = structure(wire, m.ActionConnectionIntegration)
    assert type(parsed.credentials) is credentials_cls
    assert {path.rsplit(".", 1)[1] for path in m.missing_secrets(parsed)} == (secrets or set()) | (
        {"value"} if credentials_cls is m.HTTPTokenAuth else set()
    )


def test_missing_secrets_is_empty_for_a_complete_payload() -> None:
    for integration_cls, credentials_cls in CREATE_PAIRS:
        assert m.missing_secrets(_connection(integration_cls, credentials_cls)) == []


# --- unknown types -------------------------------------------------------------------------------

UNKNOWN_INTEGRATION = {
    "type": "Pagerduty2030",
    "credentials": {"type": "PDOAuth", "refresh_token": "rt-Ω", "scopes": ["a", "b"], "ttl": 3.5, "extra": None},
    "region": "eu",
}


def test_an_unknown_integration_round_trips_byte_for_byte() -> None:
    parsed = structure(UNKNOWN_INTEGRATION, m.ActionConnectionIntegration)
    assert isinstance(parsed, m.UnknownIntegration)
    assert parsed.type == "Pagerduty2030"
    assert json.dumps(unstructure(parsed)) == json.dumps(UNKNOWN_INTEGRATION)


def test_an_unknown_update_integration_round_trips_byte_for_byte() -> None:
    parsed = structure(UNKNOWN_INTEGRATION, m.ActionConnectionIntegrationUpdate)
    assert isinstance(parsed, m.UnknownIntegrationUpdate)
    assert json.dumps(unstructure(parsed)) == json.dumps(UNKNOWN_INTEGRATION)


def test_unknown_credentials_in_a_known_integration_keep_the_known_class() -> None:
    credentials = {"type": "AWSWebIdentity", "token_file": "/x", "nested": {"k": [1, 2.5, None, "é"]}}
    parsed = structure({"type": "AWS", "credentials": credentials}, m.ActionConnectionIntegration)
    assert isinstance(parsed, m.AWSIntegration)
    assert isinstance(parsed.credentials, m.UnknownCredentials)
    assert json.dumps(unstructure(parsed)["credentials"]) == json.dumps(credentials)
    update = structure({"type": "AWS", "credentials": credentials}, m.ActionConnectionIntegrationUpdate)
    assert isinstance(update.credentials, m.UnknownCredentialsUpdate)
    assert json.dumps(unstructure(update)["credentials"]) == json.dumps(credentials)


def test_an_integration_without_a_type_is_unknown_not_a_crash() -> None:
    parsed = structure({"credentials": {}}, m.ActionConnectionIntegration)
    assert isinstance(parsed, m.UnknownIntegration)
    assert parsed.type is None
    assert unstructure(parsed) == {"credentials": {}}


def test_the_unstructured_raw_dict_is_a_copy() -> None:
    parsed = structure(json.loads(json.dumps(UNKNOWN_INTEGRATION)), m.ActionConnectionIntegration)
    unstructure(parsed)["credentials"]["refresh_token"] = "changed"
    assert unstructure(parsed) == UNKNOWN_INTEGRATION


def test_unknown_variants_show_only_their_type() -> None:
    parsed = structure(UNKNOWN_INTEGRATION, m.ActionConnectionIntegration)
    assert repr(parsed) == str(parsed) == "UnknownIntegration(type='Pagerduty2030')"
    credentials = m.UnknownCredentials({"type": "X", "secret": PLANTED})
    assert PLANTED not in repr(m.AWSIntegration(credentials=credentials))


# --- secrets ---------------------------------------------------------------------------------------


def _model_classes() -> list[type]:
    return [obj for name in m.__all__ if attrs.has(obj := getattr(m, name)) and obj.__module__.endswith("integrations")]


def test_secret_credential_fields_name_every_credential_type_by_its_tag() -> None:
    secrets = m.secret_credential_fields()
    assert sorted(secrets) == sorted(_tag(cls) for _, cls in CREATE_PAIRS)
    assert secrets["AWSAssumeRole"] == frozenset()  # external_id / principal_id are read-only, not secret
    assert secrets["DatadogAPIKey"] == {"api_key", "app_key"}
    assert set(SECRET_FIELDS) >= {"HTTPHeader", "HTTPToken", "UrlParam"}


def test_update_twins_mark_the_same_secret_fields() -> None:
    found = {
        cls.__name__: {f.name for f in attrs.fields(cls) if f.metadata.get("secret")}
        for cls in _model_classes()
        if cls.__name__.removesuffix("Update") in SECRET_FIELDS
    }
    expected = {name: SECRET_FIELDS[name.removesuffix("Update")] for name in found}
    assert found == expected
    assert len(found) == 2 * len(SECRET_FIELDS)


def test_secrets_are_optional_when_read_and_hidden_from_repr() -> None:
    for cls in _model_classes():
        for field in attrs.fields(cls):
            if field.metadata.get("secret"):
                assert field.repr is False, f"{cls.__name__}.{field.name}"
                if not (cls is m.HTTPTokenUpdate and field.name == "value"):  # required by the reference
                    assert field.default is None, f"{cls.__name__}.{field.name}"


@pytest.mark.parametrize(
    ("integration_cls", "credentials_cls"), CREATE_PAIRS + UPDATE_PAIRS, ids=_ids(CREATE_PAIRS + UPDATE_PAIRS)
)
def test_a_planted_secret_appears_in_no_repr_or_str(integration_cls: type, credentials_cls: type) -> None:
    integration = _connection(integration_cls, credentials_cls)
    assert (
        PLANTED in json.dumps(unstructure(integration))
        or not SECRET_FIELDS[credentials_cls.__name__.removesuffix("Update")]
    )
    if integration_cls.__name__.endswith("Update"):
        attributes: Any = m.ActionConnectionAttributesUpdate(integration=integration, name="n")
        document: Any = m.UpdateActionConnectionRequest(data=m.ActionConnectionDataUpdate(attributes=attributes))
    else:
        attributes = m.ActionConnectionAttributes(integration=integration, name="n")
        document = m.GetActionConnectionResponse(data=m.ActionConnectionData(attributes=attributes, id="i"))
    for shown in (integration, integration.credentials, attributes, document):
        assert PLANTED not in repr(shown)
        assert PLANTED not in str(shown)


def test_http_body_content_is_hidden_from_repr() -> None:
    body = m.HTTPBody(content=f'{{"client_secret": "{PLANTED}"}}', content_type="application/json")
    assert PLANTED not in repr(m.HTTPTokenAuth(body=body))
    assert "application/json" in repr(body)
