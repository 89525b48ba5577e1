"""Users listing models and the leak relationship of keys: what answers structure into."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiodd._converter import structure, unstructure
from aiodd.models import (
    ApplicationKeyRelationships,
    LeakedKey,
    PartialApplicationKeyResponse,
    RelationshipToLeakedKey,
    RelationshipToLeakedKeyData,
    RelationshipToUser,
    RelationshipToUserData,
    Role,
    UsersResponse,
)

USERS_PAGE: dict[str, Any] = {
    "data": [
        {
            "type": "users",
            "id": "u-1",
            "attributes": {
                "name": "Deploy bot",
                "email": "deploy@example.com",
                "service_account": True,
                "status": "Disabled",
                "disabled": True,
                "allowed_login_methods": [],
                "created_at": "2023-10-12T10:11:47.838233+00:00",
            },
            "relationships": {"roles": {"data": [{"type": "roles", "id": "r-1"}]}},
        },
        {"type": "users", "id": "u-2", "attributes": {"name": None, "service_account": False, "status": "Pending"}},
    ],
    "included": [{"type": "roles", "id": "r-1", "attributes": {"name": "Datadog Read Only Role", "managed": True}}],
    "meta": {"page": {"total_count": 120, "total_filtered_count": 2}},
}


def test_a_users_page_structures_with_included_roles_and_both_counts() -> None:
    page = structure(USERS_PAGE, UsersResponse)

    assert [(u.id, u.attributes.service_account, u.attributes.status) for u in page.data] == [  # type: ignore[union-attr]
        ("u-1", True, "Disabled"),
        ("u-2", False, "Pending"),
    ]
    assert page.data[0].attributes.created_at == datetime(2023, 10, 12, 10, 11, 47, 838233, tzinfo=UTC)  # type: ignore[union-attr]
    assert isinstance(page.included[0], Role)  # type: ignore[index]
    assert page.meta.page.total_count == 120 and page.meta.page.total_filtered_count == 2  # type: ignore[union-attr]


def test_an_empty_users_page_without_meta_structures() -> None:
    page = structure({"data": []}, UsersResponse)
    assert page.data == [] and page.meta is None and page.included is None


def test_a_key_that_is_not_leaked_has_leak_information_without_data() -> None:
    answer = {
        "data": {
            "type": "application_keys",
            "id": "k-1",
            "attributes": {"name": "ci"},
            "relationships": {"leak_information": {"data": None}, "owned_by": {"data": {"type": "users", "id": "u"}}},
        }
    }
    relationships = structure(answer, PartialApplicationKeyResponse).data.relationships  # type: ignore[union-attr]
    assert relationships == ApplicationKeyRelationships(
        owned_by=RelationshipToUser(RelationshipToUserData("u")), leak_information=RelationshipToLeakedKey(None)
    )


def test_a_leaked_key_points_at_its_leaked_keys_item() -> None:
    answer = {
        "data": {
            "type": "application_keys",
            "id": "k-1",
            "relationships": {"leak_information": {"data": {"type": "leaked_keys", "id": "leak-1"}}},
        },
        "included": [
            {"type": "leaked_keys", "id": "leak-1", "attributes": {"date": "2026-03-01T00:00:00Z", "leak_source": "gh"}}
        ],
    }
    response = structure(answer, PartialApplicationKeyResponse)
    leak = response.data.relationships.leak_information  # type: ignore[union-attr]
    assert leak == RelationshipToLeakedKey(RelationshipToLeakedKeyData("leak-1"))
    assert isinstance(response.included[0], LeakedKey)  # type: ignore[index]
    assert response.included[0].attributes.date == datetime(2026, 3, 1, tzinfo=UTC)  # type: ignore[index,union-attr]


def test_positional_relationships_still_mean_owned_by() -> None:
    owner = RelationshipToUser(RelationshipToUserData("u"))
    assert ApplicationKeyRelationships(owner).owned_by is owner
    assert unstructure(ApplicationKeyRelationships(owner)) == {"owned_by": {"data": {"id": "u", "type": "users"}}}
