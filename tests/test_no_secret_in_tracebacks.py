"""No secret in any traceback, even one rendered with every frame's local variables (as Sentry does).

Each test makes a request fail while it carries secrets (both keys in its headers, an HTTP
token, header value and body in its JSON, a new key's secret in its answer), then renders the
error every way a tool might: ``TracebackException(capture_locals=True)``, ``format_exception``,
and the ``__cause__`` / ``__context__`` chains. Secrets are module constants here, so the test's
own frames hold none in their locals.
"""

from __future__ import annotations

import asyncio
import traceback
from typing import TYPE_CHECKING

import pytest

import aiodd
from aiodd import models as m

from rawserver import RawServer
from stubserver import API_KEY, APP_KEY

if TYPE_CHECKING:
    from stubserver import StubAPI

HTTP_TOKEN = "http-token-secret-5f2d9c1e7a"
HEADER_SECRET = "header-secret-8b3e0a4c6d"
BODY_SECRET = "body-secret-1c7f3e9b2a"
NEW_KEY_SECRET = "new-key-secret-0123456789abcdef0123456789abcdef"
SECRETS = (API_KEY, APP_KEY, HTTP_TOKEN, HEADER_SECRET, BODY_SECRET, NEW_KEY_SECRET)
CONNECTIONS = "/api/v2/actions/connections"
KEYS_PATH = "/api/v2/service_accounts/sa/application_keys"


def http_integration() -> m.HTTPIntegration:
    return m.HTTPIntegration(
        base_url="https://example.com",
        credentials=m.HTTPTokenAuth(
            tokens=[m.HTTPToken(name="TOKEN", value=HTTP_TOKEN)],
            headers=[m.HTTPHeader(name="Authorization", value=HEADER_SECRET)],
            body=m.HTTPBody(content=BODY_SECRET, content_type="text/plain"),
        ),
    )


def every_rendering(error: BaseException) -> str:
    """The error as tracebacks show it: with local variables, without, and along its chains."""
    with_locals = traceback.TracebackException(type(error), error, error.__traceback__, capture_locals=True)
    parts = ["".join(with_locals.format()), "".join(traceback.format_exception(error)), str(error), repr(error)]
    linked: BaseException | None = error
    while linked is not None:
        parts.append(repr(vars(linked)))
        linked = linked.__cause__ or linked.__context__
    return "\n".join(parts)


def assert_shows_no_secret(error: BaseException) -> None:
    assert error.__cause__ is None
    assert error.__context__ is None
    shown = every_rendering(error)
    assert "api_request" in shown  # the client's frame and its local variables were rendered...
    for secret in SECRETS:
        assert secret not in shown  # ...without a secret


async def test_a_dropped_connection_during_a_create_with_an_http_token(stub: StubAPI) -> None:
    stub.reply("POST", CONNECTIONS, drop=True)
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url) as dd:  # type: ignore[attr-defined]
        with pytest.raises(aiodd.APIConnectionError) as caught:
            await dd.action_connections.create("webhooks", http_integration())
    assert caught.value.cause_type is not None
    assert caught.value.cause_type in str(caught.value)
    assert_shows_no_secret(caught.value)


async def test_a_timed_out_create_with_an_http_token() -> None:
    async def never_answer(server: RawServer, writer: asyncio.StreamWriter, _: int) -> None:
        await asyncio.sleep(30)

    async with (
        RawServer(never_answer) as server,
        aiodd.Client(API_KEY, APP_KEY, base_url=server.base_url, timeout=0.3) as dd,
    ):
        with pytest.raises(aiodd.APITimeoutError) as caught:
            await dd.action_connections.create("webhooks", http_integration())
    assert len(server.requests) == 1  # a POST is never resent after a timeout
    assert_shows_no_secret(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": {"id": 123, "type": "application_keys", "attributes": {"key": "%s", "name": "n"}}}',
        b'{"data": {"id": "k2", "type": "application_keys", "attributes": {"key": "%s", "scopes": "all"}}}',
        b'{"data": {"id": "k2", "type": "application_keys", "attributes": {"key": "%s", "na',
        b"key=%s",
    ],
    ids=["id-not-a-string", "scopes-not-a-list", "cut-off", "not-json"],
)
async def test_a_malformed_201_answer_to_a_key_create(stub: StubAPI, body: bytes) -> None:
    stub.reply("POST", KEYS_PATH, 201, body=body.replace(b"%s", NEW_KEY_SECRET.encode()))
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url) as dd:  # type: ignore[attr-defined]
        with pytest.raises(aiodd.APIResponseValidationError) as caught:
            await dd.service_accounts.application_keys.create("sa", name="n")
    assert caught.value.status == 201
    assert_shows_no_secret(caught.value)


async def test_a_status_error_whose_body_echoes_the_request(stub: StubAPI) -> None:
    stub.reply("POST", CONNECTIONS, 400, body=f"bad: {HTTP_TOKEN} {API_KEY}".encode(), content_type="text/plain")
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url) as dd:  # type: ignore[attr-defined]
        with pytest.raises(aiodd.BadRequestError) as caught:
            await dd.action_connections.create("webhooks", http_integration())
    shown = every_rendering(caught.value)
    assert API_KEY not in shown
    assert "api_request" in shown


async def test_an_error_raised_inside_the_chain_arrives_without_aiohttp_frames(stub: StubAPI) -> None:
    async def refuse(request: object, handler: object) -> object:
        raise aiodd.InvalidArgumentError("refused by a middleware")

    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url, middlewares=[refuse]) as dd:  # type: ignore[attr-defined,list-item]
        with pytest.raises(aiodd.InvalidArgumentError) as caught:
            await dd.action_connections.create("webhooks", http_integration())
    files = [frame.filename for frame in traceback.extract_tb(caught.value.__traceback__)]
    assert not any("aiohttp" in name for name in files)
    assert_shows_no_secret(caught.value)
