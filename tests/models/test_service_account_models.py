"""Service Account and App Key Registration models: what real answers structure into, and request
bodies that survive a round trip through the converter."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from aiodd._converter import structure, structure_error_list, unstructure
from aiodd.models import (
    ApplicationKeyCreateAttributes,
    ApplicationKeyCreateData,
    ApplicationKeyCreateRequest,
    ApplicationKeyResponse,
    ApplicationKeyUpdateAttributes,
    ApplicationKeyUpdateData,
    ApplicationKeyUpdateRequest,
    GetAppKeyRegistrationResponse,
    LeakedKey,
    ListAppKeyRegistrationsResponse,
    ListApplicationKeysResponse,
    Organization,
    PartialApplicationKeyResponse,
    Permission,
    RegisterAppKeyResponse,
    Role,
    ServiceAccountCreateAttributes,
    ServiceAccountCreateData,
    ServiceAccountCreateRequest,
    UnknownResource,
    User,
    UserResponse,
)

# tests/conftest.py's RECORDINGS: <repo>/../shared/api/recordings
RECORDINGS = Path(__file__).resolve().parents[3] / "shared" / "api" / "recordings"
REFERENCE = RECORDINGS.parent / "service-accounts-api.txt"
SECRET = "s3cr3t0123456789abcdef0123456789abcdef01"

# Which model each recorded answer of our two API groups structures into (None: no body expected).
ROUTES: list[tuple[str, str, str, type | None]] = [
    ("create-service-account", "POST", r"/api/v2/service_accounts", UserResponse),
    ("create-key", "POST", r"/api/v2/service_accounts/[^/]+/application_keys", ApplicationKeyResponse),
    ("list-keys", "GET", r"/api/v2/service_accounts/[^/]+/application_keys", ListApplicationKeysResponse),
    ("get-key", "GET", r"/api/v2/service_accounts/[^/]+/application_keys/[^/]+", PartialApplicationKeyResponse),
    ("update-key", "PATCH", r"/api/v2/service_accounts/[^/]+/application_keys/[^/]+", PartialApplicationKeyResponse),
    ("delete-key", "DELETE", r"/api/v2/service_accounts/[^/]+/application_keys/[^/]+", None),
    ("register", "PUT", r"/api/v2/actions/app_key_registrations/[^/]+", RegisterAppKeyResponse),
    ("get-registration", "GET", r"/api/v2/actions/app_key_registrations/[^/]+", GetAppKeyRegistrationResponse),
    ("list-registrations", "GET", r"/api/v2/actions/app_key_registrations", ListAppKeyRegistrationsResponse),
    ("unregister", "DELETE", r"/api/v2/actions/app_key_registrations/[^/]+", None),
]
OUR_GROUPS = re.compile(r"/api/v2/(service_accounts|actions/app_key_registrations)(/|$)")


@attrs.frozen
class Recorded:
    cassette: str
    method: str
    path: str
    status: int
    body: str


def recorded_answers() -> list[Recorded]:
    """Every recorded answer of our two API groups; skips the test when the recordings are absent."""
    if not RECORDINGS.is_dir():
        pytest.skip(f"../shared/api/recordings not present: {RECORDINGS}")
    answers = []
    for cassette in sorted(RECORDINGS.glob("*.yaml")):
        for interaction in yaml.safe_load(cassette.read_text())["interactions"]:
            request, response = interaction["request"], interaction["response"]
            path = re.sub(r"^https://[^/]+", "", request["uri"]).split("?")[0]
            if OUR_GROUPS.match(path):
                body = response["body"]["string"]
                answers.append(Recorded(cassette.name, request["method"], path, response["status"]["code"], body))
    return answers


def route_of(answer: Recorded) -> str | None:
    for name, method, pattern, _ in ROUTES:
        if answer.method == method and re.fullmatch(pattern, answer.path):
            return name
    return None


def datetimes_in(value: Any) -> list[datetime]:
    """Every datetime anywhere inside a structured model."""
    if isinstance(value, datetime):
        return [value]
    if attrs.has(type(value)):
        return [found for field in attrs.fields(type(value)) for found in datetimes_in(getattr(value, field.name))]
    if isinstance(value, list):
        return [found for item in value for found in datetimes_in(item)]
    return []


# --- recorded answers ---------------------------------------------------------------------------


def test_every_recorded_answer_of_our_groups_has_a_known_route() -> None:
    unrouted = [(a.cassette, a.method, a.path) for a in recorded_answers() if route_of(a) is None]
    assert unrouted == []


@pytest.mark.parametrize(("route", "model"), [(name, model) for name, _, _, model in ROUTES if model is not None])
def test_every_recorded_success_structures_without_error(route: str, model: type) -> None:
    answers = [a for a in recorded_answers() if route_of(a) == route and a.status < 300]
    assert answers, f"no recorded success for {route}"
    for answer in answers:
        result = structure(json.loads(answer.body), model)
        assert isinstance(result, model)
        assert result.data is not None, answer.cassette
        assert all(stamp.tzinfo is not None for stamp in datetimes_in(result)), answer.cassette


def test_every_recorded_no_content_answer_is_an_empty_204() -> None:
    bodiless = {name for name, _, _, model in ROUTES if model is None}
    answers = [a for a in recorded_answers() if route_of(a) in bodiless and a.status < 300]
    assert answers, "the recordings hold DELETE answers of our groups"
    assert {(a.status, a.body) for a in answers} == {(204, "")}


def test_every_recorded_error_body_parses_into_a_non_empty_error_list() -> None:
    errors = [a for a in recorded_answers() if a.status >= 400]
    assert errors, "the recordings hold error answers of our groups"
    for answer in errors:
        assert structure_error_list(json.loads(answer.body)) != [], answer.cassette


# --- inline answers with the same quirks, so the suite stands alone ----------------------------

USER_RESPONSE: dict[str, Any] = {
    "data": {
        "type": "users",
        "id": "9d9c0565-a0ae-11ed-88af-be56a8628f3f",
        "attributes": {
            "name": None,
            "handle": "9d9c0565-a0ae-11ed-88af-be56a8628f3f",
            "created_at": "2023-01-30T14:58:54.736093+00:00",
            "modified_at": "2023-01-30T14:58:54.738680+00:00",
            "email": "deploy-bot@example.com",
            "icon": "https://secure.gravatar.com/avatar/x?s=48&d=retro",
            "title": None,
            "verified": True,
            "service_account": True,
            "disabled": False,
            "allowed_login_methods": [],
            "status": "Active",
            "uuid": "9d9c0565-a0ae-11ed-88af-be56a8628f3f",
        },
        "relationships": {
            "roles": {"data": [{"type": "roles", "id": "role-1"}]},
            "org": {"data": {"type": "orgs", "id": "org-1"}},
        },
    },
    "included": [
        {
            "type": "roles",
            "id": "role-1",
            "attributes": {"name": "Deployers", "created_at": "2023-01-30T14:58:54.528421+00:00"},
            "relationships": {"permissions": {"data": [{"type": "permissions", "id": "perm-1"}]}},
        },
        {
            "type": "permissions",
            "id": "perm-1",
            "attributes": {
                "name": "dashboards_read",
                "created": "2019-09-10T14:39:51.955175+00:00",
                "restricted": True,
            },
        },
        {"type": "orgs", "id": "org-1", "attributes": {"name": "Example", "created_at": "2019-09-19T10:00:00.000Z"}},
    ],
}

KEY_CREATED: dict[str, Any] = {
    "data": {
        "type": "application_keys",
        "id": "6315ab43-ce92-4130-b6d2-94ceb5f7142a",
        "attributes": {
            "name": "deploy",
            "created_at": "2023-10-12T10:11:48.340554+00:00",
            "last4": "ef01",
            "key": SECRET,
            "scopes": None,
        },
        "relationships": {
            "owned_by": {"data": {"type": "users", "id": "c0ea5a28-68e7-11ee-af78-7221d1e45f66"}},
            "leak_information": {"data": None},
        },
    }
}

KEY_WITH_INCLUDED: dict[str, Any] = {
    "data": {
        "type": "application_keys",
        "id": "key-1",
        "attributes": {"name": "deploy", "created_at": "2020-11-23T10:00:00.000Z", "scopes": ["dashboards_read"]},
        "relationships": {"owned_by": {"data": {"type": "users", "id": "user-1"}}},
    },
    "included": [
        {"type": "users", "id": "user-1", "attributes": {"email": "a@example.com", "mfa_enabled": False}},
        {"type": "roles", "id": "role-1", "attributes": {"name": "Deployers"}},
        {
            "type": "leaked_keys",
            "id": "leak-1",
            "attributes": {"date": "2024-02-01T08:00:00.000Z", "leak_source": "github"},
        },
        {"type": "teams", "id": "team-1", "attributes": {"handle": "sre"}, "relationships": {"members": {}}},
    ],
}


def test_user_response_with_real_world_extra_fields_structures() -> None:
    response = structure(USER_RESPONSE, UserResponse)
    assert response.data.id == "9d9c0565-a0ae-11ed-88af-be56a8628f3f"
    assert response.data.attributes.uuid == "9d9c0565-a0ae-11ed-88af-be56a8628f3f"
    assert response.data.attributes.name is None
    assert response.data.attributes.title is None
    assert response.data.attributes.service_account is True
    assert response.data.relationships.org.data.id == "org-1"
    assert [role.id for role in response.data.relationships.roles.data] == ["role-1"]


def test_user_response_included_items_are_told_apart_by_type() -> None:
    included = structure(USER_RESPONSE, UserResponse).included
    assert [type(item) for item in included] == [Role, Permission, Organization]
    role, permission, _ = included
    assert role.relationships.permissions.data[0].id == "perm-1"
    assert permission.attributes.name == "dashboards_read"


def test_application_key_included_items_are_told_apart_by_type() -> None:
    included = structure(KEY_WITH_INCLUDED, PartialApplicationKeyResponse).included
    assert [type(item) for item in included] == [User, Role, LeakedKey, UnknownResource]
    assert included[2].attributes.leak_source == "github"


def test_unknown_included_type_is_kept_whole_as_unknown_resource() -> None:
    unknown = structure(KEY_WITH_INCLUDED, PartialApplicationKeyResponse).included[3]
    assert isinstance(unknown, UnknownResource)
    assert unknown.type == "teams"
    assert unknown.id == "team-1"
    assert unknown.raw == KEY_WITH_INCLUDED["included"][3]


def test_unknown_resource_unstructures_back_to_its_raw_dict() -> None:
    response = structure(KEY_WITH_INCLUDED, PartialApplicationKeyResponse)
    assert unstructure(response)["included"][3] == KEY_WITH_INCLUDED["included"][3]


def test_included_item_without_a_type_is_an_unknown_resource() -> None:
    response = structure({"data": None, "included": [{"id": "x"}]}, UserResponse)
    assert response.included == [UnknownResource({"id": "x"})]
    assert response.included[0].type is None


def test_unknown_fields_are_ignored() -> None:
    answer = json.loads(json.dumps(KEY_CREATED))
    answer["data"]["attributes"]["brand_new_field"] = {"nested": [1, 2]}
    answer["meta"] = {"anything": True}
    assert structure(answer, ApplicationKeyResponse) == structure(KEY_CREATED, ApplicationKeyResponse)


def test_created_key_exposes_its_secret_and_scopes_null_as_none() -> None:
    attributes = structure(KEY_CREATED, ApplicationKeyResponse).data.attributes
    assert attributes.key == SECRET
    assert attributes.scopes is None
    assert attributes.last4 == "ef01"


def test_created_key_secret_is_not_in_repr() -> None:
    response = structure(KEY_CREATED, ApplicationKeyResponse)
    assert SECRET not in repr(response)
    assert SECRET not in str(response)
    assert "last4='ef01'" in repr(response)


def test_list_of_keys_structures_with_its_page_total() -> None:
    answer = {
        "data": [KEY_WITH_INCLUDED["data"]],
        "meta": {"page": {"total_filtered_count": 1}, "max_allowed_per_user": 1000},
    }
    response = structure(answer, ListApplicationKeysResponse)
    assert [key.id for key in response.data] == ["key-1"]
    assert response.meta.page.total_filtered_count == 1
    assert response.meta.max_allowed_per_user == 1000


def test_empty_list_of_keys_structures() -> None:
    answer = {"data": [], "meta": {"page": {"total_filtered_count": 0}, "max_allowed_per_user": 1000}}
    assert structure(answer, ListApplicationKeysResponse).data == []


def test_registration_list_structures_with_its_totals() -> None:
    answer = {"data": [{"id": "b7feea52", "type": "app_key_registration"}], "meta": {"total": 1, "total_filtered": 1}}
    response = structure(answer, ListAppKeyRegistrationsResponse)
    assert [registration.id for registration in response.data] == ["b7feea52"]
    assert (response.meta.total, response.meta.total_filtered) == (1, 1)


# --- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("2020-11-23T10:00:00.000Z", datetime(2020, 11, 23, 10, 0, tzinfo=UTC)),
        ("2023-10-12T10:11:48.340554+00:00", datetime(2023, 10, 12, 10, 11, 48, 340554, tzinfo=UTC)),
        ("2023-10-12T12:11:48+02:00", datetime(2023, 10, 12, 10, 11, 48, tzinfo=UTC)),
    ],
)
def test_timestamps_are_timezone_aware_in_both_wire_formats(wire: str, expected: datetime) -> None:
    parsed = structure(wire, datetime)
    assert parsed.tzinfo is not None
    assert parsed == expected


def test_a_timestamp_offset_is_kept() -> None:
    parsed = structure("2023-10-12T12:11:48+02:00", datetime)
    assert parsed.utcoffset() == timedelta(hours=2)


def test_a_naive_timestamp_is_taken_as_utc() -> None:
    assert structure("2023-10-12T10:11:48", datetime) == datetime(2023, 10, 12, 10, 11, 48, tzinfo=UTC)


def test_a_timestamp_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(TypeError, match="ISO 8601"):
        structure(1697105508, datetime)


def test_timestamps_unstructure_to_iso_8601_with_offset() -> None:
    moment = datetime(2023, 10, 12, 10, 11, 48, 340554, tzinfo=timezone(timedelta(hours=-5)))
    assert unstructure(moment) == "2023-10-12T10:11:48.340554-05:00"


# --- request bodies ---------------------------------------------------------------------------

REQUEST_BODIES: list[tuple[type, dict[str, Any]]] = [
    (
        ServiceAccountCreateRequest,
        {
            "data": {
                "type": "users",
                "attributes": {"name": "Deploy bot", "email": "deploy-bot@example.com", "service_account": True},
                "relationships": {"roles": {"data": [{"id": "role-1", "type": "roles"}]}},
            }
        },
    ),
    (
        ServiceAccountCreateRequest,
        {"data": {"type": "users", "attributes": {"email": "a@example.com", "service_account": True, "title": "CI"}}},
    ),
    (ApplicationKeyCreateRequest, {"data": {"attributes": {"name": "deploy"}, "type": "application_keys"}}),
    (
        ApplicationKeyCreateRequest,
        {"data": {"attributes": {"name": "deploy", "scopes": ["dashboards_read"]}, "type": "application_keys"}},
    ),
    (
        ApplicationKeyUpdateRequest,
        {"data": {"id": "key-1", "type": "application_keys", "attributes": {"name": "deploy-updated"}}},
    ),
    (
        ApplicationKeyUpdateRequest,
        {"data": {"id": "key-1", "type": "application_keys", "attributes": {"scopes": []}}},
    ),
]


@pytest.mark.parametrize(("model", "body"), REQUEST_BODIES)
def test_request_body_round_trips(model: type, body: dict[str, Any]) -> None:
    assert unstructure(structure(body, model)) == body


def reference_request_examples() -> list[dict[str, Any]]:
    """The JSON request examples of the API reference (the blocks under each "Solicitud")."""
    if not REFERENCE.is_file():
        pytest.skip(f"../shared/api/recordings not present: {REFERENCE}")
    lines = REFERENCE.read_text().splitlines()
    examples, in_request, index = [], False, 0
    while index < len(lines):
        line = lines[index]
        if line.strip() in ("Solicitud", "Request"):
            in_request = True
        elif line.strip() in ("Respuesta", "Response"):
            in_request = False
        elif line == "{" and in_request:
            end = lines.index("}", index)
            examples.append(json.loads("\n".join(lines[index : end + 1])))
            index = end
        index += 1
    return examples


def request_model_of(body: dict[str, Any]) -> type:
    if body["data"]["type"] == "users":
        return ServiceAccountCreateRequest
    return ApplicationKeyUpdateRequest if "id" in body["data"] else ApplicationKeyCreateRequest


def test_every_request_example_of_the_reference_round_trips() -> None:
    examples = reference_request_examples()
    models = {request_model_of(body) for body in examples}
    assert models == {ServiceAccountCreateRequest, ApplicationKeyCreateRequest, ApplicationKeyUpdateRequest}
    for body in examples:
        assert unstructure(structure(body, request_model_of(body))) == body


def test_none_optionals_are_omitted_never_sent_as_null() -> None:
    body = ApplicationKeyUpdateRequest(ApplicationKeyUpdateData(ApplicationKeyUpdateAttributes(name="x"), id="k"))
    assert unstructure(body) == {"data": {"attributes": {"name": "x"}, "id": "k", "type": "application_keys"}}


def test_service_account_request_sends_service_account_true_and_omits_unset_fields() -> None:
    body = ServiceAccountCreateRequest(ServiceAccountCreateData(ServiceAccountCreateAttributes(email="a@example.com")))
    assert unstructure(body) == {
        "data": {"attributes": {"email": "a@example.com", "service_account": True}, "type": "users"}
    }


def test_key_create_request_without_scopes_sends_no_scopes() -> None:
    body = ApplicationKeyCreateRequest(ApplicationKeyCreateData(ApplicationKeyCreateAttributes(name="deploy")))
    assert "null" not in json.dumps(unstructure(body))
    assert unstructure(body) == {"data": {"attributes": {"name": "deploy"}, "type": "application_keys"}}


def test_models_module_offers_the_converter_rules_to_users() -> None:
    from aiodd.models import structure, unstructure

    body = {"data": {"type": "application_keys", "attributes": {"name": "deploy", "scopes": ["dashboards_read"]}}}
    model = structure(body, ApplicationKeyCreateRequest)
    assert isinstance(model, ApplicationKeyCreateRequest) and unstructure(model) == body
