"""The converter's generated structure hooks agree with cattrs' own on the same documents."""

from __future__ import annotations

from typing import Any

import pytest
from cattrs.gen import make_dict_structure_fn

from aiodd import models as m
from aiodd._converter import converter

USER = {
    "type": "users",
    "id": "u1",
    "attributes": {"name": None, "email": "ci@example.com", "created_at": "2023-10-12T10:11:47.838233+00:00",
                   "disabled": False, "allowed_login_methods": [], "title": None},
    "relationships": {"roles": {"data": []}, "org": {"data": {"type": "orgs", "id": "o1"}}},
}  # fmt: skip
KEY = {
    "type": "application_keys",
    "id": "k1",
    "attributes": {"name": "deploy", "created_at": "2020-11-23T10:00:00.000Z", "last4": "abcd", "scopes": None},
    "relationships": {"owned_by": {"data": {"type": "users", "id": "u1"}}, "leak_information": {"data": None}},
}
CASES: list[tuple[type, dict[str, Any]]] = [
    (m.User, USER),
    (m.PartialApplicationKey, KEY),
    (m.PartialApplicationKeyResponse, {"data": KEY, "included": [USER, {"type": "future", "id": "x"}]}),
    (m.ListApplicationKeysResponse, {"data": [KEY, KEY], "meta": {"page": {"total_filtered_count": 2}}}),
    (m.ListApplicationKeysResponse, {}),
    (m.AWSAssumeRole, {"type": "AWSAssumeRole", "account_id": "111222333444", "role": "r", "external_id": "e"}),
    (m.HTTPTokenAuth, {"type": "HTTPTokenAuth", "tokens": [{"name": "T", "type": "SECRET"}], "body": None}),
]


@pytest.mark.parametrize(("cls", "document"), CASES, ids=lambda value: getattr(value, "__name__", ""))
def test_generated_hook_matches_cattrs(cls: type, document: dict[str, Any]) -> None:
    reference = make_dict_structure_fn(cls, converter)(document, cls)
    assert converter.structure(document, cls) == reference


@pytest.mark.parametrize(
    ("cls", "document"),
    [(m.User, {"attributes": {"disabled": "not-a-bool-but-kept"}}), (m.PartialApplicationKey, {"attributes": 3})],
)
def test_generated_hook_fails_like_cattrs(cls: type, document: dict[str, Any]) -> None:
    def outcome(structure: Any) -> Any:
        try:
            return structure(document, cls)
        except Exception as exc:
            return type(exc)

    assert outcome(converter.structure) == outcome(make_dict_structure_fn(cls, converter))
