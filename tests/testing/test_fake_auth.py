"""Both key headers are required; refusals come in each group's error format."""

from __future__ import annotations

import aiohttp
import pytest
from fakehttp import ACTIONS_JSON, REGISTRATIONS, SA_JSON, RawAPI

from aiodd.testing import FakeDatadog


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"DD-API-KEY": "API"},
        {"DD-APPLICATION-KEY": "APP"},
        {"DD-API-KEY": "wrong", "DD-APPLICATION-KEY": "APP"},
        {"DD-API-KEY": "API", "DD-APPLICATION-KEY": "wrong"},
    ],
    ids=["none", "api-only", "app-only", "wrong-api", "wrong-app"],
)
async def test_missing_or_wrong_keys_are_403(fake_datadog: FakeDatadog, headers: dict[str, str]) -> None:
    real = {"API": fake_datadog.api_key, "APP": fake_datadog.app_key}
    sent = {name: real.get(value, value) for name, value in headers.items()}

    async with aiohttp.ClientSession(base_url=fake_datadog.base_url, headers=sent) as session:
        api = RawAPI(session)
        sa = await api.call("GET", "/api/v2/service_accounts/x/application_keys")
        actions = await api.call("GET", REGISTRATIONS)

    assert (sa[0], sa[1]["Content-Type"], sa[2]) == (403, SA_JSON, {"errors": ["Forbidden"]})
    assert (actions[0], actions[1]["Content-Type"]) == (403, ACTIONS_JSON)
    assert actions[2] == {"errors": [{"status": "403", "title": "Forbidden", "detail": "Forbidden"}]}
    assert fake_datadog.state.service_accounts() == []


async def test_given_keys_are_the_ones_accepted() -> None:
    async with (
        FakeDatadog(api_key="a" * 32, app_key="b" * 40) as fake,
        aiohttp.ClientSession(
            base_url=fake.base_url, headers={"DD-API-KEY": "a" * 32, "DD-APPLICATION-KEY": "b" * 40}
        ) as session,
    ):
        status, _, _ = await RawAPI(session).call("GET", REGISTRATIONS)

    assert status == 200


def test_random_keys_have_datadog_shapes_and_differ_per_instance() -> None:
    first, second = FakeDatadog(), FakeDatadog()

    assert len(first.api_key) == 32
    assert len(first.app_key) == 40
    assert first.api_key != second.api_key
    assert first.app_key != second.app_key


def test_repr_shows_no_key() -> None:
    fake = FakeDatadog()

    assert fake.api_key not in repr(fake)
    assert fake.app_key not in repr(fake)


async def test_unknown_paths_are_plain_404s(api: RawAPI) -> None:
    status, _, _ = await api.call("GET", "/api/v2/roles")

    assert status == 404
