"""What a rotation hands back: the new secret for the sink, and a report of every key."""

from __future__ import annotations

from datetime import datetime

import attrs

__all__ = ["KeyOutcome", "NewKeySecret", "Outcome", "RotationReport"]


@attrs.frozen
class NewKeySecret:
    """A replacement key and its secret, given to the sink once, before the old key is touched.

    ``replaces`` is the old key's id: if a run is resumed after a crash, a key may be delivered
    twice for the same old key, and the latest delivery is the live one.
    """

    service_account_id: str
    key_id: str
    name: str
    replaces: str
    secret: str = attrs.field(repr=False)


class Outcome:
    ROTATED = "rotated"  # delivered; the old key deleted, or kept until ``revoke_after`` (a grace period)
    FAILED = "failed"
    DRY_RUN = "dry_run"  # would be rotated
    ALREADY_DONE = "already_done"  # finished by an earlier run of the same journal
    RETIRED = "retired"  # ``retire_old_keys`` deleted the old key
    WAITING = "waiting"  # ``retire_old_keys``: the grace period has not ended
    KEPT = "kept"  # ``retire_old_keys`` kept the old key: still in use, or its replacement is gone


@attrs.frozen
class KeyOutcome:
    """One key's result. ``error`` is a message without secrets; ``reason`` says why the key was
    picked (or what a resume did); ``revoke_after`` is when an old key kept for a grace period may go."""

    service_account_id: str
    old_key_id: str | None
    old_name: str | None
    outcome: str
    new_key_id: str | None = None
    new_name: str | None = None
    error: str | None = None
    reason: str | None = None
    revoke_after: datetime | None = None


@attrs.define
class RotationReport:
    """Every account and key the rotation looked at, with its outcome."""

    keys: list[KeyOutcome] = attrs.Factory(list)
    account_errors: dict[str, str] = attrs.Factory(dict)  # accounts whose keys could not be listed
    stopped: str | None = None  # why the run stopped early (a file write failed); a resume finishes it

    def count(self, outcome: str) -> int:
        return sum(1 for k in self.keys if k.outcome == outcome)

    @property
    def rotated(self) -> int:
        return self.count(Outcome.ROTATED)

    @property
    def failed(self) -> int:
        return self.count(Outcome.FAILED) + len(self.account_errors)

    @property
    def ok(self) -> bool:
        """True when nothing failed or was kept back, and the run was not stopped."""
        return self.failed == 0 and self.count(Outcome.KEPT) == 0 and self.stopped is None
