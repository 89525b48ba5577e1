"""``aiodd demo``: an org-wide key sweep against an embedded fake Datadog, checked at the end.

The fake is seeded like a real organization: service accounts (a few disabled) with keys of many
ages, some used recently, some leaked, some registered for Actions, and a few people. The demo
then does what the README's sweep recipe does: audit, rotate every key leaked first with a grace
period, retire the old keys, and verify that every live key's secret was delivered. With
``--workers N`` the rotation and retirement run in N processes (:mod:`._demo_split`).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .._redis.config import RedisRateLimit, redacted_url
from ..rotation import (
    AuditReport,
    SecretsFile,
    audit_application_keys,
    retire_old_keys,
    rotate_application_keys,
)
from ..testing import FakeDatadog
from ._arguments import positive_int, rate_limit, rate_limit_option
from ._demo_split import run_workers
from ._progress import ProgressPrinter, summary
from ._rotate import report_document

__all__ = ["add_arguments", "run"]

_GRACE = timedelta(hours=1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--accounts",
        type=positive_int,
        default=200,
        metavar="N",
        help="service accounts to seed (default: %(default)s)",
    )
    parser.add_argument(
        "--keys", type=positive_int, default=3, metavar="N", help="application keys per account (default: %(default)s)"
    )
    parser.add_argument(
        "--rate-limit",
        type=rate_limit,
        default=(200, 2.0),
        metavar="REQUESTS/SECONDS",
        help="the fake's limit per rate-limit bucket (default: 200/2)",
    )
    parser.add_argument(
        "--concurrency", type=positive_int, default=32, metavar="N", help="keys rotated at once (default: %(default)s)"
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="split the rotation and retirement across N processes, each rotating --concurrency keys at once; "
        "with --rate-limit-redis they share one rate-limit budget (default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as one JSON document")


def _seed(fake: FakeDatadog, accounts: int, keys: int) -> list[str]:
    """Accounts whose keys are 1..400 days old, ~3% leaked, a third used lately, every other one registered."""
    active = fake.seed(service_accounts=accounts, keys_per_account=keys)
    fake.seed(service_accounts=2, keys_per_account=1, status="Disabled")  # not swept: not active
    fake.state.seed_users(5)
    now = datetime.now(UTC)
    for number, key in enumerate(k for sa in active for k in fake.state.application_keys(sa)):
        age = timedelta(days=1 + number * 37 % 400)
        used = now - timedelta(days=number % 60) if number % 3 == 0 else None
        fake.state.set_key_dates(key.id, created_at=now - age, last_used_at=used)
        if number % 33 == 5:
            fake.state.mark_leaked(key.id)
    for sa in active[::2]:
        fake.state.register_app_key(fake.state.application_keys(sa)[0].id)
    return active


def _audit_lines(audit: AuditReport) -> list[str]:
    rows = audit.rows
    old = sum(1 for row in rows if row.age is not None and row.age > timedelta(days=90))
    unused = sum(1 for row in rows if row.last_used_at is None)
    leaked = [row for row in rows if row.leaked]
    lines = [
        f"  {len(rows)} keys in {len({row.service_account_id for row in rows})} active service accounts: "
        f"{len(leaked)} leaked, {old} older than 90 days, {unused} never used, "
        f"{sum(1 for row in rows if row.registered_for_actions)} registered for Actions"
    ]
    lines += [
        f"  leaked: {row.key_id} ({row.name}), found {row.leak.source if row.leak else '?'}" for row in leaked[:5]
    ]
    if len(leaked) > 5:
        lines.append(f"  ... and {len(leaked) - 5} more leaked keys")
    return lines


def _creation_order(journal: str) -> list[str]:
    """The old keys in the order their replacements were started (the journal's "creating" lines)."""
    with open(journal, encoding="utf-8") as handle:
        entries = [json.loads(line) for line in handle]
    return [entry["old"] for entry in entries if entry.get("step") == "creating"]


def _redis_url(args: argparse.Namespace) -> str | None:
    """The Redis URL the demo's clients share their budget through (checked now), or ``None``."""
    option = rate_limit_option(args)
    if option is True:
        return None
    assert isinstance(option, str)
    return RedisRateLimit(option).url  # a bad URL is a ConfigurationError before anything starts


def _leaked_first(creation_orders: list[list[str]], leaked_ids: set[str]) -> bool:
    """In each journal, the leaked keys among its own were the first replacements started."""
    for creating in creation_orders:
        own = leaked_ids & set(creating)
        if set(creating[: len(own)]) != own:
            return False
    return True


async def run(args: argparse.Namespace) -> int:
    limit, period = args.rate_limit
    redis_url = _redis_url(args)
    log = sys.stderr
    async with FakeDatadog(rate_limit=(limit, period)) as fake:
        accounts = _seed(fake, args.accounts, args.keys)
        before = {sa: {k.id for k in fake.state.application_keys(sa)} for sa in accounts}
        registered_before = set(fake.state.registered_app_key_ids())
        print(
            f"Fake Datadog at {fake.base_url}: {args.accounts} service accounts x {args.keys} keys, "
            f"rate limit {limit} requests / {period:g}s per bucket",
            file=log,
        )
        client = functools.partial(fake.client, rate_limit=redis_url or True)
        with tempfile.TemporaryDirectory(prefix="aiodd-demo-") as tmp:
            async with client() as dd:  # each step a client of its own, as separate commands would be
                print("\n1/3 Audit: aiodd keys audit --all-service-accounts", file=log)
                audit = await audit_application_keys(dd, all_service_accounts=True)
                print("\n".join(_audit_lines(audit)), file=log)
            if args.workers > 1:
                return await _run_split(args, fake, tmp, audit, before, registered_before, redis_url)

            journal = os.path.join(tmp, "journal.jsonl")
            secrets_path = os.path.join(tmp, "secrets.jsonl")
            print(
                "\n2/3 Rotate, leaked keys first: aiodd keys rotate --all-service-accounts "
                f"--sink file:secrets.jsonl --journal journal.jsonl --grace {_GRACE.seconds // 3600}h",
                file=log,
            )
            async with client() as dd:
                started = time.monotonic()
                printer = ProgressPrinter(dd.stats)
                sweep = [user.id async for user in dd.service_accounts.list() if user.id]  # as --all-service-accounts
                sink = SecretsFile(secrets_path)
                try:
                    rotation = await rotate_application_keys(
                        dd,
                        sweep,
                        sink=sink,
                        journal=journal,
                        concurrency=args.concurrency,
                        grace=_GRACE,
                        on_progress=printer,
                    )
                finally:
                    sink.close()
                printer.finish()
                rotated = summary(rotation, dd.stats, time.monotonic() - started)

            print(
                "\n3/3 Retire the old keys: aiodd keys retire --journal journal.jsonl "
                "--force (the demo does not wait an hour)",
                file=log,
            )
            async with client() as dd:
                started = time.monotonic()
                retired = await retire_old_keys(dd, journal, force=True)
                retire_summary = summary(retired, dd.stats, time.monotonic() - started)
            creating = await asyncio.to_thread(_creation_order, journal)
            lines = await asyncio.to_thread(Path(secrets_path).read_text, encoding="utf-8")
            deliveries = [json.loads(line) for line in lines.splitlines()]

        checks = _checks(fake, accounts, before, registered_before, audit, [creating], deliveries, args.keys)
        verified = all(checks.values()) and rotation.ok and retired.ok
        if args.json:
            document: dict[str, Any] = {
                "audit": {"keys": len(audit.rows), "leaked": sum(1 for row in audit.rows if row.leaked)},
                "rotation": report_document(rotation),
                "retire": report_document(retired),
                "checks": checks,
                "verified": verified,
            }
            print(json.dumps(document, indent=2))
        else:
            print(rotated)
            print(retire_summary)
        print("\nCheck: " + "; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks.items()), file=log)
        return 0 if verified else 1


def _checks(
    fake: FakeDatadog,
    accounts: list[str],
    before: dict[str, set[str]],
    registered_before: set[str],
    audit: AuditReport,
    creation_orders: list[list[str]],
    deliveries: list[dict[str, Any]],
    keys_per_account: int,
) -> dict[str, bool]:
    """What the sweep must have done, read from the fake's state, the journals and the delivered secrets."""
    leaked_ids = {row.key_id for row in audit.rows if row.leaked}
    after = {sa: {k.id for k in fake.state.application_keys(sa)} for sa in accounts}
    delivered = {line["key_id"] for line in deliveries}
    old_left = sum(len(before[sa] & after[sa]) for sa in accounts)
    live = sum(len(after[sa]) for sa in accounts)
    new_for = {line["replaces"]: line["key_id"] for line in deliveries}
    return {
        "leaked keys rotated first": _leaked_first(creation_orders, leaked_ids),
        f"{live} live keys, {old_left} old keys left": live == len(accounts) * keys_per_account and old_left == 0,
        "every live key's secret delivered": all(k in delivered for sa in accounts for k in after[sa]),
        "Actions registrations moved": set(fake.state.registered_app_key_ids())
        == {new_for[k] for k in registered_before if k in new_for},
    }


async def _run_split(
    args: argparse.Namespace,
    fake: FakeDatadog,
    tmp: str,
    audit: AuditReport,
    before: dict[str, set[str]],
    registered_before: set[str],
    redis_url: str | None,
) -> int:
    """Steps 2 and 3 in ``args.workers`` processes; the summary counts the 429s the fake sent them."""
    log = sys.stderr
    limit, period = args.rate_limit
    accounts = list(before)
    budget = f"--rate-limit-redis {redacted_url(redis_url)}" if redis_url else "each with its own rate-limit budget"
    print(
        f"\n2/3 and 3/3 in {args.workers} processes ({budget}): aiodd keys rotate --from-file <its accounts> "
        f"--sink file:... --journal ... --grace 1h --concurrency {args.concurrency}, "
        "then aiodd keys retire --journal ... --force",
        file=log,
    )
    fake.reset_counters()
    started = time.monotonic()
    runs = await run_workers(
        fake, accounts, workers=args.workers, concurrency=args.concurrency, redis_url=redis_url, tmp=Path(tmp)
    )
    elapsed = time.monotonic() - started
    refused, sent = fake.rate_limited_count, fake.requests_seen()
    creation_orders = [await asyncio.to_thread(_creation_order, str(run.journal)) for run in runs if run.rotation]
    deliveries = []
    for run in runs:
        if run.secrets.exists():
            text = await asyncio.to_thread(run.secrets.read_text, encoding="utf-8")
            deliveries += [json.loads(line) for line in text.splitlines()]
    checks = _checks(fake, accounts, before, registered_before, audit, creation_orders, deliveries, args.keys)
    failed = [run for run in runs if run.error is not None]
    outcomes = [key for run in runs for report in (run.rotation, run.retire) if report for key in report["keys"]]
    counted = {name: sum(1 for key in outcomes if key["outcome"] == name) for name in ("rotated", "retired", "failed")}
    windows = max(elapsed / period, 1.0)
    verified = all(checks.values()) and not failed and all(run.rotation and run.rotation["ok"] for run in runs)
    verified = verified and all(run.retire and run.retire["ok"] for run in runs)
    if args.json:
        document: dict[str, Any] = {
            "workers": len(runs),
            "shared_budget": redis_url is not None,
            "audit": {"keys": len(audit.rows), "leaked": sum(1 for row in audit.rows if row.leaked)},
            "outcomes": counted,
            "requests_sent": sent,
            "rate_limited": refused,
            "elapsed": round(elapsed, 3),
            "checks": checks,
            "verified": verified,
        }
        print(json.dumps(document, indent=2))
    else:
        rows = [
            ("processes", str(len(runs))),
            ("keys rotated", str(counted["rotated"])),
            ("old keys retired", str(counted["retired"])),
            ("failed", str(counted["failed"] + len(failed))),
            ("requests sent", str(sent)),
            ("429 answers", f"{refused} ({refused / windows:.1f} per {period:g}s window)"),
            ("elapsed", f"{elapsed:.1f}s"),
        ]
        print("\nSummary\n-------\n" + "\n".join(f"{label:<24}{value}" for label, value in rows))
        if redis_url is None and refused > windows:
            print(
                f"\nEach process saw only its own requests, so together they drew {refused} 429s from a budget of "
                f"{limit} per {period:g}s. With --rate-limit-redis URL they share one budget.",
                file=log,
            )
    for run in failed:
        print(f"aiodd: error: a worker failed ({len(run.accounts)} accounts): {run.error}", file=log)
    print("\nCheck: " + "; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks.items()), file=log)
    return 0 if verified else 1
