"""Ready-made sinks: where each new secret goes. ``SecretsFile`` appends it to a file only its
owner can read; ``CommandSink`` hands it to a command (``vault``, ``aws``, ``kubectl``...)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import shutil
import signal
from collections.abc import Sequence

from .._exceptions import ConfigurationError, Error
from ._locked_file import LockedFile
from ._report import NewKeySecret

__all__ = ["CommandSink", "DeliveryError", "SecretsFile"]

_STDERR_SHOWN = 500  # characters of a failed command's standard error kept in the error


class _SecretLine(bytes):
    """A line holding a secret: printed without it (tracebacks that show local variables)."""

    def __repr__(self) -> str:
        return f"<secret line, {len(self)} bytes>"


class DeliveryError(Error):
    """A sink could not deliver one secret; the rotation rolls that key back. The message never holds the secret."""


class SecretsFile:
    """Append ``{"service_account_id", "key_id", "name", "replaces", "secret"}`` lines.

    The file is created with mode 0600; a symbolic link, another user's file, or one that others
    can read is refused, and it is locked against a second run (:class:`LockedFile`). A line
    counts as delivered only once all of it is written and fsynced; a write that fails leaves the
    file as it was and raises :class:`~aiodd.rotation.StorageError`, which stops the rotation.
    ``holds(key_id)`` tells a resume which keys the file already holds.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._file = LockedFile(path, private=True)
        self.path = self._file.path
        self._held: set[str] = set()
        for line in self._file.lines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("key_id"), str):
                self._held.add(entry["key_id"])
        self._lock = asyncio.Lock()

    async def __call__(self, secret: NewKeySecret) -> None:
        line = _json_line(secret)
        async with self._lock:
            await asyncio.to_thread(self._file.append, line)
            self._held.add(secret.key_id)

    def holds(self, key_id: str) -> bool:
        """Whether a complete line for this key is in the file."""
        return key_id in self._held

    def close(self) -> None:
        self._file.close()

    def __repr__(self) -> str:
        return f"SecretsFile({str(self.path)!r})"


class CommandSink:
    """Deliver each secret by running ``command`` once per key, without a shell.

    The command gets one JSON object on standard input (``service_account_id``, ``key_id``,
    ``name``, ``replaces``, ``secret``) and the same fields except the secret as environment
    variables ``AIODD_SERVICE_ACCOUNT_ID``, ``AIODD_KEY_ID``, ``AIODD_KEY_NAME``,
    ``AIODD_REPLACES``. Exit status 0 means delivered. A non-zero status, or no exit within
    ``timeout`` seconds (the command and its children are then killed), is a
    :class:`DeliveryError` whose message ends with the command's standard error, the secret
    removed from it. A string ``command`` is split like a shell would (``shlex``); the program
    must be found on ``PATH`` (checked here, before any key is touched).
    """

    def __init__(self, command: str | Sequence[str], *, timeout: float = 60.0) -> None:
        argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not argv or not all(isinstance(part, str) and part for part in argv):
            raise ConfigurationError("the sink command is empty")
        if shutil.which(argv[0]) is None:
            raise ConfigurationError(f"the sink command {argv[0]!r} was not found (or is not executable)")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < float("inf"):
            raise ConfigurationError(f"the sink timeout must be a positive number of seconds, got {timeout!r}")
        self.argv = argv
        self.timeout = float(timeout)

    def __repr__(self) -> str:
        return f"CommandSink({shlex.join(self.argv)!r})"

    async def __call__(self, secret: NewKeySecret) -> None:
        environment = {
            **os.environ,
            "AIODD_SERVICE_ACCOUNT_ID": secret.service_account_id,
            "AIODD_KEY_ID": secret.key_id,
            "AIODD_KEY_NAME": secret.name,
            "AIODD_REPLACES": secret.replaces,
        }
        process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,  # its own process group, so a timeout kills its children too
        )
        try:
            _, stderr = await asyncio.wait_for(process.communicate(_json_line(secret)), self.timeout)
        except BaseException as exc:  # a timeout or a cancellation: never leave it running
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
            if isinstance(exc, TimeoutError):
                raise DeliveryError(f"{self.argv[0]} did not exit within {self.timeout:g}s; killed") from None
            raise
        if process.returncode != 0:
            detail = _scrubbed_tail(stderr, secret.secret)
            del stderr  # it may echo the secret: no local may hold it when the error is raised
            raise DeliveryError(f"{self.argv[0]} exited with status {process.returncode}{detail}")


def _scrubbed_tail(stderr: bytes, secret: str) -> str:
    """``": <the end of what the command said>"`` without the secret, or ``""``."""
    said = stderr.decode("utf-8", "replace").replace(secret, "<redacted>").strip()
    return f": {said[-_STDERR_SHOWN:]}" if said else ""


def _json_line(secret: NewKeySecret) -> _SecretLine:
    """The secret's JSON line, held so that no plain local shows it (see :class:`_SecretLine`)."""
    return _SecretLine(
        json.dumps(
            {
                "service_account_id": secret.service_account_id,
                "key_id": secret.key_id,
                "name": secret.name,
                "replaces": secret.replaces,
                "secret": secret.secret,
            }
        ).encode()
        + b"\n"
    )
