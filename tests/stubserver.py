"""A scriptable aiohttp server on 127.0.0.1 that records what it received, for unit tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
from aiohttp import web

API_KEY = "api-key-0123456789abcdef0123456789abcdef"
APP_KEY = "app-key-0123456789abcdef0123456789abcdef01"
RECORDINGS = Path(__file__).resolve().parents[2] / "shared" / "api" / "recordings"


@attrs.define
class Seen:
    """One request as the server received it."""

    method: str
    path: str  # raw (still percent-encoded) path
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@attrs.define
class Reply:
    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = attrs.Factory(dict)
    content_type: str = "application/json"
    drop: bool = False  # close the connection without answering


class StubAPI:
    """Answers each request with the next queued reply (per method and raw path), else 599."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._replies: dict[tuple[str, str], list[Reply]] = {}

    def reply(self, method: str, path: str, status: int = 200, json: Any = None, **kwargs: Any) -> None:
        self._replies.setdefault((method, path), []).append(Reply(status=status, json=json, **kwargs))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(
            Seen(request.method, request.raw_path.split("?")[0], dict(request.query), dict(request.headers), body)
        )
        queue = self._replies.get((request.method, request.raw_path.split("?")[0]))
        if not queue:
            return web.json_response({"errors": ["no reply scripted"]}, status=599)
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply.drop:
            assert request.transport is not None
            request.transport.close()
            raise ConnectionResetError("dropped by the test")
        if reply.body is not None:
            raw = reply.body
        elif reply.json is not None:
            raw = json.dumps(reply.json).encode()
        else:
            raw = b""
        response = web.Response(status=reply.status, body=raw, headers=reply.headers)
        if raw or reply.status != 204:
            response.content_type = reply.content_type
        return response
