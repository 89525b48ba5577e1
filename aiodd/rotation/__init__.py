"""Bulk, crash-safe rotation of service accounts' application keys, and their audit."""

from ._audit import AuditReport, KeyAuditRow, KeyLeak, audit_application_keys
from ._errors import FileInUseError, StorageError
from ._journal import Journal
from ._naming import replacement_name
from ._report import KeyOutcome, NewKeySecret, Outcome, RotationReport
from ._retire import retire_old_keys
from ._rotate import RotationProgress, Sink, rotate_application_keys
from ._select import KeySelector, Selector, all_of, is_leaked, leaked, name_matches, older_than, unused_for
from ._sinks import CommandSink, DeliveryError, SecretsFile

__all__ = [
    "AuditReport",
    "CommandSink",
    "DeliveryError",
    "FileInUseError",
    "Journal",
    "KeyAuditRow",
    "KeyLeak",
    "KeyOutcome",
    "KeySelector",
    "NewKeySecret",
    "Outcome",
    "RotationProgress",
    "RotationReport",
    "SecretsFile",
    "Selector",
    "Sink",
    "StorageError",
    "all_of",
    "audit_application_keys",
    "is_leaked",
    "leaked",
    "name_matches",
    "older_than",
    "replacement_name",
    "retire_old_keys",
    "rotate_application_keys",
    "unused_for",
]
