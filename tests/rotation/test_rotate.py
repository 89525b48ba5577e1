"""rotate_application_keys against the in-process fake Datadog."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

import aiodd
from aiodd.rotation import NewKeySecret, Outcome, name_matches, rotate_application_keys
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
    from aiodd.rotation._rotate import marker_of

    name = replacement_name("deploy [rotated 0123456789ab]", "fedcba987654")
    assert name == "deploy [rotated fedcba987654]" and marker_of(name) == "fedcba987654"
    assert marker_of("deploy") is None and replacement_name(None, "0123456789ab") == "key [rotated 0123456789ab]"
