"""The CLI's sink: one JSON line per new key, in a file only its owner can read."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path

from .._exceptions import ConfigurationError
from ..rotation import NewKeySecret

__all__ = ["SecretsFile"]


class SecretsFile:
    """Append ``{"service_account_id", "key_id", "name", "replaces", "secret"}`` lines.

    The file is created with mode 0600; an existing file readable by others is refused. Each
    line is flushed and fsynced before the call returns, so before the old key is touched.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        mode = stat.S_IMODE(os.fstat(self._fd).st_mode)
        if mode & 0o077:
            os.close(self._fd)
            raise ConfigurationError(
                f"{self.path} is accessible to other users (mode {mode:o}); use a new file or chmod 600 it"
            )
        self._lock = asyncio.Lock()

    async def __call__(self, secret: NewKeySecret) -> None:
        line = json.dumps(
            {
                "service_account_id": secret.service_account_id,
                "key_id": secret.key_id,
                "name": secret.name,
                "replaces": secret.replaces,
                "secret": secret.secret,
            }
        )
        async with self._lock:
            await asyncio.to_thread(self._append, (line + "\n").encode())

    def _append(self, data: bytes) -> None:
        os.write(self._fd, data)
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)

    def __repr__(self) -> str:
        return f"SecretsFile({str(self.path)!r})"
