"""``dd.users.list`` and ``dd.service_accounts.list`` against the fake Datadog: what is sent, what
comes back, and the arguments refused before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

import aiodd
from aiodd.models import User
from aiodd.testing import FakeDatadog

USERS = "/api/v2/users"


def _ids(users: list[User]) -> list[str | None]:
    return [user.id for user in users]


async def test_users_list_walks_every_page_lazily(fake_datadog: FakeDatadog, dd: aiodd.Client) -> None:
    fake_datadog.seed(4)
    fake_datadog.seed_users(3)

    users = await dd.users.list(page_size=3).to_list()

    assert len(users) == 7 and len(set(_ids(users))) == 7
    sent = [dict(r.query) for r in fake_datadog.requests("GET", USERS)]
    assert [(q["page[number]"], q["page[size]"]) for q in sent] == [("0", "3"), ("1", "3"), ("2", "3")]


async def test_users_are_models_with_their_attributes(fake_datadog: FakeDatadog, dd: aiodd.Client) -> None:
    [person] = fake_datadog.seed_users(1, status="Pending")

    [user] = await dd.users.list().to_list()

    assert user.id == person and user.attributes is not None
    assert user.attributes.service_account is False and user.attributes.status == "Pending"
    assert user.attributes.email == "seeded-user-0@example.com"


async def test_users_list_sends_filter_status_sort_and_direction(fake_datadog: FakeDatadog, dd: aiodd.Client) -> None:
    await dd.users.list(filter="bot", status=["Active", "disabled"], sort="-modified_at", sort_dir="desc").to_list()

    [request] = fake_datadog.requests("GET", USERS)
    assert dict(request.query) == {
        "filter": "bot",
        "filter[status]": "Active,Disabled",
        "sort": "-modified_at",
        "sort_dir": "desc",
        "page[size]": "100",
        "page[number]": "0",
    }


@pytest.mark.parametrize(
    ("status", "sent"),
    [
        ("Active", "Active"),
        ("pending", "Pending"),
        ("Active,Disabled", "Active,Disabled"),
        (("Active", "Active"), "Active"),
    ],
)
async def test_status_is_one_value_a_comma_list_or_a_sequence(
    fake_datadog: FakeDatadog, dd: aiodd.Client, status: Any, sent: str
) -> None:
    await dd.users.list(status=status).to_list()
    assert fake_datadog.requests("GET", USERS)[0].query["filter[status]"] == sent


async def test_status_filters_what_comes_back(fake_datadog: FakeDatadog, dd: aiodd.Client) -> None:
    active = fake_datadog.seed(2)
    disabled = fake_datadog.seed(1, status="Disabled")

    assert set(_ids(await dd.users.list(status="Disabled").to_list())) == set(disabled)
    assert set(_ids(await dd.users.list(status="Active").to_list())) == set(active)


async def test_sort_and_filter_reach_the_answer(fake_datadog: FakeDatadog, dd: aiodd.Client) -> None:
    fake_datadog.seed(3)
    fake_datadog.seed_users(2)

    names = [u.attributes.name for u in await dd.users.list(sort="-name", filter="service").to_list() if u.attributes]

    assert names == ["Seeded service account 2", "Seeded service account 1", "Seeded service account 0"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"status": "Deleted"}, "status"),
        ({"status": []}, "status"),
        ({"status": ["Active", 3]}, "status"),
        ({"status": 7}, "status"),
        ({"sort": "email"}, "sort"),
        ({"sort_dir": "up"}, "sort_dir"),
        ({"filter": ""}, "filter"),
        ({"filter": 5}, "filter"),
    ],
)
async def test_bad_arguments_are_refused_before_anything_is_sent(
    fake_datadog: FakeDatadog, dd: aiodd.Client, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(aiodd.InvalidArgumentError, match=message):
        dd.users.list(**arguments)
    with pytest.raises(aiodd.InvalidArgumentError, match=message):
        dd.service_accounts.list(**arguments)
    assert fake_datadog.requests_seen() == 0


async def test_a_refused_listing_raises_a_typed_error_with_the_string_errors(
    fake_datadog: FakeDatadog, dd: aiodd.Client
) -> None:
    fake_datadog.fail_next("GET", USERS, status=403, body={"errors": ["Forbidden: user_access_read required"]})

    with pytest.raises(aiodd.PermissionDeniedError) as caught:
        await dd.users.list().to_list()

    assert caught.value.status == 403 and caught.value.errors == ["Forbidden: user_access_read required"]


# --- dd.service_accounts.list -------------------------------------------------------------------


async def test_service_accounts_list_keeps_only_active_service_accounts(
    fake_datadog: FakeDatadog, dd: aiodd.Client
) -> None:
    active = fake_datadog.seed(2)
    fake_datadog.seed(1, status="Disabled")
    fake_datadog.seed_users(2)

    accounts = await dd.service_accounts.list().to_list()

    assert sorted(_ids(accounts)) == sorted(active)  # type: ignore[type-var]
    assert fake_datadog.requests("GET", USERS)[0].query["filter[status]"] == "Active"


async def test_service_accounts_list_with_status_none_includes_disabled_ones(
    fake_datadog: FakeDatadog, dd: aiodd.Client
) -> None:
    accounts = fake_datadog.seed(1) + fake_datadog.seed(1, status="Disabled")
    fake_datadog.seed_users(1)

    listed = await dd.service_accounts.list(status=None).to_list()

    assert sorted(_ids(listed)) == sorted(accounts)  # type: ignore[type-var]
    assert "filter[status]" not in fake_datadog.requests("GET", USERS)[0].query


async def test_service_accounts_among_many_people_are_found_on_every_page(
    fake_datadog: FakeDatadog, dd: aiodd.Client
) -> None:
    # Names sort people ("Seeded user ...") after accounts; -name puts the accounts on the last page.
    accounts = fake_datadog.seed(3)
    fake_datadog.seed_users(25)

    listed = await dd.service_accounts.list(sort="-name", page_size=10).to_list()

    assert sorted(_ids(listed)) == sorted(accounts)  # type: ignore[type-var]
    assert fake_datadog.requests_seen("GET", USERS) == 3  # 28 users: pages of 10, 10 and 8
