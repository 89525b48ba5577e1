"""aiodd.contrib.fastapi and examples/fastapi_app.py, run as a FastAPI user runs them, against the fake Datadog.

Most tests drive the app with ``httpx.AsyncClient`` over ``ASGITransport`` after starting it through
the ASGI lifespan protocol (``running``), with the fake in the same event loop. One test uses
Starlette's ``TestClient``, which runs the app in a thread of its own; the fake then runs in another
thread (``threaded_fake``) so that neither blocks the other.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import importlib.util
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import aiodd
from aiodd.contrib.fastapi import DatadogClient, aiodd_lifespan, http_exception_for
from aiodd.testing import FakeDatadog

CONNECTION = "/api/v2/actions/connections/*"
KEYS = "/api/v2/service_accounts/*/application_keys"
KEY = "/api/v2/service_accounts/*/application_keys/*"
REGISTRATION = "/api/v2/actions/app_key_registrations/*"
OPERATOR_TOKEN = "operator-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
FAST_RETRIES = aiodd.RetryPolicy(backoff_initial=0.001, backoff_max=0.01)
CONNECTION_SECRET = "sk-ant-connection-secret-0123456789"


def _load_example() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "examples" / "fastapi_app.py"
    spec = importlib.util.spec_from_file_location("aiodd_examples_fastapi_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the models' annotations through sys.modules
    spec.loader.exec_module(module)
    return module


example = _load_example()


def make_app(fake: FakeDatadog, **client_options: Any) -> FastAPI:
    client_options.setdefault("retry", FAST_RETRIES)
    app: FastAPI = example.create_app(
        operator_token=OPERATOR_TOKEN,
        base_url=fake.base_url,
        api_key=fake.api_key,
        app_key=fake.app_key,
        **client_options,
    )
    return app


@asynccontextmanager
async def running(app: ASGIApp) -> AsyncIterator[httpx.AsyncClient]:
    """Serve ``app`` as uvicorn does: lifespan startup with a state dict, requests carrying a copy of
    that state, lifespan shutdown at the end. (httpx's ASGITransport alone never runs a lifespan.)"""
    state: dict[str, Any] = {}
    to_app: asyncio.Queue[Message] = asyncio.Queue()
    from_app: asyncio.Queue[Message] = asyncio.Queue()
    scope: Scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}
    lifespan = asyncio.ensure_future(app(scope, to_app.get, from_app.put))
    await to_app.put({"type": "lifespan.startup"})
    started = await from_app.get()
    if started["type"] != "lifespan.startup.complete":
        await lifespan
        raise RuntimeError(started.get("message"))

    async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "state": dict(state)}, receive, send)

    try:
        transport = httpx.ASGITransport(app=with_state)
        async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as http:
            yield http
    finally:
        await to_app.put({"type": "lifespan.shutdown"})
        stopped = await from_app.get()
        await lifespan
        assert stopped["type"] == "lifespan.shutdown.complete", stopped


@pytest.fixture
def sessions_opened(monkeypatch: pytest.MonkeyPatch) -> list[aiohttp.ClientSession]:
    """Every aiohttp session created during the test (the fake is a server: it creates none)."""
    opened: list[aiohttp.ClientSession] = []
    original = aiohttp.ClientSession.__init__

    @functools.wraps(original)
    def init(self: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(aiohttp.ClientSession, "__init__", init)
    return opened


@pytest.fixture
def threaded_fake() -> Iterator[tuple[BlockingPortal, FakeDatadog]]:
    """A fake Datadog serving from its own thread's event loop; touch it through the portal."""

    async def start() -> FakeDatadog:
        fake = FakeDatadog()
        await fake.start()
        return fake

    with start_blocking_portal() as portal:
        fake = portal.call(start)
        try:
            yield portal, fake
        finally:
            portal.call(fake.stop)


def add_connection(fake: FakeDatadog) -> str:
    integration = {"type": "Anthropic", "credentials": {"type": "AnthropicAPIKey", "api_token": CONNECTION_SECRET}}
    return fake.state.create_connection("LLM access", integration, ["team:ml"]).id


def key_lines(response: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.text.splitlines()]


# --- aiodd.contrib.fastapi ------------------------------------------------------------------------


def test_importing_without_fastapi_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fastapi", None)
    monkeypatch.delitem(sys.modules, "aiodd.contrib.fastapi")
    with pytest.raises(ImportError, match=r"pip install 'aiodd\[fastapi\]'"):
        importlib.import_module("aiodd.contrib.fastapi")


def test_an_unknown_client_option_is_refused_when_the_lifespan_is_made() -> None:
    with pytest.raises(TypeError, match="timout"):
        aiodd_lifespan(timout=5)


def test_a_misconfigured_client_fails_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DD_API_KEY", raising=False)
    monkeypatch.delenv("DD_APP_KEY", raising=False)
    app = FastAPI(lifespan=aiodd_lifespan())
    with pytest.raises(aiodd.ConfigurationError, match="DD_API_KEY"), TestClient(app):
        pass


def test_the_dependency_without_the_lifespan_says_how_to_add_it() -> None:
    app = FastAPI()

    @app.get("/")
    async def root(dd: DatadogClient) -> str:
        return "unreachable"

    with pytest.raises(RuntimeError, match=r"FastAPI\(lifespan=aiodd.contrib.fastapi.aiodd_lifespan\(\)\)"):
        TestClient(app).get("/")


def test_an_apps_own_lifespan_runs_inside_with_the_client_open_and_its_state_is_kept() -> None:
    seen: list[tuple[str, bool]] = []

    @asynccontextmanager
    async def own(app: FastAPI) -> AsyncIterator[dict[str, str]]:
        seen.append(("startup", app.state.aiodd_client.closed))
        yield {"greeting": "hello"}
        seen.append(("shutdown", app.state.aiodd_client.closed))

    options = {"api_key": "k" * 32, "app_key": "a" * 40, "base_url": "http://127.0.0.1:9"}
    app = FastAPI(lifespan=aiodd_lifespan(own, **options))

    @app.get("/")
    async def root(request: Request, dd: DatadogClient) -> dict[str, Any]:
        return {"greeting": request.state.greeting, "same_client": dd is request.app.state.aiodd_client}

    with TestClient(app) as http:
        assert http.get("/").json() == {"greeting": "hello", "same_client": True}
        client = app.state.aiodd_client
    assert seen == [("startup", False), ("shutdown", False)]
    assert client.closed and not hasattr(app.state, "aiodd_client")


@pytest.mark.filterwarnings("error::ResourceWarning", "error::pytest.PytestUnraisableExceptionWarning")
def test_testclient_startup_and_shutdown_leave_no_open_session(
    threaded_fake: tuple[BlockingPortal, FakeDatadog],
    sessions_opened: list[aiohttp.ClientSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    portal, fake = threaded_fake
    [sa] = portal.call(fake.seed, 1, 2)
    app = make_app(fake)
    clients = []
    for _ in range(2):  # a test suite starts the same app again: each startup gets a fresh client
        with TestClient(app) as http:
            assert len(key_lines(http.get(f"/service-accounts/{sa}/keys"))) == 2
            clients.append(app.state.aiodd_client)
        assert clients[-1].closed and not hasattr(app.state, "aiodd_client")
    assert clients[0] is not clients[1]
    assert len(sessions_opened) == 2 and all(session.closed for session in sessions_opened)
    del clients, http
    sessions_opened.clear()
    gc.collect()  # an unclosed session or connector would warn (an error here) when collected
    assert "Unclosed" not in caplog.text


@pytest.mark.fake_datadog(rate_limit=(25, 1.0))
async def test_50_concurrent_requests_share_one_client_one_pool_and_one_governor(
    fake_datadog: FakeDatadog, sessions_opened: list[aiohttp.ClientSession]
) -> None:
    connection_id = add_connection(fake_datadog)
    app = make_app(fake_datadog)
    async with running(app) as http:
        client: aiodd.Client = app.state.aiodd_client
        answers = await asyncio.gather(*(http.get(f"/action-connections/{connection_id}") for _ in range(50)))
        assert [a.status_code for a in answers] == [200] * 50
        assert fake_datadog.requests_seen("GET", CONNECTION) == client.stats.attempts == 50
        # Separate clients would each fire into the 25-per-second bucket; one governor holds the rest back.
        assert fake_datadog.rate_limited_count == 0
        assert client.stats.throttle_wait_seconds > 0
    assert len(sessions_opened) == 1 and sessions_opened[0].closed and client.closed


async def test_without_lifespan_state_the_client_is_found_on_app_state(fake_datadog: FakeDatadog) -> None:
    connection_id = add_connection(fake_datadog)
    app = make_app(fake_datadog)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app.test") as http,
    ):
        assert (await http.get(f"/action-connections/{connection_id}")).status_code == 200


def test_http_exception_for_a_rate_limit_without_headers_asks_for_a_minute() -> None:
    error = aiodd.RateLimitError(status=429, method="GET", url="/x", errors=[], body="", request_id=None)
    answer = http_exception_for(error)
    assert (answer.status_code, answer.headers) == (503, {"Retry-After": "60"})


# --- the example: listing keys --------------------------------------------------------------------


async def test_listing_streams_every_key_as_json_lines_a_page_at_a_time(fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=250)
    async with running(make_app(fake_datadog)) as http:
        response = await http.get(f"/service-accounts/{sa}/keys")
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    lines = key_lines(response)
    assert [line["id"] for line in lines] == [key.id for key in fake_datadog.state.application_keys(sa)]
    assert set(lines[0]) == {"id", "name", "created_at", "last_used_at", "scopes"}
    assert fake_datadog.requests_seen("GET", KEYS) == 3


async def test_listing_passes_filter_and_page_size(fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=5)
    wanted = fake_datadog.state.application_keys(sa)[3].name
    async with running(make_app(fake_datadog)) as http:
        response = await http.get(f"/service-accounts/{sa}/keys", params={"filter": wanted, "page_size": 2})
    assert [line["name"] for line in key_lines(response)] == [wanted]
    [request] = fake_datadog.requests("GET", KEYS)
    assert request.query["filter"] == wanted and request.query["page[size]"] == "2"


async def test_listing_an_unknown_account_is_a_404(fake_datadog: FakeDatadog) -> None:
    async with running(make_app(fake_datadog)) as http:
        response = await http.get("/service-accounts/00000000-0000-0000-0000-000000000000/keys")
    assert response.status_code == 404 and response.json() == {"detail": "The Datadog resource was not found."}


async def test_a_listing_cut_short_ends_with_an_error_line(fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=5)

    async def refuse_after_first_page(request: aiohttp.ClientRequest, handler: Any) -> aiohttp.ClientResponse:
        response: aiohttp.ClientResponse = await handler(request)
        fake_datadog.fail_next("GET", KEYS, status=403)  # Datadog starts refusing once a page was served
        return response

    app = make_app(fake_datadog, middlewares=[refuse_after_first_page])
    async with running(app) as http:
        response = await http.get(f"/service-accounts/{sa}/keys", params={"page_size": 2})
    lines = key_lines(response)
    assert response.status_code == 200 and len(lines) == 3
    assert lines[2]["error"]["status"] == 502 and "credentials this service uses" in lines[2]["error"]["detail"]


async def test_an_invalid_argument_is_a_422_and_nothing_is_sent(fake_datadog: FakeDatadog) -> None:
    async with running(make_app(fake_datadog)) as http:
        response = await http.get("/service-accounts/%20/keys")
    assert response.status_code == 422 and "service_account_id" in response.json()["detail"]
    assert fake_datadog.requests_seen() == 0


# --- the example: error mapping -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "answer", "detail"),
    [
        (403, 502, "Datadog refused the credentials this service uses"),
        (401, 502, "Datadog did not accept the API or application key this service uses"),
        (500, 502, "Datadog failed"),
        (409, 409, "conflict"),
        (400, 400, "invalid"),
        (422, 422, "could not process"),
        (405, 502, "HTTP 405"),
    ],
)
async def test_datadog_errors_become_gateway_answers(
    fake_datadog: FakeDatadog, status: int, answer: int, detail: str
) -> None:
    connection_id = add_connection(fake_datadog)
    fake_datadog.fail_next("GET", CONNECTION, status=status, times=5)  # 5: every attempt, where it is retried
    async with running(make_app(fake_datadog)) as http:
        response = await http.get(f"/action-connections/{connection_id}")
    assert response.status_code == answer and detail in response.json()["detail"]


async def test_an_unknown_connection_is_a_404(fake_datadog: FakeDatadog) -> None:
    async with running(make_app(fake_datadog)) as http:
        response = await http.get("/action-connections/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404


async def test_a_403_says_the_upstream_credentials_are_wrong_not_the_callers(fake_datadog: FakeDatadog) -> None:
    fake_datadog.require_registered_app_key = True  # a real 403: the service's key is not registered
    connection_id = add_connection(fake_datadog)
    async with running(make_app(fake_datadog)) as http:
        response = await http.get(f"/action-connections/{connection_id}")
    assert response.status_code == 502
    assert "not a problem with your request" in response.json()["detail"]


async def test_a_429_that_outlasts_the_retries_is_a_503_with_retry_after(fake_datadog: FakeDatadog) -> None:
    connection_id = add_connection(fake_datadog)
    fake_datadog.fail_next("GET", CONNECTION, status=429, times=5, headers={"X-RateLimit-Reset": "0"})
    async with running(make_app(fake_datadog)) as http:
        response = await http.get(f"/action-connections/{connection_id}")
    assert fake_datadog.requests_seen("GET", CONNECTION) == 5  # the client retried first
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"


async def test_a_429_with_a_long_reset_is_a_503_that_passes_the_reset_on(fake_datadog: FakeDatadog) -> None:
    connection_id = add_connection(fake_datadog)
    headers = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "137"}
    fake_datadog.fail_next("GET", CONNECTION, status=429, headers=headers)
    async with running(make_app(fake_datadog)) as http:
        response = await http.get(f"/action-connections/{connection_id}")
    assert fake_datadog.requests_seen("GET", CONNECTION) == 1  # 137 s is over max_wait: no retry
    assert response.status_code == 503 and response.headers["Retry-After"] == "137"
    assert "137" in response.json()["detail"]


async def test_after_a_429_with_an_hour_long_reset_every_request_is_answered_within_max_wait(
    fake_datadog: FakeDatadog,
) -> None:
    connection_id = add_connection(fake_datadog)
    headers = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "3600"}
    fake_datadog.fail_next("GET", CONNECTION, status=429, headers=headers)
    max_wait = 5.0  # the README's advice "to answer 503 sooner"
    app = make_app(fake_datadog, retry=aiodd.RetryPolicy(max_wait=max_wait))
    async with running(app) as http:
        for _ in range(2):  # the 429 itself, then a request the governor holds back
            started = time.monotonic()
            response = await asyncio.wait_for(http.get(f"/action-connections/{connection_id}"), max_wait + 1)
            assert time.monotonic() - started < max_wait + 1
            assert response.status_code == 503 and response.headers["Retry-After"] == "3600"
        together = await asyncio.wait_for(
            asyncio.gather(*(http.get(f"/action-connections/{connection_id}") for _ in range(2))), max_wait + 1
        )
        assert [answer.status_code for answer in together] == [503, 503]
    assert fake_datadog.requests_seen("GET", CONNECTION) == 1  # the governor sent nothing into the exhausted bucket


def test_an_absurd_reset_is_not_passed_on_as_retry_after() -> None:
    error = aiodd.RateLimitError(status=429, method="GET", url="/x", errors=[], body="", request_id=None)
    error.rate_limit = aiodd.RateLimit(name="b", limit=10, period=10.0, remaining=0, reset=1e12)
    assert http_exception_for(error).headers == {"Retry-After": "10"}


def test_the_wait_datadog_asked_for_is_passed_on_first() -> None:
    state = aiodd.RateLimit(name="b", limit=10, period=10.0, remaining=0, reset=4.2)
    error = aiodd.RateLimitError(method="GET", url="/x", rate_limit=state, retry_after=37.5)
    assert http_exception_for(error).headers == {"Retry-After": "38"}
    absurd = aiodd.RateLimitError(method="GET", url="/x", rate_limit=state, retry_after=1e308)
    assert http_exception_for(absurd).headers == {"Retry-After": "5"}  # not believed: the reset instead


async def test_a_request_caught_by_the_client_closing_is_a_503_not_a_500(fake_datadog: FakeDatadog) -> None:
    connection_id = add_connection(fake_datadog)
    app = make_app(fake_datadog)
    async with running(app) as http:
        await app.state.aiodd_client.close()  # as at shutdown, with requests still arriving
        response = await http.get(f"/action-connections/{connection_id}")
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.json() == {"detail": "This service is shutting down; retry shortly."}


async def test_a_datadog_timeout_is_a_504(fake_datadog: FakeDatadog) -> None:
    connection_id = add_connection(fake_datadog)
    fake_datadog.delay_next("GET", CONNECTION, seconds=2)
    async with running(make_app(fake_datadog, timeout=0.1, retry=None)) as http:
        response = await http.get(f"/action-connections/{connection_id}")
    assert response.status_code == 504


async def test_a_connection_shows_its_integration_without_credentials(fake_datadog: FakeDatadog) -> None:
    connection_id = add_connection(fake_datadog)
    async with running(make_app(fake_datadog)) as http:
        response = await http.get(f"/action-connections/{connection_id}")
    assert response.json() == {
        "id": connection_id,
        "name": "LLM access",
        "integration_type": "Anthropic",
        "credentials_type": "AnthropicAPIKey",
        "tags": ["team:ml"],
    }


# --- the example: rotating one key ----------------------------------------------------------------


def observe_answers(app: ASGIApp, on_answer: Any) -> ASGIApp:
    """``app``, calling ``on_answer(path)`` once the last byte of each answer was handed to the server."""

    async def observed(scope: Scope, receive: Receive, send: Send) -> None:
        async def observed_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                on_answer(scope["path"])

        await app(scope, receive, observed_send)

    return observed


async def test_rotation_answers_the_new_secret_before_the_old_key_is_deleted(fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=2)
    old, other = fake_datadog.state.application_keys(sa)
    fake_datadog.state.update_application_key(old, scopes=["dashboards_read"])
    fake_datadog.state.register_app_key(old.id)
    old_alive_when_answered: list[bool] = []
    app = make_app(fake_datadog)
    observed = observe_answers(
        app, lambda path: old_alive_when_answered.append(bool(fake_datadog.state.application_key(old.id)))
    )
    async with running(observed) as http:
        response = await http.post(f"/service-accounts/{sa}/keys/{old.id}/rotate", headers=AUTH)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.json()
    new = fake_datadog.state.application_key(body["key_id"])
    assert new is not None and body["secret"] == new.secret
    assert body == {
        "service_account_id": sa,
        "key_id": new.id,
        "name": new.name,
        "replaces": old.id,
        "registered_for_actions": True,
        "secret": new.secret,
    }
    assert new.name.startswith(f"{old.name} [rotated ") and new.scopes == ["dashboards_read"]
    assert old_alive_when_answered == [True]
    assert fake_datadog.state.application_key(old.id) is None and fake_datadog.state.application_key(other.id)
    assert fake_datadog.state.is_registered(new.id) and not fake_datadog.state.is_registered(old.id)


async def test_rotating_an_unregistered_key_leaves_registrations_alone(fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=1)
    [old] = fake_datadog.state.application_keys(sa)
    async with running(make_app(fake_datadog)) as http:
        response = await http.post(f"/service-accounts/{sa}/keys/{old.id}/rotate", headers=AUTH)
    assert response.json()["registered_for_actions"] is False
    assert fake_datadog.requests_seen("PUT", REGISTRATION) == fake_datadog.requests_seen("DELETE", REGISTRATION) == 0
    assert [k.id for k in fake_datadog.state.application_keys(sa)] == [response.json()["key_id"]]


@pytest.mark.parametrize(
    ("headers", "token", "status"),
    [({}, OPERATOR_TOKEN, 401), ({"Authorization": "Bearer wrong"}, OPERATOR_TOKEN, 401), (AUTH, None, 403)],
)
async def test_rotation_needs_the_operator_token(
    fake_datadog: FakeDatadog, monkeypatch: pytest.MonkeyPatch, headers: dict[str, str], token: str | None, status: int
) -> None:
    monkeypatch.delenv("OPERATOR_TOKEN", raising=False)
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=1)
    [old] = fake_datadog.state.application_keys(sa)
    app = example.create_app(
        operator_token=token, base_url=fake_datadog.base_url, api_key=fake_datadog.api_key, app_key=fake_datadog.app_key
    )
    async with running(app) as http:
        response = await http.post(f"/service-accounts/{sa}/keys/{old.id}/rotate", headers=headers)
    assert response.status_code == status and "secret" not in response.json()
    assert fake_datadog.requests_seen() == 0


async def test_rotating_an_unknown_key_is_a_404_and_creates_nothing(fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=1)
    async with running(make_app(fake_datadog)) as http:
        response = await http.post(f"/service-accounts/{sa}/keys/no-such-key/rotate", headers=AUTH)
    assert response.status_code == 404
    assert fake_datadog.requests_seen("POST", KEYS) == 0 and len(fake_datadog.state.application_keys(sa)) == 1


async def test_a_failed_create_keeps_the_old_key_and_looks_for_a_half_made_replacement(
    fake_datadog: FakeDatadog,
) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=1)
    [old] = fake_datadog.state.application_keys(sa)
    fake_datadog.fail_next("POST", KEYS, status=500)
    async with running(make_app(fake_datadog)) as http:
        response = await http.post(f"/service-accounts/{sa}/keys/{old.id}/rotate", headers=AUTH)
    assert response.status_code == 502 and "secret" not in response.json()
    assert fake_datadog.requests_seen("POST", KEYS) == 1  # a POST is never resent
    [search] = fake_datadog.requests("GET", KEYS)
    assert "[rotated" not in search.query["filter"] and len(search.query["filter"]) == 12  # the marker
    assert [k.id for k in fake_datadog.state.application_keys(sa)] == [old.id]


async def test_a_failed_registration_deletes_the_replacement_and_keeps_the_old_key(fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=1)
    [old] = fake_datadog.state.application_keys(sa)
    fake_datadog.state.register_app_key(old.id)
    fake_datadog.fail_next("PUT", REGISTRATION, status=403)
    async with running(make_app(fake_datadog)) as http:
        response = await http.post(f"/service-accounts/{sa}/keys/{old.id}/rotate", headers=AUTH)
    assert response.status_code == 502 and "secret" not in response.json()
    assert [k.id for k in fake_datadog.state.application_keys(sa)] == [old.id]
    assert fake_datadog.state.is_registered(old.id)


async def test_a_failed_delete_after_the_answer_is_logged_and_leaves_both_keys_working(
    fake_datadog: FakeDatadog, caplog: pytest.LogCaptureFixture
) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=1)
    [old] = fake_datadog.state.application_keys(sa)
    fake_datadog.fail_next("DELETE", KEY, status=403)
    async with running(make_app(fake_datadog)) as http:
        response = await http.post(f"/service-accounts/{sa}/keys/{old.id}/rotate", headers=AUTH)
    assert response.status_code == 200
    assert {k.id for k in fake_datadog.state.application_keys(sa)} == {old.id, response.json()["key_id"]}
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert old.id in record.getMessage() and "still live" in record.getMessage()


# --- secrets ----------------------------------------------------------------------------------------


async def test_no_secret_reaches_a_response_body_or_a_log_line(
    fake_datadog: FakeDatadog, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=3)
    rotated, *_ = fake_datadog.state.application_keys(sa)
    connection_id = add_connection(fake_datadog)
    known = {fake_datadog.api_key, fake_datadog.app_key, OPERATOR_TOKEN, CONNECTION_SECRET}
    known |= {key.secret for key in fake_datadog.state.application_keys(sa)}
    bodies: list[str] = []
    async with running(make_app(fake_datadog)) as http:
        for path in (f"/service-accounts/{sa}/keys", f"/action-connections/{connection_id}", "/action-connections/x"):
            bodies.append((await http.get(path)).text)
        for status in (401, 403, 429, 500):
            fake_datadog.fail_next("GET", CONNECTION, status=status, times=5)
            bodies.append((await http.get(f"/action-connections/{connection_id}")).text)
            fake_datadog.clear_faults()
        fake_datadog.fail_next("PUT", REGISTRATION, status=403)
        fake_datadog.state.register_app_key(rotated.id)
        bodies.append((await http.post(f"/service-accounts/{sa}/keys/{rotated.id}/rotate", headers=AUTH)).text)
        rotation = (await http.post(f"/service-accounts/{sa}/keys/{rotated.id}/rotate", headers=AUTH)).json()
        bodies.append((await http.post(f"/service-accounts/{sa}/keys/x/rotate", headers={"Authorization": "x"})).text)
    known |= {key.secret for key in fake_datadog.state.application_keys(sa)}
    new_secret = rotation.pop("secret")
    assert new_secret in known  # the rotate answer's own field is the one deliberate exception
    bodies.append(json.dumps(rotation))
    assert len(known) == 8
    for secret in known:
        assert not any(secret in body for body in bodies)
        assert secret not in caplog.text
    assert "->" in caplog.text  # the error handlers did log
