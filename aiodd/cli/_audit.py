"""``aiodd keys audit``: every application key of the chosen service accounts, leaked first.

A table for people, ``--json`` (one document) or ``--csv`` (one line per key) for tools. Exit
status 0 when every listing succeeded, 1 when some could not be read, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import datetime, timedelta
from typing import Any, TextIO

from .._client import Client
from ..rotation import AuditReport, KeyAuditRow, audit_application_keys
from ._arguments import positive_int
from ._selectors import add_selector_arguments, selector_from
from ._table import format_table
from ._targets import add_target_arguments, check_targets, resolve_targets

__all__ = ["CSV_COLUMNS", "add_arguments", "run"]

CSV_COLUMNS = (
    "service_account_id",
    "service_account_name",
    "service_account_status",
    "key_id",
    "name",
    "created_at",
    "age_days",
    "last_used_at",
    "leaked",
    "leaked_at",
    "leak_source",
    "scopes",
    "registered_for_actions",
)
"""The ``--csv`` header, in order; ``--json`` rows have the same fields."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    add_selector_arguments(parser)
    parser.add_argument(
        "--concurrency", type=positive_int, default=8, help="service accounts listed at once (default: %(default)s)"
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON document")
    output.add_argument("--csv", action="store_true", help="print CSV with a header line")


async def run(dd: Client, args: argparse.Namespace) -> int:
    """Audit, print to standard output, and return the exit status (0 ok, 1 some listing failed,
    2 usage). API errors listing the service accounts propagate (``aiodd.APIError``)."""
    stdout = sys.stdout
    check_targets(args)
    accounts = await resolve_targets(dd, args)
    if not accounts:
        print("aiodd: no service accounts to audit", file=sys.stderr)
        return 0
    report = await audit_application_keys(dd, accounts, select=selector_from(args), concurrency=args.concurrency)
    if args.json:
        json.dump(_document(report), stdout, indent=2)
        stdout.write("\n")
    elif args.csv:
        writer = csv.writer(stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows([_fields(row)[column] for column in CSV_COLUMNS] for row in report.rows)
    else:
        _table(report, stdout)
    for sa, error in report.account_errors.items():
        print(f"aiodd: could not list the keys of service account {sa}: {error}", file=sys.stderr)
    if report.registrations_error is not None:
        print(f"aiodd: could not list App Key Registrations: {report.registrations_error}", file=sys.stderr)
    return 0 if report.ok else 1


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _days(age: timedelta | None) -> float | None:
    return None if age is None else round(age.total_seconds() / 86400, 2)


def _fields(row: KeyAuditRow) -> dict[str, Any]:
    """A row as JSON-ready values (the CSV writes ``None`` as empty and scopes space-separated)."""
    return {
        "service_account_id": row.service_account_id,
        "service_account_name": row.service_account_name,
        "service_account_status": row.service_account_status,
        "key_id": row.key_id,
        "name": row.name,
        "created_at": _iso(row.created_at),
        "age_days": _days(row.age),
        "last_used_at": _iso(row.last_used_at),
        "leaked": row.leaked,
        "leaked_at": _iso(row.leak.date) if row.leak else None,
        "leak_source": row.leak.source if row.leak else None,
        "scopes": None if row.scopes is None else " ".join(row.scopes),
        "registered_for_actions": row.registered_for_actions,
    }


def _document(report: AuditReport) -> dict[str, Any]:
    keys = []
    for row in report.rows:
        fields = _fields(row)
        fields["scopes"] = None if row.scopes is None else list(row.scopes)
        keys.append(fields)
    return {
        "keys": keys,
        "account_errors": report.account_errors,
        "registrations_error": report.registrations_error,
        "ok": report.ok,
    }


def _age(age: timedelta | None) -> str:
    if age is None:
        return "-"
    days = age.days
    return f"{days}d" if days >= 1 else f"{int(age.total_seconds() // 3600)}h"


def _table(report: AuditReport, out: TextIO) -> None:
    header = ("LEAKED", "SERVICE ACCOUNT", "KEY ID", "NAME", "CREATED", "AGE", "LAST USED", "SCOPES", "ACTIONS")
    rows = []
    for row in report.rows:
        leak = ""
        if row.leak is not None:
            when = row.leak.date.date().isoformat() if row.leak.date else "yes"
            leak = f"{when} {row.leak.source}" if row.leak.source else when
        rows.append(
            (
                leak,
                row.service_account_name or row.service_account_id,
                row.key_id,
                row.name or "",
                row.created_at.date().isoformat() if row.created_at else "-",
                _age(row.age),
                row.last_used_at.date().isoformat() if row.last_used_at else "never",
                "all" if row.scopes is None else ",".join(row.scopes) or "-",
                {True: "yes", False: "no", None: "?"}[row.registered_for_actions],
            )
        )
    out.write(format_table(header, rows) + "\n")
    accounts = len({row.service_account_id for row in report.rows})
    leaked = sum(row.leaked for row in report.rows)
    print(f"{len(report.rows)} keys in {accounts} service accounts, {leaked} leaked", file=sys.stderr)
