"""What a resource method asks the client to send: a plain, immutable request description.

Resource methods validate their arguments and build an :class:`APIRequest`; the client turns it
into HTTP. Path parameters are percent-encoded here, so an id like ``"../x"`` stays one segment.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import attrs

from ._exceptions import InvalidArgumentError

__all__ = ["IDEMPOTENT_METHODS", "APIRequest", "current_request", "path_param", "require_text"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@attrs.frozen
class APIRequest:
    """One API call. ``route`` is the path template (``/api/v2/.../{app_key_id}``) for rate-limit
    buckets and logs; ``path`` is the encoded path; ``json`` the unstructured body, if any."""

    method: str
    route: str
    path: str
    params: Mapping[str, str] | None = None
    json: Any = None

    @property
    def idempotent(self) -> bool:
        return self.method in IDEMPOTENT_METHODS


# The request being sent by the current task, for middlewares that need its route or method
# semantics (aiohttp's ClientRequest carries no such context).
current_request: contextvars.ContextVar[APIRequest | None] = contextvars.ContextVar(
    "aiodd_current_request", default=None
)


def require_text(value: object, argument: str) -> str:
    """A non-empty string argument, or a clear :class:`InvalidArgumentError`."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{argument} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidArgumentError(f"{argument} must not be empty")
    return value


def path_param(value: object, argument: str) -> str:
    """Validate and percent-encode one path segment (``/``, ``?``, ``#``, ``%`` and dots included)."""
    text = require_text(value, argument)
    encoded = quote(text, safe="")
    if encoded in (".", ".."):
        encoded = encoded.replace(".", "%2E")
    return encoded
