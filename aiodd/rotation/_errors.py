"""The errors a rotation's own files can raise (the journal and the secrets file)."""

from __future__ import annotations

from .._exceptions import ConfigurationError, Error

__all__ = ["FileInUseError", "StorageError"]


class FileInUseError(ConfigurationError):
    """Another run holds this journal or secrets file: two runs on one file could delete each other's keys."""


class StorageError(Error):
    """A journal or secrets-file write could not be made durable (disk full, quota, I/O error).

    The file was put back as it was before the write. A sink raises it to say that no delivery can
    succeed now: the rotation rolls the key back and starts no new one.
    """
