"""``aiodd service-accounts list``: find service accounts (users with ``service_account: true``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import get_args

from .._client import Client
from .._converter import converter
from ..models.users import UserStatus
from ._table import format_table

__all__ = ["add_arguments", "run"]

_STATUSES = {status.casefold(): status for status in get_args(UserStatus)}


def _statuses(text: str) -> list[str]:
    """``Active,Disabled`` -> ``["Active", "Disabled"]``, any case."""
    chosen = []
    for part in text.split(","):
        status = _STATUSES.get(part.strip().casefold())
        if status is None:
            raise argparse.ArgumentTypeError(f"{part.strip()!r} is not one of {', '.join(_STATUSES.values())}")
        chosen.append(status)
    return chosen


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--filter", metavar="TEXT", help="only accounts whose name, email or handle contains TEXT")
    parser.add_argument(
        "--status",
        type=_statuses,
        default=["Active"],
        metavar="STATUS[,STATUS]",
        help="Active, Pending and/or Disabled, comma-separated (default: Active)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per service account")


async def run(dd: Client, args: argparse.Namespace) -> int:
    """List the service accounts on standard output; return the exit status (0)."""
    rows = []
    async for user in dd.service_accounts.list(filter=args.filter, status=args.status):
        if args.json:
            print(json.dumps(converter.unstructure(user)))
            continue
        attributes = user.attributes
        rows.append(
            (
                user.id or "",
                (attributes.status if attributes else None) or "-",
                (attributes.name if attributes else None) or "",
                (attributes.email if attributes else None) or "",
            )
        )
    if not args.json:
        print(format_table(("ID", "STATUS", "NAME", "EMAIL"), rows))
        print(f"{len(rows)} service accounts", file=sys.stderr)
    return 0
