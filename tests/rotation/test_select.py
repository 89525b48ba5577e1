"""Key selectors and the replacement naming they read through: pure functions, no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import aiodd
from aiodd.models import (
    ApplicationKeyRelationships,
    PartialApplicationKey,
    PartialApplicationKeyAttributes,
    RelationshipToLeakedKey,
    RelationshipToLeakedKeyData,
)
from aiodd.rotation import all_of, is_leaked, leaked, name_matches, older_than, replacement_name, unused_for
from aiodd.rotation._naming import base_name, marker_of

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def clock() -> datetime:
    return NOW


def key(
    name: str | None = "deploy",
    *,
    age_days: float | None = 10,
    used_days_ago: float | None = None,
    leak: str | None = None,
) -> PartialApplicationKey:
    attributes = PartialApplicationKeyAttributes(
        name=name,
        created_at=None if age_days is None else NOW - timedelta(days=age_days),
        last_used_at=None if used_days_ago is None else NOW - timedelta(days=used_days_ago),
    )
    relationship = RelationshipToLeakedKey(None if leak is None else RelationshipToLeakedKeyData(leak))
    return PartialApplicationKey(attributes, "k", ApplicationKeyRelationships(leak_information=relationship))


# --- naming -------------------------------------------------------------------------------------


def test_base_name_drops_only_a_trailing_rotation_marker() -> None:
    assert base_name("deploy [rotated 0123456789ab]") == "deploy"
    assert base_name("deploy") == "deploy"
    assert base_name("deploy [rotated nothex]") == "deploy [rotated nothex]"
    assert base_name("[rotated 0123456789ab] deploy") == "[rotated 0123456789ab] deploy"


def test_replacement_names_carry_one_marker_that_can_be_read_back() -> None:
    name = replacement_name("deploy [rotated 0123456789ab]", "fedcba987654")
    assert name == "deploy [rotated fedcba987654]" and marker_of(name) == "fedcba987654"
    assert replacement_name(None, "0123456789ab") == "key [rotated 0123456789ab]"


# --- older_than ---------------------------------------------------------------------------------


def test_older_than_selects_keys_created_before_the_age() -> None:
    select = older_than(timedelta(days=90), now=clock)
    assert select(key(age_days=91)) and not select(key(age_days=89))
    assert not select(key(age_days=None))


# --- unused_for ---------------------------------------------------------------------------------


def test_unused_for_selects_keys_last_used_longer_ago() -> None:
    select = unused_for(timedelta(days=30), now=clock)
    assert select(key(age_days=400, used_days_ago=31))
    assert not select(key(age_days=400, used_days_ago=29))


def test_unused_for_selects_never_used_keys_only_once_they_are_that_old() -> None:
    select = unused_for(timedelta(days=30), now=clock)
    assert select(key(age_days=31, used_days_ago=None))
    assert not select(key(age_days=29, used_days_ago=None))  # too new to call it unused
    assert not select(key(age_days=None, used_days_ago=None))


def test_a_recent_use_keeps_an_old_key_out_of_unused_for() -> None:
    assert not unused_for(timedelta(days=30), now=clock)(key(age_days=1000, used_days_ago=1))


# --- leaked -------------------------------------------------------------------------------------


def test_leaked_selects_keys_whose_leak_information_has_data() -> None:
    select = leaked()
    assert select(key(leak="leak-1")) and is_leaked(key(leak="leak-1"))
    assert not select(key(leak=None))
    assert not select(PartialApplicationKey(PartialApplicationKeyAttributes(name="x"), "k"))  # no relationships


# --- name_matches -------------------------------------------------------------------------------


def test_name_matches_is_a_case_sensitive_glob() -> None:
    select = name_matches("deploy-*")
    assert select(key("deploy-eu")) and not select(key("Deploy-eu")) and not select(key("ci-deploy-eu"))
    assert not select(key(None))


def test_name_matches_keeps_selecting_a_key_after_it_was_rotated() -> None:
    exact = name_matches("deploy")
    assert exact(key("deploy")) and exact(key(replacement_name("deploy", "0123456789ab")))
    assert not name_matches("deploy*rotated*")(key(replacement_name("deploy", "0123456789ab")))


# --- all_of -------------------------------------------------------------------------------------


def test_all_of_selects_what_every_selector_selects() -> None:
    select = all_of(unused_for(timedelta(days=30), now=clock), name_matches("deploy*"), leaked())
    assert select(key("deploy-1", age_days=100, leak="l"))
    assert not select(key("deploy-1", age_days=100))  # not leaked
    assert not select(key("ci", age_days=100, leak="l"))  # name
    assert not select(key("deploy-1", age_days=100, used_days_ago=1, leak="l"))  # used lately


def test_all_of_stops_at_the_first_selector_that_refuses() -> None:
    asked: list[str] = []

    def refuse(_: PartialApplicationKey) -> bool:
        asked.append("refuse")
        return False

    def record(_: PartialApplicationKey) -> bool:
        asked.append("record")
        return True

    assert not all_of(refuse, record)(key())
    assert asked == ["refuse"]


def test_all_of_nothing_selects_every_key() -> None:
    assert all_of()(key())


@pytest.mark.parametrize(
    "make",
    [
        lambda: older_than(30),  # type: ignore[arg-type]
        lambda: unused_for(timedelta(days=-1)),
        lambda: name_matches(""),
        lambda: all_of("deploy*"),  # type: ignore[arg-type]
    ],
)
def test_bad_selector_arguments_are_refused_when_the_selector_is_made(make: object) -> None:
    with pytest.raises(aiodd.InvalidArgumentError):
        make()  # type: ignore[operator]
