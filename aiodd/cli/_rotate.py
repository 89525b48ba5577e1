"""``aiodd keys rotate`` and ``aiodd keys retire``: the sweep, from the command line.

Order matters for "nothing touched before every check passed": the arguments are checked, then
the journal is locked (a second run stops here), then the sink is opened, and only then is the
first request sent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Iterator
from typing import Any

import attrs

from .._client import Client
from .._exceptions import ConfigurationError
from ..rotation import (
    CommandSink,
    Journal,
    NewKeySecret,
    RotationProgress,
    RotationReport,
    SecretsFile,
    Sink,
    retire_old_keys,
    rotate_application_keys,
)
from ._arguments import parse_age, positive_int, positive_seconds
from ._progress import ProgressPrinter, plan_table, summary
from ._selectors import add_selector_arguments, selector_from
from ._targets import add_target_arguments, check_targets, resolve_targets

__all__ = ["add_retire_arguments", "add_rotate_arguments", "retire", "rotate"]

_REGISTER = {"auto": None, "yes": True, "no": False}


def add_rotate_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    add_selector_arguments(parser)
    delivery = parser.add_argument_group("delivering the new secrets (one of these)")
    delivery.add_argument(
        "--sink",
        metavar="SPEC",
        help="file:PATH appends a JSON line per key to PATH (mode 0600); exec:COMMAND runs COMMAND per key "
        "with the JSON on standard input",
    )
    delivery.add_argument("--secrets-file", metavar="PATH", help="the same as --sink file:PATH")
    delivery.add_argument(
        "--sink-timeout",
        type=positive_seconds,
        default=60.0,
        metavar="SECONDS",
        help="an exec: command that has not exited by then failed (default: %(default)s)",
    )
    parser.add_argument(
        "--journal", required=True, metavar="PATH", help="write-ahead journal; re-run with it to resume"
    )
    parser.add_argument(
        "--grace",
        type=parse_age,
        metavar="AGE",
        help="keep each old key this long (e.g. 24h), until 'aiodd keys retire' deletes it",
    )
    parser.add_argument(
        "--concurrency", type=positive_int, default=8, metavar="N", help="keys rotated at once (default: %(default)s)"
    )
    parser.add_argument(
        "--register-for-actions",
        choices=sorted(_REGISTER),
        default="auto",
        help="register new keys for Actions; auto keeps each key's registration (default: %(default)s)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the plan: what would rotate and why; change nothing"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def add_retire_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--journal", required=True, metavar="PATH", help="the journal of a rotation run with --grace")
    parser.add_argument("--force", action="store_true", help="retire old keys even if their grace period has not ended")
    parser.add_argument(
        "--require-unused-since-delivery",
        action="store_true",
        help="keep (and report) old keys used after their replacement was delivered",
    )
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=8,
        metavar="N",
        help="accounts handled at once (default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def _sink_spec(args: argparse.Namespace) -> str | None:
    if args.sink and args.secrets_file:
        raise ConfigurationError("give --sink or --secrets-file, not both")
    spec: str | None = args.sink or (f"file:{args.secrets_file}" if args.secrets_file else None)
    if spec is None and not args.dry_run:
        raise ConfigurationError(
            "say where new secrets go: --sink file:PATH, --sink exec:COMMAND or --secrets-file PATH"
        )
    if spec is not None and not spec.startswith(("file:", "exec:")):
        raise ConfigurationError(f"--sink must start with file: or exec:, got {spec!r}")
    return spec


@contextlib.contextmanager
def _opened_sink(spec: str | None, timeout: float) -> Iterator[Sink | None]:
    if spec is None:
        yield None
    elif spec.startswith("file:"):
        if not spec[5:]:
            raise ConfigurationError("--sink file: needs a path")
        secrets = SecretsFile(spec[5:])
        try:
            yield secrets
        finally:
            secrets.close()
    else:
        yield CommandSink(spec[5:], timeout=timeout)


async def _no_delivery(secret: NewKeySecret) -> None:  # pragma: no cover - a dry run delivers nothing
    raise AssertionError("a dry run delivers nothing")


def report_document(report: RotationReport) -> dict[str, Any]:
    def outcome(key: Any) -> dict[str, Any]:
        fields: dict[str, Any] = attrs.asdict(key)
        fields["revoke_after"] = key.revoke_after.isoformat() if key.revoke_after else None
        return fields

    return {
        "keys": [outcome(k) for k in report.keys],
        "account_errors": report.account_errors,
        "stopped": report.stopped,
        "ok": report.ok,
    }


class _Live:
    """The progress printer, and the latest progress, for a partial summary on Ctrl-C."""

    def __init__(self, dd: Client) -> None:
        self.printer = ProgressPrinter(dd.stats)
        self.progress: RotationProgress | None = None

    def __call__(self, progress: RotationProgress) -> None:
        self.progress = progress
        self.printer(progress)


async def rotate(dd: Client, args: argparse.Namespace) -> int:
    check_targets(args)
    select = selector_from(args)
    spec = _sink_spec(args)
    started = time.monotonic()
    live = _Live(dd)
    # The journal first: a second run stops here, before a file is created or a request sent.
    with Journal(args.journal, read_only=args.dry_run) as journal, _opened_sink(spec, args.sink_timeout) as sink:
        accounts = await resolve_targets(dd, args)
        if not accounts:
            print("aiodd: no service accounts to rotate", file=sys.stderr)
            return 0
        task = asyncio.ensure_future(
            rotate_application_keys(
                dd,
                accounts,
                sink=sink or _no_delivery,
                journal=journal,
                concurrency=args.concurrency,
                select=select,
                register_for_actions=_REGISTER[args.register_for_actions],
                dry_run=args.dry_run,
                grace=args.grace,
                on_progress=live,
            )
        )
        try:
            report = await asyncio.shield(task)
        except asyncio.CancelledError:  # Ctrl-C: let the keys in progress stop, then say where things stand
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
            live.printer.interrupted()
            if live.progress is not None:
                print(summary(live.progress.report, dd.stats, time.monotonic() - started), file=sys.stderr)
                print(
                    f"Interrupted after {live.progress.keys_finished} of {live.progress.keys_planned} keys",
                    file=sys.stderr,
                )
            print(f"aiodd: interrupted; re-run with --journal {args.journal} to resume", file=sys.stderr)
            raise
    live.printer.finish()
    if args.json:
        print(json.dumps(report_document(report), indent=2))
    elif args.dry_run:
        print(plan_table(report))
    else:
        print(summary(report, dd.stats, time.monotonic() - started))
    if report.stopped is not None:
        print(f"aiodd: error: {report.stopped}; re-run with --journal {args.journal} to resume", file=sys.stderr)
    return 0 if report.ok else 1


async def retire(dd: Client, args: argparse.Namespace) -> int:
    started = time.monotonic()
    report = await retire_old_keys(
        dd,
        args.journal,
        force=args.force,
        require_unused_since_delivery=args.require_unused_since_delivery,
        concurrency=args.concurrency,
    )
    if args.json:
        print(json.dumps(report_document(report), indent=2))
    else:
        print(summary(report, dd.stats, time.monotonic() - started))
    if report.stopped is not None:
        print(f"aiodd: error: {report.stopped}; re-run with --journal {args.journal} to finish", file=sys.stderr)
    return 0 if report.ok else 1
