"""Bulk, crash-safe rotation of service accounts' application keys."""

from ._journal import Journal
from ._report import KeyOutcome, NewKeySecret, Outcome, RotationReport
from ._naming import replacement_name
from ._rotate import RotationProgress, Sink, rotate_application_keys
from ._select import KeySelector, name_matches, older_than

__all__ = [
    "Journal",
    "KeyOutcome",
    "KeySelector",
    "NewKeySecret",
    "Outcome",
    "RotationProgress",
    "RotationReport",
    "Sink",
    "name_matches",
    "older_than",
    "replacement_name",
    "rotate_application_keys",
]
