"""Decoding an answer: status, headers and body in; the model or the right typed error out.

Pure (no I/O), so every case is tested without a server; the client only sends and reads. The
body may hold a secret (a new key's, or one a server echoed back), so it never sits in a local
variable of a frame that raises: :class:`Answer`'s repr leaves it out, the structuring step
returns rather than raises, and text taken from an error answer has its secrets hidden.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import NoneType
from typing import Any, TypeVar, get_args, get_origin

import attrs
import yarl

from ._converter import converter, structure_error_list
from ._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    RateLimitError,
    status_error_class,
)
from ._ratelimit import parse_rate_limit
from ._redact import Redactor
from ._retry import server_requested_wait

__all__ = ["Answer", "decode_response"]

T = TypeVar("T")

REQUEST_ID_HEADERS = ("X-Request-Id", "DD-Request-Id", "X-Datadog-Request-Id")


class Answer:
    """An HTTP answer as read off the wire. The repr shows the status and size, never the body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"<Answer status={self.status} body=<{len(self.body)} bytes, not shown>>"


def decode_response(
    answer: Answer, cast_to: type[T] | None, *, method: str, url: str | yarl.URL, redactor: Redactor
) -> T | None:
    """The model for a 2xx answer (``None`` when ``cast_to`` is); otherwise raise the typed error.

    A 3xx is never followed and never a success: it raises :class:`APIStatusError` like a 4xx.
    ``url`` is made text only for an error.
    """
    status = answer.status
    if 200 <= status < 300:
        if cast_to is None:
            return None
        decoded = _structured(answer.body, cast_to)
        if not isinstance(decoded, str):
            return decoded
        text, _ = redactor.answer(answer.body)
        raise APIResponseValidationError(decoded, method=method, url=str(url), status=status, body=text)
    raise status_error(answer, method=method, url=str(url), redactor=redactor)


def status_error(answer: Answer, *, method: str, url: str, redactor: Redactor) -> APIStatusError:
    """The typed error for an answer outside 2xx; text taken from it has its secrets hidden."""
    status, headers = answer.status, answer.headers
    text, document = redactor.answer(answer.body)
    request_id = next((headers[h] for h in REQUEST_ID_HEADERS if h in headers), None)
    rate_limit_headers = {k: v for k, v in headers.items() if k.lower().startswith("x-ratelimit")}
    error_class = status_error_class(status)
    details: dict[str, Any] = {
        "method": method,
        "url": url,
        "errors": structure_error_list(document),
        "body": text,
        "request_id": request_id,
        "headers": rate_limit_headers,
    }
    if error_class is RateLimitError:
        return RateLimitError(
            rate_limit=parse_rate_limit(headers), retry_after=server_requested_wait(headers), **details
        )
    return error_class(status=status, **details)


_plans: dict[Any, tuple[Any, tuple[Any, Any] | None]] = {}
"""cast_to -> its structure hook (one dict lookup instead of cattrs' dispatch) and, for a listing, its item
hook and type (see :func:`_page_of`)."""


def _structured(body: bytes, cast_to: type[T]) -> T | str:
    """The body structured as ``cast_to``, or a sentence saying what is wrong with it.

    Returns rather than raises, so that its frame, which holds the decoded answer, is never
    part of a traceback.
    """
    try:
        document: Any = json.loads(body)
    except (ValueError, RecursionError):
        return "the response body is not JSON"
    if not isinstance(document, dict):
        return "the response body is not a JSON object"
    plan = _plans.get(cast_to)
    if plan is None:
        plan = _plans[cast_to] = (converter.get_structure_hook(cast_to), _page_of(cast_to))
    hook, page = plan
    try:
        items = document.get("data")
        if page is not None and type(items) is list:  # a listing: its items one at a time, see _structure_items
            document["data"] = []
            structured: Any = hook(document, cast_to)
            structured.data = _structure_items(items, *page)
        else:
            structured = hook(document, cast_to)
    except Exception as exc:
        return f"the response does not match {cast_to.__name__}: {type(exc).__name__}"
    return structured  # type: ignore[no-any-return]


def _page_of(cast_to: Any) -> tuple[Any, Any] | None:
    """The item hook and type of an answer whose ``data`` is a list of models (a listing), else ``None``."""
    if not attrs.has(cast_to):
        return None
    field = getattr(attrs.fields(attrs.resolve_types(cast_to)), "data", None)
    if field is None:
        return None
    kind = field.type
    kinds = [kind] if get_origin(kind) is list else [member for member in get_args(kind) if member is not NoneType]
    if len(kinds) != 1 or get_origin(kinds[0]) is not list or not attrs.has(get_args(kinds[0])[0]):
        return None
    (item_type,) = get_args(kinds[0])
    return converter.get_structure_hook(item_type), item_type


def _structure_items(items: list[Any], item_hook: Any, item_type: Any) -> list[Any]:
    """Each item's model, dropping its JSON as the model is built.

    A 100-key page is about 600 dicts of JSON and 600 models: held whole at once they pass the
    garbage collector's threshold (700 new container objects), and every page pays for a
    collection, sometimes a full one. Dropping each item's JSON as it is structured keeps the
    page under it, as a bare ``json.loads`` of the page is.
    """
    models = []
    for index, item in enumerate(items):
        models.append(item_hook(item, item_type))
        items[index] = None
    return models
