"""``service-accounts list`` as the CLI will run it: its functions called directly against the fake."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest
from orgseed import Org

from aiodd.cli import _service_accounts

Run = Any  # the ``run`` fixture of conftest.py


async def test_service_accounts_list_shows_the_active_accounts_only(org: Org, run: Run) -> None:
    code, out, err = await run(_service_accounts)

    header, *rows = out.splitlines()
    assert code == 0 and header.split() == ["ID", "STATUS", "NAME", "EMAIL"]
    assert sorted(row.split()[0] for row in rows) == sorted(org.accounts)
    assert all(row.split()[1] == "Active" for row in rows)
    assert "2 service accounts" in err


async def test_service_accounts_list_status_and_json(org: Org, run: Run) -> None:
    code, out, _ = await run(_service_accounts, "--status", "active,Disabled", "--json")

    users = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and sorted(u["id"] for u in users) == sorted([*org.accounts, org.disabled])
    assert all(u["attributes"]["service_account"] is True for u in users)
    assert org.fake.requests("GET", "/api/v2/users")[0].query["filter[status]"] == "Active,Disabled"


async def test_service_accounts_list_filter_is_sent(org: Org, run: Run) -> None:
    code, out, _ = await run(_service_accounts, "--filter", "seeded-sa-1@", "--json")

    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == [org.accounts[1]]


def test_an_unknown_status_is_an_argparse_error_naming_the_option() -> None:
    parser = argparse.ArgumentParser(prog="aiodd", exit_on_error=False)
    _service_accounts.add_arguments(parser)
    with pytest.raises(argparse.ArgumentError, match="--status"):
        parser.parse_args(["--status", "Active,Gone"])
