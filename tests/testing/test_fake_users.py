"""The fake's Users listing, and the key usage and leaks tests can set: raw HTTP, never through aiodd."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fakehttp import KEYS, SA_JSON, RawAPI

from aiodd.testing import USERS, FakeDatadog

USERS_PATH = "/api/v2/users"


async def _listed(api: RawAPI, **params: str) -> list[dict[str, object]]:
    status, _, body = await api.call("GET", USERS_PATH, params=params)
    assert status == 200, body
    return body["data"]  # type: ignore[no-any-return]


def _names(users: list[dict[str, object]]) -> list[str]:
    return [user["attributes"]["name"] for user in users]  # type: ignore[index]


async def test_service_accounts_and_people_are_listed_as_users(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    created = (await api.create_service_account("Robot@Example.com", name="robot"))["data"]
    person = fake_datadog.state.seed_users(1)[0]

    status, headers, body = await api.call("GET", USERS_PATH)

    assert status == 200 and headers["Content-Type"] == SA_JSON
    by_id = {user["id"]: user["attributes"] for user in body["data"]}
    assert by_id[created["id"]] == created["attributes"]  # the same rendering as the create answer
    assert by_id[created["id"]]["service_account"] is True
    assert by_id[person]["service_account"] is False and by_id[person]["handle"] == by_id[person]["email"]
    assert body["meta"]["page"] == {"total_count": 2, "total_filtered_count": 2}


async def test_a_disabled_service_account_says_so_and_a_pending_user_is_unverified(
    api: RawAPI, fake_datadog: FakeDatadog
) -> None:
    disabled = fake_datadog.seed(1, status="Disabled")[0]
    pending = fake_datadog.seed_users(1, status="Pending")[0]

    by_id = {user["id"]: user["attributes"] for user in await _listed(api)}

    assert by_id[disabled]["status"] == "Disabled" and by_id[disabled]["disabled"] is True  # type: ignore[index]
    assert by_id[pending]["status"] == "Pending" and by_id[pending]["verified"] is False  # type: ignore[index]


async def test_pages_count_from_zero_default_to_ten_and_are_sorted_by_name(
    api: RawAPI, fake_datadog: FakeDatadog
) -> None:
    fake_datadog.seed(15)
    fake_datadog.seed_users(10)

    first, second, third = [await _listed(api, **{"page[number]": str(n)}) for n in range(3)]

    assert len(first) == 10 and len(second) == 10 and len(third) == 5
    names = _names(first + second + third)
    assert names == sorted(names, key=str.casefold) and len(set(names)) == 25


async def test_descending_by_minus_or_by_sort_dir(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    fake_datadog.seed(3)
    ascending = _names(await _listed(api, sort="name"))

    assert _names(await _listed(api, sort="-name")) == ascending[::-1]
    assert _names(await _listed(api, sort="name", sort_dir="desc")) == ascending[::-1]


async def test_modified_at_sort_follows_status_changes(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    first, second = fake_datadog.seed(2)
    fake_datadog.state.set_user_status(first, "Disabled")  # modified after the second

    assert [user["id"] for user in await _listed(api, sort="modified_at")] == [second, first]


async def test_filter_is_a_case_insensitive_substring_of_name_or_email(api: RawAPI) -> None:
    await api.create_service_account("deploy-bot@example.com", name="Deploy Bot")
    await api.create_service_account("billing@example.com", name="Billing")

    assert _names(await _listed(api, filter="DEPLOY")) == ["Deploy Bot"]
    assert _names(await _listed(api, filter="billing@")) == ["Billing"]


async def test_status_filter_takes_a_comma_separated_list(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    active = fake_datadog.seed(1)
    disabled = fake_datadog.seed(1, status="Disabled")
    pending = fake_datadog.seed_users(1, status="Pending")

    def ids(users: list[dict[str, object]]) -> set[object]:
        return {user["id"] for user in users}

    assert ids(await _listed(api, **{"filter[status]": "Disabled"})) == set(disabled)
    assert ids(await _listed(api, **{"filter[status]": "Active,Pending"})) == set(active + pending)
    status, _, body = await api.call("GET", USERS_PATH, params={"filter[status]": "Disabled"})
    assert status == 200
    assert body["meta"]["page"] == {"total_count": 3, "total_filtered_count": 1}


@pytest.mark.parametrize(
    "params",
    [
        {"page[size]": "101"},
        {"page[size]": "0"},
        {"page[number]": "-1"},
        {"sort": "email"},
        {"sort_dir": "up"},
        {"filter[status]": "Deleted"},
        {"filter[status]": "active"},
    ],
)
async def test_bad_query_parameters_answer_400_with_string_errors(api: RawAPI, params: dict[str, str]) -> None:
    status, headers, body = await api.call("GET", USERS_PATH, params=params)

    assert status == 400 and headers["Content-Type"] == SA_JSON
    assert isinstance(body["errors"], list) and all(isinstance(error, str) for error in body["errors"])
    assert next(iter(params)) in body["errors"][0]


@pytest.mark.fake_datadog(rate_limit=(1, 60.0))
async def test_the_listing_has_its_own_rate_limit_bucket(api: RawAPI) -> None:
    first = await api.call("GET", USERS_PATH)
    second = await api.call("GET", USERS_PATH)

    assert first[0] == 200 and first[1]["X-RateLimit-Name"] == USERS
    assert second[0] == 429 and second[2] == {"errors": ["Too many requests"]}


async def test_a_person_owns_no_service_account_keys(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    person = fake_datadog.seed_users(1)[0]

    status, _, body = await api.call("GET", KEYS.format(sa=person))

    assert status == 404 and body == {"errors": ["Service account not found"]}


# --- key usage and leaks ------------------------------------------------------------------------


async def test_last_used_at_appears_once_set(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa = fake_datadog.seed(1, 2)[0]
    unused, used = fake_datadog.state.application_keys(sa)
    when = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)
    fake_datadog.state.set_key_dates(used.id, last_used_at=when)

    listed = {key["id"]: key["attributes"] for key in (await api.call("GET", KEYS.format(sa=sa)))[2]["data"]}

    assert "last_used_at" not in listed[unused.id]  # as in every recording of an unused key
    assert listed[used.id]["last_used_at"] == "2026-01-02T03:04:05.600000+00:00"


async def test_backdating_a_key_reorders_the_created_at_sort(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa = fake_datadog.seed(1, 3)[0]
    keys = fake_datadog.state.application_keys(sa)
    assert [k["id"] for k in (await api.call("GET", KEYS.format(sa=sa), params={"sort": "created_at"}))[2]["data"]] == [
        k.id for k in keys
    ]  # the sorted view now exists and must be kept up to date
    fake_datadog.state.set_key_dates(keys[2].id, created_at=datetime.now(UTC) - timedelta(days=400))

    _, _, body = await api.call("GET", KEYS.format(sa=sa), params={"sort": "created_at"})

    assert [k["id"] for k in body["data"]] == [keys[2].id, keys[0].id, keys[1].id]


async def test_a_leaked_key_points_at_a_leaked_keys_item_in_included(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa = fake_datadog.seed(1, 2)[0]
    clean, leaky = fake_datadog.state.application_keys(sa)
    leak = fake_datadog.state.mark_leaked(leaky.id, date=datetime(2026, 3, 1, tzinfo=UTC), source="github")

    for path in (KEYS.format(sa=sa), f"{KEYS.format(sa=sa)}/{leaky.id}"):
        _, _, body = await api.call("GET", path)
        data = body["data"] if isinstance(body["data"], list) else [body["data"]]
        relations = {key["id"]: key["relationships"]["leak_information"] for key in data}
        assert relations[leaky.id] == {"data": {"type": "leaked_keys", "id": leak.id}}
        assert relations.get(clean.id, {"data": None}) == {"data": None}
        leaked_items = [item for item in body["included"] if item["type"] == "leaked_keys"]
        assert leaked_items == [
            {
                "type": "leaked_keys",
                "id": leak.id,
                "attributes": {"date": "2026-03-01T00:00:00.000000+00:00", "leak_source": "github"},
            }
        ]


async def test_a_key_that_calls_the_api_gets_a_last_used_at(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa = fake_datadog.seed(1)[0]
    created = (await api.create_key(sa, "caller"))["data"]
    assert fake_datadog.state.application_key(created["id"]).last_used_at is None  # type: ignore[union-attr]
    before = datetime.now(UTC)

    status, _, _ = await api.call("GET", USERS_PATH, headers={"DD-APPLICATION-KEY": created["attributes"]["key"]})

    last_used = fake_datadog.state.application_key(created["id"]).last_used_at  # type: ignore[union-attr]
    assert status == 200 and last_used is not None and last_used >= before


def test_state_helpers_refuse_unknown_keys_naive_dates_and_unknown_statuses() -> None:
    fake = FakeDatadog()
    sa = fake.seed(1, 1)[0]
    key = fake.state.application_keys(sa)[0]

    with pytest.raises(KeyError):
        fake.state.mark_leaked("no-such-key")
    with pytest.raises(ValueError, match="timezone-aware"):
        fake.state.set_key_dates(key.id, created_at=datetime(2020, 1, 1))
    with pytest.raises(ValueError, match="Active, Pending, Disabled"):
        fake.seed_users(1, status="Gone")
