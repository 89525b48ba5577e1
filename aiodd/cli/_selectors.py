"""The key selector options ``keys rotate`` and ``keys audit`` share, combined with AND."""

from __future__ import annotations

import argparse

from ..rotation import KeySelector, all_of, leaked, name_matches, older_than, unused_for
from ._arguments import parse_age

__all__ = ["add_selector_arguments", "selector_from"]


def add_selector_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("key selection (all given must hold)")
    group.add_argument("--older-than", type=parse_age, metavar="AGE", help="only keys created longer ago, e.g. 90d")
    group.add_argument(
        "--unused-for",
        type=parse_age,
        metavar="AGE",
        help="only keys last used longer ago, or never used and created longer ago, e.g. 30d",
    )
    group.add_argument("--leaked", action="store_true", help="only keys Datadog found leaked")
    group.add_argument(
        "--name-pattern",
        metavar="GLOB",
        help="only keys whose name matches this glob, ignoring a ' [rotated ...]' suffix",
    )


def selector_from(args: argparse.Namespace) -> KeySelector | None:
    """The AND of the options given, or ``None`` (every key) when none was."""
    selectors: list[KeySelector] = []
    if args.older_than is not None:
        selectors.append(older_than(args.older_than))
    if args.unused_for is not None:
        selectors.append(unused_for(args.unused_for))
    if args.leaked:
        selectors.append(leaked())
    if args.name_pattern:
        selectors.append(name_matches(args.name_pattern))
    return all_of(*selectors) if selectors else None
