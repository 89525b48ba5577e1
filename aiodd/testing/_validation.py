"""Turn request bodies and query strings into plain values, refusing what the API refuses.

Every helper raises :class:`BadRequest` on the first problem; handlers render it as a 400 in
their group's error format, so the checks here stay independent of the wire.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import web

from ._wire import ErrorAnswer

__all__ = [
    "BadRequest",
    "is_uuid",
    "optional_bool",
    "optional_object",
    "optional_str",
    "optional_str_list",
    "parse_datetime",
    "parse_int",
    "read_json_object",
    "require_bool",
    "require_enum",
    "require_object",
    "require_str",
]

_MISSING = object()
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class BadRequest(ErrorAnswer):
    """A request the real API answers with 400; ``str(exc)`` is the message."""

    def __init__(self, detail: str, *, title: str | None = None) -> None:
        super().__init__(400, detail, title=title)


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object."""
    raw = await request.read()
    if not raw:
        raise BadRequest("Missing request body")
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    return body


def require_object(obj: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    return _typed(_required(obj, key, where), key, where, dict, "an object")


def optional_object(obj: Mapping[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = obj.get(key)
    return None if value is None else _typed(value, key, where, dict, "an object")


def require_str(obj: Mapping[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str:
    return _string(_required(obj, key, where), key, where, allow_empty)


def optional_str(obj: Mapping[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str | None:
    """A string that may be absent or null (``None`` then)."""
    value = obj.get(key)
    return None if value is None else _string(value, key, where, allow_empty)


def require_bool(obj: Mapping[str, Any], key: str, where: str) -> bool:
    return _typed(_required(obj, key, where), key, where, bool, "a boolean")


def optional_bool(obj: Mapping[str, Any], key: str, where: str) -> bool | None:
    value = obj.get(key)
    return None if value is None else _typed(value, key, where, bool, "a boolean")


def optional_str_list(obj: Mapping[str, Any], key: str, where: str) -> list[str] | None:
    """An array of strings that may be absent or null (``None`` then)."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadRequest(f"Field '{where}{key}' must be an array of strings")
    return list(value)


def require_enum(obj: Mapping[str, Any], key: str, where: str, allowed: Collection[str]) -> str:
    value = _required(obj, key, where)
    if not isinstance(value, str) or value not in allowed:
        choices = ", ".join(sorted(allowed))
        raise BadRequest(f"Invalid value {value!r} for '{where}{key}'; allowed values: {choices}")
    return value


def parse_int(raw: str | None, name: str, *, default: int, minimum: int, maximum: int | None = None) -> int:
    """A query-string integer within bounds; ``default`` when the parameter is absent."""
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"Invalid value {raw!r} for '{name}': expected an integer") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise BadRequest(f"Invalid value {value} for '{name}': must be {bound}")
    return value


def parse_datetime(raw: str | None, name: str) -> datetime | None:
    """An ISO 8601 timestamp or date from the query string; naive values are taken as UTC."""
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise BadRequest(f"Invalid value {raw!r} for '{name}': expected an ISO 8601 date") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _required(obj: Mapping[str, Any], key: str, where: str) -> Any:
    value = obj.get(key, _MISSING)
    if value is _MISSING or value is None:
        raise BadRequest(f"Missing required field '{where}{key}'")
    return value


_T = TypeVar("_T")


def _typed(value: Any, key: str, where: str, kind: type[_T], label: str) -> _T:
    if not isinstance(value, kind):
        raise BadRequest(f"Field '{where}{key}' must be {label}")
    return value


def _string(value: Any, key: str, where: str, allow_empty: bool) -> str:
    text = _typed(value, key, where, str, "a string")
    if not allow_empty and not text.strip():
        raise BadRequest(f"Field '{where}{key}' must not be empty")
    return text


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID in its canonical 8-4-4-4-12 spelling, as path parameters must be."""
    return _UUID.fullmatch(value) is not None
