"""``dd.service_accounts`` and ``dd.service_accounts.application_keys``: what each call sends and
what it returns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

import aiodd
from aiodd.models import (
    ApplicationKeyResponse,
    PartialApplicationKey,
    PartialApplicationKeyResponse,
    Role,
    UserResponse,
)

from stubserver import API_KEY, APP_KEY

if TYPE_CHECKING:
    from stubserver import StubAPI

SA = "c0ea5a28-68e7-11ee-af78-7221d1e45f66"
KEY = "6315ab43-ce92-4130-b6d2-94ceb5f7142a"
SECRET = "s3cr3t0123456789abcdef0123456789abcdef01"
ACCOUNTS_PATH = "/api/v2/service_accounts"
KEYS_PATH = f"/api/v2/service_accounts/{SA}/application_keys"
KEY_PATH = f"{KEYS_PATH}/{KEY}"


@pytest.fixture
async def dd(stub: StubAPI) -> AsyncIterator[aiodd.Client]:
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url) as client:  # type: ignore[attr-defined]
        yield client


Call = Callable[[aiodd.Client], Awaitable[Any]]

# Answers shaped like the real ones: extra fields, null title/name/scopes, a leak_information
# relationship, and timestamps with microseconds and an offset.
CREATED_ACCOUNT: dict[str, Any] = {
    "data": {
        "type": "users",
        "id": SA,
        "attributes": {
            "name": "Deploy bot",
            "handle": SA,
            "created_at": "2023-10-12T10:11:47.838233+00:00",
            "modified_at": "2023-10-12T10:11:47.838233+00:00",
            "email": "deploy-bot@example.com",
            "title": None,
            "verified": True,
            "service_account": True,
            "disabled": False,
            "allowed_login_methods": [],
            "status": "Active",
            "uuid": SA,
        },
        "relationships": {
            "roles": {"data": [{"type": "roles", "id": "role-1"}]},
            "org": {"data": {"type": "orgs", "id": "org-1"}},
        },
    },
    "included": [{"type": "roles", "id": "role-1", "attributes": {"name": "Deployers"}}],
}
CREATED_KEY: dict[str, Any] = {
    "data": {
        "type": "application_keys",
        "id": KEY,
        "attributes": {
            "name": "deploy",
            "created_at": "2023-10-12T10:11:48.340554+00:00",
            "last4": "ef01",
            "key": SECRET,
            "scopes": ["dashboards_read"],
        },
        "relationships": {
            "owned_by": {"data": {"type": "users", "id": SA}},
            "leak_information": {"data": None},
        },
    }
}


def partial_key(key_id: str = KEY, name: str = "deploy") -> dict[str, Any]:
    return {
        "type": "application_keys",
        "id": key_id,
        "attributes": {"name": name, "created_at": "2020-11-23T10:00:00.000Z", "last4": "abcd", "scopes": None},
        "relationships": {"leak_information": {"data": None}},
    }


def key_page(ids: list[str], total: int | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"max_allowed_per_user": 1000}
    if total is not None:
        meta["page"] = {"total_filtered_count": total}
    return {"data": [partial_key(key_id) for key_id in ids], "meta": meta}


def lowered(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def assert_authenticated_json_request(headers: dict[str, str]) -> None:
    sent = lowered(headers)
    assert sent["dd-api-key"] == API_KEY
    assert sent["dd-application-key"] == APP_KEY
    assert sent["content-type"] == "application/json"


# --- service_accounts.create ----------------------------------------------------------------


async def test_create_service_account_posts_the_account_with_its_roles(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("POST", ACCOUNTS_PATH, status=201, json=CREATED_ACCOUNT)
    await dd.service_accounts.create(
        email="deploy-bot@example.com", name="Deploy bot", title="CI", role_ids=["role-1", "role-2"]
    )
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.query) == ("POST", ACCOUNTS_PATH, {})
    assert_authenticated_json_request(seen.headers)
    assert seen.json == {
        "data": {
            "type": "users",
            "attributes": {
                "email": "deploy-bot@example.com",
                "name": "Deploy bot",
                "title": "CI",
                "service_account": True,
            },
            "relationships": {
                "roles": {"data": [{"id": "role-1", "type": "roles"}, {"id": "role-2", "type": "roles"}]}
            },
        }
    }


async def test_create_service_account_omits_what_was_not_given(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("POST", ACCOUNTS_PATH, status=201, json=CREATED_ACCOUNT)
    await dd.service_accounts.create(email="deploy-bot@example.com")
    assert stub.seen[0].json == {
        "data": {"type": "users", "attributes": {"email": "deploy-bot@example.com", "service_account": True}}
    }


async def test_create_service_account_returns_the_structured_user(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("POST", ACCOUNTS_PATH, status=201, json=CREATED_ACCOUNT)
    result = await dd.service_accounts.create(email="deploy-bot@example.com")
    assert isinstance(result, UserResponse)
    assert result.data is not None and result.data.attributes is not None
    assert result.data.id == SA
    assert result.data.attributes.service_account is True
    assert result.data.attributes.title is None
    assert result.data.attributes.created_at == datetime(2023, 10, 12, 10, 11, 47, 838233, tzinfo=UTC)
    assert result.included is not None
    assert isinstance(result.included[0], Role)


# --- application_keys.create ----------------------------------------------------------------


async def test_create_key_posts_its_name_and_scopes(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("POST", KEYS_PATH, status=201, json=CREATED_KEY)
    await dd.service_accounts.application_keys.create(SA, name="deploy", scopes=["dashboards_read", "apm_read"])
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.query) == ("POST", KEYS_PATH, {})
    assert_authenticated_json_request(seen.headers)
    assert seen.json == {
        "data": {
            "type": "application_keys",
            "attributes": {"name": "deploy", "scopes": ["dashboards_read", "apm_read"]},
        }
    }


async def test_create_key_without_scopes_sends_no_scopes(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("POST", KEYS_PATH, status=201, json=CREATED_KEY)
    await dd.service_accounts.application_keys.create(SA, name="deploy")
    assert stub.seen[0].json == {"data": {"type": "application_keys", "attributes": {"name": "deploy"}}}


async def test_create_key_returns_the_secret_once(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("POST", KEYS_PATH, status=201, json=CREATED_KEY)
    result = await dd.service_accounts.application_keys.create(SA, name="deploy")
    assert isinstance(result, ApplicationKeyResponse)
    assert result.data is not None and result.data.attributes is not None
    assert result.data.attributes.key == SECRET
    assert result.data.attributes.created_at == datetime(2023, 10, 12, 10, 11, 48, 340554, tzinfo=UTC)
    assert result.data.relationships is not None and result.data.relationships.owned_by is not None
    assert result.data.relationships.owned_by.data.id == SA
    assert SECRET not in repr(result)


# --- application_keys.get / update / delete -------------------------------------------------


async def test_get_key_sends_a_bare_get(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, json={"data": partial_key()})
    await dd.service_accounts.application_keys.get(SA, KEY)
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.query, seen.body) == ("GET", KEY_PATH, {}, b"")
    assert lowered(seen.headers)["dd-api-key"] == API_KEY
    assert lowered(seen.headers)["dd-application-key"] == APP_KEY


async def test_get_key_returns_the_key_without_a_secret(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, json={"data": partial_key()})
    result = await dd.service_accounts.application_keys.get(SA, KEY)
    assert isinstance(result, PartialApplicationKeyResponse)
    assert result.data is not None and result.data.attributes is not None
    assert result.data.id == KEY
    assert result.data.attributes.last4 == "abcd"
    assert result.data.attributes.scopes is None
    assert result.data.attributes.created_at == datetime(2020, 11, 23, 10, 0, tzinfo=UTC)
    assert not hasattr(result.data.attributes, "key")


async def test_update_key_patches_name_and_scopes_with_the_key_id(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PATCH", KEY_PATH, json={"data": partial_key(name="deploy-v2")})
    await dd.service_accounts.application_keys.update(SA, KEY, name="deploy-v2", scopes=["apm_read"])
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.query) == ("PATCH", KEY_PATH, {})
    assert_authenticated_json_request(seen.headers)
    assert seen.json == {
        "data": {
            "id": KEY,
            "type": "application_keys",
            "attributes": {"name": "deploy-v2", "scopes": ["apm_read"]},
        }
    }


async def test_update_key_sends_only_what_changes(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PATCH", KEY_PATH, json={"data": partial_key(name="deploy-v2")})
    await dd.service_accounts.application_keys.update(SA, KEY, name="deploy-v2")
    assert stub.seen[0].json == {"data": {"id": KEY, "type": "application_keys", "attributes": {"name": "deploy-v2"}}}


async def test_update_key_can_clear_scopes(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PATCH", KEY_PATH, json={"data": partial_key()})
    await dd.service_accounts.application_keys.update(SA, KEY, scopes=[])
    assert stub.seen[0].json == {"data": {"id": KEY, "type": "application_keys", "attributes": {"scopes": []}}}


async def test_update_key_with_scopes_none_sends_null_scopes(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PATCH", KEY_PATH, json={"data": partial_key()})
    await dd.service_accounts.application_keys.update(SA, KEY, scopes=None)
    assert stub.seen[0].json == {"data": {"id": KEY, "type": "application_keys", "attributes": {"scopes": None}}}


async def test_update_key_sends_not_given_arguments_as_nothing(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PATCH", KEY_PATH, json={"data": partial_key()})
    await dd.service_accounts.application_keys.update(SA, KEY, name="deploy-v2", scopes=aiodd.NOT_GIVEN)
    assert stub.seen[0].json == {"data": {"id": KEY, "type": "application_keys", "attributes": {"name": "deploy-v2"}}}


async def test_update_key_with_name_none_keeps_the_name(dd: aiodd.Client, stub: StubAPI) -> None:
    """A name cannot be null: ``name=None`` leaves it out, as before ``NOT_GIVEN`` existed."""
    stub.reply("PATCH", KEY_PATH, json={"data": partial_key()})
    await dd.service_accounts.application_keys.update(SA, KEY, name=None, scopes=["apm_read"])
    assert stub.seen[0].json == {
        "data": {"id": KEY, "type": "application_keys", "attributes": {"scopes": ["apm_read"]}}
    }


async def test_update_key_returns_the_updated_key(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PATCH", KEY_PATH, json={"data": partial_key(name="deploy-v2")})
    result = await dd.service_accounts.application_keys.update(SA, KEY, name="deploy-v2")
    assert isinstance(result, PartialApplicationKeyResponse)
    assert result.data is not None and result.data.attributes is not None
    assert result.data.attributes.name == "deploy-v2"


async def test_delete_key_sends_a_bare_delete_and_returns_none(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("DELETE", KEY_PATH, status=204, body=b"", headers={"Content-Type": "text/html; charset=utf-8"})
    assert await dd.service_accounts.application_keys.delete(SA, KEY) is None
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.query, seen.body) == ("DELETE", KEY_PATH, {}, b"")
    assert lowered(seen.headers)["dd-api-key"] == API_KEY


async def test_deleting_a_missing_key_raises_not_found(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("DELETE", KEY_PATH, status=404, json={"errors": ["Application key not found"]})
    with pytest.raises(aiodd.NotFoundError) as caught:
        await dd.service_accounts.application_keys.delete(SA, KEY)
    assert caught.value.errors == ["Application key not found"]


# --- application_keys.list --------------------------------------------------------------------


async def test_list_keys_asks_for_page_zero_of_100_by_default(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEYS_PATH, json=key_page([KEY], total=1))
    await dd.service_accounts.application_keys.list(SA).to_list()
    [seen] = stub.seen
    assert (seen.method, seen.path, seen.body) == ("GET", KEYS_PATH, b"")
    assert seen.query == {"page[size]": "100", "page[number]": "0"}
    assert lowered(seen.headers)["dd-application-key"] == APP_KEY


async def test_list_keys_sends_sort_filter_and_creation_window(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEYS_PATH, json=key_page([KEY], total=1))
    paginator = dd.service_accounts.application_keys.list(
        SA,
        page_size=50,
        sort="-created_at",
        filter="deploy",
        created_after=datetime(2024, 1, 1, tzinfo=UTC),
        created_before=datetime(2024, 2, 1, 12, 30, tzinfo=timezone(timedelta(hours=2))),
    )
    await paginator.to_list()
    assert stub.seen[0].query == {
        "page[size]": "50",
        "page[number]": "0",
        "sort": "-created_at",
        "filter": "deploy",
        "filter[created_at][start]": "2024-01-01T00:00:00+00:00",  # the "+" survives the query string
        "filter[created_at][end]": "2024-02-01T12:30:00+02:00",
    }


async def test_list_keys_passes_an_iso_string_window_through(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEYS_PATH, json=key_page([], total=0))
    await dd.service_accounts.application_keys.list(SA, created_after="2024-01-01T00:00:00Z").to_list()
    assert stub.seen[0].query["filter[created_at][start]"] == "2024-01-01T00:00:00Z"
    assert "filter[created_at][end]" not in stub.seen[0].query


async def test_list_keys_filter_with_reserved_characters_arrives_intact(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEYS_PATH, json=key_page([], total=0))
    await dd.service_accounts.application_keys.list(SA, filter="a b&sort=name+x#y").to_list()
    assert stub.seen[0].query["filter"] == "a b&sort=name+x#y"
    assert "sort" not in stub.seen[0].query


async def test_list_keys_yields_structured_keys_across_pages(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEYS_PATH, json=key_page(["k1", "k2"], total=3))
    stub.reply("GET", KEYS_PATH, json=key_page(["k3"], total=3))
    keys = [key async for key in dd.service_accounts.application_keys.list(SA, page_size=2)]
    assert all(isinstance(key, PartialApplicationKey) for key in keys)
    assert [key.id for key in keys] == ["k1", "k2", "k3"]
    assert [seen.query["page[number]"] for seen in stub.seen] == ["0", "1"]
    assert {seen.query["page[size]"] for seen in stub.seen} == {"2"}


async def test_list_keys_stops_when_the_total_is_reached_at_a_full_page(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEYS_PATH, json=key_page(["k1", "k2"], total=4))
    stub.reply("GET", KEYS_PATH, json=key_page(["k3", "k4"], total=4))
    keys = await dd.service_accounts.application_keys.list(SA, page_size=2).to_list()
    assert [key.id for key in keys] == ["k1", "k2", "k3", "k4"]
    assert len(stub.seen) == 2


async def test_list_keys_pages_yields_documents_with_meta(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEYS_PATH, json=key_page(["k1"], total=1))
    pages = [page async for page in dd.service_accounts.application_keys.list(SA).pages()]
    assert len(pages) == 1
    assert pages[0].meta is not None and pages[0].meta.page is not None
    assert pages[0].meta.page.total_filtered_count == 1
    assert pages[0].meta.max_allowed_per_user == 1000


async def test_list_keys_of_an_account_without_keys_is_empty(dd: aiodd.Client, stub: StubAPI) -> None:
    # The real answer: {"data":[],"meta":{"page":{"total_filtered_count":0},"max_allowed_per_user":1000}}
    stub.reply("GET", KEYS_PATH, json=key_page([], total=0))
    assert await dd.service_accounts.application_keys.list(SA).to_list() == []
    assert len(stub.seen) == 1


async def test_list_keys_sends_nothing_until_iterated(dd: aiodd.Client, stub: StubAPI) -> None:
    dd.service_accounts.application_keys.list(SA, sort="name")
    assert stub.seen == []


async def test_list_keys_to_list_with_a_limit_fetches_only_what_it_needs(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEYS_PATH, json=key_page(["k1", "k2"], total=6))
    keys = await dd.service_accounts.application_keys.list(SA, page_size=2).to_list(limit=2)
    assert [key.id for key in keys] == ["k1", "k2"]
    assert len(stub.seen) == 1


# --- path parameters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_id", "segment"),
    [
        ("a/b", "a%2Fb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("../x", "..%2Fx"),
        ("x?y#z", "x%3Fy%23z"),
        ("50%", "50%25"),
        ("a b", "a%20b"),
    ],
)
async def test_key_id_is_percent_encoded_into_one_path_segment(
    dd: aiodd.Client, stub: StubAPI, key_id: str, segment: str
) -> None:
    stub.reply("GET", f"{KEYS_PATH}/{segment}", json={"data": partial_key(key_id)})
    await dd.service_accounts.application_keys.get(SA, key_id)
    assert stub.seen[0].path == f"{KEYS_PATH}/{segment}"


async def test_service_account_id_dot_dot_cannot_climb_out_of_the_path(dd: aiodd.Client, stub: StubAPI) -> None:
    path = f"/api/v2/service_accounts/%2E%2E/application_keys/{KEY}"
    stub.reply("DELETE", path, status=204)
    await dd.service_accounts.application_keys.delete("..", KEY)
    assert stub.seen[0].path == path


async def test_service_account_id_with_a_slash_stays_one_segment_when_listing(dd: aiodd.Client, stub: StubAPI) -> None:
    path = "/api/v2/service_accounts/..%2F..%2Fusers/application_keys"
    stub.reply("GET", path, json=key_page([], total=0))
    await dd.service_accounts.application_keys.list("../../users").to_list()
    assert stub.seen[0].path == path


async def test_update_key_body_carries_the_raw_key_id(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PATCH", f"{KEYS_PATH}/a%2Fb", json={"data": partial_key("a/b")})
    await dd.service_accounts.application_keys.update(SA, "a/b", name="deploy")
    assert stub.seen[0].json["data"]["id"] == "a/b"


# --- invalid input: refused before anything is sent ---------------------------------------------

INVALID_CALLS: list[tuple[str, Call]] = [
    ("email-empty", lambda dd: dd.service_accounts.create(email="")),
    ("email-blank", lambda dd: dd.service_accounts.create(email="   ")),
    ("name-empty", lambda dd: dd.service_accounts.create(email="a@example.com", name="")),
    ("role-ids-string", lambda dd: dd.service_accounts.create(email="a@example.com", role_ids="role-1")),
    ("role-id-empty", lambda dd: dd.service_accounts.create(email="a@example.com", role_ids=["role-1", ""])),
    ("title-number", lambda dd: dd.service_accounts.create(email="a@example.com", title=123)),  # type: ignore[arg-type]
    ("title-lone-surrogate", lambda dd: dd.service_accounts.create(email="a@example.com", title="x\ud800")),
    ("email-lone-surrogate", lambda dd: dd.service_accounts.create(email="\ud800@example.com")),
    ("scope-number", lambda dd: dd.service_accounts.application_keys.create(SA, "deploy", scopes=[1])),  # type: ignore[list-item]
    ("key-name-empty", lambda dd: dd.service_accounts.application_keys.create(SA, name="")),
    ("key-name-none", lambda dd: dd.service_accounts.application_keys.create(SA, name=None)),  # type: ignore[arg-type]
    ("scopes-string", lambda dd: dd.service_accounts.application_keys.create(SA, "deploy", scopes="apm_read")),
    ("scope-empty", lambda dd: dd.service_accounts.application_keys.create(SA, "deploy", scopes=[""])),
    ("create-sa-empty", lambda dd: dd.service_accounts.application_keys.create("", name="deploy")),
    ("get-sa-empty", lambda dd: dd.service_accounts.application_keys.get("", KEY)),
    ("get-key-empty", lambda dd: dd.service_accounts.application_keys.get(SA, "")),
    ("get-key-none", lambda dd: dd.service_accounts.application_keys.get(SA, None)),  # type: ignore[arg-type]
    ("update-nothing", lambda dd: dd.service_accounts.application_keys.update(SA, KEY)),
    ("update-nothing-explicit", lambda dd: dd.service_accounts.application_keys.update(SA, KEY, aiodd.NOT_GIVEN)),
    ("update-name-none-only", lambda dd: dd.service_accounts.application_keys.update(SA, KEY, name=None)),
    ("update-scopes-string", lambda dd: dd.service_accounts.application_keys.update(SA, KEY, scopes="apm_read")),
    ("update-name-empty", lambda dd: dd.service_accounts.application_keys.update(SA, KEY, name="")),
    ("update-key-empty", lambda dd: dd.service_accounts.application_keys.update(SA, " ", name="x")),
    ("delete-key-empty", lambda dd: dd.service_accounts.application_keys.delete(SA, "")),
]


@pytest.mark.parametrize("call", [call for _, call in INVALID_CALLS], ids=[name for name, _ in INVALID_CALLS])
async def test_invalid_argument_is_refused_with_nothing_sent(dd: aiodd.Client, stub: StubAPI, call: Call) -> None:
    with pytest.raises(aiodd.InvalidArgumentError):
        await call(dd)
    assert stub.seen == []


INVALID_LISTS: list[tuple[str, dict[str, Any], str]] = [
    ("page-size-zero", {"page_size": 0}, "page_size"),
    ("page-size-101", {"page_size": 101}, "page_size"),
    ("page-size-true", {"page_size": True}, "page_size"),
    ("page-size-str", {"page_size": "10"}, "page_size"),
    ("sort-unknown", {"sort": "created"}, "sort"),
    ("sort-not-a-string", {"sort": ["name"]}, "sort"),
    ("filter-empty", {"filter": ""}, "filter"),
    ("created-after-naive", {"created_after": datetime(2024, 1, 1)}, "created_after"),
    ("created-before-naive", {"created_before": datetime(2024, 1, 1)}, "created_before"),
    ("created-after-number", {"created_after": 1704067200}, "created_after"),
    ("created-before-empty", {"created_before": ""}, "created_before"),
    ("created-after-yesterday", {"created_after": "yesterday"}, "created_after"),
    ("created-after-naive-string", {"created_after": "2024-01-01T00:00:00"}, "created_after"),
    ("created-before-date-only", {"created_before": "2024-01-01"}, "created_before"),
]


@pytest.mark.parametrize(
    ("kwargs", "argument"), [(kw, arg) for _, kw, arg in INVALID_LISTS], ids=[name for name, _, _ in INVALID_LISTS]
)
def test_invalid_list_argument_is_refused_when_list_is_called(
    dd: aiodd.Client, stub: StubAPI, kwargs: dict[str, Any], argument: str
) -> None:
    with pytest.raises(aiodd.InvalidArgumentError, match=argument):
        dd.service_accounts.application_keys.list(SA, **kwargs)
    assert stub.seen == []


@pytest.mark.parametrize("page_size", [1, 100])
async def test_page_size_bounds_are_accepted(dd: aiodd.Client, stub: StubAPI, page_size: int) -> None:
    stub.reply("GET", KEYS_PATH, json=key_page([], total=0))
    await dd.service_accounts.application_keys.list(SA, page_size=page_size).to_list()
    assert stub.seen[0].query["page[size]"] == str(page_size)


def test_list_with_an_empty_service_account_id_is_refused(dd: aiodd.Client) -> None:
    with pytest.raises(aiodd.InvalidArgumentError, match="service_account_id"):
        dd.service_accounts.application_keys.list("")
