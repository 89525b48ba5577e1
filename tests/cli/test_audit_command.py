"""``keys audit`` as the CLI will run it: its functions called directly against the fake Datadog."""

from __future__ import annotations

import argparse
import csv
import io
import json
from types import ModuleType
from typing import Any

import pytest
from orgseed import DAY, NOW, Org

import aiodd
from aiodd.cli import _audit
from aiodd.testing import FakeDatadog

Run = Any  # the ``run`` fixture of conftest.py


def parse(command: ModuleType, *argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="aiodd", exit_on_error=False)
    command.add_arguments(parser)
    return parser.parse_args(argv)


# --- keys audit ---------------------------------------------------------------------------------


async def test_json_lists_every_key_leaked_first_with_its_facts(org: Org, run: Run) -> None:
    code, out, _ = await run(_audit, *org.accounts, "--json")

    document = json.loads(out)
    assert code == 0 and document["ok"] is True and document["account_errors"] == {}
    keys = document["keys"]
    assert [k["key_id"] for k in keys[:2]] == [org.keys["b2"], org.keys["a3"]]
    assert [k["leaked"] for k in keys] == [True, True, False, False, False, False]
    b2 = keys[0]
    assert b2["leaked_at"] == (NOW - 3 * DAY).isoformat() and b2["leak_source"] == "github"
    assert b2["service_account_name"] == "Seeded service account 1" and b2["service_account_status"] == "Active"
    assert 29.9 < b2["age_days"] < 30.1 and b2["created_at"] == (NOW - 30 * DAY).isoformat()
    a2 = next(k for k in keys if k["key_id"] == org.keys["a2"])
    assert a2["last_used_at"] == (NOW - 2 * DAY).isoformat() and a2["registered_for_actions"] is False
    a1 = next(k for k in keys if k["key_id"] == org.keys["a1"])
    assert a1["last_used_at"] is None and a1["registered_for_actions"] is True and a1["scopes"] is None
    assert not any(key.secret in out for sa in org.accounts for key in org.fake.state.application_keys(sa))


async def test_csv_has_a_header_and_one_line_per_key(org: Org, run: Run) -> None:
    org.fake.state.update_application_key(
        org.fake.state.application_key(org.keys["a1"]),  # type: ignore[arg-type]
        scopes=["dashboards_read", "monitors_read"],
    )

    code, out, _ = await run(_audit, *org.accounts, "--csv")

    lines = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and tuple(lines[0]) == _audit.CSV_COLUMNS and len(lines) == 6
    assert [line["leaked"] for line in lines[:3]] == ["True", "True", "False"]
    a1 = next(line for line in lines if line["key_id"] == org.keys["a1"])
    assert a1["scopes"] == "dashboards_read monitors_read" and a1["last_used_at"] == ""


async def test_the_table_shows_leaks_ages_and_never_used_keys(org: Org, run: Run) -> None:
    code, out, err = await run(_audit, "--all-service-accounts")

    header, first, *rest = out.splitlines()
    assert code == 0 and header.split()[:3] == ["LEAKED", "SERVICE", "ACCOUNT"]
    assert first.startswith((NOW - 3 * DAY).date().isoformat() + " github")  # the leak, first
    assert org.keys["b2"] in first and "30d" in first
    assert any(org.keys["a1"] in line and "never" in line and "400d" in line for line in rest)
    assert "6 keys in 2 service accounts, 2 leaked" in err


async def test_selectors_combine_with_and(org: Org, run: Run) -> None:
    code, out, _ = await run(_audit, *org.accounts, "--unused-for", "20d", "--json")
    stale = [k["key_id"] for k in json.loads(out)["keys"]]
    _, out, _ = await run(_audit, *org.accounts, "--unused-for", "20d", "--leaked", "--json")
    stale_and_leaked = [k["key_id"] for k in json.loads(out)["keys"]]
    _, out, _ = await run(
        _audit, *org.accounts, "--older-than", "150d", "--name-pattern", "seeded-key-0001-*", "--json"
    )
    old_and_named = [k["key_id"] for k in json.loads(out)["keys"]]

    assert code == 0 and stale == [org.keys["b2"], org.keys["a1"], org.keys["b1"]]
    assert stale_and_leaked == [org.keys["b2"]]
    assert old_and_named == [org.keys["b1"]]


async def test_an_unlistable_account_is_reported_and_exits_1(org: Org, run: Run) -> None:
    org.fake.fail_next("GET", f"/api/v2/service_accounts/{org.accounts[0]}/application_keys", status=403)

    code, out, err = await run(_audit, *org.accounts, "--json")

    assert code == 1 and json.loads(out)["ok"] is False
    assert f"could not list the keys of service account {org.accounts[0]}" in err and "403" in err


async def test_no_account_named_is_a_usage_error_naming_the_options(fake_datadog: FakeDatadog, run: Run) -> None:
    with pytest.raises(aiodd.InvalidArgumentError, match=r"SA_ID\.\.\., --from-file PATH or --all-service-accounts"):
        await run(_audit)  # main() prints it as one "aiodd: error:" line with exit status 2

    assert fake_datadog.requests_seen() == 0


@pytest.mark.parametrize(
    "argv",
    [
        ("sa", "--json", "--csv"),
        ("sa", "--older-than", "banana"),
        ("sa", "--unused-for", "30"),
        ("sa", "--concurrency", "0"),
    ],
)
def test_bad_options_are_argparse_errors(argv: tuple[str, ...]) -> None:
    with pytest.raises((argparse.ArgumentError, SystemExit)):
        parse(_audit, *argv)
