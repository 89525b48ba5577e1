"""The models against the API description, schema by schema: to add an integration, add the classes, run this.

Reads ``../shared/api/openapi-subset.yaml`` (the 14 operations and every schema they reference) and checks
every attrs class and union / ``Literal`` alias of :mod:`aiodd.models` named like a schema: property names,
types, required fields and enum values. A difference not listed below fails with one line per difference,
such as ``ActionConnectionAttributes.tags: spec has array of string, model has string``.

How the spec's types read in the models:

- ``string`` / ``integer`` / ``number`` / ``boolean`` are ``str`` / ``int`` / ``float`` / ``bool``;
  ``format: date-time`` is ``datetime``; ``array`` is ``list[...]``; an object of ``additionalProperties``
  is ``dict[str, ...]``; a ``$ref`` to an object schema is the class of that name.
- An enum is a ``Literal`` of the same values; a JSON:API ``type`` whose enum has one value may instead be
  a ``str`` field with that value as its default.
- A oneOf is a union of the classes named by its members, plus aiodd's own ``Unknown*`` fallback.
- Optional in the spec means the field has a default (an answer without it parses); required means the
  model does not accept ``None``, except for secrets (below). ``nullable`` means the model accepts ``None``.
  ``X | NotGiven = NOT_GIVEN`` reads as ``X``, optional: ``NOT_GIVEN`` is never sent.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints

import attrs
import pytest
import yaml

from aiodd import NotGiven
from aiodd import models as m

# tests/stubserver.py's RECORDINGS: <repo>/../shared/api/
SPEC = Path(__file__).resolve().parents[3] / "shared" / "api" / "openapi-subset.yaml"

# --- deliberate differences ------------------------------------------------------------------------
# A rule rather than entries: a field the spec requires but the model makes optional is right when it
# is marked ``{"secret": True}``: credential secrets are write-only, Datadog leaves them out of every
# answer, so a GET must parse without them (``create`` refuses a payload missing one: missing_secrets).
# test_secret_markers_sit_on_fields_the_spec_requires checks the markers against the spec.
#
# Fields seen in real answers but in neither the spec nor the models (``allowed_login_methods`` on users,
# ``acting_user_can_resolve`` on connections, ...) need no entry: unknown keys are ignored when reading.
# ``tags`` on connections and ``uuid`` on users, later additions to the API, are in the subset already.
DELIBERATE: dict[str, str] = {
    "ApplicationKeyRelationships.leak_information: in the model, not in the spec": (
        "in every recorded application key answer; shaped as the official client's RelationshipToLeakedKey"
    ),
    "PartialApplicationKeyAttributes.created_at: spec has string, model has string (date-time)": (
        "the spec forgets the format here; it is FullApplicationKeyAttributes.created_at (date-time) of the same "
        "key, and every recorded answer carries an ISO 8601 timestamp"
    ),
    "PartialApplicationKeyAttributes.last_used_at: spec has string, model has string (date-time)": (
        "as created_at: a timestamp (date-time in FullApplicationKeyAttributes)"
    ),
}

# Models with no schema of their name in the subset.
MODELS_WITHOUT_SCHEMA: dict[str, str] = {
    **dict.fromkeys(
        ("UnknownCredentials", "UnknownCredentialsUpdate", "UnknownIntegration", "UnknownIntegrationUpdate"),
        "aiodd's fallback for an integration or credential type it does not know: keeps the wire object whole",
    ),
    "UnknownResource": "aiodd's fallback for an included item of a type it does not know",
    **dict.fromkeys(
        ("RelationshipToLeakedKey", "RelationshipToLeakedKeyData"),
        "a key's leak_information (see DELIBERATE): not in the spec, named as in the official client",
    ),
    **dict.fromkeys(
        ("UsersResponse", "Pagination", "ResponseMetaAttributes", "UsersSort", "QuerySortOrder", "UserStatus"),
        "the Users listing (GET /api/v2/users, where service accounts are found) is not among the subset's 14 "
        "operations; named as in the official client's Users API",
    ),
}

# Schemas the 14 operations reference that no model mirrors.
UNMODELLED_SCHEMAS: dict[str, str] = {
    "APIErrorResponse": (
        "Service Accounts error bodies ({'errors': [str]}) are read by aiodd._exceptions into the exception's "
        "errors, leniently: real bodies vary, and an error must never fail to parse"
    ),
    "JSONAPIErrorResponse": (
        "Actions error bodies are read by aiodd._exceptions, leniently (real ones lack fields the spec requires); "
        "their items are modelled as JSONAPIErrorItem"
    ),
}

# aiodd's own member of every oneOf union, left out when a union is compared with the spec's oneOf.
_FALLBACKS = (
    m.UnknownCredentials,
    m.UnknownCredentialsUpdate,
    m.UnknownIntegration,
    m.UnknownIntegrationUpdate,
    m.UnknownResource,
)
_SCHEMA_REF = "#/components/schemas/"
_OPERATIONS = ("get", "put", "post", "patch", "delete")


# --- the two sides, described alike ----------------------------------------------------------------


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[1]


def _enum(values: list[Any]) -> str:
    return f"enum {sorted(values)!r}"


def _one_of(names: list[str]) -> str:
    return "one of " + ", ".join(sorted(names))


def _spec_type(prop: dict[str, Any], schemas: dict[str, Any]) -> str:
    """How a spec property (or schema) reads: ``array of string``, ``enum ['AWS']``, ``UserAttributes``..."""
    if "$ref" in prop:
        name = _ref_name(prop["$ref"])
        target = schemas[name]
        if target.get("type") == "object" and "properties" in target:
            return name
        return _spec_type(target, schemas)  # an enum, a oneOf or a plain type under a name of its own
    if "enum" in prop:
        return _enum(prop["enum"])
    if "oneOf" in prop:
        return _one_of([_ref_name(member["$ref"]) for member in prop["oneOf"]])
    kind = prop.get("type")
    if kind == "string":
        return "string (date-time)" if prop.get("format") == "date-time" else "string"
    if kind in ("integer", "number", "boolean"):
        return str(kind)
    if kind == "array":
        return f"array of {_spec_type(prop['items'], schemas)}"
    if kind == "object":
        values = prop.get("additionalProperties")
        return "object" if values in (None, True, {}) else f"object of {_spec_type(values, schemas)}"
    raise AssertionError(f"a spec type this test does not know: {prop}")


_PLAIN = {str: "string", int: "integer", float: "number", bool: "boolean", datetime: "string (date-time)"}


def _without_none(annotation: Any) -> list[Any]:
    """The members of ``annotation`` that are a wire type (``NotGiven`` never is: that field is left out)."""
    if get_origin(annotation) in (types.UnionType, typing.Union):
        return [member for member in get_args(annotation) if member not in (types.NoneType, NotGiven)]
    return [annotation]


def _accepts_none(annotation: Any) -> bool:
    return get_origin(annotation) in (types.UnionType, typing.Union) and types.NoneType in get_args(annotation)


def _model_type(annotation: Any) -> str:
    """How a model annotation reads, in the words of :func:`_spec_type` (``None`` is left to the caller)."""
    members = _without_none(annotation)
    if len(members) > 1:
        return _one_of([member.__name__ for member in members if member not in _FALLBACKS])
    (kind,) = members
    if kind in _PLAIN:
        return _PLAIN[kind]
    origin = get_origin(kind)
    if origin is Literal:
        return _enum(list(get_args(kind)))
    if origin is list:
        return f"array of {_model_type(get_args(kind)[0])}"
    if origin is dict:
        values = get_args(kind)[1]
        return "object" if values is Any else f"object of {_model_type(values)}"
    if attrs.has(kind):
        return str(kind.__name__)
    return repr(kind)


# --- the comparison --------------------------------------------------------------------------------


def _differences(name: str, model: Any, schemas: dict[str, Any]) -> list[str]:
    """Every way ``model`` differs from ``schemas[name]``, one line each."""
    schema = schemas[name]
    if not (isinstance(model, type) and attrs.has(model)):
        spec, ours = _spec_type(schema, schemas), _model_type(model)
        return [] if spec == ours else [f"{name}: spec has {spec}, model has {ours}"]
    if "properties" not in schema:
        return [f"{name}: spec has {_spec_type(schema, schemas)}, model is a class"]
    properties: dict[str, Any] = schema["properties"]
    required = set(schema.get("required", ()))
    hints = get_type_hints(model)
    fields = attrs.fields_dict(model)
    found: list[str] = []
    for field_name in sorted(properties.keys() | fields.keys()):
        where = f"{name}.{field_name}"
        if field_name not in fields:
            found.append(f"{where}: in the spec, not in the model")
        elif field_name not in properties:
            found.append(f"{where}: in the model, not in the spec")
        else:
            prop, is_required = properties[field_name], field_name in required
            found.extend(_field_differences(where, fields[field_name], hints[field_name], prop, is_required, schemas))
    return found


def _field_differences(
    where: str, field: attrs.Attribute[Any], annotation: Any, prop: dict[str, Any], required: bool, schemas: Any
) -> Iterator[str]:
    spec, ours = _spec_type(prop, schemas), _model_type(annotation)
    fixed_tag = spec == _enum([field.default]) and ours == "string"  # JSON:API ``type: str = "users"``
    if spec != ours and not fixed_tag:
        yield f"{where}: spec has {spec}, model has {ours}"
    if required and _accepts_none(annotation) and not field.metadata.get("secret"):
        yield f"{where}: required in the spec, the model accepts None"
    if not required and field.default is attrs.NOTHING:
        yield f"{where}: optional in the spec, the model requires it"
    if prop.get("nullable") and not _accepts_none(annotation):
        yield f"{where}: nullable in the spec, the model does not accept None"


def _models() -> dict[str, Any]:
    """Every class and type alias ``aiodd.models`` exports, by name (not its functions)."""
    found: dict[str, Any] = {}
    for name in m.__all__:
        value = getattr(m, name)
        is_alias = isinstance(value, types.UnionType) or get_origin(value) is Literal
        if is_alias or (isinstance(value, type) and attrs.has(value)):
            found[name] = value
    return found


MODELS = _models()
CHECKED = sorted(name for name in MODELS if name not in MODELS_WITHOUT_SCHEMA)


def _refs(value: Any) -> Iterator[str]:
    """Every ``$ref`` anywhere in ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield item
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _schemas_reached(start: Any, spec: dict[str, Any]) -> set[str]:
    """The schemas ``start`` references, directly or through parameters, responses and other schemas."""
    components = spec["components"]
    reached: set[str] = set()
    pending = list(_refs(start))
    while pending:
        section, name = pending.pop().removeprefix("#/components/").split("/")
        if section == "schemas":
            if name in reached:
                continue
            reached.add(name)
        pending.extend(_refs(components[section][name]))
    return reached


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SPEC.is_file():
        pytest.skip(f"../shared/api/openapi-subset.yaml not present: {SPEC}")
    loaded: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    return loaded


@pytest.fixture(scope="module")
def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


# --- the models against the spec -------------------------------------------------------------------


@pytest.mark.parametrize("name", CHECKED)
def test_model_matches_its_schema(name: str, schemas: dict[str, Any]) -> None:
    assert name in schemas, f"{name}: no schema of this name in the spec (a typo, or add it to MODELS_WITHOUT_SCHEMA)"
    drift = [line for line in _differences(name, MODELS[name], schemas) if line not in DELIBERATE]
    assert not drift, "the model differs from the spec:\n" + "\n".join(drift)


def test_every_deliberate_difference_is_still_there(schemas: dict[str, Any]) -> None:
    found = {line for name in CHECKED if name in schemas for line in _differences(name, MODELS[name], schemas)}
    assert sorted(DELIBERATE.keys() - found) == [], "no longer differs: remove from DELIBERATE"


def test_every_model_without_a_schema_says_why(schemas: dict[str, Any]) -> None:
    assert sorted(name for name in MODELS if name not in schemas) == sorted(MODELS_WITHOUT_SCHEMA)


def test_every_schema_the_operations_reference_is_modelled_or_listed(spec: dict[str, Any]) -> None:
    operations = [op for path in spec["paths"].values() for method, op in path.items() if method in _OPERATIONS]
    assert len(operations) == 14
    referenced = _schemas_reached(operations, spec)
    modelled = {name for name in CHECKED if name in referenced}
    # Schemas a modelled one reaches are checked through it: an enum or a plain type at the property
    # that uses it, an object schema as the class it must be.
    checked = modelled | _schemas_reached([{"$ref": _SCHEMA_REF + name} for name in modelled], spec)
    assert sorted(referenced - checked) == sorted(UNMODELLED_SCHEMAS)


def test_every_integration_and_credential_type_of_the_spec_is_modelled(schemas: dict[str, Any]) -> None:
    """The oneOf unions are compared above; this names the classes a new integration needs, by tag too."""

    def members(union: str) -> list[str]:
        return [_ref_name(member["$ref"]) for member in schemas[union]["oneOf"]]

    def tag(name: str) -> Any:
        (value,) = schemas[_ref_name(schemas[name]["properties"]["type"]["$ref"])]["enum"]
        return value

    integrations = members("ActionConnectionIntegration")
    unions = [_ref_name(schemas[integration]["properties"]["credentials"]["$ref"]) for integration in integrations]
    credentials = [name for union in unions for name in members(union)]
    assert sorted(set(integrations) - MODELS.keys()) == []
    assert sorted(set(credentials) - MODELS.keys()) == []
    assert sorted(m.secret_credential_fields()) == sorted(tag(name) for name in credentials)


def test_secret_markers_sit_on_fields_the_spec_requires(schemas: dict[str, Any]) -> None:
    """A secret is write-only: required to create, so required in the spec's create schemas, and a string."""
    for name in CHECKED:
        model = MODELS[name]
        if not (isinstance(model, type) and attrs.has(model)):
            continue
        schema = schemas[name]
        for field in attrs.fields(model):
            if field.metadata.get("secret"):
                assert _spec_type(schema["properties"][field.name], schemas) == "string", f"{name}.{field.name}"
                if not name.endswith("Update"):
                    assert field.name in schema.get("required", ()), f"{name}.{field.name}: secret, yet optional"


# --- the checker itself (no spec needed) ------------------------------------------------------------

_SAMPLE_SCHEMAS: dict[str, Any] = {
    "Kind": {"type": "string", "enum": ["a", "b"]},
    "Part": {"type": "object", "properties": {"x": {"type": "string"}}},
    "PartOrOther": {"oneOf": [{"$ref": "#/components/schemas/Part"}, {"$ref": "#/components/schemas/Other"}]},
    "Sample": {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "kind": {"$ref": "#/components/schemas/Kind"},
            "label": {"type": "string"},
            "name": {"type": "string"},
            "part": {"$ref": "#/components/schemas/PartOrOther"},
            "seen": {"type": "string", "format": "date-time", "nullable": True},
            "tags": {"type": "array", "items": {"type": "string"}},
            "token": {"type": "string"},
        },
        "required": ["kind", "label", "part", "token"],
    },
}


@attrs.define(kw_only=True)
class Part:
    x: str | None = None


@attrs.define(kw_only=True)
class Sample:
    count: int
    extra: bool | None = None
    kind: Literal["a"]
    label: str | None = None
    part: Part | m.UnknownResource
    seen: datetime = datetime(2020, 1, 1, tzinfo=UTC)
    tags: str | None = None
    token: str | None = attrs.field(default=None, metadata={"secret": True})  # a secret may be missing


def test_the_checker_reports_each_kind_of_difference_in_one_line() -> None:
    assert _differences("Sample", Sample, _SAMPLE_SCHEMAS) == [
        "Sample.count: optional in the spec, the model requires it",
        "Sample.extra: in the model, not in the spec",
        "Sample.kind: spec has enum ['a', 'b'], model has enum ['a']",
        "Sample.label: required in the spec, the model accepts None",
        "Sample.name: in the spec, not in the model",
        "Sample.part: spec has one of Other, Part, model has one of Part",
        "Sample.seen: nullable in the spec, the model does not accept None",
        "Sample.tags: spec has array of string, model has string",
    ]


def test_the_checker_accepts_a_fixed_type_tag_and_reads_aliases() -> None:
    schemas = {
        "Data": {"type": "object", "properties": {"type": {"$ref": "#/components/schemas/T"}}},
        "T": {"type": "string", "enum": ["users"]},
    }

    @attrs.define
    class Data:
        type: str = "users"

    assert _differences("Data", Data, schemas) == []
    assert _differences("T", Literal["users"], schemas) == []
    assert _differences("T", Literal["roles"], schemas) == ["T: spec has enum ['users'], model has enum ['roles']"]
