"""``RedisGovernor``: the :class:`~aiodd._governor.Admission` whose bucket state lives in Redis.

It admits requests as the in-process :class:`~aiodd._governor.RateLimitGovernor` does, with the
same bounds, but every process using the same Redis and organization shares each bucket:

- waiting requests queue in this process per bucket (per route while the route's bucket is
  unknown), first come first served, as :class:`~aiodd._waitqueue.WaitQueue` entries; one task
  per queue asks Redis for as many of them as may go, in one round trip (:mod:`.scripts`), then
  sleeps until the window resets, an answer of this process frees room, or, while the answer it
  waits for is another process's, ``poll_interval``;
- :meth:`release` is synchronous, so answers are queued and sent by a task, all that piled up in
  one pipelined round trip; each frees its lease in Redis, and the queues are asked again;
- every wait is bounded by ``max_wait`` (:class:`WaitTooLong`, as in-process); a route waiting for
  its first answer lets its requests go without it after ``max_wait``;
- Redis failing (``fall_back_after`` round trips in a row, each bounded by ``timeout``): one
  WARNING, and requests go through an in-process governor, which has seen every answer all
  along (scaled by ``fallback_share``), until a background ping succeeds: one INFO. A Redis
  problem never fails a Datadog request; leases held at the time expire on their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import secrets
from typing import Final

from .._governor import Admission, RateLimitGovernor, Ticket, too_long
from .._ratelimit import RateLimit
from .._waitqueue import WaitQueue
from .breaker import CircuitBreaker
from .config import RedisRateLimit, redacted_url
from .keys import KeyLayout
from .store import Admitted, LostAttempt, RedisBucketStore, StoreUnavailable, Update

__all__ = ["RedisGovernor"]

logger = logging.getLogger("aiodd")

_UNKNOWN: Final = object()
_RETRY_PAUSE = 0.02  # seconds between two tries of a round trip that failed while the breaker is closed
_MOST_UNSENT = 10_000  # answers kept for Redis while it is unavailable (to free their leases when it is back)


class _Requeue(Exception):
    """The waiter's queue cannot serve it (its route's bucket became known or changed, Redis is down,
    the governor is closing): ask again from the start, keeping the deadline."""


class _Pump:
    """One queue of waiters and the task that asks Redis for them."""

    __slots__ = ("first_answer", "poked", "queue", "rate_limit", "reset_at", "task")

    def __init__(self) -> None:
        self.queue = WaitQueue()
        self.poked = asyncio.Event()  # set when something may have freed room
        self.task: asyncio.Task[None] | None = None
        self.reset_at = math.inf  # loop time of the bucket's reset, as last heard (inf: unknown)
        self.rate_limit: RateLimit | None = None  # the bucket as last heard
        self.first_answer = False  # waiting for a probe's answer (Redis knows nothing of the route)


class RedisGovernor(Admission):
    """Admit requests per bucket with the bucket state in Redis (see the module docstring)."""

    def __init__(self, config: RedisRateLimit, *, org: str, max_wait: float, lease: float) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self._config = config
        self._where = redacted_url(config.url)
        # No retries inside redis-py: one bounded try per round trip, the breaker decides the rest.
        self._redis = Redis.from_url(
            config.url,
            socket_timeout=config.timeout,
            socket_connect_timeout=config.timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._store = RedisBucketStore(self._redis, KeyLayout(org), lease=lease, timeout=config.timeout)
        self._attempts = map(f"{secrets.token_hex(6)}:{{}}:".format, itertools.count(1))  # names each admission
        self._max_wait = float(max_wait)
        self._local = RateLimitGovernor(max_wait=max_wait)  # the fallback, kept up to date by every answer
        self._breaker = CircuitBreaker(config.fall_back_after)
        self._routes: dict[str, str | None] = {}  # route -> bucket, as this process learned it; None: not limited
        self._pumps: dict[tuple[str, str], _Pump] = {}  # ("bucket", name) or ("route", route) -> its queue
        self._updates: list[Update] = []
        self._lost: list[LostAttempt] = []
        self._flusher: asyncio.Task[None] | None = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "falling back" if self._breaker.is_open else "shared"
        return f"<RedisGovernor {self._where} {state}>"

    @property
    def falling_back(self) -> bool:
        """True while this process keeps its own budget because Redis is unavailable (or the governor closed)."""
        return self._breaker.is_open or self._closed

    @property
    def round_trips(self) -> int:
        """Round trips to Redis so far (admissions, update batches, pings)."""
        return self._store.round_trips

    # --- Admission -----------------------------------------------------------------------------

    def try_acquire(self, route: str) -> Ticket | None:
        if self.falling_back:
            return self._local.try_acquire(route)
        if route in self._routes and self._routes[route] is None:  # not rate limited: no round trip
            return Ticket(route, None, probe=False, lease="")
        return None

    async def acquire(self, route: str) -> Ticket:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._max_wait
        while True:
            if self.falling_back:
                return await self._acquire_locally(route, deadline)
            ticket = self.try_acquire(route)
            if ticket is not None:
                return ticket
            future = self._enqueue(route, deadline)
            try:
                return await future
            except _Requeue:
                continue
            except asyncio.CancelledError:
                if future.done() and not future.cancelled() and future.exception() is None:
                    self.release(future.result(), None, None)  # let in, but cancelled before it ran
                raise

    def release(self, ticket: Ticket, rate_limit: RateLimit | None, status: int | None) -> None:
        if ticket.lease is None:  # the fallback's ticket
            self._local.release(ticket, self._share(rate_limit), status)
            return
        route = ticket.route
        unknown = route not in self._routes
        if rate_limit is not None or status is not None:
            self._local.release(Ticket(route, None, probe=False), self._share(rate_limit), status)
            if rate_limit is not None:
                self._routes[route] = rate_limit.name or route
            elif unknown:
                self._routes[route] = None
        if not (ticket.lease or ticket.probe or rate_limit is not None or (unknown and status is not None)):
            return  # nothing Redis needs to hear
        if len(self._updates) >= _MOST_UNSENT or self._closed:
            return  # the leases expire on their own
        self._updates.append(
            Update(
                route=route,
                reserved_in=ticket.bucket,
                lease="" if ticket.probe else ticket.lease,
                probe_token=ticket.lease if ticket.probe else "",
                rate_limit=rate_limit,
                status=status,
            )
        )
        self._send_soon()

    async def aclose(self) -> None:
        """Stop the queues' tasks (their waiters go to the in-process governor), send the answers not
        yet sent (so the leases come back now), close the connections."""
        if self._closed:
            return
        self._closed = True
        for task in [pump.task for pump in self._pumps.values()] + [self._reconnecting]:
            if task is not None:
                task.cancel()
        flusher = self._flusher
        if flusher is not None and not flusher.done():
            with contextlib.suppress(Exception):  # _flush handles its failures
                await flusher
        if (self._updates or self._lost) and not self._breaker.is_open:
            await self._flush()
        await self._redis.aclose()

    # --- waiting --------------------------------------------------------------------------------

    def _enqueue(self, route: str, deadline: float) -> asyncio.Future[Ticket]:
        bucket = self._routes.get(route, _UNKNOWN)
        key = ("bucket", bucket) if isinstance(bucket, str) else ("route", route)
        pump = self._pumps.get(key)
        if pump is None:
            pump = self._pumps[key] = _Pump()
        future = pump.queue.add(deadline, route)
        if pump.task is None:
            pump.task = asyncio.get_running_loop().create_task(self._run(key, pump))
        return future

    async def _run(self, key: tuple[str, str], pump: _Pump) -> None:
        """Ask Redis for the queue's waiters until none is left."""
        kind, name = key
        queue = pump.queue
        loop = asyncio.get_running_loop()
        try:
            while not self.falling_back:
                self._drop_overdue(kind, name, pump, loop.time())
                first = queue.peek()
                if first is None:
                    return
                pump.poked.clear()  # a poke from now on means: ask again
                bucket, want, attempt = (name if kind == "bucket" else None), len(queue), next(self._attempts)
                try:
                    admitted = await self._store.admit(first.route, bucket, want, attempt)
                except StoreUnavailable as exc:
                    self._lost.append(LostAttempt(first.route, bucket, attempt, want))  # it may have run
                    self._failed(exc)
                    self._send_soon()
                    await self._nap(pump, _RETRY_PAUSE)
                    continue
                self._breaker.succeeded()
                pause = self._serve(first.route, name, pump, admitted, loop.time())
                if pause > 0 and queue.peek() is not None:
                    await self._nap(pump, pause)
        finally:
            if self._pumps.get(key) is pump:
                del self._pumps[key]
            _requeue_all(queue)  # left when falling back or closing: they ask again (and go local)
            queue.close()

    def _serve(self, route: str, name: str, pump: _Pump, admitted: Admitted, now: float) -> float:
        """Let go the waiters ``admitted`` allows (asked for ``route``, the first waiter's); return how long
        to sleep before asking again (0: at once)."""
        queue = pump.queue
        if admitted.kind == "free" or admitted.kind == "moved":
            self._routes[route] = admitted.bucket
            _requeue_all(queue)  # each asks again, on the right queue
            return 0.0
        pump.first_answer = admitted.kind in ("probe", "wait")
        if admitted.kind == "probe":
            waiter = queue.peek()
            if waiter is None:
                self._return(Update(route, None, "", admitted.lease_prefix, None, None))
            else:
                queue.pop()
                waiter.future.set_result(Ticket(waiter.route, None, probe=True, lease=admitted.lease_prefix))
            return 0.0
        if admitted.kind == "wait":  # another process's probe is out
            return min(self._config.poll_interval, admitted.recheck)
        for n in range(1, admitted.granted + 1):
            lease = f"{admitted.lease_prefix}{n}"
            waiter = queue.peek()
            if waiter is None:  # cancelled while we asked
                self._return(Update(route, name, lease, "", None, None))
            else:
                queue.pop()
                waiter.future.set_result(Ticket(waiter.route, name, probe=False, lease=lease))
        if admitted.delay == 0:  # room left (more wanted than one round trip may grant): ask again now
            return 0.0
        pump.rate_limit = admitted.rate_limit
        pump.reset_at = now + admitted.delay
        if admitted.delay != math.inf:  # those that cannot go before their deadline fail now
            while (waiter := queue.peek()) is not None and waiter.deadline < pump.reset_at:
                queue.pop()
                waiter.future.set_exception(too_long(name, admitted.delay, self._max_wait, admitted.rate_limit))
            return admitted.recheck
        return min(self._config.poll_interval, admitted.recheck)  # until an answer: maybe another process's

    def _drop_overdue(self, kind: str, name: str, pump: _Pump, now: float) -> None:
        """Waiters past their deadline: on a bucket they fail; waiting for a route's first answer they go without it."""
        queue = pump.queue
        while (waiter := queue.peek()) is not None and waiter.deadline <= now:
            queue.pop()
            if kind == "route" or pump.first_answer:
                waiter.future.set_result(Ticket(waiter.route, None, probe=False, lease=""))
            else:
                delay = max(pump.reset_at - now, 0.0)
                waiter.future.set_exception(too_long(name, delay, self._max_wait, pump.rate_limit))

    async def _nap(self, pump: _Pump, seconds: float) -> None:
        """Sleep ``seconds``, less if the first waiter's deadline comes sooner or something pokes the queue."""
        waiter = pump.queue.peek()
        if waiter is not None:
            seconds = min(seconds, waiter.deadline - asyncio.get_running_loop().time())
        if seconds <= 0 or pump.poked.is_set():
            return
        try:
            async with asyncio.timeout(seconds):
                await pump.poked.wait()
        except TimeoutError:
            pass

    async def _acquire_locally(self, route: str, deadline: float) -> Ticket:
        """The in-process governor's ticket, within what is left of the request's ``max_wait``."""
        ticket = self._local.try_acquire(route)
        if ticket is not None:
            return ticket
        left = deadline - asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout(max(left, 0.0)):
                return await self._local.acquire(route)
        except TimeoutError:
            raise too_long(route, math.inf, self._max_wait, None) from None

    # --- answers and Redis's health -------------------------------------------------------------

    def _return(self, update: Update) -> None:
        """Give back a reservation nobody used."""
        self._updates.append(update)
        self._send_soon()

    def _send_soon(self) -> None:
        if not self._breaker.is_open and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        """Send every queued answer and lost admission, one pipelined round trip per batch; then wake the
        queues they concern. While Redis is unavailable they wait (the leases would expire anyway)."""
        while (self._updates or self._lost) and not self._breaker.is_open:
            batch, self._updates = self._updates, []
            lost, self._lost = self._lost, []
            try:
                await self._store.update(batch, lost)
            except StoreUnavailable as exc:
                self._updates[:0], self._lost[:0] = batch[: _MOST_UNSENT - len(self._updates)], lost
                self._failed(exc)
                if not self._breaker.is_open:
                    await asyncio.sleep(_RETRY_PAUSE)
                continue
            self._breaker.succeeded()
            for update in batch:
                self._poke(("route", update.route))
                if update.reserved_in is not None:
                    self._poke(("bucket", update.reserved_in))
                if update.rate_limit is not None:
                    self._poke(("bucket", update.rate_limit.name or update.route))

    def _poke(self, key: tuple[str, str]) -> None:
        pump = self._pumps.get(key)
        if pump is not None:
            pump.poked.set()

    def _failed(self, exc: StoreUnavailable) -> None:
        if not self._breaker.failed():
            return
        share = self._config.fallback_share
        logger.warning(
            "rate-limit state in Redis at %s is unavailable (%s): this process keeps its own budget%s "
            "until Redis answers again",
            self._where,
            exc,
            "" if share == 1 else f" ({share:g} of each bucket)",
        )
        for pump in self._pumps.values():
            pump.poked.set()  # their waiters move to the in-process governor
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        while not self._closed:
            await asyncio.sleep(self._config.retry_interval)
            try:
                await self._store.ping()
            except StoreUnavailable:
                continue
            if self._breaker.succeeded():
                logger.info("rate-limit state in Redis at %s is available again: buckets are shared again", self._where)
            self._send_soon()  # the answers that came meanwhile free their leases
            return

    def _share(self, rate_limit: RateLimit | None) -> RateLimit | None:
        """The answer as the fallback should see it: ``fallback_share`` of the limit and of what remains."""
        share = self._config.fallback_share
        if rate_limit is None or share == 1:
            return rate_limit
        return RateLimit(
            name=rate_limit.name,
            limit=None if rate_limit.limit is None else max(1, math.floor(rate_limit.limit * share)),
            period=rate_limit.period,
            remaining=None if rate_limit.remaining is None else math.floor(rate_limit.remaining * share),
            reset=rate_limit.reset,
        )


def _requeue_all(queue: WaitQueue) -> None:
    while (waiter := queue.peek()) is not None:
        queue.pop()
        waiter.future.set_exception(_Requeue())
