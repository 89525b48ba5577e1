"""An org-wide sweep as a library: leaked keys first, reasons, a grace period, then retiring old keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import aiodd
from aiodd.rotation import (
    NewKeySecret,
    Outcome,
    all_of,
    leaked,
    older_than,
    retire_old_keys,
    rotate_application_keys,
    unused_for,
)
from aiodd.testing import FakeDatadog

DAY = timedelta(days=1)


class Vault:
    def __init__(self) -> None:
        self.delivered: list[NewKeySecret] = []

    async def __call__(self, secret: NewKeySecret) -> None:
        self.delivered.append(secret)


def key_ids(fake: FakeDatadog, sa: str) -> set[str]:
    return {k.id for k in fake.state.application_keys(sa)}


async def test_leaked_keys_are_rotated_first_across_all_accounts_then_the_oldest() -> None:
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=3, keys_per_account=2)
        keys = [k for sa in accounts for k in fake.state.application_keys(sa)]
        now = datetime.now(UTC)
        for age, key in enumerate(keys):  # keys[0] is the newest, keys[-1] the oldest
            fake.state.set_key_dates(key.id, created_at=now - (age + 1) * DAY)
        leaked_ids = [keys[4].id, keys[1].id]  # in the last account and the first
        for key_id in leaked_ids:
            fake.state.mark_leaked(key_id)
        vault = Vault()
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, accounts, sink=vault, concurrency=1)
        assert report.ok and report.rotated == 6
        order = [s.replaces for s in vault.delivered]
        assert order[:2] == leaked_ids  # the leaked ones first, the older of them first
        rest = [k.id for k in reversed(keys) if k.id not in leaked_ids]  # oldest first
        assert order[2:] == rest


async def test_a_dry_run_says_why_each_key_was_picked() -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=3)
        stale, fresh, leaky = fake.state.application_keys(sa)
        now = datetime.now(UTC)
        fake.state.set_key_dates(stale.id, created_at=now - 120 * DAY, last_used_at=now - 45 * DAY)
        fake.state.set_key_dates(leaky.id, created_at=now - 100 * DAY)
        fake.state.mark_leaked(leaky.id)
        async with fake.client() as dd:
            report = await rotate_application_keys(
                dd, [sa], sink=Vault(), dry_run=True, select=all_of(older_than(90 * DAY), unused_for(30 * DAY))
            )
            leaks = await rotate_application_keys(dd, [sa], sink=Vault(), dry_run=True, select=leaked())
        reasons = {k.old_key_id: k.reason for k in report.keys}
        assert reasons == {
            leaky.id: "leaked; created 100d ago; never used, created 100d ago",
            stale.id: "created 120d ago; last used 45d ago",
        }
        assert [(k.old_key_id, k.reason) for k in leaks.keys] == [(leaky.id, "leaked")]
        assert fresh.id not in reasons and fake.requests_seen("POST") == 0


async def test_a_grace_period_keeps_the_old_key_until_it_is_retired(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=2)
        old_ids = key_ids(fake, sa)
        registered = min(old_ids)
        fake.state.register_app_key(registered)
        vault = Vault()
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, [sa], sink=vault, journal=journal, grace=timedelta(hours=24))
            assert report.ok and report.rotated == 2
            revoke = [k.revoke_after for k in report.keys]
            assert all(r is not None and r > datetime.now(UTC) + timedelta(hours=23) for r in revoke)
            new_ids = {s.key_id for s in vault.delivered}
            assert key_ids(fake, sa) == old_ids | new_ids  # old keys kept, replacements live
            new_for = {s.replaces: s.key_id for s in vault.delivered}
            assert fake.state.registered_app_key_ids() == [new_for[registered]]  # moved now, not at retirement

            again = await rotate_application_keys(dd, [sa], sink=vault, journal=journal, grace=timedelta(hours=24))
            assert [k.outcome for k in again.keys] == [Outcome.ALREADY_DONE] * 2
            assert all(k.revoke_after is not None for k in again.keys) and len(vault.delivered) == 2

            early = await retire_old_keys(dd, journal)
            assert [k.outcome for k in early.keys] == [Outcome.WAITING] * 2 and early.ok
            assert key_ids(fake, sa) == old_ids | new_ids

            later = await retire_old_keys(dd, journal, now=datetime.now(UTC) + timedelta(hours=25))
            assert sorted(k.outcome for k in later.keys) == [Outcome.RETIRED] * 2 and later.ok
            assert key_ids(fake, sa) == new_ids

            fake.reset_counters()
            finished = await retire_old_keys(dd, journal, now=datetime.now(UTC) + timedelta(hours=25))
            assert finished.keys == [] and fake.requests_seen("DELETE") == 0  # nothing left to retire


async def test_retiring_can_be_forced_and_can_spare_keys_still_in_use(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=2)
        switched, lagging = sorted(key_ids(fake, sa))
        async with fake.client() as dd:
            await rotate_application_keys(dd, [sa], sink=Vault(), journal=journal, grace=timedelta(days=7))
            fake.state.note_key_used(lagging)  # a consumer still uses the old key after the delivery
            report = await retire_old_keys(dd, journal, force=True, require_unused_since_delivery=True)
        outcomes = {k.old_key_id: k for k in report.keys}
        assert outcomes[switched].outcome == Outcome.RETIRED
        assert outcomes[lagging].outcome == Outcome.KEPT and "used after" in (outcomes[lagging].reason or "")
        assert not report.ok
        assert lagging in key_ids(fake, sa) and switched not in key_ids(fake, sa)


async def test_an_old_key_whose_replacement_vanished_is_kept(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        [old] = key_ids(fake, sa)
        vault = Vault()
        async with fake.client() as dd:
            await rotate_application_keys(dd, [sa], sink=vault, journal=journal, grace=timedelta(0))
            fake.state.delete_application_key(vault.delivered[0].key_id)
            report = await retire_old_keys(dd, journal, force=True)
        [outcome] = report.keys
        assert outcome.outcome == Outcome.KEPT and "no longer exists" in (outcome.reason or "")
        assert key_ids(fake, sa) == {old}


async def test_retire_checks_its_arguments_and_the_journal_lock(tmp_path: Path) -> None:
    async with FakeDatadog() as fake, fake.client() as dd:
        with pytest.raises(aiodd.InvalidArgumentError):
            await retire_old_keys(dd, tmp_path / "j", concurrency=0)
        with pytest.raises(aiodd.InvalidArgumentError):
            await rotate_application_keys(dd, ["sa"], sink=Vault(), grace=timedelta(hours=-1))
        with aiodd.rotation.Journal(tmp_path / "j"), pytest.raises(aiodd.rotation.FileInUseError):
            await retire_old_keys(dd, tmp_path / "j")
        assert fake.requests_seen() == 0
