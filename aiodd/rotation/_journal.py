"""The write-ahead journal of a rotation: JSON Lines, each line durable before the step it announces.

It records ids, names and markers, never a secret. The first line names the journal with a random
id, from which each replacement's marker is derived, so a resume can recognise its own replacements
in a listing even if the line announcing one was lost. Every other line is one step of one key's
rotation, identified by ``(service_account_id, old_key_id)``; replaying the lines gives each key's
last step, where a resumed run picks up.

The file is locked for one run at a time, a torn last line is cut off when it is opened, and a
failed write leaves it as it was (:class:`LockedFile`). Journals from aiodd 0.1 (no first line)
resume as they are; a line that version glued onto a torn one is recovered.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import uuid
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs

from ._locked_file import LockedFile

__all__ = ["Journal", "KeyProgress", "Step"]

logger = logging.getLogger("aiodd.rotation")

_FORMAT = "aiodd.rotation"
_VERSION = 2
_RECORD_START = b'{"sa":'  # every step line starts so (json.dumps keeps key order)


class Step:
    """The steps of one key's rotation, in order. ``CREATING`` is written before the create call,
    with the replacement's marker, so that a crash between the two can be cleaned up. ``GRACE``
    (a rotation with a grace period) means the old key stays until ``revoke_after``."""

    CREATING = "creating"
    CREATED = "created"
    DELIVERED = "delivered"
    REGISTERED = "registered"
    GRACE = "grace"
    DONE = "done"
    ROLLED_BACK = "rolled_back"
    FAILED = "failed"


@attrs.define
class KeyProgress:
    """The latest journalled state of one old key."""

    service_account_id: str
    old_key_id: str
    step: str
    marker: str | None = None
    new_key_id: str | None = None
    new_name: str | None = None
    registered: bool = False
    delivered_at: datetime | None = None
    revoke_after: datetime | None = None


class Journal:
    """The journal at ``path`` (``None``: in memory only, nothing survives a crash).

    Opening it takes the lock (:class:`FileInUseError` if another run holds it) and reads it.
    ``read_only`` (a dry run) takes a shared lock, repairs nothing, and never creates the file.
    Close it, or use it as a context manager, to release the lock.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> None:
        self.path = None if path is None else Path(path)
        self._progress: dict[tuple[str, str], KeyProgress] = {}
        self._file: LockedFile | None = None
        self._lock = asyncio.Lock()
        self.id: str | None = None
        if self.path is not None and not (read_only and not self.path.exists()):
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = LockedFile(self.path, read_only=read_only)
            for number, line in enumerate(self._file.lines(), 1):
                self._read_line(line, number)
        self._needs_header = self.id is None
        if self.id is None:
            self.id = uuid.uuid4().hex

    def __repr__(self) -> str:
        return f"Journal({None if self.path is None else str(self.path)!r})"

    def _read_line(self, line: bytes, number: int) -> None:
        entry = _parse(line)
        if entry is None and (start := line.rfind(_RECORD_START)) > 0:
            entry = _parse(line[start:])  # aiodd 0.1 appended after a torn line: keep the complete record
        if entry is None:
            logger.warning("%s: line %d is not a journal record; ignored", self.path, number)
        elif entry.get("journal") == _FORMAT:
            if self.id is None and isinstance(entry.get("id"), str):
                self.id = entry["id"]
        elif all(isinstance(entry.get(field), str) for field in ("sa", "old", "step")):
            self._apply(entry)

    def _apply(self, entry: dict[str, Any]) -> KeyProgress:
        key = (entry["sa"], entry["old"])
        progress = self._progress.get(key)
        if progress is None or entry["step"] == Step.CREATING:
            progress = KeyProgress(entry["sa"], entry["old"], entry["step"])
            self._progress[key] = progress
        progress.step = entry["step"]
        progress.marker = entry.get("marker", progress.marker)
        progress.new_key_id = entry.get("new", progress.new_key_id)
        progress.new_name = entry.get("new_name", progress.new_name)
        progress.registered = entry.get("registered", progress.registered)
        if entry["step"] == Step.DELIVERED:
            progress.delivered_at = _timestamp(entry.get("at"))
        if entry["step"] == Step.GRACE:
            progress.revoke_after = _timestamp(entry.get("revoke_after"))
        return progress

    def marker_for(self, service_account_id: str, old_key_id: str) -> str:
        """The marker every replacement of this old key made under this journal carries in its name."""
        digest = hashlib.sha256(f"{self.id}\0{service_account_id}\0{old_key_id}".encode())
        return digest.hexdigest()[:12]

    def get(self, service_account_id: str, old_key_id: str) -> KeyProgress | None:
        return self._progress.get((service_account_id, old_key_id))

    def all(self) -> list[KeyProgress]:
        """Every key this journal has a step for."""
        return list(self._progress.values())

    def for_account(self, service_account_id: str) -> list[KeyProgress]:
        return [p for (sa, _), p in self._progress.items() if sa == service_account_id]

    async def record(self, service_account_id: str, old_key_id: str, step: str, **fields: Any) -> KeyProgress:
        """Append one step and make it durable before returning; :class:`StorageError` if it cannot be."""
        entry = {"sa": service_account_id, "old": old_key_id, "step": step, **fields}
        data = _line(entry)
        async with self._lock:
            if self._file is not None:
                if self._file.read_only:
                    raise RuntimeError("a read-only journal cannot record")
                if self._needs_header:
                    data = _line({"journal": _FORMAT, "version": _VERSION, "id": self.id}) + data
                await asyncio.to_thread(self._file.append, data)
                self._needs_header = False
            return self._apply(entry)

    def close(self) -> None:
        """Release the lock (a journal file this run created and never wrote to is removed)."""
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _line(entry: dict[str, Any]) -> bytes:
    return (json.dumps(entry, separators=(",", ":")) + "\n").encode()


def _timestamp(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None
