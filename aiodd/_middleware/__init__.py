"""The aiohttp client middleware chain every request goes through, outermost first:

1. the user's own ``middlewares=[...]``, once per call;
2. :mod:`.builtin`, one layer that resends on 429 / transient failures (:mod:`aiodd._retry`
   decides), holds each attempt back until its rate-limit bucket has room (:mod:`.governor`,
   at most ``max_wait``) and bounds each attempt by its own deadline (:mod:`.attempt`).

Waiting lives in the chain, so aiohttp's own ``ClientTimeout(total=...)`` is not used (it would
count the sleeps); each attempt has its own deadline instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiohttp import ClientMiddlewareType

from .._governor import Admission
from .._retry import RetryPolicy
from .._stats import ClientStats, RetryEvent
from .builtin import builtin_layer

__all__ = ["build_chain"]


def build_chain(
    *,
    user: Sequence[ClientMiddlewareType],
    retry: RetryPolicy | None,
    governor: Admission | None,
    timeout: float,
    max_response_bytes: int,
    stats: ClientStats,
    on_retry: Callable[[RetryEvent], object] | None,
) -> tuple[ClientMiddlewareType, ...]:
    layer = builtin_layer(
        retry=retry,
        governor=governor,
        timeout=timeout,
        max_response_bytes=max_response_bytes,
        stats=stats,
        on_retry=on_retry,
    )
    return (*user, layer)
