"""audit_application_keys against the fake Datadog: rows, their order, and what cannot be read."""

from __future__ import annotations

import traceback
import uuid
from datetime import datetime, timedelta

import pytest
from orgseed import DAY, NOW, Org, seed_org

import aiodd
from aiodd.rotation import KeyAuditRow, KeyLeak, all_of, audit_application_keys, leaked, name_matches, unused_for
from aiodd.testing import FakeDatadog


@pytest.fixture
def org(fake_datadog: FakeDatadog) -> Org:
    return seed_org(fake_datadog)


def labels_of(org: Org, rows: list[KeyAuditRow]) -> list[str]:
    by_id = {key_id: label for label, key_id in org.keys.items()}
    return [by_id[row.key_id] for row in rows]


async def test_one_row_per_key_leaked_first_then_oldest(org: Org, dd: aiodd.Client) -> None:
    report = await audit_application_keys(dd, [*org.accounts, org.disabled], now=NOW)

    assert report.ok and report.account_errors == {}
    # leaked: b2 (30 days), a3 (5 days); then by age: a1 400, b1 200, a2 100, d1 50, b3 1
    assert labels_of(org, report.rows) == ["b2", "a3", "a1", "b1", "a2", "d1", "b3"]


async def test_a_row_carries_the_account_the_dates_the_leak_and_the_registration(org: Org, dd: aiodd.Client) -> None:
    report = await audit_application_keys(dd, org.accounts, now=NOW)
    rows = {label: row for label, row in zip(labels_of(org, report.rows), report.rows, strict=True)}

    b2 = rows["b2"]
    assert b2.service_account_id == org.accounts[1]
    assert b2.service_account_name == "Seeded service account 1" and b2.service_account_status == "Active"
    assert b2.created_at == NOW - 30 * DAY and b2.age == 30 * DAY
    assert b2.leaked and b2.leak == KeyLeak(org.leak_ids["b2"], NOW - 3 * DAY, "github")
    assert rows["a3"].leak == KeyLeak(org.leak_ids["a3"], NOW - DAY, None)
    assert rows["a2"].last_used_at == NOW - 2 * DAY and rows["a1"].last_used_at is None
    assert rows["a1"].registered_for_actions is True and rows["a2"].registered_for_actions is False
    assert not rows["a1"].leaked and rows["a1"].leak is None
    assert rows["a1"].name == org.fake.state.application_key(org.keys["a1"]).name  # type: ignore[union-attr]


async def test_scopes_are_a_tuple_or_none(org: Org, dd: aiodd.Client) -> None:
    org.fake.state.update_application_key(
        org.fake.state.application_key(org.keys["a1"]),  # type: ignore[arg-type]
        scopes=["dashboards_read", "monitors_read"],
    )

    rows = {row.key_id: row for row in (await audit_application_keys(dd, org.accounts[0], now=NOW)).rows}

    assert rows[org.keys["a1"]].scopes == ("dashboards_read", "monitors_read")
    assert rows[org.keys["a2"]].scopes is None


async def test_all_service_accounts_audits_every_active_one(org: Org, dd: aiodd.Client) -> None:
    report = await audit_application_keys(dd, all_service_accounts=True, now=NOW)

    assert {row.service_account_id for row in report.rows} == set(org.accounts)  # not the disabled one
    assert len(report.rows) == 6


async def test_a_disabled_account_named_by_id_is_audited_with_its_status(org: Org, dd: aiodd.Client) -> None:
    report = await audit_application_keys(dd, [org.disabled], all_service_accounts=True, now=NOW)

    [row] = [row for row in report.rows if row.service_account_id == org.disabled]
    assert row.service_account_status == "Disabled" and row.service_account_name == "Seeded service account 2"


async def test_select_keeps_only_the_keys_every_selector_selects(org: Org, dd: aiodd.Client) -> None:
    stale = unused_for(timedelta(days=20), now=lambda: NOW)

    stale_rows = (await audit_application_keys(dd, org.accounts, select=stale, now=NOW)).rows
    stale_and_leaked = (await audit_application_keys(dd, org.accounts, select=all_of(stale, leaked()), now=NOW)).rows
    named = (await audit_application_keys(dd, org.accounts, select=name_matches("*-0000-*"), now=NOW)).rows

    assert labels_of(org, stale_rows) == ["b2", "a1", "b1"]  # a2 used 2 days ago, a3 / b3 too new
    assert labels_of(org, stale_and_leaked) == ["b2"]
    assert sorted(labels_of(org, named)) == ["a1", "a2", "a3"]


async def test_the_audit_only_reads(org: Org, dd: aiodd.Client) -> None:
    org.fake.reset_counters()

    await audit_application_keys(dd, all_service_accounts=True, now=NOW)

    assert {request.method for request in org.fake.requests()} == {"GET"}
    assert org.fake.requests_seen("GET", "/api/v2/users") == 1
    assert org.fake.requests_seen("GET", "/api/v2/actions/app_key_registrations") == 1


async def test_an_account_whose_keys_cannot_be_listed_is_reported_not_raised(org: Org, dd: aiodd.Client) -> None:
    unknown = str(uuid.uuid4())
    org.fake.fail_next("GET", f"/api/v2/service_accounts/{org.accounts[0]}/application_keys", status=403)

    report = await audit_application_keys(dd, [*org.accounts, unknown], now=NOW)

    assert set(report.account_errors) == {org.accounts[0], unknown} and not report.ok
    assert "403" in report.account_errors[org.accounts[0]] and "404" in report.account_errors[unknown]
    assert {row.service_account_id for row in report.rows} == {org.accounts[1]}


async def test_unlistable_registrations_leave_the_column_unknown(org: Org, dd: aiodd.Client) -> None:
    org.fake.fail_next("GET", "/api/v2/actions/app_key_registrations", status=403)

    report = await audit_application_keys(dd, org.accounts, now=NOW)

    assert len(report.rows) == 6 and all(row.registered_for_actions is None for row in report.rows)
    assert report.registrations_error is not None and "403" in report.registrations_error and not report.ok


async def test_if_the_service_accounts_cannot_be_listed_the_audit_raises_without_secrets(
    org: Org, dd: aiodd.Client
) -> None:
    org.fake.fail_next("GET", "/api/v2/users", status=403)

    with pytest.raises(aiodd.PermissionDeniedError) as caught:
        await audit_application_keys(dd, all_service_accounts=True)

    rendered = "".join(traceback.TracebackException.from_exception(caught.value, capture_locals=True).format())
    assert "audit_application_keys" in rendered
    assert org.fake.api_key not in rendered and org.fake.app_key not in rendered


async def test_concurrency_bounds_the_listings_in_flight(org: Org, dd: aiodd.Client) -> None:
    many = org.fake.seed(6, 1)
    for sa in many:
        org.fake.delay_next("GET", f"/api/v2/service_accounts/{sa}/application_keys", 0.05)
    in_flight = peak = 0

    async def count(request, handler):  # type: ignore[no-untyped-def]
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    async with org.fake.client(middlewares=[count]) as counted:
        report = await audit_application_keys(counted, many, concurrency=2, now=NOW)

    assert len(report.rows) == 6 and peak <= 2


async def test_rows_hold_no_secret(org: Org, dd: aiodd.Client) -> None:
    report = await audit_application_keys(dd, org.accounts, now=NOW)
    shown = repr(report)
    for sa in org.accounts:
        for key in org.fake.state.application_keys(sa):
            assert key.secret not in shown


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"service_account_ids": []},
        {"service_account_ids": [""]},
        {"service_account_ids": ["sa"], "concurrency": 0},
        {"service_account_ids": ["sa"], "select": "leaked"},
        {"service_account_ids": ["sa"], "now": datetime(2026, 1, 1)},
    ],
)
async def test_bad_arguments_are_refused_before_anything_is_sent(
    fake_datadog: FakeDatadog, dd: aiodd.Client, arguments: dict[str, object]
) -> None:
    with pytest.raises(aiodd.InvalidArgumentError):
        await audit_application_keys(dd, **arguments)  # type: ignore[arg-type]
    assert fake_datadog.requests_seen() == 0
