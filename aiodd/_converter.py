"""The one cattrs converter of aiodd: every wire <-> model rule lives here.

Rules:
- Unknown keys in a response are ignored (Datadog adds fields without notice).
- Types are strict, never coerced: a ``str`` field takes only a string (``"id": 123`` is an
  error, not ``"123"``), an ``int`` only an integer (not a bool), a ``float`` an integer or a
  float, a ``bool`` only ``true`` / ``false``, a ``list`` only an array (``"scopes": "all"`` is
  not ``["a", "l", "l"]``). A wrong type fails the whole answer, which the client reports as
  :class:`aiodd.APIResponseValidationError`.
- ``None`` means "not given": an attribute whose default is ``None`` is omitted from the
  request body when it is ``None``, never sent as ``null``. Where the API gives ``null`` a meaning
  (an application key's ``scopes``), the default is :data:`aiodd.NOT_GIVEN` instead: the attribute
  is omitted while it is ``NOT_GIVEN``, and ``None`` is sent as ``null``.
- Discriminator fields declared with ``init=False`` (``type`` of integrations) are fixed by the
  class: not read from input when structuring, always written when unstructuring.
- Timestamps are timezone-aware ``datetime``; both ``2020-11-23T10:00:00.000Z`` and
  ``2023-10-12T10:11:48.340554+00:00`` parse, a naive one is taken as UTC.
- A union of models with one ``Unknown*`` member (a class whose one field is ``raw``) is a oneOf
  tagged by ``type``: each other member stands for the default of its ``type`` field, and is
  found by one dict lookup; an unknown tag gives the ``Unknown*`` model holding the wire object,
  which is written back unchanged. The model modules register nothing: these rules find the
  unions from their shape, so no model module has to be imported for them.
"""

from __future__ import annotations

import copy
import functools
import json
import linecache
import operator
from collections.abc import Callable
from datetime import UTC, datetime
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._not_given import NOT_GIVEN, NotGiven

if TYPE_CHECKING:
    from .models import JSONAPIErrorItem

__all__ = ["converter", "structure", "structure_error_list", "unstructure"]

T = TypeVar("T")

converter = cattrs.Converter(detailed_validation=False)


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = datetime.fromisoformat(value)
    else:
        raise TypeError(f"expected an ISO 8601 timestamp, got {type(value).__name__}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _unstructure_datetime(value: datetime) -> str:
    return value.isoformat()


converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(datetime, _unstructure_datetime)


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a string, got {type(value).__name__}")


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected an integer, got {type(value).__name__}")


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__}")


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {type(value).__name__}")


# cattrs would call ``str(value)`` / ``int(value)`` ...: ``123`` would pass as ``"123"``.
_STRICT_PRIMITIVES: dict[type, Callable[[Any, type], Any]] = {
    str: _structure_str,
    int: _structure_int,
    float: _structure_float,
    bool: _structure_bool,
}
for _primitive, _hook in _STRICT_PRIMITIVES.items():
    converter.register_structure_hook(_primitive, _hook)


def _structure_list_of(kind: Any) -> Callable[[Any, type], list[Any]]:
    """``list[X]`` from a JSON array only (cattrs iterates any iterable: a string would become its letters)."""
    (item_kind,) = get_args(kind) or (Any,)
    item_hook = converter.get_structure_hook(item_kind)

    def structure_list(value: Any, _: type) -> list[Any]:
        if type(value) is not list:
            raise TypeError(f"expected an array, got {type(value).__name__}")
        return [item_hook(item, item_kind) for item in value]

    return structure_list


def _is_list(kind: Any) -> bool:
    origin: object = get_origin(kind)
    return origin is list


converter.register_structure_hook_factory(_is_list, _structure_list_of)


_OMITTED = (None, NOT_GIVEN)  # the defaults that stand for "leave this out of the body"


def _unstructure_attrs(cls: type) -> Callable[[Any], dict[str, Any]]:
    fields = attrs.fields(cls)
    omitted: dict[str, Any] = {a.name: override(omit_if_default=True) for a in fields if a.default in _OMITTED}
    return make_dict_unstructure_fn(cls, converter, _cattrs_include_init_false=True, **omitted)


# Structuring is the hot path of every answer, so attrs classes get hooks generated here rather
# than by cattrs' ``make_dict_structure_fn``: that one gathers keyword arguments in a dict and
# sends every ``X | None`` field through a generic method that dispatches on each call. The
# rules stay cattrs': a missing key takes the attribute's default, a ``None`` value of an
# optional field is ``None``, a strict primitive is checked inline (``type(value) is str``: the
# JSON decoder's own types pass without a call; anything else goes to the strict hook, which
# converts an int for a float field or raises), a type cattrs structures by calling it is called
# inline, and any other type goes through its registered hook.

# cattrs internals the generator recognises; if a cattrs release renames them, every class falls
# back to cattrs' own hooks (same results, about 2.5 times slower on the benchmark's answers), and
# tests/test_converter.py fails so that the fallback is never silent.
_call_type: Any = getattr(cattrs.BaseConverter, "_structure_call", None)
_structure_optional: Any = getattr(converter, "_structure_optional", None)
_Factory: Any = type(attrs.Factory(list))  # the class; attrs types ``Factory`` as a function


def _value_code(kind: Any, source: str, namespace: dict[str, Any], name: str) -> str:
    """Python source structuring the wire value ``source`` as ``kind``; ``namespace`` gets its globals."""
    if kind is None:  # an unannotated attribute is passed through, as cattrs does
        return source
    hook = converter.get_structure_hook(kind)
    if kind in _STRICT_PRIMITIVES and hook is _STRICT_PRIMITIVES[kind]:
        namespace[name], namespace[f"{name}_type"] = hook, kind
        bound = "value" if source == "value" else f"(value := {source})"
        return f"(value if type({bound}) is {kind.__name__} else {name}(value, {name}_type))"
    if hook is _call_type:
        namespace[name] = kind
        return f"{name}({source})"
    members = get_args(kind)
    if hook == _structure_optional and len(members) == 2:  # X | None, no hook of its own
        inner = members[0] if members[1] is NoneType else members[1]
        return f"(None if (value := {source}) is None else {_value_code(inner, 'value', namespace, name)})"
    namespace[name], namespace[f"{name}_type"] = hook, kind
    return f"{name}({source}, {name}_type)"


def _structure_attrs(cls: type) -> Callable[[Any, type], Any]:
    attrs.resolve_types(cls)
    fields = [field for field in attrs.fields(cls) if field.init]  # init=False fields are never read
    defaults: list[Any] = [field.default for field in fields]
    if _call_type is None or _structure_optional is None:
        return make_dict_structure_fn(cls, converter)
    if any(field.converter is not None for field in fields) or any(
        isinstance(default, _Factory) and default.takes_self for default in defaults
    ):
        return make_dict_structure_fn(cls, converter)  # cases the generator below leaves to cattrs
    namespace: dict[str, Any] = {"cls": cls}
    by_keyword = any(field.kw_only for field in fields)
    arguments = []
    for number, (field, default) in enumerate(zip(fields, defaults, strict=True)):
        value = _value_code(field.type, f"o[{field.name!r}]", namespace, f"hook{number}")
        if default is not attrs.NOTHING:
            name = f"default{number}"
            if isinstance(default, _Factory):
                namespace[name] = default.factory
                name += "()"
            else:
                namespace[name] = default
            value = f"{value} if {field.name!r} in o else {name}"
        arguments.append(f"{field.alias}={value}" if by_keyword else value)
    function = f"structure_{cls.__name__}"
    body = "".join(f"        {argument},\n" for argument in arguments)
    source = f"def {function}(o, _=None):\n    return cls(\n{body}    )\n"
    filename = f"<aiodd structure {cls.__module__}.{cls.__qualname__}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # for tracebacks
    exec(compile(source, filename, "exec"), namespace)
    structure_fn: Callable[[Any, type], Any] = namespace[function]
    return structure_fn


converter.register_unstructure_hook_factory(attrs.has, _unstructure_attrs)
converter.register_structure_hook_factory(attrs.has, _structure_attrs)


# --- oneOf unions ------------------------------------------------------------------------------


def _is_fallback(cls: Any) -> bool:
    """An ``Unknown*`` model (its one field is ``raw``): a wire object of a type aiodd does not know, kept whole."""
    return attrs.has(cls) and [field.name for field in attrs.fields(cls)] == ["raw"]


def _union_members(kind: Any) -> tuple[Any, ...]:
    return get_args(kind) if get_origin(kind) in (Union, UnionType) else ()


def _is_tagged_union(kind: Any) -> bool:
    """A oneOf: a union of models, ``None`` aside, one of which is the fallback for unknown tags."""
    members = [member for member in _union_members(kind) if member is not NoneType]
    return all(attrs.has(member) for member in members) and sum(map(_is_fallback, members)) == 1


def _tag(cls: type) -> str:
    """The ``type`` a oneOf member stands for: the default of its ``type`` field."""
    field = attrs.fields_dict(cls).get("type")
    if field is None or not isinstance(field.default, str):
        raise TypeError(f"{cls.__qualname__} is in a oneOf union but has no 'type' field with a string default")
    return field.default


def _structure_tagged_union(union: Any) -> Callable[[Any, type], Any]:
    """Structure a oneOf by one dict lookup of the wire object's ``type``; an unknown one gives the fallback."""
    members = [member for member in get_args(union) if member is not NoneType]
    fallback = next(member for member in members if _is_fallback(member))
    variants = {_tag(cls): (converter.get_structure_hook(cls), cls) for cls in members if cls is not fallback}
    nullable = NoneType in get_args(union)

    def structure_tagged_union(value: Any, _: Any) -> Any:
        if value is None and nullable:
            return None
        if not isinstance(value, dict):
            raise TypeError(f"expected an object with a 'type', got {type(value).__name__}")
        found = variants.get(value.get("type"))  # type: ignore[arg-type]
        if found is None:
            return fallback(value)
        hook, cls = found
        return hook(value, cls)

    return structure_tagged_union


def _unstructure_fallback(variant: Any) -> Any:
    """Written back exactly as received (a copy, so the caller cannot edit the model's dict)."""
    return copy.deepcopy(variant.raw)


converter.register_structure_hook_factory(_is_tagged_union, _structure_tagged_union)
converter.register_unstructure_hook_factory(_is_fallback, lambda _: _unstructure_fallback)


# --- NOT_GIVEN -------------------------------------------------------------------------------


def _is_maybe_given(kind: Any) -> bool:
    return NotGiven in _union_members(kind)


def _structure_maybe_given(kind: Any) -> Callable[[Any, type], Any]:
    """``X | NotGiven`` as ``X``: a value on the wire was given (a missing key takes the field's default)."""
    given = functools.reduce(operator.or_, [member for member in get_args(kind) if member is not NotGiven])
    hook = converter.get_structure_hook(given)
    return lambda value, _: hook(value, given)


converter.register_structure_hook_factory(_is_maybe_given, _structure_maybe_given)


# --- error bodies ------------------------------------------------------------------------------


def structure_error_list(document: Any) -> list[str | JSONAPIErrorItem]:
    """The ``errors`` of a decoded error body, for :attr:`aiodd.APIStatusError.errors`.

    Datadog uses two formats: strings (Service Accounts) and JSON:API objects (Actions), which
    become :class:`~aiodd.models.JSONAPIErrorItem`. Anything else gives an empty list; an item
    that fits neither is kept as text, so that a malformed answer never hides the status error.
    """
    from .models import JSONAPIErrorItem  # the converter loads no model module at import

    items = document.get("errors") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return []
    parsed: list[str | JSONAPIErrorItem] = []
    for item in items:
        if isinstance(item, str):
            parsed.append(item)
        elif isinstance(item, dict):
            try:
                parsed.append(converter.structure(item, JSONAPIErrorItem))
            except Exception:
                parsed.append(json.dumps(item))
        else:
            parsed.append(str(item))
    return parsed


def structure(data: Any, cls: type[T]) -> T:
    """Turn decoded wire JSON into a model, by aiodd's rules (e.g. a saved answer, or a fixture)."""
    return converter.structure(data, cls)


def unstructure(obj: Any) -> Any:
    """Turn a model into JSON-ready builtins, omitting fields left as ``None``."""
    return converter.unstructure(obj)
