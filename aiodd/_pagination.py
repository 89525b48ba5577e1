"""``AsyncPaginator``: lazy iteration over ``page[number]`` / ``page[size]`` listings.

The paginator owns the page query: a resource gives it its own filter parameters and a fetch that
sends whatever query it is handed. Every Datadog listing here numbers pages from 0. A walk stops at
the first short or empty page, or once the reported total is reached, whichever comes first, so the
page after the end is never requested twice. Only one page is held in memory at a time.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from contextlib import aclosing
from typing import Any, Generic

from typing_extensions import TypeVar

from ._exceptions import InvalidArgumentError

__all__ = ["MAX_PAGE_SIZE", "AsyncPaginator", "check_page_size"]

MAX_PAGE_SIZE = 100  # the application-key listing's maximum (API reference, page[size])

T = TypeVar("T")
P = TypeVar("P", default=Any)


def check_page_size(page_size: object) -> int:
    """``page_size`` must be an int in 1..100; checked before any request is sent."""
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidArgumentError(f"page_size must be an integer from 1 to {MAX_PAGE_SIZE}, got {page_size!r}")
    return page_size


class AsyncPaginator(Generic[T, P]):
    """Walk a paginated listing.

    ``async for item in paginator`` yields every item across pages; ``paginator.pages()`` yields
    the page documents (with ``data``, ``meta`` and ``included``); ``await paginator.to_list()``
    collects items. Nothing is requested until iteration starts; each iteration starts afresh.
    ``fetch`` sends one request with the query it is handed: ``params`` (the listing's filters and
    sort, copied) plus ``page[size]`` and ``page[number]``, which the paginator alone sets.
    ``keep`` drops items the server cannot filter out (service accounts among users) from the
    items, never from the page arithmetic nor from ``pages()``.
    """

    def __init__(
        self,
        fetch: Callable[[Mapping[str, str]], Awaitable[P]],
        items_of: Callable[[P], Sequence[T]],
        total_of: Callable[[P], int | None],
        *,
        page_size: int,
        params: Mapping[str, str] | None = None,
        keep: Callable[[T], bool] | None = None,
    ) -> None:
        self._fetch = fetch
        self._params = dict(params or {})
        self._items_of = items_of
        self._total_of = total_of
        self._keep = keep
        self.page_size = page_size

    async def pages(self) -> AsyncGenerator[P, None]:
        """Yield each page document in order, starting at page 0."""
        number = 0
        seen = 0
        while True:
            query = {**self._params, "page[size]": str(self.page_size), "page[number]": str(number)}
            page = await self._fetch(query)
            yield page
            count = len(self._items_of(page))
            seen += count
            total = self._total_of(page)
            if count < self.page_size or (total is not None and seen >= total):
                return
            number += 1

    async def __aiter__(self) -> AsyncGenerator[T, None]:
        keep = self._keep
        async for page in self.pages():
            for item in self._items_of(page):
                if keep is None or keep(item):
                    yield item

    async def to_list(self, limit: int | None = None) -> list[T]:
        """Collect the items, at most ``limit`` of them; stops fetching once it has enough."""
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise InvalidArgumentError(f"limit must be a non-negative integer or None, got {limit!r}")
        items: list[T] = []
        if limit == 0:
            return items
        async with aclosing(self.__aiter__()) as iterator:
            async for item in iterator:
                items.append(item)
                if limit is not None and len(items) >= limit:
                    break
        return items

    def __repr__(self) -> str:
        return f"<AsyncPaginator page_size={self.page_size}>"
