"""``aiodd keys list SA_ID``: one line per application key of a service account."""

from __future__ import annotations

import argparse
import json

from .._client import Client
from .._converter import converter
from ._table import format_table

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("service_account_id", metavar="SA_ID", help="the service account whose keys to list")
    parser.add_argument("--json", action="store_true", help="one JSON object per key")


async def run(dd: Client, args: argparse.Namespace) -> int:
    rows = []
    async for key in dd.service_accounts.application_keys.list(args.service_account_id):
        if args.json:
            print(json.dumps(converter.unstructure(key)))
            continue
        a = key.attributes
        created = a.created_at.isoformat(timespec="seconds") if a and a.created_at else "-"
        rows.append((key.id or "", (a.last4 if a else None) or "----", created, (a.name if a else None) or ""))
    if not args.json:
        print(format_table(("KEY ID", "LAST4", "CREATED", "NAME"), rows))
    return 0
