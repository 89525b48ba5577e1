"""``decide``: journal state of one key + what the listing shows -> the next action. No server, no clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from aiodd.rotation._journal import KeyProgress, Step
from aiodd.rotation._resume import Action, Decision, KeyView, Retirement, decide, decide_retirement

SA, OLD, NEW, STALE = "sa", "old", "new", "stale"


def at(step: str, new: str | None = NEW) -> KeyProgress:
    return KeyProgress(SA, OLD, step, marker="0123456789ab", new_key_id=new)


def view(
    old_listed: bool = True, *, listed: Iterable[str] = (), held: Iterable[str] = (), selected: bool = True
) -> KeyView:
    return KeyView(old_listed, frozenset(listed), frozenset(held), selected)


# --- a key no run has touched ------------------------------------------------------------------


def test_a_selected_untouched_key_is_rotated() -> None:
    assert decide(None, view()) == Decision(Action.ROTATE)


def test_an_unselected_untouched_key_is_left_alone() -> None:
    assert decide(None, view(selected=False)) == Decision(Action.SKIP)


def test_replacements_left_by_a_lost_creating_line_are_deleted_before_rotating() -> None:
    # The "creating" line was torn off after the create landed: only the marker in the name tells.
    assert decide(None, view(listed={STALE})) == Decision(Action.ROTATE, delete=frozenset({STALE}))


def test_an_unselected_key_still_gets_its_undelivered_replacements_cleaned_up() -> None:
    assert decide(None, view(listed={STALE}, selected=False)) == Decision(Action.SKIP, delete=frozenset({STALE}))


# --- interrupted before delivery ---------------------------------------------------------------


@pytest.mark.parametrize("step", [Step.CREATING, Step.CREATED])
def test_an_interrupted_create_is_cleaned_up_and_redone_even_if_no_longer_selected(step: str) -> None:
    listed = {NEW} if step == Step.CREATED else {STALE}
    assert decide(at(step), view(listed=listed, selected=False)) == Decision(Action.ROTATE, delete=frozenset(listed))


def test_a_created_replacement_the_sink_holds_is_finished_not_recreated() -> None:
    # The "delivered" line was lost, but the secrets file has the whole line: it is the live key.
    decision = decide(at(Step.CREATED), view(listed={NEW}, held={NEW}))
    assert decision == Decision(Action.FINISH, replacement=NEW, record_delivery=True)


def test_the_sink_confirms_only_keys_the_listing_shows() -> None:
    assert decide(at(Step.CREATED), view(listed={NEW}, held={"elsewhere"})).action is Action.ROTATE


def test_among_confirmed_replacements_the_journalled_one_wins_and_the_rest_go() -> None:
    decision = decide(at(Step.CREATED), view(listed={NEW, STALE}, held={NEW, STALE}))
    assert decision == Decision(Action.FINISH, delete=frozenset({STALE}), replacement=NEW, record_delivery=True)


@pytest.mark.parametrize("step", [Step.ROLLED_BACK, Step.FAILED])
def test_a_key_that_failed_before_is_tried_again_when_selected(step: str) -> None:
    assert decide(at(step), view()) == Decision(Action.ROTATE)
    assert decide(at(step), view(selected=False)) == Decision(Action.SKIP)


# --- delivered ------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", [Step.DELIVERED, Step.REGISTERED])
def test_a_delivered_replacement_is_finished(step: str) -> None:
    assert decide(at(step), view(listed={NEW})) == Decision(Action.FINISH, replacement=NEW)


def test_finishing_also_deletes_earlier_undelivered_attempts() -> None:
    decision = decide(at(Step.DELIVERED), view(listed={NEW, STALE}))
    assert decision == Decision(Action.FINISH, delete=frozenset({STALE}), replacement=NEW)


def test_a_delivered_replacement_whose_old_key_is_already_gone_is_finished() -> None:
    # Killed after the old key's DELETE landed, before "done" was written.
    assert decide(at(Step.REGISTERED), view(old_listed=False, listed={NEW})) == Decision(Action.FINISH, replacement=NEW)


def test_a_vanished_delivered_replacement_is_redone_while_the_old_key_lives() -> None:
    assert decide(at(Step.DELIVERED), view(listed=set())) == Decision(Action.ROTATE)


def test_a_vanished_delivered_replacement_with_the_old_key_gone_is_a_failure() -> None:
    assert decide(at(Step.DELIVERED), view(old_listed=False)) == Decision(Action.GONE)


# --- the old key is gone ------------------------------------------------------------------------


def test_a_replacement_of_unknown_delivery_is_never_deleted_once_the_old_key_is_gone() -> None:
    # It may hold the only copy of a delivered secret (a lost "delivered" line): keep it, report it.
    decision = decide(at(Step.CREATED), view(old_listed=False, listed={NEW}))
    assert decision == Decision(Action.KEEP, kept=frozenset({NEW}))
    assert not decision.delete


def test_a_replacement_the_sink_holds_is_finished_even_with_the_old_key_gone() -> None:
    decision = decide(at(Step.CREATED), view(old_listed=False, listed={NEW}, held={NEW}))
    assert decision == Decision(Action.FINISH, replacement=NEW, record_delivery=True)


@pytest.mark.parametrize("step", [Step.CREATING, Step.CREATED])
def test_an_interrupted_rotation_whose_old_key_vanished_is_a_failure(step: str) -> None:
    assert decide(at(step), view(old_listed=False)) == Decision(Action.GONE)


@pytest.mark.parametrize("step", [Step.ROLLED_BACK, Step.FAILED])
def test_an_old_failure_whose_key_vanished_needs_nothing(step: str) -> None:
    assert decide(at(step), view(old_listed=False)) == Decision(Action.SKIP)


# --- finished -----------------------------------------------------------------------------------


def test_a_finished_key_is_reported_done() -> None:
    assert decide(at(Step.DONE), view(old_listed=False, listed={NEW})) == Decision(Action.ALREADY_DONE)


def test_a_finished_key_sheds_leftover_attempts_but_never_its_live_replacement() -> None:
    decision = decide(at(Step.DONE), view(old_listed=False, listed={NEW, STALE}))
    assert decision == Decision(Action.ALREADY_DONE, delete=frozenset({STALE}))


# --- a grace period ---------------------------------------------------------------------------------


def test_a_key_in_its_grace_period_waits_for_retirement() -> None:
    assert decide(at(Step.GRACE), view(listed={NEW})) == Decision(Action.WAIT, replacement=NEW)


def test_a_key_in_its_grace_period_whose_old_key_is_gone_is_finished() -> None:
    assert decide(at(Step.GRACE), view(old_listed=False, listed={NEW})) == Decision(Action.FINISH, replacement=NEW)


def test_a_key_in_its_grace_period_whose_replacement_vanished_is_rotated_again() -> None:
    assert decide(at(Step.GRACE), view(listed=set())) == Decision(Action.ROTATE)


NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def waiting(
    revoke_after: datetime = NOW - timedelta(hours=1), delivered_at: datetime | None = NOW - timedelta(days=1)
) -> KeyProgress:
    return attrs.evolve(at(Step.GRACE), revoke_after=revoke_after, delivered_at=delivered_at)


def retirement(progress: KeyProgress | None, **changes: object) -> Retirement:
    options: dict[str, Any] = {
        "old_listed": True,
        "old_last_used_at": None,
        "replacement_listed": True,
        "now": NOW,
        "force": False,
        "require_unused": False,
        **changes,
    }
    return decide_retirement(progress, **options)


def test_only_keys_kept_for_a_grace_period_are_retired() -> None:
    assert retirement(None) is Retirement.SKIP
    assert retirement(at(Step.DONE)) is Retirement.SKIP
    assert retirement(at(Step.DELIVERED)) is Retirement.SKIP


def test_an_old_key_is_retired_once_its_grace_period_ended() -> None:
    assert retirement(waiting()) is Retirement.RETIRE


def test_an_old_key_waits_until_its_grace_period_ends_unless_forced() -> None:
    early = waiting(revoke_after=NOW + timedelta(minutes=1))
    assert retirement(early) is Retirement.WAIT
    assert retirement(early, force=True) is Retirement.RETIRE


def test_an_old_key_already_gone_is_just_recorded() -> None:
    assert retirement(waiting(), old_listed=False) is Retirement.GONE


def test_an_old_key_whose_replacement_vanished_is_never_retired() -> None:
    assert retirement(waiting(), replacement_listed=False, force=True) is Retirement.NO_REPLACEMENT


def test_an_old_key_used_after_delivery_is_kept_when_asked() -> None:
    used_later = NOW - timedelta(hours=2)  # after the delivery a day ago
    assert retirement(waiting(), old_last_used_at=used_later, require_unused=True) is Retirement.IN_USE
    assert retirement(waiting(), old_last_used_at=used_later) is Retirement.RETIRE  # not asked: retired
    used_before = NOW - timedelta(days=2)
    assert retirement(waiting(), old_last_used_at=used_before, require_unused=True) is Retirement.RETIRE


def test_a_use_at_an_unknown_delivery_time_counts_as_after_it() -> None:
    unknown = waiting(delivered_at=None)
    assert retirement(unknown, old_last_used_at=NOW - timedelta(days=9), require_unused=True) is Retirement.IN_USE
