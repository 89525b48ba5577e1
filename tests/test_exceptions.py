"""Errors: the class hierarchy, both Datadog error-body formats, and what an error carries."""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import pickle
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

import aiodd
from aiodd._exceptions import status_error_class
from aiodd.models import JSONAPIErrorItem, JSONAPIErrorItemSource

from stubserver import API_KEY, APP_KEY

if TYPE_CHECKING:
    from stubserver import StubAPI

SA = "00000000-0000-4000-8000-0000000000aa"
KEY = "00000000-0000-4000-8000-0000000000bb"
KEY_PATH = f"/api/v2/service_accounts/{SA}/application_keys/{KEY}"
REGISTRATION_PATH = f"/api/v2/actions/app_key_registrations/{KEY}"

STATUS_CLASSES = [
    (400, aiodd.BadRequestError),
    (401, aiodd.AuthenticationError),
    (403, aiodd.PermissionDeniedError),
    (404, aiodd.NotFoundError),
    (409, aiodd.ConflictError),
    (422, aiodd.UnprocessableEntityError),
    (429, aiodd.RateLimitError),
    (500, aiodd.InternalServerError),
    (502, aiodd.InternalServerError),
    (503, aiodd.InternalServerError),
    (504, aiodd.InternalServerError),
]


@pytest.fixture
async def dd(stub: StubAPI) -> AsyncIterator[aiodd.Client]:
    """A client that raises on the first error answer: no retries, no rate-limit waits."""
    async with aiodd.Client(API_KEY, APP_KEY, base_url=stub.base_url, retry=None, rate_limit=False) as client:  # type: ignore[attr-defined]
        yield client


async def service_accounts_error(dd: aiodd.Client, stub: StubAPI, status: int, **reply: Any) -> aiodd.APIStatusError:
    """The error raised by a Service Accounts call answered with ``status``."""
    stub.reply("GET", KEY_PATH, status=status, **reply)
    with pytest.raises(aiodd.APIStatusError) as caught:
        await dd.service_accounts.application_keys.get(SA, KEY)
    return caught.value


async def actions_error(dd: aiodd.Client, stub: StubAPI, status: int, **reply: Any) -> aiodd.APIStatusError:
    """The error raised by an Actions call answered with ``status``."""
    reply.setdefault("content_type", "application/vnd.api+json")
    stub.reply("GET", REGISTRATION_PATH, status=status, **reply)
    with pytest.raises(aiodd.APIStatusError) as caught:
        await dd.app_key_registrations.get(KEY)
    return caught.value


# --- hierarchy --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (aiodd.ConfigurationError, aiodd.Error),
        (aiodd.InvalidArgumentError, aiodd.Error),
        (aiodd.APIError, aiodd.Error),
        (aiodd.APIConnectionError, aiodd.APIError),
        (aiodd.APITimeoutError, aiodd.APIConnectionError),
        (aiodd.APIResponseValidationError, aiodd.APIError),
        (aiodd.APIStatusError, aiodd.APIError),
        *[(cls, aiodd.APIStatusError) for _, cls in STATUS_CLASSES],
    ],
)
def test_error_class_derives_from_its_parent(cls: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(cls, parent)


def test_every_error_is_an_exception_not_a_base_exception_only() -> None:
    assert issubclass(aiodd.Error, Exception)


@pytest.mark.parametrize(
    ("status", "cls"), [*STATUS_CLASSES, (418, aiodd.APIStatusError), (599, aiodd.InternalServerError)]
)
def test_status_maps_to_its_error_class(status: int, cls: type[aiodd.APIStatusError]) -> None:
    assert status_error_class(status) is cls


# --- both body formats, every status ------------------------------------------------------------


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
async def test_service_accounts_error_body_gives_the_typed_error_with_its_string_errors(
    dd: aiodd.Client, stub: StubAPI, status: int, cls: type[aiodd.APIStatusError]
) -> None:
    error = await service_accounts_error(dd, stub, status, json={"errors": ["Application key not found"]})
    assert type(error) is cls
    assert error.status == status
    assert error.errors == ["Application key not found"]
    assert error.method == "GET"
    assert error.url.endswith(KEY_PATH)
    assert f"HTTP {status}: Application key not found" in str(error)


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
async def test_actions_error_body_gives_the_typed_error_with_json_api_items(
    dd: aiodd.Client, stub: StubAPI, status: int, cls: type[aiodd.APIStatusError]
) -> None:
    body = {"errors": [{"status": str(status), "title": "Invalid Parameter", "detail": "expected type uuid"}]}
    error = await actions_error(dd, stub, status, json=body)
    assert type(error) is cls
    assert error.status == status
    assert error.errors == [
        JSONAPIErrorItem(status=str(status), title="Invalid Parameter", detail="expected type uuid")
    ]
    assert error.method == "GET"
    assert error.url.endswith(REGISTRATION_PATH)
    assert "Invalid Parameter: expected type uuid" in str(error)


async def test_actions_error_item_keeps_source_and_meta(dd: aiodd.Client, stub: StubAPI) -> None:
    item = {
        "status": "400",
        "title": "Invalid Parameter",
        "detail": "bad id",
        "source": {"parameter": "appKeyId", "pointer": "/data/id"},
        "meta": {"hint": "use a uuid"},
    }
    error = await actions_error(dd, stub, 400, json={"errors": [item]})
    assert error.errors == [
        JSONAPIErrorItem(
            status="400",
            title="Invalid Parameter",
            detail="bad id",
            source=JSONAPIErrorItemSource(parameter="appKeyId", pointer="/data/id"),
            meta={"hint": "use a uuid"},
        )
    ]


async def test_actions_error_with_only_a_detail_reads_as_that_detail(dd: aiodd.Client, stub: StubAPI) -> None:
    # Real 404 of GET /api/v2/actions/app_key_registrations/{id}: no status, no title.
    error = await actions_error(dd, stub, 404, json={"errors": [{"detail": "app key not found"}]})
    assert isinstance(error, aiodd.NotFoundError)
    assert [str(item) for item in error.errors] == ["app key not found"]
    assert str(error).endswith("HTTP 404: app key not found")


async def test_several_errors_are_all_in_the_message(dd: aiodd.Client, stub: StubAPI) -> None:
    error = await service_accounts_error(dd, stub, 400, json={"errors": ["name is required", "email is invalid"]})
    assert error.errors == ["name is required", "email is invalid"]
    assert "name is required; email is invalid" in str(error)


async def test_malformed_actions_error_item_is_kept_as_text_and_the_status_error_still_raised(
    dd: aiodd.Client, stub: StubAPI
) -> None:
    item = {"title": "Weird", "meta": "not an object"}
    error = await actions_error(dd, stub, 400, json={"errors": [item]})
    assert isinstance(error, aiodd.BadRequestError)
    assert error.errors == [json.dumps(item)]


# --- bodies that are not an error document -----------------------------------------------------


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
async def test_empty_error_body_still_gives_the_typed_error(
    dd: aiodd.Client, stub: StubAPI, status: int, cls: type[aiodd.APIStatusError]
) -> None:
    error = await service_accounts_error(dd, stub, status, body=b"", content_type="text/plain")
    assert type(error) is cls
    assert error.errors == []
    assert error.body == ""
    assert "no details" in str(error)


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
async def test_non_json_error_body_gives_the_typed_error_with_the_raw_text(
    dd: aiodd.Client, stub: StubAPI, status: int, cls: type[aiodd.APIStatusError]
) -> None:
    html = b"<html><h1>502 Bad Gateway</h1></html>"
    error = await actions_error(dd, stub, status, body=html, content_type="text/html")
    assert type(error) is cls
    assert error.errors == []
    assert error.body == html.decode()
    assert "<h1>502 Bad Gateway</h1>" in str(error)


async def test_error_body_that_is_not_utf8_still_gives_the_typed_error(dd: aiodd.Client, stub: StubAPI) -> None:
    error = await service_accounts_error(dd, stub, 400, body=b"\xff\xfe", content_type="text/plain")
    assert type(error) is aiodd.BadRequestError
    assert error.errors == []


async def test_json_error_body_of_another_shape_keeps_the_raw_text(dd: aiodd.Client, stub: StubAPI) -> None:
    error = await service_accounts_error(dd, stub, 403, json={"message": "Forbidden"})
    assert isinstance(error, aiodd.PermissionDeniedError)
    assert error.errors == []
    assert error.body == '{"message": "Forbidden"}'
    assert '{"message": "Forbidden"}' in str(error)


async def test_rate_limit_error_with_an_empty_body_carries_the_rate_limit_headers(
    dd: aiodd.Client, stub: StubAPI
) -> None:
    # A real 429 recording has an empty body; the headers are all there is.
    headers = {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Period": "60",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "7, 7",
        "X-RateLimit-Name": "application_keys",
    }
    error = await service_accounts_error(dd, stub, 429, body=b"", headers=headers)
    assert isinstance(error, aiodd.RateLimitError)
    assert error.rate_limit == aiodd.RateLimit(name="application_keys", limit=100, period=60.0, remaining=0, reset=7.0)
    assert error.headers["X-RateLimit-Name"] == "application_keys"


async def test_rate_limit_error_without_headers_has_no_rate_limit(dd: aiodd.Client, stub: StubAPI) -> None:
    error = await service_accounts_error(dd, stub, 429, body=b"")
    assert isinstance(error, aiodd.RateLimitError)
    assert error.rate_limit is None


# --- request id ---------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["X-Request-Id", "DD-Request-Id", "X-Datadog-Request-Id"])
async def test_request_id_is_taken_from_the_answer_and_shown_in_the_message(
    dd: aiodd.Client, stub: StubAPI, header: str
) -> None:
    error = await service_accounts_error(dd, stub, 404, json={"errors": ["Not found"]}, headers={header: "req-42"})
    assert error.request_id == "req-42"
    assert "(request id req-42)" in str(error)


async def test_request_id_is_none_when_the_answer_has_none(dd: aiodd.Client, stub: StubAPI) -> None:
    error = await service_accounts_error(dd, stub, 404, json={"errors": ["Not found"]})
    assert error.request_id is None
    assert "request id" not in str(error)


# --- no secrets ---------------------------------------------------------------------------------


async def test_status_errors_never_show_the_keys(dd: aiodd.Client, stub: StubAPI) -> None:
    error = await service_accounts_error(
        dd, stub, 403, json={"errors": ["Forbidden"]}, headers={"X-RateLimit-Remaining": "3"}
    )
    shown = [str(error), repr(error), error.url, error.message, error.body, *error.headers.values()]
    for text in shown:
        assert API_KEY not in text
        assert APP_KEY not in text


async def test_status_error_body_that_echoes_a_secret_is_redacted(dd: aiodd.Client, stub: StubAPI) -> None:
    body = b'{"detail": "bad request", "app_key": "0123456789abcdef0123456789abcdef01234567"}'
    error = await actions_error(dd, stub, 400, body=body)
    assert "0123456789abcdef" not in str(error)
    assert "0123456789abcdef" not in error.body
    assert '"app_key": "<redacted>"' in error.body


ESCAPED_NAMES = '{"errors": ["Bad"], "received": {"DD-API-\\u004bEY": "%API", "dd-application-\\u006bey": "%APP"}}'
ECHOED_HEADERS = [
    pytest.param(
        json.dumps({"errors": ["Bad Request"], "received": {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": APP_KEY}}),
        "application/json",
        id="json",
    ),
    pytest.param(
        json.dumps(
            {"errors": [{"title": "Bad header", "detail": f"DD-API-KEY: {API_KEY}, dd-application-key={APP_KEY}"}]}
        ),
        "application/vnd.api+json",
        id="json-api-detail",
    ),
    pytest.param(
        ESCAPED_NAMES.replace("%API", API_KEY).replace("%APP", APP_KEY),
        "application/json",
        id="escaped-names",
    ),
    pytest.param(
        f"400 Bad Request\r\nDD-API-KEY: {API_KEY}\r\nDD-APPLICATION-KEY: {APP_KEY}\r\nAccept: application/json",
        "text/plain",
        id="plain-text",
    ),
    pytest.param(
        f"<html><pre>{{'dd-api-key': '{API_KEY}', 'dd-application-key': '{APP_KEY}'}}</pre></html>",
        "text/html",
        id="html",
    ),
]


@pytest.mark.parametrize(("body", "content_type"), ECHOED_HEADERS)
async def test_a_400_that_echoes_the_request_headers_shows_neither_key(
    dd: aiodd.Client, stub: StubAPI, body: str, content_type: str
) -> None:
    error = await actions_error(dd, stub, 400, body=body.encode(), content_type=content_type)
    assert isinstance(error, aiodd.BadRequestError)
    shown = [str(error), repr(error), error.body, error.message, repr(error.errors), *map(str, error.errors)]
    for text in shown:
        assert API_KEY not in text
        assert APP_KEY not in text
    assert "<redacted>" in error.body


async def test_a_huge_error_body_is_kept_cut_to_its_head_with_the_keys_hidden(dd: aiodd.Client, stub: StubAPI) -> None:
    body = (f"DD-API-KEY: {API_KEY}\n" + "x" * 8_000_000).encode()  # hiding secrets in all of it would take seconds
    started = time.monotonic()
    error = await actions_error(dd, stub, 400, body=body, content_type="text/plain")
    assert time.monotonic() - started < 10
    assert API_KEY not in error.body
    assert len(error.body) < 300_000
    assert error.body.endswith(f"[cut: {len(body)} bytes in all]")


async def test_echoed_secrets_that_are_not_the_clients_keys_are_hidden_by_their_names(
    dd: aiodd.Client, stub: StubAPI
) -> None:
    item = {"title": "Bad", "meta": {"apiKey": "other-secret-1", "Authorization": "Bearer other-secret-2"}}
    error = await actions_error(dd, stub, 400, json={"errors": [item]})
    assert error.errors == [JSONAPIErrorItem(title="Bad", meta={"apiKey": "<redacted>", "Authorization": "<redacted>"})]
    assert "other-secret" not in error.body + str(error) + repr(error)


async def test_a_rate_limit_error_carries_the_wait_datadog_asked_for(dd: aiodd.Client, stub: StubAPI) -> None:
    headers = {"X-RateLimit-Reset": "7", "Retry-After": "9", "X-RateLimit-Remaining": "0"}
    error = await service_accounts_error(dd, stub, 429, body=b"", headers=headers)
    assert isinstance(error, aiodd.RateLimitError)
    assert error.retry_after == 9.0


def test_a_rate_limit_error_can_be_built_without_an_answer() -> None:
    # As the governor builds one when a wait for a reset would exceed RetryPolicy.max_wait.
    state = aiodd.RateLimit(name="application_keys", limit=100, period=60.0, remaining=0, reset=3600.0)
    error = aiodd.RateLimitError(
        method="GET",
        url="https://api.datadoghq.com/api/v2/x",
        message="GET https://api.datadoghq.com/api/v2/x: the rate limit resets in 3600 s, longer than max_wait 60 s",
        rate_limit=state,
        retry_after=3600.0,
    )
    assert error.status == 429
    assert error.errors == [] and error.body == "" and error.request_id is None
    assert error.rate_limit is state and error.retry_after == 3600.0
    assert str(error) == error.message
    assert "longer than max_wait" in str(error)


# --- pickling: every class, with everything it carries ----------------------------------------

RATE_LIMIT = aiodd.RateLimit(name="application_keys", limit=100, period=60.0, remaining=0, reset=7.0)
ERRORS: list[object] = [
    "Bad Request",
    JSONAPIErrorItem(status="400", title="Invalid", source=JSONAPIErrorItemSource(pointer="/data")),
]
EVERY_ERROR: list[aiodd.Error] = [
    aiodd.Error("plain"),
    aiodd.ConfigurationError("missing api_key"),
    aiodd.InvalidArgumentError("name must not be empty"),
    aiodd.ClientClosedError("closed"),
    aiodd.APIError("failed", method="GET", url="https://api.datadoghq.com/x"),
    aiodd.APIConnectionError("reset", method="GET", url="https://h/x", cause_type="ServerDisconnectedError"),
    aiodd.APITimeoutError("timed out", method="POST", url="https://h/x", cause_type="TimeoutError"),
    aiodd.APIResponseValidationError("not JSON", method="GET", url="https://h/x", status=200, body="<html>"),
    aiodd.ResponseTooLargeError(method="GET", url="https://h/x", status=200, limit=1024),
    aiodd.APIStatusError(status=418, method="GET", url="https://h/x", errors=ERRORS, body="{}", request_id="r1"),  # type: ignore[arg-type]
    *[
        cls(status=status, method="DELETE", url="https://h/x", errors=ERRORS, body="{}", request_id="r2",  # type: ignore[arg-type]
            headers={"X-RateLimit-Remaining": "3"})
        for status, cls in STATUS_CLASSES
        if cls is not aiodd.RateLimitError
    ],
    aiodd.RateLimitError(method="GET", url="https://h/x", errors=["Too many requests"], request_id="r3",
                         rate_limit=RATE_LIMIT, retry_after=7.0),
]  # fmt: skip


@pytest.mark.parametrize(
    "error", EVERY_ERROR, ids=lambda error: f"{type(error).__name__}-{getattr(error, 'status', '')}"
)
def test_every_error_pickles_with_everything_it_carries(error: aiodd.Error) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert copy.args == error.args
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
    for attribute in ("status", "errors", "request_id", "headers", "rate_limit", "retry_after", "cause_type", "limit"):
        assert getattr(copy, attribute, None) == getattr(error, attribute, None)


def test_every_error_class_is_covered_by_the_pickling_test() -> None:
    classes = {cls for cls in vars(aiodd).values() if isinstance(cls, type) and issubclass(cls, aiodd.Error)}
    assert classes == {type(error) for error in EVERY_ERROR}


def _raise_not_found() -> None:
    raise aiodd.NotFoundError(status=404, method="GET", url="https://h/x", errors=["Not found"], request_id="r9")


def test_an_error_raised_in_a_worker_process_arrives_whole() -> None:
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        error = pool.submit(_raise_not_found).exception(timeout=60)
    assert isinstance(error, aiodd.NotFoundError)
    assert (error.status, error.errors, error.request_id) == (404, ["Not found"], "r9")


@pytest.mark.parametrize(
    ("item", "text"),
    [
        (JSONAPIErrorItem(title="Generic Error", detail="connection not found"), "Generic Error: connection not found"),
        (JSONAPIErrorItem(title="Generic Error"), "Generic Error"),
        (JSONAPIErrorItem(status="400"), "400"),
        (JSONAPIErrorItem(), "error"),
    ],
)
def test_json_api_error_item_reads_as_title_and_detail(item: JSONAPIErrorItem, text: str) -> None:
    assert str(item) == text
