"""Bulk, crash-safe rotation of service accounts' application keys."""

from ._errors import FileInUseError, StorageError
from ._journal import Journal
from ._report import KeyOutcome, NewKeySecret, Outcome, RotationReport
from ._rotate import RotationProgress, Sink, replacement_name, rotate_application_keys
from ._select import KeySelector, name_matches, older_than

__all__ = [
    "FileInUseError",
    "Journal",
    "KeyOutcome",
    "KeySelector",
    "NewKeySecret",
    "Outcome",
    "RotationProgress",
    "RotationReport",
    "Sink",
    "StorageError",
    "name_matches",
    "older_than",
    "replacement_name",
    "rotate_application_keys",
]
