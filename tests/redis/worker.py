"""One worker process of tests/redis/test_processes.py: ``python worker.py BASE_URL SA KEY REQUESTS [REDIS_URL]``.

Keys come from DD_API_KEY / DD_APP_KEY. It builds its client, prints ``ready``, waits for a line on standard
input (so that every worker starts at once), sends REQUESTS GETs of one application key from 8 tasks, keeps its
client open until a second line, then prints one JSON line: requests done, errors, the 429s it received, Redis
round trips, and its aiodd log lines.
AIODD_TEST_LEASE sets the lease (seconds), AIODD_TEST_SHARE the fallback share, AIODD_TEST_TASKS the tasks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys

import aiodd


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


async def main(base_url: str, sa: str, key: str, requests: int, redis_url: str | None) -> None:
    logs = Lines()
    logging.getLogger("aiodd").addHandler(logs)
    logging.getLogger("aiodd").setLevel(logging.INFO)
    lease = os.environ.get("AIODD_TEST_LEASE")
    rate_limit: bool | aiodd.RedisRateLimit = True
    if redis_url:
        share = float(os.environ.get("AIODD_TEST_SHARE", "1"))
        lease_seconds = float(lease) if lease else None
        rate_limit = aiodd.RedisRateLimit(redis_url, lease=lease_seconds, retry_interval=0.2, fallback_share=share)
    async with aiodd.Client(base_url=base_url, rate_limit=rate_limit) as dd:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        todo = iter(range(requests))
        done, errors = 0, []

        async def task() -> None:
            nonlocal done
            for _ in todo:
                try:
                    await dd.service_accounts.application_keys.get(sa, key)
                    done += 1
                except aiodd.Error as exc:
                    errors.append(type(exc).__name__)

        await asyncio.gather(*(task() for _ in range(int(os.environ.get("AIODD_TEST_TASKS", "8")))))
        trips = getattr(dd.governor, "round_trips", 0)
        result = {"done": done, "errors": errors, "rate_limited": dd.stats.rate_limited, "round_trips": trips}
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # the client stays open till then
    print(json.dumps({**result, "logs": logs.lines}), flush=True)


if __name__ == "__main__":
    base_url, sa, key, count = sys.argv[1:5]
    asyncio.run(main(base_url, sa, key, int(count), sys.argv[5] if len(sys.argv) > 5 else None))
