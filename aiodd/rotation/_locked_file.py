"""``LockedFile``: a file of whole lines that one process appends to, never left torn.

The journal and the secrets file both need the same three guarantees:

- one run at a time: an exclusive ``flock`` taken without waiting (a second run fails at once);
- no torn tail: a line counts only once its ``\\n`` is written, and opening the file cuts off
  anything after the last ``\\n`` (what a full disk or a crash mid-write leaves);
- all or nothing: an append writes every byte (looping over short writes), then fsyncs; if any
  of that fails, the file is truncated back to its previous length and :class:`StorageError`
  is raised, so a failed write never counts and never glues onto the next one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path

from .._exceptions import ConfigurationError
from ._errors import FileInUseError, StorageError

__all__ = ["LockedFile"]


class LockedFile:
    """Open ``path`` locked for this process; ``read_only`` takes a shared lock and repairs nothing.

    ``private`` (for secrets): created with mode 0600; a symbolic link, a file of another user, or
    one that others may read is refused before anything is written. Every refusal is a
    :class:`ConfigurationError` naming the file. A file this object created and never wrote to is
    removed again by :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike[str], *, private: bool = False, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        flags = os.O_CLOEXEC | os.O_NONBLOCK  # O_NONBLOCK: opening a FIFO must not hang
        flags |= os.O_RDONLY if read_only else os.O_RDWR | os.O_APPEND
        if private:
            flags |= os.O_NOFOLLOW
        self._created = False
        self.fd = -1
        try:
            if read_only:
                self.fd = os.open(self.path, flags)
            else:
                try:
                    self.fd = os.open(self.path, flags | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
                    self._created = True
                except FileExistsError:
                    self.fd = os.open(self.path, flags)
        except OSError as exc:
            raise ConfigurationError(_open_failure(self.path, exc)) from None
        try:
            self._check(private)
            self._lock()
            self._lines = self._read()
            if self._created:
                _fsync_directory(self.path.parent)  # the new name survives a crash too
        except BaseException:
            self._release()
            raise

    def _check(self, private: bool) -> None:
        """Refuse what is not a regular file; with ``private``, what is not ours alone. Nothing is written yet."""
        info = os.fstat(self.fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigurationError(f"{self.path} is not a regular file")
        if private and info.st_uid != os.geteuid():
            raise ConfigurationError(f"{self.path} belongs to another user (uid {info.st_uid}); use a file of your own")
        if private and stat.S_IMODE(info.st_mode) & 0o077:
            raise ConfigurationError(
                f"{self.path} is accessible to other users (mode {stat.S_IMODE(info.st_mode):o}); "
                "use a new file or chmod 600 it"
            )

    @property
    def stat(self) -> os.stat_result:
        return os.fstat(self.fd)

    def lines(self) -> list[bytes]:
        """The complete lines the file held when it was opened, without their ``\\n``."""
        return self._lines

    def append(self, data: bytes) -> None:
        """Write ``data`` (whole lines) durably, or leave the file as it was and raise :class:`StorageError`."""
        if not data.endswith(b"\n"):
            raise ValueError("append whole lines only")
        start = os.lseek(self.fd, 0, os.SEEK_END)
        try:
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                if written <= 0:  # pragma: no cover - the kernel reports errors as exceptions
                    raise OSError(errno.EIO, "write made no progress")
                view = view[written:]
            os.fsync(self.fd)
        except OSError as exc:
            with contextlib.suppress(OSError):  # if this fails too, the next open cuts the torn tail off
                os.ftruncate(self.fd, start)
                os.fsync(self.fd)
            raise StorageError(f"could not write {self.path}: {exc.strerror or exc}") from None

    def close(self) -> None:
        """Release the lock; remove the file if this object created it and it is still empty."""
        if self.fd < 0:
            return
        if self._created and os.fstat(self.fd).st_size == 0:
            with contextlib.suppress(OSError):
                os.unlink(self.path)  # still locked: no other run can have started on it
        self._release()

    def _release(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)  # closing the descriptor releases the flock

    def _lock(self) -> None:
        try:
            fcntl.flock(self.fd, (fcntl.LOCK_SH if self.read_only else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FileInUseError(
                f"{self.path} is in use by another run; wait for it to finish (two runs on one file could "
                "delete each other's keys)"
            ) from None

    def _read(self) -> list[bytes]:
        size = os.fstat(self.fd).st_size
        chunks = []
        offset = 0
        while offset < size:
            chunk = os.pread(self.fd, min(1 << 20, size - offset), offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        content = b"".join(chunks)
        end = content.rfind(b"\n") + 1  # everything after the last newline is a torn write
        if end < len(content) and not self.read_only:
            try:
                os.ftruncate(self.fd, end)
                os.fsync(self.fd)
            except OSError as exc:
                raise StorageError(
                    f"could not repair the torn last line of {self.path}: {exc.strerror or exc}"
                ) from None
        return content[:end].splitlines()


def _open_failure(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return f"{path} is a symbolic link; refusing to follow it (name the file itself)"
    if isinstance(exc, FileNotFoundError):
        return f"cannot open {path}: the directory {path.parent} does not exist"
    return f"cannot open {path}: {exc.strerror or exc}"


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
