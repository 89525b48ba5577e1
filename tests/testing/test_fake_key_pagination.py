"""Listing application keys: page math, totals, sorting, filters and bounds, also at 100k keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fakehttp import KEYS, RawAPI

from aiodd.testing import FakeDatadog


async def _account_with_keys(api: RawAPI, names: list[str]) -> str:
    sa_id = (await api.create_service_account())["data"]["id"]
    for name in names:
        await api.create_key(sa_id, name)
    return sa_id


async def _names(api: RawAPI, sa_id: str, **params: str) -> list[str]:
    status, _, body = await api.call("GET", KEYS.format(sa=sa_id), params=params)
    assert status == 200, body
    return [key["attributes"]["name"] for key in body["data"]]


async def test_default_page_is_ten_keys_sorted_by_name_with_the_total(api: RawAPI) -> None:
    names = [f"key-{n:02d}" for n in range(25)]
    sa_id = await _account_with_keys(api, list(reversed(names)))

    status, _, body = await api.call("GET", KEYS.format(sa=sa_id))

    assert status == 200
    assert [key["attributes"]["name"] for key in body["data"]] == names[:10]
    assert body["meta"]["page"]["total_filtered_count"] == 25
    assert body["meta"]["max_allowed_per_user"] == 1000
    assert [(item["type"], item["id"]) for item in body["included"]] == [("users", sa_id)]


async def test_page_number_starts_at_zero_and_the_last_page_is_partial(api: RawAPI) -> None:
    names = [f"key-{n:02d}" for n in range(7)]
    sa_id = await _account_with_keys(api, names)

    pages = [await _names(api, sa_id, **{"page[size]": "3", "page[number]": str(n)}) for n in range(4)]

    assert pages == [names[0:3], names[3:6], names[6:7], []]


async def test_an_empty_page_has_no_included_and_keeps_the_total(api: RawAPI) -> None:
    sa_id = await _account_with_keys(api, ["a", "b"])

    _, _, body = await api.call("GET", KEYS.format(sa=sa_id), params={"page[number]": "5"})

    assert body["data"] == []
    assert "included" not in body
    assert body["meta"]["page"]["total_filtered_count"] == 2


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["alpha", "bravo", "charlie"]),
        ("-name", ["charlie", "bravo", "alpha"]),
        ("created_at", ["bravo", "charlie", "alpha"]),
        ("-created_at", ["alpha", "charlie", "bravo"]),
    ],
)
async def test_sort_orders(api: RawAPI, sort: str, expected: list[str]) -> None:
    sa_id = await _account_with_keys(api, ["bravo", "charlie", "alpha"])

    assert await _names(api, sa_id, sort=sort) == expected


async def test_sort_by_last4_follows_the_secrets(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa_id = await _account_with_keys(api, ["a", "b", "c", "d"])
    by_last4 = sorted(fake_datadog.state.application_keys(sa_id), key=lambda key: key.last4)

    _, _, body = await api.call("GET", KEYS.format(sa=sa_id), params={"sort": "-last4"})

    assert [key["attributes"]["last4"] for key in body["data"]] == [key.last4 for key in reversed(by_last4)]


async def test_descending_pages_walk_the_reverse_order_without_overlap(api: RawAPI) -> None:
    names = [f"key-{n:02d}" for n in range(7)]
    sa_id = await _account_with_keys(api, names)

    pages = [await _names(api, sa_id, sort="-name", **{"page[size]": "3", "page[number]": str(n)}) for n in range(3)]

    assert [name for page in pages for name in page] == list(reversed(names))


async def test_filter_is_a_case_insensitive_substring_of_the_name(api: RawAPI) -> None:
    sa_id = await _account_with_keys(api, ["Deploy-prod", "deploy-staging", "ci", "redeploy"])

    _, _, body = await api.call("GET", KEYS.format(sa=sa_id), params={"filter": "DEPLOY"})

    assert [key["attributes"]["name"] for key in body["data"]] == ["Deploy-prod", "deploy-staging", "redeploy"]
    assert body["meta"]["page"]["total_filtered_count"] == 3


async def test_created_at_filters_are_inclusive_bounds(api: RawAPI, fake_datadog: FakeDatadog) -> None:
    sa_id = await _account_with_keys(api, ["k0", "k1", "k2", "k3"])
    created = [key.created_at for key in fake_datadog.state.application_keys(sa_id)]

    middle = await _names(
        api,
        sa_id,
        **{"filter[created_at][start]": created[1].isoformat(), "filter[created_at][end]": created[2].isoformat()},
    )
    after = await _names(api, sa_id, **{"filter[created_at][start]": (created[3] + timedelta(seconds=1)).isoformat()})

    assert middle == ["k1", "k2"]
    assert after == []


async def test_created_at_filter_accepts_a_z_suffix(api: RawAPI) -> None:
    sa_id = await _account_with_keys(api, ["k"])

    assert await _names(api, sa_id, **{"filter[created_at][end]": "2000-01-01T00:00:00Z"}) == []
    assert await _names(api, sa_id, **{"filter[created_at][start]": "2000-01-01T00:00:00Z"}) == ["k"]


@pytest.mark.parametrize(
    "params",
    [
        {"page[size]": "101"},
        {"page[size]": "0"},
        {"page[size]": "ten"},
        {"page[number]": "-1"},
        {"sort": "secret"},
        {"filter[created_at][start]": "yesterday"},
    ],
)
async def test_out_of_bounds_parameters_are_400_in_the_string_error_format(api: RawAPI, params: dict[str, str]) -> None:
    sa_id = await _account_with_keys(api, [])

    status, headers, body = await api.call("GET", KEYS.format(sa=sa_id), params=params)

    assert status == 400
    assert headers["Content-Type"] == "application/json"
    assert len(body["errors"]) == 1
    assert isinstance(body["errors"][0], str)


async def test_page_size_100_is_allowed(api: RawAPI) -> None:
    sa_id = await _account_with_keys(api, ["only"])

    assert await _names(api, sa_id, **{"page[size]": "100"}) == ["only"]


async def test_a_listing_reflects_keys_created_renamed_and_deleted_since_the_last_one(api: RawAPI) -> None:
    sa_id = await _account_with_keys(api, ["b", "d"])
    assert await _names(api, sa_id) == ["b", "d"]  # builds the sorted view
    created = (await api.create_key(sa_id, "a"))["data"]["id"]
    d_id = next(
        key["id"]
        for key in (await api.call("GET", KEYS.format(sa=sa_id)))[2]["data"]
        if key["attributes"]["name"] == "d"
    )
    rename = {"data": {"id": created, "type": "application_keys", "attributes": {"name": "z"}}}

    await api.call("PATCH", f"{KEYS.format(sa=sa_id)}/{created}", json=rename)
    await api.call("DELETE", f"{KEYS.format(sa=sa_id)}/{d_id}")

    assert await _names(api, sa_id) == ["b", "z"]
    assert await _names(api, sa_id, filter="z") == ["z"]


async def test_seeded_100k_keys_page_correctly(fake_datadog: FakeDatadog, api: RawAPI) -> None:
    [sa_id] = fake_datadog.seed(service_accounts=1, keys_per_account=100_000)
    keys = fake_datadog.state.application_keys(sa_id)

    first = await _names(api, sa_id, **{"page[size]": "100"})
    last_status, _, last = await api.call(
        "GET", KEYS.format(sa=sa_id), params={"page[size]": "100", "page[number]": "999", "sort": "-created_at"}
    )
    beyond = await _names(api, sa_id, **{"page[size]": "100", "page[number]": "1000"})

    assert len(keys) == 100_000
    assert first == [key.name for key in keys[:100]]  # seeded names sort in creation order
    assert last_status == 200
    assert [key["id"] for key in last["data"]] == [key.id for key in reversed(keys[:100])]
    assert last["meta"]["page"]["total_filtered_count"] == 100_000
    assert beyond == []


async def test_walking_all_pages_of_10k_keys_sees_every_key_once(fake_datadog: FakeDatadog, api: RawAPI) -> None:
    [sa_id] = fake_datadog.seed(service_accounts=1, keys_per_account=10_000)
    seen: list[str] = []

    for number in range(101):  # one page past the end
        _, _, body = await api.call(
            "GET", KEYS.format(sa=sa_id), params={"page[size]": "100", "page[number]": str(number), "filter": "seeded"}
        )
        seen.extend(key["id"] for key in body["data"])

    assert len(seen) == len(set(seen)) == 10_000


def test_seed_returns_the_account_ids_and_spreads_keys_over_them() -> None:
    fake = FakeDatadog()

    ids = fake.seed(service_accounts=3, keys_per_account=4)

    assert len(ids) == len(set(ids)) == 3
    assert [len(fake.state.application_keys(sa_id)) for sa_id in ids] == [4, 4, 4]
    secrets = {key.secret for sa_id in ids for key in fake.state.application_keys(sa_id)}
    assert len(secrets) == 12
