"""The fake's stored objects: plain records, rendered to wire JSON by the handlers.

These mirror what Datadog keeps, not what aiodd models: a key keeps its secret (only ever
returned by the create call), a connection keeps its write-only credential fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["USER_STATUSES", "ActionConnection", "ApplicationKey", "Leak", "User", "wire_timestamp"]

USER_STATUSES = ("Active", "Pending", "Disabled")
"""A user's ``status``, as ``filter[status]`` names them."""


def wire_timestamp(value: datetime) -> str:
    """Datadog's spelling, e.g. ``2023-10-12T10:11:48.340554+00:00`` (always microseconds)."""
    return value.isoformat(timespec="microseconds")


@dataclass(slots=True, eq=False)
class User:
    """A user of the organisation: a service account (which owns application keys) or a person."""

    id: str
    email: str
    name: str | None
    title: str | None
    role_ids: list[str]
    created_at: datetime
    modified_at: datetime
    service_account: bool = True
    status: str = "Active"  # one of USER_STATUSES


@dataclass(slots=True, frozen=True)
class Leak:
    """Datadog found a key leaked: a ``leaked_keys`` resource its ``leak_information`` points at."""

    id: str
    date: datetime
    source: str | None


@dataclass(slots=True, eq=False)
class ApplicationKey:
    id: str
    owner_id: str
    name: str
    secret: str = field(repr=False)  # safe to print a key
    scopes: list[str] | None
    created_at: datetime
    last_used_at: datetime | None = None
    leak: Leak | None = None

    @property
    def last4(self) -> str:
        return self.secret[-4:]


@dataclass(slots=True, eq=False)
class ActionConnection:
    id: str
    name: str
    #: ``{"type": ..., "credentials": {...}, ["base_url": ...]}`` including write-only secrets
    integration: dict[str, Any] = field(repr=False)
    tags: list[str] | None = None
