"""One attempt under one deadline: connect, send, receive the headers and read the whole body.

Reading the body inside the attempt, not after the chain returns, means the deadline covers a
body that trickles in, a body over the size cap fails the attempt, and a connection dropped
mid-body is a failed attempt that the retry layer sees (and resends, for idempotent methods).
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from aiohttp import ClientRequest, ClientResponse

from .._exceptions import ResponseTooLargeError

__all__ = ["Deadlines", "read_body"]


class Deadlines:
    """The deadlines of one client's attempts, kept by a single timer.

    ``asyncio.timeout`` arms a timer per attempt (a heap push, and a cancelled handle left in the
    loop's heap). Every attempt of a client lasts at most the same ``seconds``, so deadlines fall
    due in the order the attempts started: an insertion-ordered dict of the attempts in flight and
    one timer for the oldest do the same job. An attempt past its deadline is cancelled and its
    ``with`` block raises :class:`TimeoutError`, as ``asyncio.timeout`` does.
    """

    __slots__ = ("_loop", "_running", "_seconds", "_timer")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._running: dict[_Attempt, None] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> _Attempt:
        """A context manager bounding the current task's attempt to ``seconds``."""
        return _Attempt(self)

    def _arm(self, attempt: _Attempt, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is not loop:  # a client used from a new event loop: the old one's attempts are gone
            self._loop, self._timer = loop, None
            self._running.clear()
        self._running[attempt] = None
        if self._timer is None:
            self._timer = loop.call_at(attempt.deadline, self._expire)

    def _expire(self) -> None:
        """Cancel every attempt past its deadline; wake again for the oldest that is not."""
        loop = self._loop
        assert loop is not None
        self._timer = None
        now = loop.time()
        running = self._running
        while running:
            attempt = next(iter(running))
            if attempt.deadline > now:
                self._timer = loop.call_at(attempt.deadline, self._expire)
                return
            del running[attempt]
            attempt.expired = True
            attempt.task.cancel()


class _Attempt:
    __slots__ = ("cancelling", "deadline", "deadlines", "expired", "task")

    def __init__(self, deadlines: Deadlines) -> None:
        self.deadlines = deadlines
        self.expired = False

    def __enter__(self) -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("an attempt must run inside a task")
        self.task = task
        self.cancelling = task.cancelling()
        self.deadline = loop.time() + self.deadlines._seconds
        self.deadlines._arm(self, loop)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.deadlines._running.pop(self, None)
        # As asyncio.timeout: the cancellation this deadline caused becomes a TimeoutError; one from
        # elsewhere (the caller cancelling the task) stays a CancelledError.
        if self.expired and self.task.uncancel() <= self.cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError from None


async def read_body(request: ClientRequest, response: ClientResponse, limit: int) -> None:
    """Read the body into the response, so that ``response.read()`` returns it; at most ``limit`` bytes."""
    length = response.content_length
    if length is not None:  # aiohttp's parser stops at the declared length: read() is bounded by it
        if length > limit:
            raise ResponseTooLargeError(
                method=request.method, url=str(request.url), status=response.status, limit=limit
            )
        await response.read()
        return
    content = response.content
    chunks: list[bytes] = []
    size = 0
    while chunk := await content.readany():
        size += len(chunk)
        if size > limit:
            raise ResponseTooLargeError(
                method=request.method, url=str(request.url), status=response.status, limit=limit
            )
        chunks.append(chunk)
    # aiohttp's own read() keeps the body in ``_body`` and returns it from there on later calls.
    response._body = b"".join(chunks)
