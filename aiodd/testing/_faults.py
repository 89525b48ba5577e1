"""Scripted misbehaviour: fail, drop, delay or garble the next matching requests.

Faults are consumed first come, first served: each matching request takes one use of the oldest
fault that still has uses left. A faulted request still counts as seen, is not authenticated and
does not count against a rate limit, as if a proxy in front of Datadog had misbehaved.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from ._matching import RequestMatcher
from ._wire import Group, error_body

__all__ = ["Fault", "FaultKind", "FaultPlan", "HeadersLike", "answer_fault", "normalise_headers"]

HeadersLike = Mapping[str, str] | Iterable[tuple[str, str]]
"""Headers to send; pairs allow sending one header twice (``("X-RateLimit-Reset", "7")`` x2)."""

GARBAGE_BODY = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


class FaultKind(enum.Enum):
    FAIL = "fail"
    DROP = "drop"
    DELAY = "delay"
    GARBAGE = "garbage"


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    matcher: RequestMatcher
    remaining: int
    status: int = 500
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0


class FaultPlan:
    """The pending faults, oldest first."""

    __slots__ = ("_faults",)

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError(f"times must be >= 1, got {fault.remaining}")
        self._faults.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """Use up one use of the oldest fault matching this request, if any."""
        for index, fault in enumerate(self._faults):
            if fault.matcher.matches(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    del self._faults[index]
                return fault
        return None

    def pending(self) -> int:
        """How many faulted requests are still to come."""
        return sum(fault.remaining for fault in self._faults)

    def clear(self) -> None:
        self._faults.clear()


def normalise_headers(headers: HeadersLike | None) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((str(name), str(value)) for name, value in pairs)


async def answer_fault(fault: Fault, request: web.Request, stopping: asyncio.Event) -> web.StreamResponse | None:
    """The faulty answer, or ``None`` when the request should then be served normally (delay).

    A delay ends early when ``stopping`` is set, so that stopping the server never waits for it.
    """
    group = Group.for_path(request.path)
    if fault.kind is FaultKind.DELAY:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), fault.seconds)
        return None
    if fault.kind is FaultKind.DROP:
        # Close the socket with no answer at all: the client sees a disconnection.
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)  # never reaches the client
    if fault.kind is FaultKind.GARBAGE:
        # Claims the group's JSON content type, so a client must survive a failed decode.
        return web.Response(status=200, body=GARBAGE_BODY, headers={"Content-Type": group.content_type})
    return _failure(fault, group)


def _failure(fault: Fault, group: Group) -> web.Response:
    headers: CIMultiDict[str] = CIMultiDict()
    body = fault.body
    if body is None:
        body = error_body(group, fault.status, "Injected failure")
    if isinstance(body, bytes | str):
        raw = body.encode() if isinstance(body, str) else body
        headers["Content-Type"] = "text/plain; charset=utf-8"
    else:
        raw = json.dumps(body, separators=(",", ":")).encode()
        headers["Content-Type"] = group.content_type
    given: CIMultiDict[str] = CIMultiDict(fault.headers)
    if "Content-Type" in given:
        del headers["Content-Type"]
    headers.extend(given)
    if fault.status == 204:
        raw = b""
    return web.Response(status=fault.status, body=raw, headers=headers)
