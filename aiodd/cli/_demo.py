"""``aiodd demo``: an org-wide key sweep against an embedded fake Datadog, checked at the end.

The fake is seeded like a real organization: service accounts (a few disabled) with keys of many
ages, some used recently, some leaked, some registered for Actions, and a few people. The demo
then does what the README's sweep recipe does: audit, rotate every key leaked first with a grace
period, retire the old keys, and verify that every live key's secret was delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..rotation import (
    AuditReport,
    SecretsFile,
    audit_application_keys,
    retire_old_keys,
    rotate_application_keys,
)
from ..testing import FakeDatadog
from ._arguments import positive_int, rate_limit
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


async def run(args: argparse.Namespace) -> int:
    limit, period = args.rate_limit
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
        with tempfile.TemporaryDirectory(prefix="aiodd-demo-") as tmp:
            journal = os.path.join(tmp, "journal.jsonl")
            secrets_path = os.path.join(tmp, "secrets.jsonl")
            async with fake.client() as dd:  # each step a client of its own, as separate commands would be
                print("\n1/3 Audit: aiodd keys audit --all-service-accounts", file=log)
                audit = await audit_application_keys(dd, all_service_accounts=True)
                print("\n".join(_audit_lines(audit)), file=log)

            print(
                "\n2/3 Rotate, leaked keys first: aiodd keys rotate --all-service-accounts "
                f"--sink file:secrets.jsonl --journal journal.jsonl --grace {_GRACE.seconds // 3600}h",
                file=log,
            )
            async with fake.client() as dd:
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
            async with fake.client() as dd:
                started = time.monotonic()
                retired = await retire_old_keys(dd, journal, force=True)
                retire_summary = summary(retired, dd.stats, time.monotonic() - started)
            creating = await asyncio.to_thread(_creation_order, journal)
            lines = await asyncio.to_thread(Path(secrets_path).read_text, encoding="utf-8")
            deliveries = [json.loads(line) for line in lines.splitlines()]

        leaked_ids = {row.key_id for row in audit.rows if row.leaked}
        first = set(creating[: len(leaked_ids)])
        after = {sa: {k.id for k in fake.state.application_keys(sa)} for sa in accounts}
        delivered = {line["key_id"] for line in deliveries}
        old_left = sum(len(before[sa] & after[sa]) for sa in accounts)
        live = sum(len(after[sa]) for sa in accounts)
        new_for = {line["replaces"]: line["key_id"] for line in deliveries}
        checks = {
            "leaked keys rotated first": first == leaked_ids,
            f"{live} live keys, {old_left} old keys left": live == args.accounts * args.keys and old_left == 0,
            "every live key's secret delivered": all(k in delivered for sa in accounts for k in after[sa]),
            "Actions registrations moved": set(fake.state.registered_app_key_ids())
            == {new_for[k] for k in registered_before if k in new_for},
        }
        verified = all(checks.values()) and rotation.ok and retired.ok
        if args.json:
            document: dict[str, Any] = {
                "audit": {"keys": len(audit.rows), "leaked": len(leaked_ids)},
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
