"""Ready-made ``select=`` predicates: which keys to rotate or audit.

A selector is a plain ``Callable[[PartialApplicationKey], bool]``: everything it needs is on the
listed key (its dates, its name, and ``relationships.leak_information``, which is set exactly
when Datadog found the key leaked). Combine them with :func:`all_of`. The ready-made ones are
:class:`Selector` objects that can also say *why* they picked a key, which a dry run's plan shows.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs

from .._exceptions import InvalidArgumentError
from ..models.service_accounts import PartialApplicationKey
from ._naming import base_name

__all__ = [
    "KeySelector",
    "Selector",
    "all_of",
    "is_leaked",
    "leaked",
    "name_matches",
    "older_than",
    "reason_for",
    "unused_for",
]

KeySelector = Callable[[PartialApplicationKey], bool]


@attrs.frozen
class Selector:
    """A key selector that can explain itself: ``selector(key)`` picks, ``selector.why(key)`` says why."""

    test: Callable[[PartialApplicationKey], bool]
    explain: Callable[[PartialApplicationKey], str]

    def __call__(self, key: PartialApplicationKey) -> bool:
        return self.test(key)

    def why(self, key: PartialApplicationKey) -> str:
        return self.explain(key)


def reason_for(select: KeySelector | None, key: PartialApplicationKey) -> str:
    """Why ``select`` picked ``key``, in a few words (a leak is always named first)."""
    parts = ["leaked"] if is_leaked(key) else []
    if isinstance(select, Selector):
        parts += [part for part in select.why(key).split("; ") if part and part not in parts]
    elif select is not None:
        parts.append("selected")
    return "; ".join(parts) or "every key"


def _days(delta: timedelta) -> str:
    return f"{delta.days}d" if delta >= timedelta(days=1) else f"{int(delta.total_seconds() // 3600)}h"


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


def older_than(age: timedelta, now: Clock = _utcnow) -> Selector:
    """Keys created more than ``age`` ago (keys without a creation date are kept out)."""
    _check_period(age, "age")

    def select(key: PartialApplicationKey) -> bool:
        created = key.attributes.created_at if key.attributes else None
        return created is not None and created < now() - age

    def why(key: PartialApplicationKey) -> str:
        created = key.attributes.created_at if key.attributes else None
        return f"created {_days(now() - created)} ago" if created else "no creation date"

    return Selector(select, why)


def unused_for(period: timedelta, now: Clock = _utcnow) -> Selector:
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

    def why(key: PartialApplicationKey) -> str:
        attributes = key.attributes
        if attributes is not None and attributes.last_used_at is not None:
            return f"last used {_days(now() - attributes.last_used_at)} ago"
        created = attributes.created_at if attributes else None
        return f"never used, created {_days(now() - created)} ago" if created else "never used"

    return Selector(select, why)


def leaked() -> Selector:
    """Keys Datadog found leaked (see :func:`is_leaked`)."""
    return Selector(is_leaked, lambda key: "leaked")


def name_matches(pattern: str) -> Selector:
    """Keys whose name, without a `` [rotated …]`` marker, matches a shell-style glob, case-sensitively.

    So ``deploy-*`` keeps selecting the same keys after they were rotated and renamed.
    """
    if not isinstance(pattern, str) or not pattern:
        raise InvalidArgumentError("pattern must be a non-empty glob string")

    def select(key: PartialApplicationKey) -> bool:
        name = key.attributes.name if key.attributes else None
        return name is not None and fnmatch.fnmatchcase(base_name(name), pattern)

    return Selector(select, lambda key: f"name matches {pattern!r}")


def all_of(*selectors: KeySelector) -> Selector:
    """Keys every selector selects (AND); with no selector, every key."""
    for selector in selectors:
        if not callable(selector):
            raise InvalidArgumentError(f"selectors must be callables taking a key, got {selector!r}")
    chosen = tuple(selectors)

    def select(key: PartialApplicationKey) -> bool:
        return all(selector(key) for selector in chosen)

    def why(key: PartialApplicationKey) -> str:
        return "; ".join(reason_for(selector, key) for selector in chosen)

    return Selector(select, why)
