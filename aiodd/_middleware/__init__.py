"""The aiohttp client middleware chain every request goes through, outermost first:

1. the user's own ``middlewares=[...]``, once per call;
2. :mod:`.builtin`, one layer that resends on 429 / transient failures (:mod:`aiodd._retry`
   decides), holds each attempt back until its rate-limit bucket has room (:mod:`.governor`,
   at most ``max_wait``) and bounds each attempt by its own deadline (:mod:`.attempt`).

Waiting lives in the chain, so aiohttp's own ``ClientTimeout(total=...)`` is not used (it would
count the sleeps); each attempt has its own deadline instead.
"""

from .builtin import builtin_layer

__all__ = ["builtin_layer"]
