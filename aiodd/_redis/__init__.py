"""One rate budget for many processes: the governor's bucket state in Redis.

- :mod:`.config`: :class:`~.config.RedisRateLimit`, the user's options (imports no Redis client);
- :mod:`.keys`: the org fingerprint and the key names;
- :mod:`.scripts`: the Lua scripts that admit requests and take in answers, atomically;
- :mod:`.store`: the round trips to Redis, each bounded by a short timeout;
- :mod:`.breaker`: when to stop asking Redis and fall back to the in-process governor;
- :mod:`.governor`: :class:`~.governor.RedisGovernor`, the :class:`~aiodd._governor.Admission` that wires them.

redis-py is imported only when a client is built with ``rate_limit="redis://..."``.
"""
