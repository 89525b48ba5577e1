"""``dd.app_key_registrations``: what each call sends and what it returns.

The Actions group answers ``application/vnd.api+json`` and reports errors as JSON:API objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pytest

import aiodd
from aiodd.models import (
    AppKeyRegistrationData,
    GetAppKeyRegistrationResponse,
    JSONAPIErrorItem,
    RegisterAppKeyResponse,
)

from stubserver import API_KEY, APP_KEY

if TYPE_CHECKING:
    from stubserver import StubAPI

KEY = "b7feea52-994e-4714-a100-1bd9eff5aee1"
REGISTRATIONS_PATH = "/api/v2/actions/app_key_registrations"
REGISTRATION_PATH = f"{REGISTRATIONS_PATH}/{KEY}"
JSON_API = "application/vnd.api+json"


@pytest.fixture
async def dd(stub: StubAPI) -> AsyncIterator[aiodd.Client]:
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url) as client:  # type: ignore[attr-defined]
        yield client


Call = Callable[[aiodd.Client], Awaitable[Any]]


def registration(key_id: str = KEY) -> dict[str, Any]:
    return {"id": key_id, "type": "app_key_registration"}


def registration_page(ids: list[str], total: int | None) -> dict[str, Any]:
    page: dict[str, Any] = {"data": [registration(key_id) for key_id in ids]}
    if total is not None:
        page["meta"] = {"total": total, "total_filtered": total}
    return page


def assert_authenticated(headers: dict[str, str]) -> None:
    sent = {name.lower(): value for name, value in headers.items()}
    assert sent["dd-api-key"] == API_KEY
    assert sent["dd-application-key"] == APP_KEY


# --- register -------------------------------------------------------------------------------


async def test_register_puts_the_key_id_without_a_body(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PUT", REGISTRATION_PATH, status=201, json={"data": registration()}, content_type=JSON_API)
    await dd.app_key_registrations.register(KEY)
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.query, seen.body) == ("PUT", REGISTRATION_PATH, {}, b"")
    assert_authenticated(seen.headers)


async def test_register_returns_the_registration(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PUT", REGISTRATION_PATH, status=201, json={"data": registration()}, content_type=JSON_API)
    result = await dd.app_key_registrations.register(KEY)
    assert result == RegisterAppKeyResponse(AppKeyRegistrationData(id=KEY, type="app_key_registration"))


async def test_register_an_invalid_id_raises_bad_request_with_the_json_api_error(
    dd: aiodd.Client, stub: StubAPI
) -> None:
    error = {
        "status": "400",
        "title": "Invalid Parameter",
        "detail": 'invalid parameter "appKeyId" in "path"; expected type "uuid"',
    }
    stub.reply("PUT", f"{REGISTRATIONS_PATH}/not_valid", status=400, json={"errors": [error]}, content_type=JSON_API)
    with pytest.raises(aiodd.BadRequestError) as caught:
        await dd.app_key_registrations.register("not_valid")
    assert caught.value.errors == [JSONAPIErrorItem(**error)]


# --- get ------------------------------------------------------------------------------------


async def test_get_sends_a_bare_get(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", REGISTRATION_PATH, json={"data": registration()}, content_type=JSON_API)
    await dd.app_key_registrations.get(KEY)
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.query, seen.body) == ("GET", REGISTRATION_PATH, {}, b"")
    assert_authenticated(seen.headers)


async def test_get_returns_the_registration(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", REGISTRATION_PATH, json={"data": registration()}, content_type=JSON_API)
    result = await dd.app_key_registrations.get(KEY)
    assert result == GetAppKeyRegistrationResponse(AppKeyRegistrationData(id=KEY, type="app_key_registration"))


async def test_get_an_unregistered_key_raises_not_found(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply(
        "GET", REGISTRATION_PATH, status=404, json={"errors": [{"detail": "app key not found"}]}, content_type=JSON_API
    )
    with pytest.raises(aiodd.NotFoundError, match="app key not found"):
        await dd.app_key_registrations.get(KEY)


# --- unregister -------------------------------------------------------------------------------


async def test_unregister_sends_a_bare_delete_and_returns_none(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("DELETE", REGISTRATION_PATH, status=204, body=b"", headers={"Content-Type": "text/html; charset=utf-8"})
    assert await dd.app_key_registrations.unregister(KEY) is None
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.query, seen.body) == ("DELETE", REGISTRATION_PATH, {}, b"")
    assert_authenticated(seen.headers)


async def test_unregister_an_unknown_key_raises_not_found(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply(
        "DELETE",
        REGISTRATION_PATH,
        status=404,
        json={"errors": [{"detail": "app key not found"}]},
        content_type=JSON_API,
    )
    with pytest.raises(aiodd.NotFoundError) as caught:
        await dd.app_key_registrations.unregister(KEY)
    assert caught.value.errors == [JSONAPIErrorItem(detail="app key not found")]


# --- list -------------------------------------------------------------------------------------


async def test_list_asks_for_page_zero_of_100_by_default(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", REGISTRATIONS_PATH, json=registration_page([KEY], total=1), content_type=JSON_API)
    await dd.app_key_registrations.list().to_list()
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.body) == ("GET", REGISTRATIONS_PATH, b"")
    assert seen.query == {"page[size]": "100", "page[number]": "0"}
    assert_authenticated(seen.headers)


async def test_list_yields_structured_registrations_across_pages(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", REGISTRATIONS_PATH, json=registration_page(["k1", "k2"], total=3), content_type=JSON_API)
    stub.reply("GET", REGISTRATIONS_PATH, json=registration_page(["k3"], total=3), content_type=JSON_API)
    registrations = [item async for item in dd.app_key_registrations.list(page_size=2)]
    assert registrations == [AppKeyRegistrationData(id=key_id) for key_id in ("k1", "k2", "k3")]
    assert [(seen.query["page[number]"], seen.query["page[size]"]) for seen in stub.seen] == [("0", "2"), ("1", "2")]


async def test_list_stops_when_total_filtered_is_reached_at_a_full_page(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", REGISTRATIONS_PATH, json=registration_page(["k1", "k2"], total=2), content_type=JSON_API)
    assert len(await dd.app_key_registrations.list(page_size=2).to_list()) == 2
    assert len(stub.seen) == 1


async def test_list_without_meta_walks_until_a_short_page(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", REGISTRATIONS_PATH, json=registration_page(["k1", "k2"], total=None), content_type=JSON_API)
    stub.reply("GET", REGISTRATIONS_PATH, json=registration_page([], total=None), content_type=JSON_API)
    assert len(await dd.app_key_registrations.list(page_size=2).to_list()) == 2
    assert [seen.query["page[number]"] for seen in stub.seen] == ["0", "1"]


async def test_list_with_data_null_is_empty(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", REGISTRATIONS_PATH, json={"data": None, "meta": {"total": 0}}, content_type=JSON_API)
    assert await dd.app_key_registrations.list().to_list() == []


async def test_list_pages_yields_documents_with_totals(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", REGISTRATIONS_PATH, json=registration_page([KEY], total=1), content_type=JSON_API)
    [page] = [page async for page in dd.app_key_registrations.list().pages()]
    assert page.meta is not None
    assert (page.meta.total, page.meta.total_filtered) == (1, 1)


async def test_list_sends_nothing_until_iterated(dd: aiodd.Client, stub: StubAPI) -> None:
    dd.app_key_registrations.list(page_size=5)
    assert stub.seen == []


@pytest.mark.parametrize("page_size", [0, 101, -1, True, 2.5, "10"])
def test_list_refuses_a_bad_page_size_when_called(dd: aiodd.Client, stub: StubAPI, page_size: object) -> None:
    with pytest.raises(aiodd.InvalidArgumentError, match="page_size"):
        dd.app_key_registrations.list(page_size=page_size)  # type: ignore[arg-type]
    assert stub.seen == []


# --- path parameter ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_id", "segment"),
    [("a/b", "a%2Fb"), ("..", "%2E%2E"), ("../connections", "..%2Fconnections"), ("k?x=1#f", "k%3Fx%3D1%23f")],
)
async def test_key_id_is_percent_encoded_into_one_path_segment(
    dd: aiodd.Client, stub: StubAPI, key_id: str, segment: str
) -> None:
    stub.reply("GET", f"{REGISTRATIONS_PATH}/{segment}", json={"data": registration(key_id)}, content_type=JSON_API)
    await dd.app_key_registrations.get(key_id)
    assert stub.seen[0].path == f"{REGISTRATIONS_PATH}/{segment}"
    assert stub.seen[0].query == {}


INVALID_CALLS: list[tuple[str, Call]] = [
    ("register-empty", lambda dd: dd.app_key_registrations.register("")),
    ("register-blank", lambda dd: dd.app_key_registrations.register("  ")),
    ("register-none", lambda dd: dd.app_key_registrations.register(None)),  # type: ignore[arg-type]
    ("get-empty", lambda dd: dd.app_key_registrations.get("")),
    ("unregister-empty", lambda dd: dd.app_key_registrations.unregister("")),
]


@pytest.mark.parametrize("call", [call for _, call in INVALID_CALLS], ids=[name for name, _ in INVALID_CALLS])
async def test_empty_key_id_is_refused_with_nothing_sent(dd: aiodd.Client, stub: StubAPI, call: Call) -> None:
    with pytest.raises(aiodd.InvalidArgumentError, match="app_key_id"):
        await call(dd)
    assert stub.seen == []
