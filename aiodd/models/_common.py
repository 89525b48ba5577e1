"""Models shared by both API groups: error items and unknown resources."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["JSONAPIErrorItem", "JSONAPIErrorItemSource", "UnknownResource"]


@attrs.define
class JSONAPIErrorItemSource:
    """Where in the request an error came from."""

    header: str | None = None
    parameter: str | None = None
    pointer: str | None = None


@attrs.define
class JSONAPIErrorItem:
    """One error of the Actions group's JSON:API error body (every field is optional in practice)."""

    detail: str | None = None
    meta: dict[str, Any] | None = None
    source: JSONAPIErrorItemSource | None = None
    status: str | None = None
    title: str | None = None

    def __str__(self) -> str:
        return ": ".join(part for part in (self.title, self.detail) if part) or self.status or "error"


@attrs.define
class UnknownResource:
    """An ``included`` item of a ``type`` this version of aiodd does not know; ``raw`` is kept whole."""

    raw: dict[str, Any]

    @property
    def type(self) -> str | None:
        value = self.raw.get("type")
        return value if isinstance(value, str) else None

    @property
    def id(self) -> str | None:
        value = self.raw.get("id")
        return value if isinstance(value, str) else None
