"""Fake credentials, and redaction so that what the fake records is safe to print."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping
from typing import Any

__all__ = [
    "REDACTED",
    "credential_secrets",
    "new_api_key",
    "new_app_key",
    "redact_body",
    "redact_headers",
]

REDACTED = "<redacted>"

_SECRET_HEADERS = frozenset({"dd-api-key", "dd-application-key", "authorization", "cookie"})


def credential_secrets(credential_type: str) -> frozenset[str]:
    """The write-only fields of a credential ``type`` (none for a type aiodd does not know)."""
    return _secret_credential_fields().get(credential_type, frozenset())


@functools.cache
def _secret_credential_fields() -> Mapping[str, frozenset[str]]:
    # aiodd's models mark the secrets (the one list of them). Imported on first use, when the fake
    # reads a request body, not with ``aiodd.testing``: the integration models take ~75 ms to import.
    from aiodd.models.integrations import secret_credential_fields

    return secret_credential_fields()


@functools.cache
def _any_credential_secret() -> frozenset[str]:
    """Write-only fields of Action Connection credentials, whatever the integration."""
    return frozenset().union(*_secret_credential_fields().values())


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
        if isinstance(item, str) and key in _any_credential_secret():
            redacted[key] = REDACTED
        elif key == "tokens" and isinstance(item, list):
            redacted[key] = [
                {**token, "value": REDACTED} if isinstance(token, dict) and "value" in token else token
                for token in item
            ]
        else:
            redacted[key] = redact_body(item)
    return redacted
