"""rotate_application_keys against the in-process fake Datadog."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

import aiodd
from aiodd.rotation import (
    FileInUseError,
    Journal,
    NewKeySecret,
    Outcome,
    StorageError,
    name_matches,
    rotate_application_keys,
)
from aiodd.testing import FakeDatadog

KEYS = "/api/v2/service_accounts/*/application_keys"
KEY = "/api/v2/service_accounts/*/application_keys/*"


class Vault:
    """A sink that keeps what it is given (like a secrets manager would)."""

    def __init__(self, fail_for: set[str] | None = None) -> None:
        self.secrets: dict[str, NewKeySecret] = {}
        self.fail_for = fail_for or set()

    async def __call__(self, secret: NewKeySecret) -> None:
        if secret.replaces in self.fail_for:
            raise OSError(f"vault unavailable while storing {secret.secret}")
        self.secrets[secret.key_id] = secret


def keys_of(fake: FakeDatadog, sa: str) -> dict[str, str]:
    return {k.id: k.name for k in fake.state.application_keys(sa)}


async def test_every_key_is_replaced_and_its_secret_delivered_first(tmp_path: Path) -> None:
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=3, keys_per_account=2)
        fake.state.update_application_key(fake.state.application_keys(accounts[0])[0], scopes=["dashboards_read"])
        before = {sa: keys_of(fake, sa) for sa in accounts}
        vault = Vault()
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, accounts, sink=vault, journal=tmp_path / "j.jsonl")
        assert report.ok and report.rotated == 6
        for sa in accounts:
            after = fake.state.application_keys(sa)
            assert len(after) == 2 and not set(before[sa]) & {k.id for k in after}
            for key in after:
                assert vault.secrets[key.id].secret == key.secret
                assert vault.secrets[key.id].replaces in before[sa]
                assert key.name.startswith(before[sa][vault.secrets[key.id].replaces] + " [rotated ")
        scoped = next(s for s in vault.secrets.values() if s.replaces == fake_first_key(before, accounts[0]))
        assert fake.state.application_key(scoped.key_id).scopes == ["dashboards_read"]  # type: ignore[union-attr]


def fake_first_key(before: dict[str, dict[str, str]], sa: str) -> str:
    return sorted(before[sa], key=lambda k: before[sa][k])[0]


async def test_the_old_key_is_deleted_only_after_the_sink_returned() -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        [old] = keys_of(fake, sa)
        seen_while_delivering: list[bool] = []

        async def sink(secret: NewKeySecret) -> None:
            seen_while_delivering.append(fake.state.application_key(old) is not None)

        async with fake.client() as dd:
            await rotate_application_keys(dd, [sa], sink=sink)
        assert seen_while_delivering == [True] and fake.state.application_key(old) is None


async def test_a_failing_sink_deletes_the_replacement_and_keeps_the_old_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="aiodd")
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=2)
        old_ids = sorted(keys_of(fake, sa))
        vault = Vault(fail_for={old_ids[0]})
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, [sa], sink=vault)
        failed = [k for k in report.keys if k.outcome == Outcome.FAILED]
        assert [k.old_key_id for k in failed] == [old_ids[0]] and report.rotated == 1
        assert failed[0].error == "sink failed: OSError"
        remaining = keys_of(fake, sa)
        assert old_ids[0] in remaining and len(remaining) == 2  # old kept, its replacement rolled back
        created = [r for r in fake.requests("POST", KEYS)]
        assert len(created) == 2
        secret_never_shown = next(s for s in fake.state.application_keys(sa) if s.id not in old_ids).secret
        assert secret_never_shown not in repr(report) and secret_never_shown not in caplog.text


async def test_api_failures_are_reported_and_the_run_moves_on() -> None:
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=3, keys_per_account=1)
        fake.fail_next("GET", f"/api/v2/service_accounts/{accounts[0]}/application_keys", status=403)
        fake.fail_next("DELETE", f"/api/v2/service_accounts/{accounts[1]}/application_keys/*", status=403)
        vault = Vault()
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, accounts, sink=vault)
        assert not report.ok and report.failed == 2
        assert accounts[0] in report.account_errors and "403" in report.account_errors[accounts[0]]
        [delete_failed] = [k for k in report.keys if k.outcome == Outcome.FAILED]
        assert delete_failed.service_account_id == accounts[1] and "PermissionDeniedError" in (
            delete_failed.error or ""
        )
        assert report.count(Outcome.ROTATED) == 1
        assert len(keys_of(fake, accounts[1])) == 2  # old (not deletable) and its delivered replacement


async def test_dry_run_changes_nothing() -> None:
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=2)
        before = {sa: keys_of(fake, sa) for sa in accounts}
        vault = Vault()
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, accounts, sink=vault, dry_run=True)
        assert report.count(Outcome.DRY_RUN) == 4 and not vault.secrets
        assert {sa: keys_of(fake, sa) for sa in accounts} == before
        assert fake.requests_seen("POST") == 0 and fake.requests_seen("DELETE") == 0


async def test_select_limits_the_keys_rotated() -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=3)
        keep = fake.state.application_keys(sa)[0]
        fake.state.update_application_key(keep, name="ci-runner")
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, [sa], sink=Vault(), select=name_matches("seeded-*"))
        assert report.rotated == 2 and keep.id in keys_of(fake, sa)


async def test_actions_registration_moves_to_the_new_key() -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=2)
        registered, _unregistered = sorted(keys_of(fake, sa))
        fake.state.register_app_key(registered)
        vault = Vault()
        async with fake.client() as dd:
            await rotate_application_keys(dd, [sa], sink=vault)
        new_for = {s.replaces: s.key_id for s in vault.secrets.values()}
        assert set(fake.state.registered_app_key_ids()) == {new_for[registered]}


async def test_a_crash_after_create_before_delivery_is_repaired_on_resume(tmp_path: Path) -> None:
    """The journal says a replacement was created but never delivered: its secret is lost."""
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        [old] = keys_of(fake, sa)
        lost = fake.state.create_application_key(sa, "seeded [rotated 0123456789ab]")
        journal.write_text(
            json.dumps({"sa": sa, "old": old, "step": "creating", "marker": "0123456789ab"})
            + "\n"
            + json.dumps({"sa": sa, "old": old, "step": "created", "new": lost.id})
            + "\n"
        )
        vault = Vault()
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, [sa], sink=vault, journal=journal)
        assert report.rotated == 1
        assert set(keys_of(fake, sa)) == set(vault.secrets)  # the lost one deleted, the new one delivered


async def test_a_crash_before_the_create_was_journalled_finds_the_key_by_its_marker(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        [old] = keys_of(fake, sa)
        fake.state.create_application_key(sa, "seeded [rotated abcdefabcdef]")
        journal.write_text(json.dumps({"sa": sa, "old": old, "step": "creating", "marker": "abcdefabcdef"}) + "\n")
        vault = Vault()
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, [sa], sink=vault, journal=journal)
        assert report.rotated == 1 and set(keys_of(fake, sa)) == set(vault.secrets)


async def test_a_delivered_replacement_is_finished_not_recreated(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        [old] = keys_of(fake, sa)
        delivered = fake.state.create_application_key(sa, "seeded [rotated 111111111111]")
        lines = [
            {"sa": sa, "old": old, "step": "creating", "marker": "111111111111"},
            {"sa": sa, "old": old, "step": "created", "new": delivered.id},
            {"sa": sa, "old": old, "step": "delivered"},
        ]
        journal.write_text("".join(json.dumps(line) + "\n" for line in lines))
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, [sa], sink=Vault(), journal=journal)
        assert report.rotated == 1 and set(keys_of(fake, sa)) == {delivered.id}
        assert fake.requests_seen("POST") == 0


async def test_a_finished_journal_skips_everything(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=2)
        async with fake.client() as dd:
            await rotate_application_keys(dd, accounts, sink=Vault(), journal=journal)
            fake.reset_counters()
            again = await rotate_application_keys(dd, accounts, sink=Vault(), journal=journal)
        assert again.count(Outcome.ALREADY_DONE) == 4 and again.rotated == 0
        assert fake.requests_seen("POST") == 0


async def test_the_journal_never_holds_a_secret(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        accounts = fake.seed(service_accounts=2, keys_per_account=2)
        vault = Vault()
        async with fake.client() as dd:
            await rotate_application_keys(dd, accounts, sink=vault, journal=journal)
        text = journal.read_text()
        assert len(vault.secrets) == 4
        for secret in vault.secrets.values():
            assert secret.secret not in text and secret.key_id in text
            assert secret.secret not in repr(secret)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"concurrency": 0}, "concurrency"), ({"sink": "file.txt"}, "sink")],
)
async def test_bad_arguments_are_refused_before_anything_is_sent(kwargs: dict[str, object], message: str) -> None:
    async with FakeDatadog() as fake, fake.client() as dd:
        options: dict[str, object] = {"sink": Vault(), **kwargs}
        with pytest.raises(aiodd.InvalidArgumentError, match=message):
            await rotate_application_keys(dd, ["sa"], **options)  # type: ignore[arg-type]
        with pytest.raises(aiodd.InvalidArgumentError):
            await rotate_application_keys(dd, [], sink=Vault())
        assert fake.requests_seen() == 0


async def test_unlistable_registrations_stop_the_run_before_any_change() -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        fake.fail_next("GET", "/api/v2/actions/app_key_registrations", status=403)
        async with fake.client() as dd:
            with pytest.raises(aiodd.Error, match="register_for_actions"):
                await rotate_application_keys(dd, [sa], sink=Vault())
            assert fake.requests_seen("POST") == 0
            report = await rotate_application_keys(dd, [sa], sink=Vault(), register_for_actions=False)
        assert report.rotated == 1


def test_replacement_names_carry_one_marker() -> None:
    from aiodd.rotation import replacement_name
    from aiodd.rotation._naming import marker_of

    name = replacement_name("deploy [rotated 0123456789ab]", "fedcba987654")
    assert name == "deploy [rotated fedcba987654]" and marker_of(name) == "fedcba987654"
    assert marker_of("deploy") is None and replacement_name(None, "0123456789ab") == "key [rotated 0123456789ab]"


# --- durability: the sink, the journal and resumes -------------------------------------------------


async def test_a_plain_function_sink_is_refused_before_anything_is_sent() -> None:
    def not_async(secret: NewKeySecret) -> None:
        pass

    async with FakeDatadog() as fake, fake.client() as dd:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        with pytest.raises(aiodd.InvalidArgumentError, match="async def"):
            await rotate_application_keys(dd, [sa], sink=not_async)  # type: ignore[arg-type]
        assert fake.requests_seen() == 0


async def test_a_sink_object_with_an_async_call_is_accepted() -> None:
    async with FakeDatadog() as fake, fake.client() as dd:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        report = await rotate_application_keys(dd, [sa], sink=Vault())
        assert report.rotated == 1


async def test_a_journal_in_use_stops_a_second_run_before_any_request(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake, fake.client() as dd:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        with Journal(journal), pytest.raises(FileInUseError, match="in use by another run"):
            await rotate_application_keys(dd, [sa], sink=Vault(), journal=journal)
        assert fake.requests_seen() == 0


class FullDisk(Vault):
    """A sink whose storage fails for good after ``room`` deliveries."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    async def __call__(self, secret: NewKeySecret) -> None:
        if len(self.secrets) >= self.room:
            raise StorageError("could not write /vault: No space left on device")
        self.secrets[secret.key_id] = secret


async def test_a_storage_error_from_the_sink_stops_the_run_cleanly_and_a_resume_finishes(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake, fake.client() as dd:
        accounts = fake.seed(service_accounts=4, keys_per_account=2)
        originals = {sa: set(keys_of(fake, sa)) for sa in accounts}
        full = FullDisk(room=1)
        report = await rotate_application_keys(dd, accounts, sink=full, journal=journal, concurrency=1)
        assert report.stopped == "could not write /vault: No space left on device" and not report.ok
        assert report.rotated == 1 and len(report.keys) == 2  # one rotated, one rolled back, none started after
        assert "No space left" in (report.keys[-1].error or "")
        for sa in accounts:  # every key not rotated is alive, and no replacement is left over
            live = set(keys_of(fake, sa))
            assert live == originals[sa] or (len(live) == 2 and len(live & originals[sa]) == 1)
        resumed = Vault()
        again = await rotate_application_keys(dd, accounts, sink=resumed, journal=journal)
        assert again.ok and again.rotated == 7 and again.count(Outcome.ALREADY_DONE) == 1
        live_keys = {k for sa in accounts for k in keys_of(fake, sa)}
        assert live_keys == set(resumed.secrets) | set(full.secrets)


async def test_a_replacement_whose_creating_line_was_lost_is_found_by_its_marker(tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        [old] = keys_of(fake, sa)
        with Journal(journal_path) as journal:  # a journal that got as far as its first line
            await journal.record(sa, "some-other-key", "failed")
            marker = journal.marker_for(sa, old)
        orphan = fake.state.create_application_key(sa, f"seeded [rotated {marker}]")  # the create landed
        vault = Vault()
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, [sa], sink=vault, journal=journal_path)
        assert report.rotated == 1 and orphan.id not in keys_of(fake, sa)
        assert set(keys_of(fake, sa)) == set(vault.secrets)


class Holding(Vault):
    """A sink that can say what it already holds, like the CLI's secrets file."""

    def holds(self, key_id: str) -> bool:
        return key_id in self.secrets


async def test_a_delivery_the_journal_lost_is_finished_when_the_sink_holds_it(tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        [old] = keys_of(fake, sa)
        with Journal(journal_path) as journal:
            marker = journal.marker_for(sa, old)
            delivered = fake.state.create_application_key(sa, f"seeded [rotated {marker}]")
            await journal.record(sa, old, "creating", marker=marker)
            await journal.record(sa, old, "created", new=delivered.id)  # the "delivered" line was lost
        vault = Holding()
        vault.secrets[delivered.id] = NewKeySecret(sa, delivered.id, delivered.name, old, delivered.secret)
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, [sa], sink=vault, journal=journal_path)
        assert report.rotated == 1 and set(keys_of(fake, sa)) == {delivered.id}
        assert fake.requests_seen("POST") == 0


async def test_a_replacement_of_unknown_delivery_is_kept_and_reported_when_its_old_key_is_gone(
    tmp_path: Path,
) -> None:
    journal_path = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        [old] = keys_of(fake, sa)
        with Journal(journal_path) as journal:
            marker = journal.marker_for(sa, old)
            replacement = fake.state.create_application_key(sa, f"seeded [rotated {marker}]")
            await journal.record(sa, old, "creating", marker=marker)
            await journal.record(sa, old, "created", new=replacement.id)
        fake.state.delete_application_key(old)  # gone: was the replacement delivered? the journal cannot say
        async with fake.client() as dd:
            report = await rotate_application_keys(dd, [sa], sink=Vault(), journal=journal_path)
        [outcome] = report.keys
        assert outcome.outcome == Outcome.FAILED and replacement.id in (outcome.error or "")
        assert set(keys_of(fake, sa)) == {replacement.id}  # never deleted: it may be the only copy
        assert fake.requests_seen("DELETE") == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v2/service_accounts/*/application_keys"),
        ("POST", "/api/v2/service_accounts/*/application_keys"),
        ("PUT", "/api/v2/actions/app_key_registrations/*"),
        ("DELETE", "/api/v2/actions/app_key_registrations/*"),
        ("DELETE", "/api/v2/service_accounts/*/application_keys/*"),
    ],
)
async def test_a_redirect_at_any_step_is_a_failure_and_deletes_nothing_live(
    method: str, path: str, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        [old] = keys_of(fake, sa)
        fake.state.register_app_key(old)
        fake.fail_next(method, path, status=302, headers={"Location": "/elsewhere"}, body="")
        vault = Vault()
        async with fake.client(retry=None) as dd:
            report = await rotate_application_keys(dd, [sa], sink=vault, journal=journal)
            assert not report.ok and report.rotated == 0
            assert "302" in (report.keys[0].error if report.keys else report.account_errors[sa])
            assert old in keys_of(fake, sa)  # the old key lives on
            assert set(keys_of(fake, sa)) <= {old} | set(vault.secrets)  # nothing undelivered left behind
            resumed = await rotate_application_keys(dd, [sa], sink=vault, journal=journal)
        assert resumed.ok and old not in keys_of(fake, sa)
        [live] = keys_of(fake, sa)
        assert live in vault.secrets and fake.state.registered_app_key_ids() == [live]


async def test_a_redirect_for_the_registrations_listing_stops_before_any_change() -> None:
    async with FakeDatadog() as fake:
        [sa] = fake.seed(service_accounts=1, keys_per_account=1)
        fake.fail_next("GET", "/api/v2/actions/app_key_registrations", status=302, body="")
        async with fake.client(retry=None) as dd:
            with pytest.raises(aiodd.Error, match="302"):
                await rotate_application_keys(dd, [sa], sink=Vault())
        assert fake.requests_seen("POST") == 0 and fake.requests_seen("DELETE") == 0
