"""The write-ahead journal of a rotation: JSON Lines, flushed and fsynced before each irreversible step.

It records ids, names and markers, never a secret. Each line is one step of one key's rotation,
identified by ``(service_account_id, old_key_id)``; replaying the lines gives each key's last step,
which is where a resumed run picks up.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import attrs

__all__ = ["Journal", "KeyProgress", "Step"]


class Step:
    """The steps of one key's rotation, in order. ``CREATING`` is written before the create call,
    with the replacement's unique marker, so that a crash between the two can be cleaned up."""

    CREATING = "creating"
    CREATED = "created"
    DELIVERED = "delivered"
    REGISTERED = "registered"
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


class Journal:
    """Append-only JSONL file. ``None`` path: an in-memory journal (nothing survives a crash)."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = None if path is None else Path(path)
        self._progress: dict[tuple[str, str], KeyProgress] = {}
        self._file: IO[str] | None = None
        self._lock = asyncio.Lock()
        if self.path is not None and self.path.exists():
            for entry in self._read(self.path):
                self._apply(entry)

    @staticmethod
    def _read(path: Path) -> Iterator[dict[str, Any]]:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a torn last line from a crash mid-write
                if isinstance(entry, dict) and "sa" in entry and "old" in entry and "step" in entry:
                    yield entry

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
        return progress

    def get(self, service_account_id: str, old_key_id: str) -> KeyProgress | None:
        return self._progress.get((service_account_id, old_key_id))

    def for_account(self, service_account_id: str) -> list[KeyProgress]:
        return [p for (sa, _), p in self._progress.items() if sa == service_account_id]

    def replacement_ids(self) -> set[str]:
        """Ids of keys this journal created: never selected for rotation themselves."""
        return {p.new_key_id for p in self._progress.values() if p.new_key_id}

    def markers(self) -> set[str]:
        return {p.marker for p in self._progress.values() if p.marker}

    async def record(self, service_account_id: str, old_key_id: str, step: str, **fields: Any) -> KeyProgress:
        """Append one step and make it durable (flush + fsync) before returning."""
        entry = {"sa": service_account_id, "old": old_key_id, "step": step, **fields}
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        async with self._lock:
            progress = self._apply(entry)
            if self.path is not None:
                await asyncio.to_thread(self._write, line)
        return progress

    def _write(self, line: str) -> None:
        if self._file is None:
            assert self.path is not None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(line)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
