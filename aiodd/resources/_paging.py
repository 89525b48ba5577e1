"""Page-size rules shared by the list methods."""

from __future__ import annotations

from .._exceptions import InvalidArgumentError

MAX_PAGE_SIZE = 100  # the application-key listing's maximum (API reference, page[size])


def check_page_size(page_size: object) -> int:
    """``page_size`` must be an int in 1..100; checked before any request is sent."""
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidArgumentError(f"page_size must be an integer from 1 to {MAX_PAGE_SIZE}, got {page_size!r}")
    return page_size
