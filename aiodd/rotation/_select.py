"""Ready-made ``select=`` predicates: which keys to rotate or audit.

A selector is a plain ``Callable[[PartialApplicationKey], bool]``: everything it needs is on the
listed key (its dates, its name, and ``relationships.leak_information``, which is set exactly
when Datadog found the key leaked). Combine them with :func:`all_of`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from .._exceptions import InvalidArgumentError
from ..models.service_accounts import PartialApplicationKey
from ._naming import base_name

__all__ = ["KeySelector", "all_of", "is_leaked", "leaked", "name_matches", "older_than", "unused_for"]

KeySelector = Callable[[PartialApplicationKey], bool]

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _check_period(period: object, argument: str) -> timedelta:
    if not isinstance(period, timedelta) or period < timedelta(0):
        raise InvalidArgumentError(f"{argument} must be a non-negative datetime.timedelta, got {period!r}")
    return period


def is_leaked(key: PartialApplicationKey) -> bool:
    """Whether Datadog reports the key leaked (its ``leak_information`` points at a leak)."""
    relationships = key.relationships
    leak = relationships.leak_information if relationships else None
    return leak is not None and leak.data is not None


def older_than(age: timedelta, now: Clock = _utcnow) -> KeySelector:
    """Keys created more than ``age`` ago (keys without a creation date are kept out)."""
    _check_period(age, "age")

    def select(key: PartialApplicationKey) -> bool:
        created = key.attributes.created_at if key.attributes else None
        return created is not None and created < now() - age

    return select


def unused_for(period: timedelta, now: Clock = _utcnow) -> KeySelector:
    """Keys last used more than ``period`` ago, or never used and created more than ``period`` ago.

    A key never used and without a creation date is kept out: nothing says it is stale.
    """
    _check_period(period, "period")

    def select(key: PartialApplicationKey) -> bool:
        attributes = key.attributes
        if attributes is None:
            return False
        last_seen = attributes.last_used_at or attributes.created_at
        return last_seen is not None and last_seen < now() - period

    return select


def leaked() -> KeySelector:
    """Keys Datadog found leaked (see :func:`is_leaked`)."""
    return is_leaked


def name_matches(pattern: str) -> KeySelector:
    """Keys whose name, without a `` [rotated …]`` marker, matches a shell-style glob, case-sensitively.

    So ``deploy-*`` keeps selecting the same keys after they were rotated and renamed.
    """
    if not isinstance(pattern, str) or not pattern:
        raise InvalidArgumentError("pattern must be a non-empty glob string")

    def select(key: PartialApplicationKey) -> bool:
        name = key.attributes.name if key.attributes else None
        return name is not None and fnmatch.fnmatchcase(base_name(name), pattern)

    return select


def all_of(*selectors: KeySelector) -> KeySelector:
    """Keys every selector selects (AND); with no selector, every key."""
    for selector in selectors:
        if not callable(selector):
            raise InvalidArgumentError(f"selectors must be callables taking a key, got {selector!r}")
    chosen = tuple(selectors)

    def select(key: PartialApplicationKey) -> bool:
        return all(selector(key) for selector in chosen)

    return select
