"""The aiohttp client middleware chain every request goes through, outermost first:

1. the user's own ``middlewares=[...]``          once per call
2. :mod:`.retry`            resends on 429 / transient failures, logs each attempt
3. :mod:`.governor`         holds a request back until its rate-limit bucket has room (at most max_wait)
4. :mod:`.attempt`          one attempt under its own deadline: send, headers and the whole body
                             (at most ``max_response_bytes``), so a long rate-limit wait is never a timeout

Waiting lives in the chain, so aiohttp's own ``ClientTimeout(total=...)`` is not used (it would
count the sleeps); each attempt has its own deadline instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiohttp import ClientMiddlewareType

from .._events import ClientStats, RetryEvent
from .._governor import Admission
from .._retry import RetryPolicy
from .attempt import attempt
from .governor import governed
from .retry import retrying

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
    chain: list[ClientMiddlewareType] = list(user)
    if retry is not None:
        chain.append(retrying(retry, stats, on_retry))
    if governor is not None:
        chain.append(governed(governor, stats))
    chain.append(attempt(timeout, max_response_bytes, stats))
    return tuple(chain)
