"""The CLI's sink: one JSON line per new key, in a file only its owner can read."""

from __future__ import annotations

import asyncio
import json
import os

from ..rotation import NewKeySecret
from ..rotation._locked_file import LockedFile

__all__ = ["SecretsFile"]


class _SecretLine(bytes):
    """A line holding a secret: printed without it (tracebacks that show local variables)."""

    def __repr__(self) -> str:
        return f"<secret line, {len(self)} bytes>"


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
        line = _SecretLine(  # no plain local holds the secret: see _SecretLine
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
