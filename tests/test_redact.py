"""What error text hides: known values, secret-named JSON members and ``name: value`` pairs, without a network."""

from __future__ import annotations

import json

import pytest

from aiodd._redact import LONGEST_KEPT, REDACTED, Redactor, is_secret_name, redact_secrets

KNOWN = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"key":"s3cr3t"}', '{"key":"<redacted>"}'),
        ('{"key": "s3\\"cr3t"}', '{"key": "<redacted>"}'),
        ('{"api_key":"a","app_key":"b"}', '{"api_key":"<redacted>","app_key":"<redacted>"}'),
        (
            '{"access_token":"t","client_secret":"c","password":"p"}',
            '{"access_token":"<redacted>","client_secret":"<redacted>","password":"<redacted>"}',
        ),
        ('{"key":"s3cr3t-cut-off-mid-val', '{"key":"<redacted>"'),
        (
            '{"DD-API-KEY":"a","dd-application-key":"b"}',
            '{"DD-API-KEY":"<redacted>","dd-application-key":"<redacted>"}',
        ),
        (
            '{"apiKey":"a","ApplicationKey":"b","clientSecret":"c"}',
            '{"apiKey":"<redacted>","ApplicationKey":"<redacted>","clientSecret":"<redacted>"}',
        ),
        ('{"Authorization":"Bearer abc"}', '{"Authorization":"<redacted>"}'),
        ('{"DD-API-\\u004bEY":"a"}', '{"DD-API-\\u004bEY":"<redacted>"}'),
        ('{"api_key":12345}', '{"api_key":"<redacted>"}'),
        ('{"name":"Authorization","value":"Bearer abc"}', '{"name":"Authorization","value":"<redacted>"}'),
    ],
    ids=lambda value: value[:40],
)
def test_secret_json_members_are_redacted(text: str, expected: str) -> None:
    assert redact_secrets(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "DD-API-KEY: abc\r\nDD-APPLICATION-KEY: def\r\n",
            "DD-API-KEY: <redacted>\r\nDD-APPLICATION-KEY: <redacted>\r\n",
        ),
        ("dd-api-key=abc&x=1", "dd-api-key=<redacted>&x=1"),
        ("Authorization: Bearer abc.def", "Authorization: <redacted>"),
        ("{'DD-APPLICATION-KEY': 'abc'}", "{'DD-APPLICATION-KEY': '<redacted>'}"),
        ("<td>apiKey</td> apiKey: abc</p>", "<td>apiKey</td> apiKey: <redacted></p>"),
        ('echo {\\"DD-API-KEY\\": \\"abc\\"}', 'echo {\\"DD-API-KEY\\": \\"<redacted>\\"}'),
    ],
    ids=["header-dump", "query", "bearer", "python-repr", "html", "escaped-json-in-text"],
)
def test_secret_pairs_in_plain_text_are_redacted(text: str, expected: str) -> None:
    assert redact_secrets(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '{"last4":"abcd","name":"deploy"}',
        '{"app_key_id":"b7feea52"}',
        '{"key":null}',
        '{"keys":"x"}',
        '{"monkey":"banana","turkey":1}',
        "plain text",
        "value: 3 is too large",  # 'value' hides a secret only as a JSON member
    ],
)
def test_members_and_pairs_that_are_not_secrets_are_left_alone(text: str) -> None:
    assert redact_secrets(text) == text


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("key", True), ("API_KEY", True), ("dd-api-key", True), ("apiKey", True), ("appkey", True),
        ("x-api-key", True), ("access_token", True), ("refreshToken", True), ("client_secret", True),
        ("PASSWORD", True), ("passwd", True), ("proxy-authorization", True), ("Cookie", True),
        ("app_key_id", False), ("keys", False), ("last4", False), ("monkey", False), ("name", False),
        ("token_type", False), ("value", False),
    ],
)  # fmt: skip
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_value_and_content_are_secret_names_only_in_json() -> None:
    assert is_secret_name("value", in_json=True) and is_secret_name("content", in_json=True)
    assert not is_secret_name("content")


def test_known_values_are_hidden_anywhere_in_text() -> None:
    assert (
        Redactor([KNOWN]).text(f"key {KNOWN} was refused; again:{KNOWN}")
        == "key <redacted> was refused; again:<redacted>"
    )


def test_short_known_values_are_not_hidden_everywhere() -> None:
    assert Redactor(["abc"]).text("abcdef") == "abcdef"


def test_a_redactor_repr_shows_no_known_value() -> None:
    assert KNOWN not in repr(Redactor([KNOWN]))


def test_an_answer_that_hides_nothing_keeps_its_text() -> None:
    body = b'{"errors":  ["Bad Request"]}'
    text, document = Redactor([KNOWN]).answer(body)
    assert text == body.decode()
    assert document == {"errors": ["Bad Request"]}


def test_an_answer_is_hidden_in_its_decoded_document_and_its_text() -> None:
    body = (
        json.dumps(
            {
                "errors": [{"detail": f"bad key {KNOWN}", "meta": {"headers": {"DD-API-\u004bEY": "other", "X": "y"}}}],
                "echo": f"DD-APPLICATION-KEY: {KNOWN}",
            },
            ensure_ascii=True,
        )
        .replace("KEY", "\\u004bEY")
        .encode()
    )  # escaped member names, as some servers write them
    text, document = Redactor([KNOWN]).answer(body)
    assert KNOWN not in text and "other" not in text
    assert document["errors"][0]["detail"] == f"bad key {REDACTED}"
    assert document["errors"][0]["meta"]["headers"] == {"DD-API-KEY": REDACTED, "X": "y"}
    assert json.loads(text) == document


def test_an_escaped_known_value_in_json_is_hidden() -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in KNOWN)
    text, _ = Redactor([KNOWN]).answer(f'{{"errors": ["{escaped}"]}}'.encode())
    assert KNOWN not in text and escaped not in text


def test_a_body_that_is_not_json_is_hidden_as_text() -> None:
    text, document = Redactor([KNOWN]).answer(f"<html>DD-API-KEY: other<br>{KNOWN}</html>".encode())
    assert document is None
    assert text == "<html>DD-API-KEY: <redacted><br><redacted></html>"


def test_a_body_longer_than_what_errors_keep_is_cut_to_its_hidden_head() -> None:
    body = f'{{"errors": ["bad"], "key": "{KNOWN}", "pad": "{"x" * LONGEST_KEPT}"}}'.encode()
    text, document = Redactor([KNOWN]).answer(body)
    assert document is None
    assert KNOWN not in text
    assert text.startswith('{"errors": ["bad"], "key": "<redacted>"')
    assert text.endswith(f"... [cut: {len(body)} bytes in all]")
    assert len(text) < LONGEST_KEPT + 100
