"""aiodd and Datadog's official Python client agree on the wire, variant by variant.

The variants come from the official client (its oneOf lists), not from aiodd, so an integration or
credential type aiodd lacks fails here. Each payload sets every field its class has: built with the
official models and serialised their way (``data_to_dict``, what ``ApiClient`` sends), it must survive
aiodd's structure -> unstructure unchanged; built with aiodd models, the official deserializer must
read it back to the same JSON.
"""

from __future__ import annotations

import json
from types import NoneType
from typing import Any, get_args, get_type_hints

import attrs
import pytest
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.model_utils import ModelNormal, ModelSimple, data_to_dict
from datadog_api_client.v2.model.action_connection_attributes import (
    ActionConnectionAttributes as OfficialAttributes,
)
from datadog_api_client.v2.model.action_connection_attributes_update import (
    ActionConnectionAttributesUpdate as OfficialAttributesUpdate,
)
from datadog_api_client.v2.model.action_connection_data import ActionConnectionData as OfficialData
from datadog_api_client.v2.model.action_connection_data_type import ActionConnectionDataType
from datadog_api_client.v2.model.action_connection_data_update import (
    ActionConnectionDataUpdate as OfficialDataUpdate,
)
from datadog_api_client.v2.model.action_connection_integration import (
    ActionConnectionIntegration as OfficialIntegration,
)
from datadog_api_client.v2.model.action_connection_integration_update import (
    ActionConnectionIntegrationUpdate as OfficialIntegrationUpdate,
)
from datadog_api_client.v2.model.create_action_connection_request import (
    CreateActionConnectionRequest as OfficialCreateRequest,
)
from datadog_api_client.v2.model.get_action_connection_response import (
    GetActionConnectionResponse as OfficialGetResponse,
)
from datadog_api_client.v2.model.update_action_connection_request import (
    UpdateActionConnectionRequest as OfficialUpdateRequest,
)

from aiodd import models as m
from aiodd._converter import structure, unstructure

TAGS = ["team:infra", "env:prod"]


def _variants(union: Any) -> list[tuple[type, type]]:
    """(integration, credentials) official class pairs, in the official client's order."""
    return [
        (integration, credentials)
        for integration in union._composed_schemas["oneOf"]
        for credentials in integration.openapi_types["credentials"][0]._composed_schemas["oneOf"]
    ]


CREATE_VARIANTS = _variants(OfficialIntegration)
UPDATE_VARIANTS = _variants(OfficialIntegrationUpdate)


def _ids(variants: list[tuple[type, type]], prefix: str = "") -> list[str]:
    return [
        f"{prefix}{i.__name__.removesuffix('Update').removesuffix('Integration')}/{c.__name__} [{n}/{len(variants)}]"
        for n, (i, c) in enumerate(variants, 1)
    ]


def _text(owner: str, field: str) -> str:
    """The same sample string on both sides, valid where the API has a pattern."""
    if field == "account_id":
        return "123456789012"
    if field == "name":  # HTTP header, token and URL parameter names: letters only
        return "XName"
    return f"{owner.removesuffix('Update')}-{field}"


# --- payloads built with the official models --------------------------------------------------------


def _official(cls: Any) -> Any:
    """``cls`` with every field set but the read-only ones, which its constructor refuses."""
    read_only = getattr(cls, "read_only_vars", set())
    return cls(
        **{
            name: _official_value(cls.__name__, name, types[0])
            for name, types in cls.openapi_types.items()
            if name not in read_only
        }
    )


def _official_value(owner: str, name: str, kind: Any) -> Any:
    if isinstance(kind, list):
        return [_official_value(owner, name, kind[0])]
    if isinstance(kind, type) and issubclass(kind, ModelSimple):  # an enum: its one value
        [value] = kind.allowed_values
        return kind(value)
    if isinstance(kind, type) and issubclass(kind, ModelNormal):
        return _official(kind)
    if kind is bool:
        return True
    assert kind is str, (owner, name, kind)
    return _text(owner, name)


def _official_integration(integration: Any, credentials: Any) -> Any:
    kwargs = {
        name: _official_value(integration.__name__, name, types[0])
        for name, types in integration.openapi_types.items()
        if name != "credentials"
    }
    return integration(credentials=_official(credentials), **kwargs)


def _wire(official: Any) -> Any:
    """What the official client sends: ``data_to_dict`` (``ApiClient.call_api``'s serialiser) as JSON."""
    return json.loads(json.dumps(data_to_dict(official)))


# --- payloads built with aiodd models ------------------------------------------------------------------


def _ours(cls: type, *, skip: frozenset[str] = frozenset()) -> Any:
    hints = get_type_hints(cls)
    return cls(
        **{
            field.name: _our_value(cls.__name__, field.name, hints[field.name])
            for field in attrs.fields(cls)
            if field.init and field.name not in skip
        }
    )


def _our_value(owner: str, name: str, hint: Any) -> Any:
    kind = next((t for t in get_args(hint) if t is not NoneType), hint)
    if attrs.has(kind):
        return _ours(kind)
    if getattr(kind, "__origin__", None) is list:
        return [_our_value(owner, name, get_args(kind)[0])]
    if kind is bool:
        return True
    return "SECRET" if (owner.startswith("HTTPToken") and name == "type") else _text(owner, name)


def _our_integration(integration: type, credentials: type, *, read_only: bool) -> Any:
    official = next(c for _, c in CREATE_VARIANTS + UPDATE_VARIANTS if c.__name__ == credentials.__name__)
    skip = frozenset() if read_only else frozenset(getattr(official, "read_only_vars", ()))
    extra = (
        {"base_url": _text(integration.__name__, "base_url")} if "base_url" in attrs.fields_dict(integration) else {}
    )
    return integration(credentials=_ours(credentials, skip=skip), **extra)


def _ours_for(official_integration: type, official_credentials: type) -> tuple[type, type]:
    return getattr(m, official_integration.__name__), getattr(m, official_credentials.__name__)


# --- the variant lists agree -------------------------------------------------------------------------


def _names(union: Any, unknown: type) -> set[tuple[str, str]]:
    return {
        (integration.__name__, credentials.__name__)
        for integration in get_args(union)
        if integration is not unknown
        for credentials in get_args(get_type_hints(integration)["credentials"])
        if credentials not in (NoneType, m.UnknownCredentials, m.UnknownCredentialsUpdate)
    }


def test_aiodd_has_exactly_the_official_variants() -> None:
    assert len(CREATE_VARIANTS) == len(UPDATE_VARIANTS) == 25
    assert _names(m.ActionConnectionIntegration, m.UnknownIntegration) == {
        (i.__name__, c.__name__) for i, c in CREATE_VARIANTS
    }
    assert _names(m.ActionConnectionIntegrationUpdate, m.UnknownIntegrationUpdate) == {
        (i.__name__, c.__name__) for i, c in UPDATE_VARIANTS
    }


# --- create ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("integration", "credentials"), CREATE_VARIANTS, ids=_ids(CREATE_VARIANTS))
def test_an_official_create_payload_survives_aiodd(integration: Any, credentials: Any) -> None:
    request = OfficialCreateRequest(
        data=OfficialData(
            type=ActionConnectionDataType.ACTION_CONNECTION,
            attributes=OfficialAttributes(
                name="conn", integration=_official_integration(integration, credentials), tags=TAGS
            ),
        )
    )
    wire = _wire(request)

    ours = structure(wire, m.CreateActionConnectionRequest)

    assert (type(ours.data.attributes.integration), type(ours.data.attributes.integration.credentials)) == _ours_for(
        integration, credentials
    )
    assert unstructure(ours) == wire


@pytest.mark.parametrize(("integration", "credentials"), CREATE_VARIANTS, ids=_ids(CREATE_VARIANTS))
def test_an_aiodd_create_payload_survives_the_official_client(integration: Any, credentials: Any) -> None:
    ours = m.CreateActionConnectionRequest(
        data=m.ActionConnectionData(
            attributes=m.ActionConnectionAttributes(
                integration=_our_integration(*_ours_for(integration, credentials), read_only=False),
                name="conn",
                tags=TAGS,
            )
        )
    )
    wire = unstructure(ours)

    official = ApiClient(Configuration()).deserialize(json.dumps(wire), (OfficialCreateRequest,), True)

    parsed = official.data.attributes.integration.get_oneof_instance()
    assert (type(parsed), type(parsed.credentials.get_oneof_instance())) == (integration, credentials)
    assert _wire(official) == wire
    # Both sides filled every field they know with the same samples: equal JSON, equal field sets.
    assert wire["data"]["attributes"]["integration"] == _wire(_official_integration(integration, credentials))


@pytest.mark.parametrize(("integration", "credentials"), CREATE_VARIANTS, ids=_ids(CREATE_VARIANTS, "answer "))
def test_an_answer_with_read_only_fields_reads_the_same_on_both_sides(integration: Any, credentials: Any) -> None:
    answer = {
        "data": {
            "id": "cb460d51-3c88-4e87-adac-d47131d0423d",
            "type": "action_connection",
            "attributes": {
                "name": "conn",
                "tags": TAGS,
                "integration": unstructure(_our_integration(*_ours_for(integration, credentials), read_only=True)),
            },
        }
    }

    official = ApiClient(Configuration()).deserialize(json.dumps(answer), (OfficialGetResponse,), True)
    ours = structure(answer, m.GetActionConnectionResponse)

    assert _wire(official) == answer
    assert unstructure(ours) == answer
    read_only = getattr(credentials, "read_only_vars", set())
    assert read_only <= set(answer["data"]["attributes"]["integration"]["credentials"])


# --- update ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("integration", "credentials"), UPDATE_VARIANTS, ids=_ids(UPDATE_VARIANTS, "update "))
def test_an_official_update_payload_survives_aiodd(integration: Any, credentials: Any) -> None:
    request = OfficialUpdateRequest(
        data=OfficialDataUpdate(
            type=ActionConnectionDataType.ACTION_CONNECTION,
            attributes=OfficialAttributesUpdate(
                name="conn", integration=_official_integration(integration, credentials), tags=TAGS
            ),
        )
    )
    wire = _wire(request)

    ours = structure(wire, m.UpdateActionConnectionRequest)

    updated = ours.data.attributes.integration
    assert (type(updated), type(updated.credentials)) == _ours_for(integration, credentials)
    assert unstructure(ours) == wire


@pytest.mark.parametrize(("integration", "credentials"), UPDATE_VARIANTS, ids=_ids(UPDATE_VARIANTS, "update "))
def test_an_aiodd_update_payload_survives_the_official_client(integration: Any, credentials: Any) -> None:
    ours = m.UpdateActionConnectionRequest(
        data=m.ActionConnectionDataUpdate(
            attributes=m.ActionConnectionAttributesUpdate(
                integration=_our_integration(*_ours_for(integration, credentials), read_only=False),
                name="conn",
                tags=TAGS,
            )
        )
    )
    wire = unstructure(ours)

    official = ApiClient(Configuration()).deserialize(json.dumps(wire), (OfficialUpdateRequest,), True)

    parsed = official.data.attributes.integration.get_oneof_instance()
    assert (type(parsed), type(parsed.credentials.get_oneof_instance())) == (integration, credentials)
    assert _wire(official) == wire
    assert wire["data"]["attributes"]["integration"] == _wire(_official_integration(integration, credentials))
