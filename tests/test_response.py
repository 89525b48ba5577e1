"""Decoding an answer without a server: status, headers and body in; a model or the typed error out."""

from __future__ import annotations

import gc
import json
import traceback
from typing import Any

import pytest
from multidict import CIMultiDict

import aiodd
from aiodd._redact import Redactor
from aiodd._response import Answer, decode_response
from aiodd.models import ListApplicationKeysResponse, PartialApplicationKeyResponse, structure

API_KEY = "a" * 32
APP_KEY = "b" * 40
SECRET = "s3cr3t-new-key-value-0123456789abcdef01"
URL = "https://api.datadoghq.com/api/v2/service_accounts/sa/application_keys/k1"
KEY = {"data": {"id": "k1", "type": "application_keys", "attributes": {"name": "deploy"}}}
REDACTOR = Redactor((API_KEY, APP_KEY))


def answer(status: int, body: Any = b"", **headers: str) -> Answer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Answer(status, CIMultiDict(headers), raw)


def decode(status: int, body: Any = b"", cast_to: Any = PartialApplicationKeyResponse, **headers: str) -> Any:
    return decode_response(answer(status, body, **headers), cast_to, method="GET", url=URL, redactor=REDACTOR)


def test_a_2xx_answer_becomes_the_model() -> None:
    got = decode(200, KEY)
    assert isinstance(got, PartialApplicationKeyResponse)
    assert got.data is not None and got.data.id == "k1" and got.data.attributes is not None
    assert got.data.attributes.name == "deploy"


def test_an_answer_without_a_model_is_none_whatever_its_body() -> None:
    assert decode(204, cast_to=None) is None
    assert decode(200, b"not json", cast_to=None) is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>", "the response body is not JSON"),
        (b"[1, 2]", "the response body is not a JSON object"),
        (b'{"data": {"id": 123}}', "the response does not match PartialApplicationKeyResponse: TypeError"),
        (b"[" * 100_000, "the response body is not JSON"),  # too deep for the decoder
    ],
)
def test_a_2xx_answer_that_is_not_the_model_is_a_validation_error(body: bytes, reason: str) -> None:
    with pytest.raises(aiodd.APIResponseValidationError) as caught:
        decode(201, body)
    assert str(caught.value).startswith(reason)
    assert caught.value.status == 201 and caught.value.url == URL


@pytest.mark.parametrize("status", [301, 302, 304, 307])
def test_a_3xx_is_never_a_success(status: int) -> None:
    with pytest.raises(aiodd.APIStatusError) as caught:
        decode(status, b"", Location="https://elsewhere.example/")
    assert caught.value.status == status


def test_a_status_error_carries_status_errors_and_request_id() -> None:
    with pytest.raises(aiodd.NotFoundError) as caught:
        decode(404, {"errors": ["Application key not found"]}, **{"DD-Request-Id": "req-42"})
    assert caught.value.status == 404
    assert caught.value.errors == ["Application key not found"]
    assert caught.value.request_id == "req-42"


def test_a_429_carries_the_bucket_state_and_the_wait_asked_for() -> None:
    headers = {
        "X-RateLimit-Name": "app_keys",
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Period": "60",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "17",
    }
    with pytest.raises(aiodd.RateLimitError) as caught:
        decode(429, {"errors": ["Too many requests"]}, **headers)
    error = caught.value
    assert error.rate_limit is not None and (error.rate_limit.name, error.rate_limit.remaining) == ("app_keys", 0)
    assert error.retry_after == 17.0
    assert error.headers == headers


def test_an_error_answer_that_echoes_the_keys_hides_them() -> None:
    echo = {"errors": [f"bad request with DD-API-KEY: {API_KEY} and DD-APPLICATION-KEY: {APP_KEY}"]}
    with pytest.raises(aiodd.BadRequestError) as caught:
        decode(400, echo)
    shown = f"{caught.value}{caught.value!r}{caught.value.errors}{caught.value.body}"
    assert API_KEY not in shown and APP_KEY not in shown


def malformed_create_answer() -> Answer:
    """A 201 to a key create whose id is not a string, holding the new key's secret."""
    return answer(201, {"data": {"id": 7, "type": "application_keys", "attributes": {"key": SECRET}}})


def test_no_frame_of_a_failed_decode_shows_the_new_secret() -> None:
    """The traceback, locals included (as Sentry renders it), must not show the secret."""
    with pytest.raises(aiodd.APIResponseValidationError) as caught:
        decode_response(
            malformed_create_answer(), PartialApplicationKeyResponse, method="POST", url=URL, redactor=REDACTOR
        )
    rendered = "".join(traceback.TracebackException.from_exception(caught.value, capture_locals=True).format())
    assert "answer = <Answer status=201" in rendered  # the frames are there, with their locals
    assert SECRET not in rendered


def test_an_answer_prints_without_its_body() -> None:
    shown = repr(answer(201, {"data": {"attributes": {"key": SECRET}}}))
    assert SECRET not in shown and "201" in shown


def key_page(size: int) -> dict[str, Any]:
    def key(number: int) -> dict[str, Any]:
        return {
            "id": f"k{number}",
            "type": "application_keys",
            "attributes": {"name": f"ci-{number}", "created_at": "2023-10-12T07:18:34.052468+00:00", "last4": "abcd"},
            "relationships": {"owned_by": {"data": {"type": "users", "id": "sa"}}, "leak_information": {"data": None}},
        }

    return {"data": [key(n) for n in range(size)], "meta": {"page": {"total_filtered_count": size}}}


def test_a_listing_is_structured_as_the_converter_would() -> None:
    document = key_page(3)
    expected = structure(key_page(3), ListApplicationKeysResponse)
    got = decode(200, document, ListApplicationKeysResponse)
    assert got == expected
    assert [key.id for key in got.data] == ["k0", "k1", "k2"]
    assert got.meta is not None and got.meta.page is not None and got.meta.page.total_filtered_count == 3


@pytest.mark.parametrize(
    "data",
    [[{"id": 7}], [None], "not a list", {"id": "k1"}],
    ids=["item-with-a-wrong-type", "null-item", "string", "object"],
)
def test_a_listing_with_a_bad_item_is_a_validation_error(data: Any) -> None:
    with pytest.raises(aiodd.APIResponseValidationError) as caught:
        decode(200, {"data": data}, ListApplicationKeysResponse)
    assert "does not match ListApplicationKeysResponse" in str(caught.value)


def test_pages_of_100_keys_are_decoded_without_a_garbage_collection_each() -> None:
    """Holding a page's JSON and its models whole (about 600 containers each) passed the
    collector's threshold of 700 on every page: 20 pages, 20 collections, some of them full.
    Item by item, a page stays about at the threshold, like a bare ``json.loads`` of it."""
    body = json.dumps(key_page(100)).encode()
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    threshold = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    gc.collect()  # the count of new container objects starts at 0
    gc.callbacks.append(count)
    try:
        for _ in range(20):
            page = decode(200, body, ListApplicationKeysResponse)
            assert len(page.data) == 100
            del page
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*threshold)
    assert len(collections) <= 2
