"""One service account's application keys, kept ready for fast sorted, filtered paging.

Walking 100,000 keys 100 at a time must not sort 100,000 keys 1,000 times. Each sort order is
built once, on first use, then kept up to date by bisection on every change; a filtered view
is cached until the next change. A page is then a slice.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from ._stored import ApplicationKey

__all__ = ["SORT_FIELDS", "AccountKeys", "KeyQuery"]

_SortKey = Callable[[ApplicationKey], tuple[Any, ...]]

# Ties broken by creation time, then id, so that every order is total and pages never overlap.
_SORT_KEYS: dict[str, _SortKey] = {
    "created_at": lambda key: (key.created_at, key.id),
    "last4": lambda key: (key.last4, key.created_at, key.id),
    "name": lambda key: (key.name, key.created_at, key.id),
}
SORT_FIELDS = tuple(_SORT_KEYS)

KeyQuery = tuple[str, str | None, datetime | None, datetime | None]
"""``(sort, filter, created_at start, created_at end)``; sort may start with ``-``."""

_CACHED_FILTERS = 4


class AccountKeys:
    """The keys of one account in insertion order, with sorted views maintained incrementally."""

    __slots__ = ("_by_id", "_filtered", "_sorted")

    def __init__(self) -> None:
        #: every key by id, in creation order
        self._by_id: dict[str, ApplicationKey] = {}
        #: ascending views per sort field, built on first use
        self._sorted: dict[str, list[ApplicationKey]] = {}
        #: filtered ascending views by (field, filter, start, end), dropped on every change
        self._filtered: dict[tuple[Any, ...], list[ApplicationKey]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[ApplicationKey]:
        return iter(self._by_id.values())

    def get(self, key_id: str) -> ApplicationKey | None:
        return self._by_id.get(key_id)

    def add(self, key: ApplicationKey) -> None:
        self._by_id[key.id] = key
        for field, view in self._sorted.items():
            bisect.insort(view, key, key=_SORT_KEYS[field])
        self._changed()

    def extend(self, keys: Sequence[ApplicationKey]) -> None:
        """Add many keys at once (seeding): views are rebuilt lazily instead of bisected."""
        for key in keys:
            self._by_id[key.id] = key
        self._sorted.clear()
        self._changed()

    def remove(self, key_id: str) -> ApplicationKey | None:
        key = self._by_id.pop(key_id, None)
        if key is not None:
            for field, view in self._sorted.items():
                _remove(view, key, _SORT_KEYS[field])
            self._changed()
        return key

    def rename(self, key: ApplicationKey, name: str) -> None:
        view = self._sorted.get("name")
        if view is not None:
            _remove(view, key, _SORT_KEYS["name"])
        key.name = name
        if view is not None:
            bisect.insort(view, key, key=_SORT_KEYS["name"])
        self._changed()

    def set_created_at(self, key: ApplicationKey, created_at: datetime) -> None:
        """Move a key in time (tests backdate keys): every sorted view breaks ties on it."""
        for field, view in self._sorted.items():
            _remove(view, key, _SORT_KEYS[field])
        key.created_at = created_at
        for field, view in self._sorted.items():
            bisect.insort(view, key, key=_SORT_KEYS[field])
        self._changed()

    def page(self, query: KeyQuery, offset: int, size: int) -> tuple[list[ApplicationKey], int]:
        """One page of the keys ``query`` selects, and how many it selects in all."""
        sort, name_filter, start, end = query
        descending = sort.startswith("-")
        field = sort.lstrip("-")
        view = self._view(field, name_filter, start, end)
        total = len(view)
        if not descending:
            return view[offset : offset + size], total
        stop = total - offset
        if stop <= 0:
            return [], total
        return view[max(0, stop - size) : stop][::-1], total

    def _view(
        self, field: str, name_filter: str | None, start: datetime | None, end: datetime | None
    ) -> list[ApplicationKey]:
        view = self._sorted.get(field)
        if view is None:
            view = self._sorted[field] = sorted(self._by_id.values(), key=_SORT_KEYS[field])
        if not name_filter and start is None and end is None:
            return view
        cache_key = (field, name_filter, start, end)
        filtered = self._filtered.get(cache_key)
        if filtered is None:
            needle = (name_filter or "").casefold()
            filtered = [
                key
                for key in view
                if needle in key.name.casefold()
                and (start is None or key.created_at >= start)
                and (end is None or key.created_at <= end)
            ]
            if len(self._filtered) >= _CACHED_FILTERS:
                self._filtered.pop(next(iter(self._filtered)))
            self._filtered[cache_key] = filtered
        return filtered

    def _changed(self) -> None:
        self._filtered.clear()


def _remove(view: list[ApplicationKey], key: ApplicationKey, sort_key: _SortKey) -> None:
    index = bisect.bisect_left(view, sort_key(key), key=sort_key)
    if index < len(view) and view[index] is key:
        del view[index]
    else:  # pragma: no cover - only if a sort attribute changed behind our back
        view.remove(key)
