"""What a resource method asks the client to send: a plain, immutable request description.

Resource methods validate their arguments and build an :class:`APIRequest`; the client turns it
into HTTP. Path parameters are percent-encoded here, so an id like ``"../x"`` stays one segment.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs

from ._exceptions import InvalidArgumentError

if TYPE_CHECKING:
    from aiohttp import ClientRequest

__all__ = [
    "IDEMPOTENT_METHODS",
    "APIRequest",
    "check_unicode",
    "current_request",
    "encode_body",
    "path_param",
    "require_text",
    "route_of",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def _not_shown(value: object) -> str:
    return "<not shown>" if value is not None else "None"


@attrs.frozen
class APIRequest:
    """One API call. ``route`` is the path template (``/api/v2/.../{app_key_id}``) for rate-limit
    buckets and logs; ``path`` is the encoded path; ``json`` the unstructured body, if any.

    ``json`` may hold credentials (an integration's token), so the repr never shows it.
    """

    method: str
    route: str
    path: str
    params: Mapping[str, str] | None = None
    json: Any = attrs.field(default=None, repr=_not_shown)

    @property
    def idempotent(self) -> bool:
        return self.method in IDEMPOTENT_METHODS


# The request being sent by the current task, for middlewares that need its route or method
# semantics (aiohttp's ClientRequest carries no such context).
current_request: contextvars.ContextVar[APIRequest | None] = contextvars.ContextVar(
    "aiodd_current_request", default=None
)


def route_of(request: ClientRequest) -> str:
    """The path template of the request being sent (the raw path for a request aiodd did not build)."""
    api_request = current_request.get()
    return api_request.route if api_request is not None else request.url.path


def require_text(value: object, argument: str) -> str:
    """A non-empty string argument of valid Unicode, or a clear :class:`InvalidArgumentError`."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{argument} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidArgumentError(f"{argument} must not be empty")
    return check_unicode(value, argument)


def check_unicode(value: str, argument: str) -> str:
    """``value``, unless it cannot be sent as UTF-8 (it holds a lone surrogate such as ``"\\ud800"``)."""
    if value.isascii():
        return value
    try:
        value.encode()
    except UnicodeEncodeError:
        pass  # raised below, unchained: the UnicodeEncodeError holds the whole text
    else:
        return value
    raise InvalidArgumentError(f"{argument} is not valid Unicode text (it holds a lone surrogate such as '\\ud800')")


def path_param(value: object, argument: str) -> str:
    """Validate and percent-encode one path segment (``/``, ``?``, ``#``, ``%`` and dots included)."""
    text = require_text(value, argument)
    if text.isascii() and text.replace("-", "").isalnum():  # ids are UUIDs: nothing to encode
        return text
    encoded = quote(text, safe="")
    if encoded in (".", ".."):
        encoded = encoded.replace(".", "%2E")
    return encoded


def encode_body(document: Any) -> bytes:
    """The JSON request body. Text that is not valid Unicode (a lone surrogate) is refused here."""
    try:
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:
        pass  # raised below, without the UnicodeEncodeError (its ``object`` is the whole body)
    raise InvalidArgumentError("the request holds text that is not valid Unicode (a lone surrogate such as '\\ud800')")
