"""``AsyncPaginator``: the page query, page numbering, the stop rules, and laziness.

No network: a fake fetch reads the query it is handed and answers with a list.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import pytest

import aiodd
from aiodd._pagination import MAX_PAGE_SIZE, check_page_size


@attrs.define
class Page:
    items: list[int]
    total: int | None


@attrs.define
class Listing:
    """A fake listing of ``count`` items that records the queries it was sent."""

    count: int
    report_total: bool = True
    queries: list[dict[str, str]] = attrs.Factory(list)

    async def fetch(self, query: Mapping[str, str]) -> Page:
        self.queries.append(dict(query))
        number, size = int(query["page[number]"]), int(query["page[size]"])
        start = number * size
        items = list(range(start, min(start + size, self.count)))
        return Page(items, self.count if self.report_total else None)

    def paginator(self, page_size: int, params: Mapping[str, str] | None = None) -> aiodd.AsyncPaginator[int, Page]:
        return aiodd.AsyncPaginator(
            self.fetch, lambda page: page.items, lambda page: page.total, page_size=page_size, params=params
        )

    @property
    def fetched(self) -> list[tuple[int, int]]:
        return [(int(query["page[number]"]), int(query["page[size]"])) for query in self.queries]

    @property
    def numbers(self) -> list[int]:
        return [number for number, _ in self.fetched]


async def collect(paginator: aiodd.AsyncPaginator[int, Page]) -> list[int]:
    return [item async for item in paginator]


# --- the page query ----------------------------------------------------------------------------


async def test_without_params_the_query_holds_only_the_page_size_and_number() -> None:
    listing = Listing(3)
    await collect(listing.paginator(2))
    assert listing.queries == [{"page[size]": "2", "page[number]": "0"}, {"page[size]": "2", "page[number]": "1"}]


async def test_params_are_sent_with_every_page_before_the_page_keys() -> None:
    listing = Listing(3)
    await collect(listing.paginator(2, params={"filter": "ci", "sort": "-name"}))
    assert [list(query.items()) for query in listing.queries] == [
        [("filter", "ci"), ("sort", "-name"), ("page[size]", "2"), ("page[number]", "0")],
        [("filter", "ci"), ("sort", "-name"), ("page[size]", "2"), ("page[number]", "1")],
    ]


async def test_the_paginator_alone_sets_the_page_keys() -> None:
    listing = Listing(3)
    await collect(listing.paginator(2, params={"page[size]": "50", "page[number]": "7"}))
    assert listing.queries == [{"page[size]": "2", "page[number]": "0"}, {"page[size]": "2", "page[number]": "1"}]


async def test_params_changed_after_construction_are_not_sent() -> None:
    params = {"filter": "ci"}
    listing = Listing(1)
    paginator = listing.paginator(2, params=params)
    params["filter"] = "changed"
    await collect(paginator)
    assert listing.queries == [{"filter": "ci", "page[size]": "2", "page[number]": "0"}]


async def test_each_page_gets_a_query_of_its_own() -> None:
    sent: list[Mapping[str, str]] = []

    async def fetch(query: Mapping[str, str]) -> Page:
        sent.append(query)  # kept as handed over, not copied: a shared dict would show only the last page
        number = int(query["page[number]"])
        return Page([number, number], None) if number < 2 else Page([], None)

    paginator = aiodd.AsyncPaginator(fetch, lambda page: page.items, lambda page: page.total, page_size=2)
    await collect(paginator)
    assert [query["page[number]"] for query in sent] == ["0", "1", "2"]


# --- page size ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 50, MAX_PAGE_SIZE])
def test_check_page_size_accepts_one_to_the_maximum(page_size: int) -> None:
    assert check_page_size(page_size) == page_size


@pytest.mark.parametrize("page_size", [0, -1, MAX_PAGE_SIZE + 1, 2.0, "10", True, None])
def test_check_page_size_refuses_anything_else(page_size: object) -> None:
    with pytest.raises(aiodd.InvalidArgumentError, match=f"page_size must be an integer from 1 to {MAX_PAGE_SIZE}"):
        check_page_size(page_size)


# --- walking ----------------------------------------------------------------------------------


async def test_async_for_yields_every_item_across_pages_in_order() -> None:
    listing = Listing(7)
    assert await collect(listing.paginator(3)) == list(range(7))


async def test_pages_are_numbered_from_zero_with_the_page_size() -> None:
    listing = Listing(7)
    await collect(listing.paginator(3))
    assert listing.fetched == [(0, 3), (1, 3), (2, 3)]


async def test_pages_yields_each_page_document() -> None:
    listing = Listing(5)
    pages = [page async for page in listing.paginator(2).pages()]
    assert pages == [Page([0, 1], 5), Page([2, 3], 5), Page([4], 5)]


async def test_each_iteration_starts_again_from_page_zero() -> None:
    listing = Listing(3)
    paginator = listing.paginator(2)
    first = await collect(paginator)
    second = await collect(paginator)
    assert first == second == [0, 1, 2]
    assert listing.numbers == [0, 1, 0, 1]


async def test_errors_from_fetching_a_page_propagate() -> None:
    async def failing(query: Mapping[str, str]) -> Page:
        raise aiodd.NotFoundError(status=404, method="GET", url="/x", errors=["Not found"], body="", request_id=None)

    paginator = aiodd.AsyncPaginator(failing, lambda page: page.items, lambda page: page.total, page_size=10)
    with pytest.raises(aiodd.NotFoundError):
        await collect(paginator)


# --- stop rules -------------------------------------------------------------------------------


async def test_a_short_page_ends_the_walk() -> None:
    listing = Listing(5, report_total=False)
    await collect(listing.paginator(2))
    assert listing.numbers == [0, 1, 2]  # page 2 holds one item: no page 3


async def test_an_empty_page_ends_the_walk() -> None:
    listing = Listing(4, report_total=False)
    assert await collect(listing.paginator(2)) == [0, 1, 2, 3]
    assert listing.numbers == [0, 1, 2]  # page 2 is empty: no page 3


async def test_an_empty_first_page_yields_nothing_after_one_request() -> None:
    listing = Listing(0, report_total=False)
    assert await collect(listing.paginator(10)) == []
    assert listing.numbers == [0]


async def test_reaching_the_total_at_a_full_page_sends_no_extra_request() -> None:
    listing = Listing(4)
    assert await collect(listing.paginator(2)) == [0, 1, 2, 3]
    assert listing.numbers == [0, 1]


async def test_the_total_stops_the_walk_even_when_pages_are_full() -> None:
    # The server holds more than it reports (items created during the walk): the total wins.
    async def fetch(query: Mapping[str, str]) -> Page:
        number, size = int(query["page[number]"]), int(query["page[size]"])
        fetched.append(number)
        return Page(list(range(number * size, number * size + size)), 4)

    fetched: list[int] = []
    paginator = aiodd.AsyncPaginator(fetch, lambda page: page.items, lambda page: page.total, page_size=2)
    assert await collect(paginator) == [0, 1, 2, 3]
    assert fetched == [0, 1]


async def test_a_total_of_zero_stops_after_the_first_page() -> None:
    listing = Listing(0)
    assert await collect(listing.paginator(10)) == []
    assert listing.numbers == [0]


# --- laziness -----------------------------------------------------------------------------------


async def test_nothing_is_fetched_until_iteration_starts() -> None:
    listing = Listing(10)
    listing.paginator(2)
    assert listing.fetched == []


async def test_pages_are_fetched_only_when_their_items_are_needed() -> None:
    listing = Listing(10)
    iterator = aiter(listing.paginator(2))
    assert await anext(iterator) == 0
    assert listing.numbers == [0]
    assert await anext(iterator) == 1
    assert listing.numbers == [0]
    assert await anext(iterator) == 2
    assert listing.numbers == [0, 1]
    await iterator.aclose()


async def test_breaking_out_of_async_for_fetches_no_more_pages() -> None:
    listing = Listing(1000)
    async for item in listing.paginator(10):
        if item == 14:
            break
    assert listing.numbers == [0, 1]


# --- to_list ------------------------------------------------------------------------------------


async def test_to_list_collects_every_item() -> None:
    listing = Listing(5)
    assert await listing.paginator(2).to_list() == [0, 1, 2, 3, 4]


async def test_to_list_with_a_limit_stops_fetching_once_it_has_enough() -> None:
    listing = Listing(1000)
    assert await listing.paginator(10).to_list(limit=15) == list(range(15))
    assert listing.numbers == [0, 1]


async def test_to_list_with_a_limit_inside_the_first_page_fetches_one_page() -> None:
    listing = Listing(1000)
    assert await listing.paginator(10).to_list(limit=3) == [0, 1, 2]
    assert listing.numbers == [0]


async def test_to_list_with_a_limit_above_the_total_returns_everything() -> None:
    listing = Listing(5)
    assert await listing.paginator(2).to_list(limit=50) == [0, 1, 2, 3, 4]


async def test_to_list_with_limit_zero_fetches_nothing() -> None:
    listing = Listing(5)
    assert await listing.paginator(2).to_list(limit=0) == []
    assert listing.fetched == []


@pytest.mark.parametrize("limit", [-1, 1.5, "10", True])
async def test_to_list_refuses_a_limit_that_is_not_a_non_negative_integer(limit: object) -> None:
    listing = Listing(5)
    with pytest.raises(aiodd.InvalidArgumentError, match="limit"):
        await listing.paginator(2).to_list(limit=limit)  # type: ignore[arg-type]
    assert listing.fetched == []


def test_repr_shows_the_page_size() -> None:
    assert repr(Listing(1).paginator(25)) == "<AsyncPaginator page_size=25>"


# --- keep ---------------------------------------------------------------------------------------


async def test_keep_drops_items_but_pages_end_by_the_unfiltered_count() -> None:
    listing = Listing(25, report_total=False)
    paginator = aiodd.AsyncPaginator(
        listing.fetch, lambda page: page.items, lambda page: page.total, page_size=10, keep=lambda n: n % 10 == 9
    )
    assert await paginator.to_list() == [9, 19]  # one kept per full page: a filtered count would stop at page 0
    assert listing.numbers == [0, 1, 2]
    first_page, *_ = [page.items async for page in paginator.pages()]
    assert first_page == list(range(10))  # pages() is not filtered
