"""Fake credentials, and redaction so that what the fake records is safe to print."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

__all__ = [
    "REDACTED",
    "SECRET_CREDENTIAL_FIELDS",
    "new_api_key",
    "new_app_key",
    "redact_body",
    "redact_headers",
]

REDACTED = "<redacted>"

_SECRET_HEADERS = frozenset({"dd-api-key", "dd-application-key", "authorization", "cookie"})

SECRET_CREDENTIAL_FIELDS = frozenset(
    {
        "access_token",
        "api_key",
        "api_password",
        "api_token",
        "app_key",
        "client_secret",
        "global_api_key",
        "password",
        "private_key",
        "sdk_key",
    }
)
"""Write-only fields of Action Connection credentials, whatever the integration."""


def new_api_key() -> str:
    """32 hex characters, the shape of a Datadog API key."""
    return secrets.token_hex(16)


def new_app_key() -> str:
    """40 hex characters, the shape of a Datadog application key."""
    return secrets.token_hex(20)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: REDACTED if name.lower() in _SECRET_HEADERS else value for name, value in headers.items()}


def redact_body(value: Any) -> Any:
    """A copy of a JSON value with credential secrets (and HTTP token values) replaced."""
    if isinstance(value, list):
        return [redact_body(item) for item in value]
    if not isinstance(value, dict):
        return value
    redacted: dict[str, Any] = {}
    for key, item in value.items():
        if key in SECRET_CREDENTIAL_FIELDS and isinstance(item, str):
            redacted[key] = REDACTED
        elif key == "tokens" and isinstance(item, list):
            redacted[key] = [
                {**token, "value": REDACTED} if isinstance(token, dict) and "value" in token else token
                for token in item
            ]
        else:
            redacted[key] = redact_body(item)
    return redacted
