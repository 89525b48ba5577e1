"""Remember every request the fake received, with secrets redacted, for tests to inspect."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ._matching import RequestMatcher
from ._secrets import redact_body, redact_headers

__all__ = ["RecordedRequest", "RequestLog"]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as received. Safe to print: keys and credential secrets are redacted."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    #: the decoded JSON body (``None`` without one), credential secrets redacted
    json: Any


class RequestLog:
    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: list[RecordedRequest] = []

    async def record(self, request: web.Request) -> None:
        raw = await request.read()  # aiohttp keeps it, so handlers can read it again
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self._entries.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                headers=redact_headers(request.headers),
                json=redact_body(body),
            )
        )

    def select(self, matcher: RequestMatcher) -> list[RecordedRequest]:
        return [entry for entry in self._entries if matcher.matches(entry.method, entry.path)]

    def count(self, matcher: RequestMatcher) -> int:
        return sum(1 for entry in self._entries if matcher.matches(entry.method, entry.path))

    def clear(self) -> None:
        self._entries.clear()
