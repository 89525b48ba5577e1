"""Ready-made ``select=`` predicates: which keys to rotate."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..models.service_accounts import PartialApplicationKey

__all__ = ["KeySelector", "name_matches", "older_than"]

KeySelector = Callable[[PartialApplicationKey], bool]


def older_than(age: timedelta, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> KeySelector:
    """Keys created more than ``age`` ago (keys without a creation date are kept out)."""

    def select(key: PartialApplicationKey) -> bool:
        created = key.attributes.created_at if key.attributes else None
        return created is not None and created < now() - age

    return select


def name_matches(pattern: str) -> KeySelector:
    """Keys whose name matches a shell-style glob (``deploy-*``), case-sensitively."""

    def select(key: PartialApplicationKey) -> bool:
        name = key.attributes.name if key.attributes else None
        return name is not None and fnmatch.fnmatchcase(name, pattern)

    return select
