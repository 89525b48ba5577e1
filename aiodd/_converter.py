"""The one cattrs converter of aiodd: every wire <-> model rule lives here.

Rules:
- Unknown keys in a response are ignored (Datadog adds fields without notice).
- ``None`` means "not given": an attribute whose default is ``None`` is omitted from the
  request body when it is ``None``, never sent as ``null``.
- Discriminator fields declared with ``init=False`` (``type`` of integrations) are fixed by the
  class: not read from input when structuring, always written when unstructuring.
- Timestamps are timezone-aware ``datetime``; both ``2020-11-23T10:00:00.000Z`` and
  ``2023-10-12T10:11:48.340554+00:00`` parse, a naive one is taken as UTC.
- oneOf unions are structured by one dict lookup on their tag (:func:`register_tagged_union`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

__all__ = ["converter", "register_tagged_union", "structure", "unstructure"]

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


def _unstructure_attrs(cls: type) -> Callable[[Any], dict[str, Any]]:
    omit_none: dict[str, Any] = {a.name: override(omit_if_default=True) for a in attrs.fields(cls) if a.default is None}
    return make_dict_unstructure_fn(cls, converter, _cattrs_include_init_false=True, **omit_none)


def _structure_attrs(cls: type) -> Callable[[Any, type], Any]:
    return make_dict_structure_fn(cls, converter)


converter.register_unstructure_hook_factory(attrs.has, _unstructure_attrs)
converter.register_structure_hook_factory(attrs.has, _structure_attrs)


def register_tagged_union(
    union: Any,
    variants: Mapping[str, type],
    unknown: Callable[[dict[str, Any]], Any],
    tag: str = "type",
) -> None:
    """Structure ``union`` by looking its ``tag`` up in ``variants``; unknown tags go to ``unknown``.

    The variants' own hooks are resolved on first use, so the union can be registered before
    hooks its variants depend on (nested unions).
    """
    hooks: dict[str, tuple[Callable[[Any, type], Any], type]] = {}

    def structure_union(value: Any, _: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object with a {tag!r}, got {type(value).__name__}")
        if not hooks:
            hooks.update({t: (converter.get_structure_hook(cls), cls) for t, cls in variants.items()})
        found = hooks.get(value.get(tag))  # type: ignore[arg-type]
        if found is None:
            return unknown(value)
        hook, cls = found
        return hook(value, cls)

    converter.register_structure_hook(union, structure_union)
    # ``union | None`` needs its own hook: cattrs would otherwise pick a member of an optional union of
    # attrs classes by its field names, not by the tag.
    converter.register_structure_hook(
        union | None, lambda value, _: None if value is None else structure_union(value, union)
    )


def structure(data: Any, cls: type[Any]) -> Any:
    """Turn wire JSON (already decoded) into a model."""
    return converter.structure(data, cls)


def unstructure(obj: Any) -> Any:
    """Turn a model into JSON-ready builtins."""
    return converter.unstructure(obj)
