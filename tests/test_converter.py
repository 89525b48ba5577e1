"""The converter: its generated structure hooks agree with cattrs' own and are the ones in use, wire types are
never coerced, and error bodies give the error list."""

from __future__ import annotations

import ast
import linecache
from pathlib import Path
from typing import Any, get_args

import attrs
import pytest
from cattrs.gen import make_dict_structure_fn

from aiodd import NOT_GIVEN
from aiodd import models as m
from aiodd._converter import converter, structure_error_list

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
    [(m.User, {"attributes": {"disabled": "not-a-bool"}}), (m.PartialApplicationKey, {"attributes": 3})],
)
def test_generated_hook_fails_like_cattrs(cls: type, document: dict[str, Any]) -> None:
    def outcome(structure: Any) -> Any:
        try:
            return structure(document, cls)
        except Exception as exc:
            return type(exc)

    assert outcome(converter.structure) == outcome(make_dict_structure_fn(cls, converter))


# --- strict types: a wrong type in an answer is an error, never coerced -----------------------


@pytest.mark.parametrize(
    ("cls", "document"),
    [
        (m.PartialApplicationKey, {"id": 123}),
        (m.PartialApplicationKey, {"type": ["x"]}),
        (m.PartialApplicationKey, {"id": None, "type": {"a": 1}}),
        (m.PartialApplicationKeyAttributes, {"name": 1.5}),
        (m.PartialApplicationKeyAttributes, {"scopes": "all"}),
        (m.PartialApplicationKeyAttributes, {"scopes": ["a", 1]}),
        (m.UserAttributes, {"disabled": "false"}),
        (m.UserAttributes, {"disabled": 0}),
        (m.ListAppKeyRegistrationsResponseMeta, {"total": "3"}),
        (m.ListAppKeyRegistrationsResponseMeta, {"total": True}),
        (m.ListAppKeyRegistrationsResponseMeta, {"total": 3.0}),
        (m.RelationshipToOrganizationData, {"id": 7}),
        (m.HTTPToken, {"name": "T", "value": 5}),
        (m.AWSAssumeRole, {"account_id": 111222333444, "role": "r"}),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else repr(value)[:40],
)
def test_a_wrong_type_in_an_answer_is_an_error_not_coerced(cls: type, document: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        converter.structure(document, cls)


def test_right_types_pass_unchanged_and_an_integer_is_a_float() -> None:
    meta = converter.structure({"total": 3, "total_filtered": 2}, m.ListAppKeyRegistrationsResponseMeta)
    assert (meta.total, meta.total_filtered) == (3, 2)
    user = converter.structure({"disabled": False, "name": "n", "title": None}, m.UserAttributes)
    assert (user.disabled, user.name, user.title) == (False, "n", None)
    assert converter.structure(3, float) == 3.0 and type(converter.structure(3, float)) is float


def test_a_str_subclass_is_accepted_for_a_str_field() -> None:
    class Name(str):
        pass

    key = converter.structure({"id": Name("k1")}, m.PartialApplicationKey)
    assert key.id == "k1"


# --- oneOf unions: found by their shape, so the model modules register nothing -------------------


@attrs.define
class _Cat:
    name: str
    type: str = "cat"


@attrs.define
class _Dog:
    name: str
    type: str = "dog"


@attrs.define
class _UnknownPet:
    raw: dict[str, Any]


def test_a_union_with_an_unknown_member_is_structured_by_its_type_tag() -> None:
    pets = _Cat | _Dog | _UnknownPet
    assert converter.structure({"type": "dog", "name": "Rex"}, pets) == _Dog("Rex")
    assert converter.structure({"type": "cat", "name": "Tom"}, pets | None) == _Cat("Tom")
    assert converter.structure(None, pets | None) is None
    assert converter.structure({"type": "owl", "name": "Hoo"}, pets) == _UnknownPet({"type": "owl", "name": "Hoo"})
    with pytest.raises(TypeError):
        converter.structure(["dog"], pets)


def test_an_unknown_model_is_written_back_as_a_copy_of_its_raw_object() -> None:
    raw = {"type": "future", "id": "x", "nested": {"a": 1}}
    written = converter.unstructure(m.UnknownResource(raw))
    assert written == raw and written is not raw and written["nested"] is not raw["nested"]


def test_the_model_modules_import_nothing_from_the_converter() -> None:
    modules = [path for path in Path(m.__file__).parent.glob("*.py") if path.name != "__init__.py"]
    assert len(modules) >= 6
    for path in modules:
        imported = [
            node.module
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module
        ]
        assert "_converter" not in imported, path.name


# --- NOT_GIVEN: left out of a request, where None is sent as null -------------------------------


@pytest.mark.parametrize(
    ("attributes", "sent"),
    [
        (m.ApplicationKeyUpdateAttributes(name="deploy"), {"name": "deploy"}),
        (m.ApplicationKeyUpdateAttributes(scopes=None), {"scopes": None}),
        (m.ApplicationKeyUpdateAttributes(scopes=[]), {"scopes": []}),
        (
            m.ApplicationKeyUpdateAttributes(name="deploy", scopes=["apm_read"]),
            {"name": "deploy", "scopes": ["apm_read"]},
        ),
        (m.ApplicationKeyUpdateAttributes(), {}),
    ],
    ids=["name-only", "scopes-null", "scopes-empty", "both", "neither"],
)
def test_a_not_given_attribute_is_left_out_and_none_is_sent_as_null(
    attributes: m.ApplicationKeyUpdateAttributes, sent: dict[str, Any]
) -> None:
    assert converter.unstructure(attributes) == sent


def test_structuring_gives_not_given_for_a_missing_key_and_none_for_null() -> None:
    missing = converter.structure({}, m.ApplicationKeyUpdateAttributes)
    assert missing.name is NOT_GIVEN and missing.scopes is NOT_GIVEN
    null = converter.structure({"name": "n", "scopes": None}, m.ApplicationKeyUpdateAttributes)
    assert (null.name, null.scopes) == ("n", None)


@pytest.mark.parametrize("document", [{"name": None}, {"scopes": "all"}, {"name": 3}])
def test_a_wrong_type_for_a_maybe_given_attribute_is_an_error(document: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        converter.structure(document, m.ApplicationKeyUpdateAttributes)


# --- error bodies: both of Datadog's formats -----------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"errors": ["Bad Request"]}, ["Bad Request"]),
        ({"errors": [{"detail": "app key not found"}]}, [m.JSONAPIErrorItem(detail="app key not found")]),
        ({"errors": [{"detail": 404}]}, ['{"detail": 404}']),
        ({"errors": [404]}, ["404"]),
        ({"errors": "Bad Request"}, []),
        (["Bad Request"], []),
        (None, []),  # what the client passes for a body that is not JSON
    ],
    ids=["strings", "json-api", "malformed-json-api", "number", "errors-not-a-list", "not-an-object", "not-json"],
)
def test_structure_error_list(document: Any, expected: list[object]) -> None:
    assert structure_error_list(document) == expected


# --- the generated structure hooks are the ones in use -------------------------------------------
# They rely on cattrs internals (``_structure_call``, ``_structure_optional``) and fall back to
# cattrs' own hooks, about 2.5 times slower, when those change. These tests make that fallback loud.

_PRIMITIVES = (str, int, float, bool)


def _public_models() -> list[type]:
    """Every attrs class reachable from ``aiodd.models``: its exports and all their fields' types."""
    found: dict[type, None] = {}
    pending: list[Any] = [getattr(m, name) for name in m.__all__]
    while pending:
        kind = pending.pop()
        pending.extend(get_args(kind))
        if isinstance(kind, type) and attrs.has(kind) and kind not in found:
            found[kind] = None
            attrs.resolve_types(kind)
            pending.extend(field.type for field in attrs.fields(kind))
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


MODELS = _public_models()


def _generated_source(cls: type) -> list[str]:
    hook = converter.get_structure_hook(cls)
    filename = f"<aiodd structure {cls.__module__}.{cls.__qualname__}>"
    assert hook.__code__.co_filename == filename, f"{cls.__qualname__} is structured by cattrs' own hook"
    return linecache.getlines(filename)


def test_the_walk_finds_the_models_of_every_api_group() -> None:
    assert {m.UserAttributes, m.HTTPToken, m.UnknownCredentials, m.ListAppKeyRegistrationsResponse} <= set(MODELS)
    assert len(MODELS) > 170  # 174 when written


def _model_unions() -> list[tuple[Any, type]]:
    """Every union of the public models that has an ``Unknown*`` member, with that member."""
    found: dict[Any, type] = {}
    for cls in MODELS:
        for field in attrs.fields(cls):
            kinds = [field.type, *get_args(field.type)]
            kinds += [arg for kind in kinds for arg in get_args(kind)]  # list[Union], Union | None
            for kind in kinds:
                unknown = [k for k in get_args(kind) if isinstance(k, type) and k.__name__.startswith("Unknown")]
                if len(unknown) == 1 and len(get_args(kind)) > 2:
                    found[kind] = unknown[0]
    return list(found.items())


MODEL_UNIONS = _model_unions()


def test_the_walk_finds_the_oneof_unions_of_every_api_group() -> None:
    unknowns = {unknown for _, unknown in MODEL_UNIONS}
    assert {m.UnknownResource, m.UnknownCredentials, m.UnknownIntegration} <= unknowns


@pytest.mark.parametrize(("union", "unknown"), MODEL_UNIONS, ids=lambda value: getattr(value, "__name__", ""))
def test_every_model_union_dispatches_on_its_type_tag(union: Any, unknown: type) -> None:
    """If the shape rule stopped finding a union, cattrs would pick a member by its fields instead."""
    wire = {"type": "a-type-datadog-adds-tomorrow", "id": "x"}
    got = converter.structure(wire, union)
    assert isinstance(got, unknown) and got.raw == wire


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__qualname__)
def test_every_model_is_structured_by_a_generated_hook(cls: type) -> None:
    source = _generated_source(cls)
    assert source[0].startswith(f"def structure_{cls.__name__}(o, _=None):")


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__qualname__)
def test_primitive_fields_are_checked_inline_without_a_call(cls: type) -> None:
    # One line per argument, in field order: ``        <value code>,``
    arguments = _generated_source(cls)[2:-1]
    fields = [field for field in attrs.fields(cls) if field.init]
    assert len(arguments) == len(fields)
    for field, line in zip(fields, arguments, strict=True):
        primitive = next((p for p in _PRIMITIVES if field.type in (p, p | None)), None)
        if primitive is not None:
            assert f") is {primitive.__name__} else " in line, (cls.__qualname__, field.name, line)
