"""What to do next for one old key: a pure function of its journal state and what the listing shows.

No I/O here, so every case is tested directly. The rules keep two promises:

- **nothing is lost**: a replacement that may be the only copy of a delivered secret is never
  deleted while its old key is gone; the old key is deleted only once a delivery is recorded;
- **nothing is orphaned**: a replacement known not to be the delivered one (an earlier attempt,
  a create whose answer was lost) is deleted before the key is rotated afresh.

A replacement's delivery is known from the journal (``delivered`` or later), or from a sink that
can confirm it holds the key (the CLI's secrets file can): that covers a journal whose last line
was lost after the delivery happened.

:func:`decide_retirement` is the same for ``keys retire``: which old keys kept for a grace
period may now be deleted.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from ._journal import KeyProgress, Step

__all__ = ["Action", "Decision", "KeyView", "Retirement", "decide", "decide_retirement"]

_DELIVERED_STEPS = frozenset({Step.DELIVERED, Step.REGISTERED, Step.GRACE})
_IN_FLIGHT_STEPS = frozenset({Step.CREATING, Step.CREATED})


class Action(enum.Enum):
    SKIP = "skip"  # nothing to do for this key (after the deletions)
    ALREADY_DONE = "already_done"  # finished by an earlier run
    ROTATE = "rotate"  # create a replacement, deliver it, move the registration, delete the old key
    FINISH = "finish"  # the delivered replacement stays: move the registration, delete the old key
    WAIT = "wait"  # rotated with a grace period: the old key stays until it is retired
    KEEP = "keep"  # the old key is gone; replacements whose delivery is unknown are kept and reported
    GONE = "gone"  # the old key is gone and no replacement was delivered: record the failure


@attrs.frozen
class KeyView:
    """What the account's listing shows about one old key.

    ``replacements``: listed keys that this journal made for it (by marker or journalled id);
    ``confirmed``: those the sink confirms it holds; ``selected``: whether the run's selection
    picks the old key.
    """

    old_listed: bool
    replacements: frozenset[str] = frozenset()
    confirmed: frozenset[str] = frozenset()
    selected: bool = True


@attrs.frozen
class Decision:
    """Delete ``delete`` (replacements known to be undelivered), then carry out ``action``.

    For ``FINISH``, ``replacement`` is the delivered key; ``record_delivery`` is set when only the
    sink knew of the delivery, so the journal must say so before anything else happens. For
    ``KEEP``, ``kept`` are the replacements left alone.
    """

    action: Action
    delete: frozenset[str] = frozenset()
    replacement: str | None = None
    record_delivery: bool = False
    kept: frozenset[str] = frozenset()


def decide(progress: KeyProgress | None, view: KeyView) -> Decision:
    """The next action for one old key; see the module docstring for the promises it keeps."""
    step = progress.step if progress is not None else None
    journalled = progress.new_key_id if progress is not None else None
    others = view.replacements - {journalled} if journalled else view.replacements

    if step == Step.DONE:
        return Decision(Action.ALREADY_DONE, delete=others)
    if step in _DELIVERED_STEPS and journalled:
        if journalled in view.replacements:
            if step == Step.GRACE and view.old_listed:
                return Decision(Action.WAIT, delete=others, replacement=journalled)
            return Decision(Action.FINISH, delete=others, replacement=journalled)
        if view.old_listed:  # the delivered replacement has vanished: start over
            return Decision(Action.ROTATE, delete=view.replacements)
        return Decision(Action.GONE)
    confirmed = view.confirmed & view.replacements
    if confirmed:  # delivered, but the journal line saying so was lost
        chosen = journalled if journalled in confirmed else min(confirmed)
        return Decision(Action.FINISH, delete=view.replacements - {chosen}, replacement=chosen, record_delivery=True)
    if not view.old_listed:
        if view.replacements:  # may hold the only copy of a delivered secret: never delete it
            return Decision(Action.KEEP, kept=view.replacements)
        return Decision(Action.GONE) if step in _IN_FLIGHT_STEPS else Decision(Action.SKIP)
    if view.selected or step in _IN_FLIGHT_STEPS:
        return Decision(Action.ROTATE, delete=view.replacements)
    return Decision(Action.SKIP, delete=view.replacements)


class Retirement(enum.Enum):
    SKIP = "skip"  # not kept for a grace period
    RETIRE = "retire"  # delete the old key now
    GONE = "gone"  # the old key is already gone: record it done
    WAIT = "wait"  # its grace period has not ended
    IN_USE = "in_use"  # used after its replacement was delivered: a consumer has not switched
    NO_REPLACEMENT = "no_replacement"  # the delivered replacement is gone: keep the old key


def decide_retirement(
    progress: KeyProgress | None,
    *,
    old_listed: bool,
    old_last_used_at: datetime | None,
    replacement_listed: bool,
    now: datetime,
    force: bool,
    require_unused: bool,
) -> Retirement:
    """Whether an old key kept for a grace period may be deleted now.

    ``force`` ignores the grace period; ``require_unused`` keeps a key used after its
    replacement's delivery (a key used at an unknown delivery time counts as used after it).
    Never deletes an old key whose replacement has vanished: it would cut its consumers off.
    """
    if progress is None or progress.step != Step.GRACE:
        return Retirement.SKIP
    if not old_listed:
        return Retirement.GONE
    if not replacement_listed:
        return Retirement.NO_REPLACEMENT
    if not force and progress.revoke_after is not None and now < progress.revoke_after:
        return Retirement.WAIT
    used_since = old_last_used_at is not None and (
        progress.delivered_at is None or old_last_used_at > progress.delivered_at
    )
    if require_unused and used_since:
        return Retirement.IN_USE
    return Retirement.RETIRE
