"""``aiodd keys list``, ``aiodd keys rotate``, ``aiodd demo``. Keys come from DD_API_KEY / DD_APP_KEY."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import attrs

from .._client import Client
from .._converter import converter
from .._exceptions import ConfigurationError, Error, InvalidArgumentError
from ..rotation import (
    Journal,
    KeySelector,
    NewKeySecret,
    RotationReport,
    SecretsFile,
    name_matches,
    older_than,
    rotate_application_keys,
)
from ._progress import ProgressPrinter, summary

__all__ = ["main"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_age(text: str) -> timedelta:
    """``90d``, ``12h``, ``2w``, ``30m``, ``45s``."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"invalid age {text!r}: use a number and a unit, e.g. 90d, 12h, 2w")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def _parser() -> argparse.ArgumentParser:
    # --site and --base-url are accepted before or after the command words.
    connection = argparse.ArgumentParser(add_help=False)
    connection.add_argument(
        "--site", default=argparse.SUPPRESS, help="Datadog site, e.g. datadoghq.eu (default: DD_SITE or datadoghq.com)"
    )
    connection.add_argument(
        "--base-url", default=argparse.SUPPRESS, help="API base URL, overriding the site (a proxy or a fake)"
    )
    parser = argparse.ArgumentParser(prog="aiodd", description=__doc__, parents=[connection])
    commands = parser.add_subparsers(dest="command", required=True)

    keys = commands.add_parser("keys", help="service account application keys").add_subparsers(
        dest="keys_command", required=True
    )
    listing = keys.add_parser("list", help="list a service account's application keys", parents=[connection])
    listing.add_argument("service_account_id")
    listing.add_argument("--json", action="store_true", help="one JSON object per key")

    rotate = keys.add_parser("rotate", help="rotate the application keys of service accounts", parents=[connection])
    rotate.add_argument("service_account_ids", nargs="+", metavar="SA_ID")
    rotate.add_argument("--secrets-file", required=True, help="where new secrets are appended (mode 0600)")
    rotate.add_argument("--journal", required=True, help="write-ahead journal; re-run with it to resume")
    rotate.add_argument("--concurrency", type=int, default=8)
    rotate.add_argument("--dry-run", action="store_true", help="show what would be rotated")
    rotate.add_argument("--older-than", type=parse_age, help="only keys created longer ago, e.g. 90d")
    rotate.add_argument("--name-pattern", help="only keys whose name matches this glob")
    rotate.add_argument(
        "--register-for-actions",
        choices=["auto", "yes", "no"],
        default="auto",
        help="register new keys for Actions: auto keeps each key's registration (default)",
    )
    rotate.add_argument("--json", action="store_true", help="print the report as JSON")

    demo = commands.add_parser("demo", help="rotate keys against an embedded fake Datadog")
    demo.add_argument("--accounts", type=int, default=200)
    demo.add_argument("--keys", type=int, default=3, help="keys per account")
    demo.add_argument("--rate-limit", default="200/2", help="requests/seconds per bucket (default 200/2)")
    demo.add_argument("--concurrency", type=int, default=32)
    demo.add_argument("--json", action="store_true")
    return parser


def _selector(args: argparse.Namespace) -> KeySelector | None:
    selectors: list[KeySelector] = []
    if args.older_than is not None:
        selectors.append(older_than(args.older_than))
    if args.name_pattern:
        selectors.append(name_matches(args.name_pattern))
    if not selectors:
        return None
    return lambda key: all(select(key) for select in selectors)


def _report_json(report: RotationReport) -> str:
    return json.dumps(
        {
            "keys": [attrs.asdict(k) for k in report.keys],
            "account_errors": report.account_errors,
            "stopped": report.stopped,
            "ok": report.ok,
        },
        indent=2,
    )


async def _no_delivery(secret: NewKeySecret) -> None:
    raise AssertionError("a dry run delivers nothing")  # pragma: no cover - never called by a dry run


async def _rotate(dd: Client, args: argparse.Namespace, secrets_path: str, journal_path: str, concurrency: int) -> int:
    dry_run = getattr(args, "dry_run", False)
    printer = ProgressPrinter(dd.stats)
    started = time.monotonic()
    register = {"auto": None, "yes": True, "no": False}[getattr(args, "register_for_actions", "auto")]
    # The journal first: a second run stops here, before the secrets file is touched or a request sent.
    with Journal(journal_path, read_only=dry_run) as journal:
        sink: SecretsFile | None = None if dry_run else SecretsFile(secrets_path)  # a dry run creates no file
        try:
            report = await rotate_application_keys(
                dd,
                args.service_account_ids,
                sink=sink or _no_delivery,
                journal=journal,
                concurrency=concurrency,
                select=_selector(args) if hasattr(args, "older_than") else None,
                register_for_actions=register,
                dry_run=dry_run,
                on_progress=printer,
            )
        finally:
            if sink is not None:
                sink.close()
    printer.finish()
    if args.json:
        print(_report_json(report))
    else:
        print(summary(report, dd.stats, time.monotonic() - started))
    if report.stopped is not None:
        print(f"aiodd: error: {report.stopped}; re-run with the same --journal to resume", file=sys.stderr)
    return 0 if report.ok else 1


async def _list(dd: Client, args: argparse.Namespace) -> int:
    async for key in dd.service_accounts.application_keys.list(args.service_account_id):
        if args.json:
            print(json.dumps(converter.unstructure(key)))
        else:
            a = key.attributes
            created = a.created_at.isoformat() if a and a.created_at else "-"
            print(f"{key.id}  {(a.last4 if a else None) or '----'}  {created}  {(a.name if a else None) or ''}")
    return 0


async def _demo(args: argparse.Namespace) -> int:
    import os
    import tempfile

    from ..testing import FakeDatadog

    limit, _, period = args.rate_limit.partition("/")
    async with FakeDatadog(rate_limit=(int(limit), float(period or 1))) as fake:
        accounts = fake.seed(service_accounts=args.accounts, keys_per_account=args.keys)
        for sa in accounts[::2]:  # every other account's first key is registered for Actions
            fake.state.register_app_key(fake.state.application_keys(sa)[0].id)
        before = {sa: {k.id for k in fake.state.application_keys(sa)} for sa in accounts}
        print(
            f"Fake Datadog at {fake.base_url}: {args.accounts} service accounts x {args.keys} keys, "
            f"rate limit {limit} requests / {period or 1}s per bucket",
            file=sys.stderr,
        )
        with tempfile.TemporaryDirectory(prefix="aiodd-demo-") as tmp:
            args.service_account_ids = accounts
            secrets_path, journal = os.path.join(tmp, "secrets.jsonl"), os.path.join(tmp, "journal.jsonl")
            async with fake.client() as dd:
                status = await _rotate(dd, args, secrets_path, journal, args.concurrency)
            lines = (await asyncio.to_thread(Path(secrets_path).read_text, encoding="utf-8")).splitlines()
            delivered = {json.loads(line)["key_id"] for line in lines}
        after = {sa: {k.id for k in fake.state.application_keys(sa)} for sa in accounts}
        unchanged = sum(len(before[sa] & after[sa]) for sa in accounts)
        live = sum(len(after[sa]) for sa in accounts)
        verified = (
            live == args.accounts * args.keys
            and unchanged == 0
            and all(k in delivered for sa in accounts for k in after[sa])
        )
        print(
            f"Check: {live} live keys, {unchanged} old keys left, every live key's secret delivered: "
            f"{'yes' if verified else 'NO'}",
            file=sys.stderr,
        )
        return status if verified else 1


async def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        return await _demo(args)
    async with Client(site=getattr(args, "site", None), base_url=getattr(args, "base_url", None)) as dd:
        if args.keys_command == "list":
            return await _list(dd, args)
        return await _rotate(dd, args, args.secrets_file, args.journal, args.concurrency)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``aiodd`` console script."""
    args = _parser().parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except (ConfigurationError, InvalidArgumentError) as exc:  # usage or configuration: nothing was changed
        print(f"aiodd: error: {exc}", file=sys.stderr)
        return 2
    except Error as exc:  # the API (or a file) failed while working
        print(f"aiodd: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("aiodd: interrupted; re-run with the same --journal to resume", file=sys.stderr)
        return 130
