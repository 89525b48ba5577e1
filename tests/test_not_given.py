"""``NOT_GIVEN``: one falsy object that says "leave this out", and survives a copy or a pickle as itself."""

from __future__ import annotations

import copy
import pickle

import aiodd
from aiodd import NOT_GIVEN, NotGiven


def test_not_given_is_falsy_and_reads_as_its_name() -> None:
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == str(NOT_GIVEN) == "NOT_GIVEN"


def test_there_is_only_one_not_given() -> None:
    assert NotGiven() is NOT_GIVEN
    assert copy.copy(NOT_GIVEN) is NOT_GIVEN
    assert copy.deepcopy([NOT_GIVEN])[0] is NOT_GIVEN
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN


def test_not_given_is_neither_none_nor_equal_to_it() -> None:
    assert NOT_GIVEN is not None and NOT_GIVEN != None  # noqa: E711
    assert aiodd.NOT_GIVEN is NOT_GIVEN and isinstance(NOT_GIVEN, aiodd.NotGiven)
