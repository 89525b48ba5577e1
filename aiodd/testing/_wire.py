"""How each API group puts answers on the wire: content types, error bodies, empty 204s.

The two groups differ (see the recordings): Service Accounts answer ``application/json`` with
``{"errors": ["..."]}``, a 204 there comes as ``text/html`` with an empty body; the Actions
group answers ``application/vnd.api+json`` with JSON:API error objects and a bare 204.
"""

from __future__ import annotations

import enum
import http
import json
from typing import Any

from aiohttp import web

__all__ = ["ErrorAnswer", "Group", "error_body", "error_response", "json_response", "no_content"]

_ACTIONS_PREFIX = "/api/v2/actions/"


class Group(enum.Enum):
    SERVICE_ACCOUNTS = "application/json"
    ACTIONS = "application/vnd.api+json"

    @classmethod
    def for_path(cls, path: str) -> Group:
        return cls.ACTIONS if path.startswith(_ACTIONS_PREFIX) else cls.SERVICE_ACCOUNTS

    @property
    def content_type(self) -> str:
        return self.value


class ErrorAnswer(Exception):
    """Raised by a handler to answer with an error; the server renders it in the route's format."""

    def __init__(self, status: int, detail: str, *, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title


def json_response(group: Group, status: int, payload: Any) -> web.Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return web.Response(status=status, body=body, headers={"Content-Type": group.content_type})


def error_body(group: Group, status: int, detail: str, *, title: str | None = None) -> dict[str, Any]:
    if group is Group.SERVICE_ACCOUNTS:
        return {"errors": [detail]}
    return {"errors": [{"status": str(status), "title": title or _phrase(status), "detail": detail}]}


def error_response(group: Group, status: int, detail: str, *, title: str | None = None) -> web.Response:
    return json_response(group, status, error_body(group, status, detail, title=title))


def no_content(group: Group) -> web.Response:
    if group is Group.SERVICE_ACCOUNTS:
        return web.Response(status=204, headers={"Content-Type": "text/html; charset=utf-8"})
    return web.Response(status=204)


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
