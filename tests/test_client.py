"""``aiodd.Client``: lifecycle, what every request carries, and decoding of answers."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import aiohttp
import pytest

import aiodd

from rawserver import RawServer
from stubserver import API_KEY, APP_KEY

if TYPE_CHECKING:
    from stubserver import StubAPI

SA = "00000000-0000-4000-8000-0000000000aa"
KEY = "00000000-0000-4000-8000-0000000000bb"
KEY_PATH = f"/api/v2/service_accounts/{SA}/application_keys/{KEY}"
REGISTRATION_PATH = f"/api/v2/actions/app_key_registrations/{KEY}"
PARTIAL_KEY = {
    "data": {
        "type": "application_keys",
        "id": KEY,
        "attributes": {"name": "deploy", "created_at": "2023-10-12T07:18:34.052468+00:00", "last4": "abcd"},
    }
}


@pytest.fixture
async def dd(stub: StubAPI) -> AsyncIterator[aiodd.Client]:
    """A client that answers with the first reply it gets: no retries to wait for."""
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url, retry=None) as client:  # type: ignore[attr-defined]
        yield client


def lowered(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


# --- lifecycle ------------------------------------------------------------------------------


async def test_exiting_async_with_closes_the_session_the_client_owns(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, json=PARTIAL_KEY)
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url) as client:  # type: ignore[attr-defined]
        await client.service_accounts.application_keys.get(SA, KEY)
        owned = client._session
        assert owned is not None
        assert not owned.closed
    assert owned.closed
    assert client.closed


async def test_exiting_async_with_leaves_a_borrowed_session_open(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, json=PARTIAL_KEY)
    async with aiohttp.ClientSession() as session:
        async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url, session=session) as client:  # type: ignore[attr-defined]
            await client.service_accounts.application_keys.get(SA, KEY)
        assert client.closed
        assert not session.closed


async def test_a_borrowed_session_is_the_one_that_sends_requests(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, json=PARTIAL_KEY)
    async with (
        aiohttp.ClientSession(headers={"X-Borrowed-Session": "yes"}) as session,
        aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url, session=session) as client,  # type: ignore[attr-defined]
    ):
        await client.service_accounts.application_keys.get(SA, KEY)
    assert lowered(stub.seen[0].headers)["x-borrowed-session"] == "yes"


async def test_a_client_used_without_async_with_opens_on_first_request_and_close_releases_it(
    stub: StubAPI,
) -> None:
    stub.reply("GET", KEY_PATH, json=PARTIAL_KEY)
    client = aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url)  # type: ignore[attr-defined]
    result = await client.service_accounts.application_keys.get(SA, KEY)
    owned = client._session
    await client.close()
    assert result.data is not None
    assert owned is not None
    assert owned.closed


async def test_using_a_closed_client_raises_a_clear_error_and_sends_nothing(stub: StubAPI) -> None:
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url) as client:  # type: ignore[attr-defined]
        pass
    with pytest.raises(aiodd.Error, match="closed") as caught:
        await client.service_accounts.application_keys.get(SA, KEY)
    assert isinstance(caught.value, RuntimeError)
    assert stub.seen == []


async def test_a_closed_client_cannot_be_entered_again(stub: StubAPI) -> None:
    client = aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url)  # type: ignore[attr-defined]
    await client.close()
    with pytest.raises(aiodd.Error, match="closed"):
        async with client:
            pass


async def test_close_is_idempotent(stub: StubAPI) -> None:
    client = aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url)  # type: ignore[attr-defined]
    await client.close()
    await client.close()
    assert client.closed


async def test_exiting_async_with_on_an_exception_still_closes_the_owned_session(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, json=PARTIAL_KEY)
    with pytest.raises(RuntimeError, match="boom"):
        async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url) as client:  # type: ignore[attr-defined]
            await client.service_accounts.application_keys.get(SA, KEY)
            owned = client._session
            raise RuntimeError("boom")
    assert owned is not None
    assert owned.closed


# --- what every request carries ---------------------------------------------------------------


async def test_keys_are_sent_as_dd_api_key_and_dd_application_key(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, json=PARTIAL_KEY)
    await dd.service_accounts.application_keys.get(SA, KEY)
    headers = lowered(stub.seen[0].headers)
    assert headers["dd-api-key"] == API_KEY
    assert headers["dd-application-key"] == APP_KEY


async def test_user_agent_names_aiodd_and_its_version(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, json=PARTIAL_KEY)
    await dd.service_accounts.application_keys.get(SA, KEY)
    assert lowered(stub.seen[0].headers)["user-agent"].startswith(f"aiodd/{aiodd.__version__} ")


async def test_user_agent_can_be_replaced(stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, json=PARTIAL_KEY)
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url, user_agent="deployer/2") as client:  # type: ignore[attr-defined]
        await client.service_accounts.application_keys.get(SA, KEY)
    assert lowered(stub.seen[0].headers)["user-agent"] == "deployer/2"


async def test_requests_accept_json(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, json=PARTIAL_KEY)
    await dd.service_accounts.application_keys.get(SA, KEY)
    assert lowered(stub.seen[0].headers)["accept"] == "application/json"


async def test_a_request_with_a_body_declares_it_as_json(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PATCH", KEY_PATH, json=PARTIAL_KEY)
    await dd.service_accounts.application_keys.update(SA, KEY, name="deploy")
    assert lowered(stub.seen[0].headers)["content-type"] == "application/json"


async def test_a_request_without_a_body_sends_no_content_type(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("PUT", REGISTRATION_PATH, status=201, json={"data": {"id": KEY, "type": "app_key_registration"}})
    await dd.app_key_registrations.register(KEY)
    assert "content-type" not in lowered(stub.seen[0].headers)
    assert stub.seen[0].body == b""


async def test_requests_go_under_the_base_url_path_prefix(stub: StubAPI) -> None:
    stub.reply("GET", "/proxy" + KEY_PATH, json=PARTIAL_KEY)
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url + "/proxy/") as client:  # type: ignore[attr-defined]
        await client.service_accounts.application_keys.get(SA, KEY)
    assert stub.seen[0].path == "/proxy" + KEY_PATH


# --- decoding answers -----------------------------------------------------------------------


async def test_204_with_text_html_and_an_empty_body_is_a_success(dd: aiodd.Client, stub: StubAPI) -> None:
    # Real Datadog answers DELETE with "Content-Type: text/html; charset=utf-8" and no body.
    stub.reply("DELETE", KEY_PATH, status=204, body=b"", headers={"Content-Type": "text/html; charset=utf-8"})
    assert await dd.service_accounts.application_keys.delete(SA, KEY) is None


async def test_204_without_a_content_type_is_a_success(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("DELETE", REGISTRATION_PATH, status=204)
    assert await dd.app_key_registrations.unregister(KEY) is None


@pytest.mark.parametrize("status", [301, 302, 303, 304, 307, 308])
@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT"])
async def test_a_3xx_answer_is_an_error_and_its_location_is_never_followed(
    dd: aiodd.Client, stub: StubAPI, status: int, method: str
) -> None:
    # A 302 to a DELETE once passed for success: the report said "rotated" while the key lived on.
    elsewhere = "/somewhere-else"
    stub.reply(method, KEY_PATH if method != "PUT" else REGISTRATION_PATH, status=status,
               headers={"Location": stub.base_url + elsewhere})  # type: ignore[attr-defined]  # fmt: skip
    stub.reply("GET", elsewhere, json=PARTIAL_KEY)
    with pytest.raises(aiodd.APIStatusError) as caught:
        if method == "GET":
            await dd.service_accounts.application_keys.get(SA, KEY)
        elif method == "DELETE":
            await dd.service_accounts.application_keys.delete(SA, KEY)
        else:
            await dd.app_key_registrations.register(KEY)
    assert caught.value.status == status
    assert type(caught.value) is aiodd.APIStatusError  # not one of the 4xx/5xx subclasses
    assert [seen.path for seen in stub.seen] == [KEY_PATH if method != "PUT" else REGISTRATION_PATH]


async def test_vnd_api_json_answer_is_decoded(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply(
        "GET",
        REGISTRATION_PATH,
        json={"data": {"id": KEY, "type": "app_key_registration"}},
        content_type="application/vnd.api+json",
    )
    result = await dd.app_key_registrations.get(KEY)
    assert result.data is not None
    assert result.data.id == KEY


async def test_non_json_success_raises_response_validation_error_with_status_and_body_snippet(
    dd: aiodd.Client, stub: StubAPI
) -> None:
    stub.reply("GET", KEY_PATH, body=b"<html><body>maintenance</body></html>", content_type="text/html")
    with pytest.raises(aiodd.APIResponseValidationError) as caught:
        await dd.service_accounts.application_keys.get(SA, KEY)
    error = caught.value
    assert error.status == 200
    assert "HTTP 200" in str(error)
    assert "<html><body>maintenance" in str(error)
    assert error.body == "<html><body>maintenance</body></html>"
    assert error.method == "GET"
    assert error.url.endswith(KEY_PATH)


async def test_empty_success_body_where_a_document_is_expected_raises_response_validation_error(
    dd: aiodd.Client, stub: StubAPI
) -> None:
    stub.reply("GET", KEY_PATH, status=200, body=b"")
    with pytest.raises(aiodd.APIResponseValidationError, match="not JSON"):
        await dd.service_accounts.application_keys.get(SA, KEY)


async def test_json_success_that_is_not_an_object_raises_response_validation_error(
    dd: aiodd.Client, stub: StubAPI
) -> None:
    stub.reply("GET", KEY_PATH, json=["not", "an", "object"])
    with pytest.raises(aiodd.APIResponseValidationError, match="not a JSON object"):
        await dd.service_accounts.application_keys.get(SA, KEY)


async def test_json_success_of_the_wrong_shape_raises_response_validation_error_not_a_cattrs_error(
    dd: aiodd.Client, stub: StubAPI
) -> None:
    stub.reply("GET", KEY_PATH, json={"data": {"attributes": {"created_at": "yesterday-ish"}}})
    with pytest.raises(aiodd.APIResponseValidationError, match="PartialApplicationKeyResponse") as caught:
        await dd.service_accounts.application_keys.get(SA, KEY)
    assert type(caught.value) is aiodd.APIResponseValidationError
    assert caught.value.status == 200


@pytest.mark.parametrize(
    "data",
    [{"id": 123, "type": "application_keys"}, {"id": KEY, "type": ["x"]}, {"id": KEY, "attributes": {"scopes": "all"}}],
    ids=["id-number", "type-list", "scopes-string"],
)
async def test_a_wrong_type_in_a_success_answer_raises_response_validation_error_not_a_coerced_model(
    dd: aiodd.Client, stub: StubAPI, data: dict[str, object]
) -> None:
    stub.reply("GET", KEY_PATH, json={"data": data})
    with pytest.raises(aiodd.APIResponseValidationError, match="does not match PartialApplicationKeyResponse"):
        await dd.service_accounts.application_keys.get(SA, KEY)


async def test_long_bodies_are_cut_to_a_snippet_in_the_message(dd: aiodd.Client, stub: StubAPI) -> None:
    stub.reply("GET", KEY_PATH, body=b"x" * 5000, content_type="text/plain")
    with pytest.raises(aiodd.APIResponseValidationError) as caught:
        await dd.service_accounts.application_keys.get(SA, KEY)
    assert "x" * 500 in str(caught.value)
    assert "x" * 501 not in str(caught.value)
    assert len(caught.value.body) == 5000


async def test_an_undecodable_create_answer_never_shows_the_new_secret(dd: aiodd.Client, stub: StubAPI) -> None:
    secret = "s3cr3t0123456789abcdef0123456789abcdef01"
    body = {"data": {"id": KEY, "type": "application_keys", "attributes": {"key": secret, "created_at": "soon"}}}
    stub.reply("POST", f"/api/v2/service_accounts/{SA}/application_keys", status=201, json=body)
    with pytest.raises(aiodd.APIResponseValidationError) as caught:
        await dd.service_accounts.application_keys.create(SA, name="deploy")
    assert secret not in str(caught.value)
    assert secret not in caught.value.body
    assert '"key": "<redacted>"' in caught.value.body


# --- transport failures -----------------------------------------------------------------------


def unused_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_connection_refused_raises_api_connection_error() -> None:
    base_url = f"http://127.0.0.1:{unused_loopback_port()}"
    async with aiodd.Client(API_KEY, APP_KEY, base_url=base_url, retry=None) as client:
        with pytest.raises(aiodd.APIConnectionError) as caught:
            await client.service_accounts.application_keys.get(SA, KEY)
    assert not isinstance(caught.value, aiodd.APITimeoutError)
    assert caught.value.method == "GET"
    assert caught.value.url == base_url + KEY_PATH


async def test_a_server_that_never_answers_raises_api_timeout_error() -> None:
    connections: list[asyncio.StreamWriter] = []

    async def hold_open(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)  # read nothing, answer nothing

    server = await asyncio.start_server(hold_open, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        base_url = f"http://127.0.0.1:{port}"
        async with aiodd.Client(API_KEY, APP_KEY, base_url=base_url, timeout=0.2, retry=None) as client:
            with pytest.raises(aiodd.APITimeoutError) as caught:
                await client.service_accounts.application_keys.get(SA, KEY)
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()
    assert isinstance(caught.value, aiodd.APIConnectionError)
    assert caught.value.url == base_url + KEY_PATH
    assert "timed out" in str(caught.value)


async def test_transport_errors_never_show_the_keys() -> None:
    base_url = f"http://127.0.0.1:{unused_loopback_port()}"
    async with aiodd.Client(API_KEY, APP_KEY, base_url=base_url, retry=None) as client:
        with pytest.raises(aiodd.APIConnectionError) as caught:
            await client.service_accounts.application_keys.get(SA, KEY)
    for text in (str(caught.value), repr(caught.value), caught.value.url):
        assert API_KEY not in text
        assert APP_KEY not in text


async def test_a_traceback_with_local_variables_shows_no_key(stub: StubAPI) -> None:
    import traceback

    stub.reply("PATCH", KEY_PATH, status=500, json={"errors": ["boom"]})
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url, retry=None) as client:  # type: ignore[attr-defined]
        with pytest.raises(aiodd.InternalServerError) as caught:
            await client.service_accounts.application_keys.update(SA, KEY, name="x")
        shown = "".join(traceback.TracebackException.from_exception(caught.value, capture_locals=True).format())
        shown += repr(vars(client)) + repr(client)
    assert "headers" in shown  # the request's local variables were captured...
    assert API_KEY not in shown and APP_KEY not in shown  # ...without the keys


# --- closing with requests in flight ----------------------------------------------------------


@pytest.mark.parametrize("rate_limit", [True, False], ids=["governor", "no-governor"])
@pytest.mark.parametrize("tasks", [10, 300])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_closing_the_client_with_requests_in_flight_gives_each_caller_an_aiodd_error(
    tasks: int, method: str, rate_limit: bool
) -> None:
    # With the governor, one request probes the unknown bucket and the others wait for it; without,
    # as many as the pool allows (100) reach the server and the rest wait for a connection.
    in_flight = 1 if rate_limit else min(tasks, 100)
    received = asyncio.Event()

    async def hold(server: RawServer, writer: asyncio.StreamWriter, number: int) -> None:
        if number == in_flight - 1:
            received.set()
        await asyncio.sleep(30)

    async with RawServer(hold) as server:
        client = aiodd.Client(API_KEY, APP_KEY, base_url=server.base_url, rate_limit=rate_limit)
        keys = client.service_accounts.application_keys
        calls = [keys.get(SA, KEY) if method == "GET" else keys.create(SA, name="n") for _ in range(tasks)]
        running = [asyncio.ensure_future(call) for call in calls]
        await asyncio.wait_for(received.wait(), 10)
        started = time.monotonic()
        await client.close()
        outcomes = await asyncio.wait_for(asyncio.gather(*running, return_exceptions=True), 20)
        elapsed = time.monotonic() - started
    kinds = {type(outcome) for outcome in outcomes}
    assert kinds <= {aiodd.ClientClosedError, aiodd.APIConnectionError}, kinds
    assert elapsed < 20


# --- text that cannot be sent -----------------------------------------------------------------


async def test_an_id_that_is_not_valid_unicode_is_refused_before_sending(dd: aiodd.Client, stub: StubAPI) -> None:
    calls = [
        dd.service_accounts.application_keys.get("\ud800", KEY),
        dd.service_accounts.application_keys.delete(SA, "\udfff"),
        dd.action_connections.get("\ud800"),
        dd.app_key_registrations.register("x\ud800"),
        dd.service_accounts.application_keys.create(SA, name="n\ud800"),
    ]
    for call in calls:
        with pytest.raises(aiodd.InvalidArgumentError, match="not valid Unicode") as caught:
            await call
        assert caught.value.__context__ is None
    assert stub.seen == []
