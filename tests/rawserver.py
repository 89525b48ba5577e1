"""A hand-written HTTP/1.1 server on 127.0.0.1, for answers no well-behaved server sends.

Each connection reads one request (head and ``Content-Length`` body), records it, and hands the
writer to the test's ``answer`` coroutine, which writes whatever bytes it likes: a body trickled a
byte at a time, one cut off by a reset, an endless one. The server counts the body bytes it
managed to send, and cancels every connection's task when it stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType

Answer = Callable[["RawServer", asyncio.StreamWriter, int], Awaitable[None]]


class RawServer:
    """``async with RawServer(answer) as server``: ``server.base_url``, ``server.requests``, ``server.sent``.

    ``answer(server, writer, number)`` is called with the 0-based number of the request; it
    should count what it writes with :meth:`send`.
    """

    def __init__(self, answer: Answer) -> None:
        self._answer = answer
        self.requests: list[str] = []  # request lines, e.g. "GET /api/v2/... HTTP/1.1"
        self.sent = 0  # body bytes written and drained
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self.base_url = ""

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        """Write ``data`` and wait until the socket took it; count it as sent body bytes."""
        writer.write(data)
        await writer.drain()
        self.sent += len(data)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            lengths = [int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")]
            await reader.readexactly(lengths[0] if lengths else 0)
            number = len(self.requests)
            self.requests.append(lines[0])
            await self._answer(self, writer, number)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away: what these tests are about
        except asyncio.CancelledError:
            pass  # the server stops: end quietly (asyncio logs a cancelled connection task as an error)
        finally:
            self._tasks.discard(task)
            writer.close()


def head(status: int = 200, length: int | None = None, **headers: str) -> bytes:
    """A response head: the status line, ``Content-Length`` (or chunked when ``None``), JSON, and ``headers``."""
    lines = [f"HTTP/1.1 {status} Status", "Content-Type: application/json", "Connection: close"]
    lines.append("Transfer-Encoding: chunked" if length is None else f"Content-Length: {length}")
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body."""
    return b"%x\r\n%s\r\n" % (len(data), data)
