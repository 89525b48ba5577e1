"""The JSON documents every benchmark uses, shaped like Datadog's recorded answers.

One set of documents serves the fixed-response server (throughput), the structuring benchmark
and the request-body benchmark, so each number is measured on the same bytes. Each fixture names
the aiodd model and the official ``datadog_api_client`` model that read or write it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["BODIES", "CONNECTION_ID", "KEY_ID", "RESPONSE", "RESPONSES", "SERVICE_ACCOUNT_ID", "Fixture", "key_page"]

SERVICE_ACCOUNT_ID = "8d6f1427-68cf-11ee-b38b-b697d9f51e5c"
KEY_ID = "490b7601-a457-449c-8d8c-72c848e669d5"
CONNECTION_ID = "cb460d51-3c88-4e87-adac-d47131d0423d"
_ORG_ID = "4dee724d-00cc-11ea-a77b-570c9d03c6c5"


@dataclass(frozen=True)
class Fixture:
    """A wire document and the models that read (or write) it: ``aiodd.models.X`` and the official ``X``."""

    key: str
    name: str
    document: dict[str, Any]
    model: str  # the class name, the same in aiodd.models and datadog_api_client.v2.model
    official_module: str  # datadog_api_client.v2.model.<official_module>

    @property
    def body(self) -> bytes:
        return json.dumps(self.document, separators=(",", ":")).encode()

    def aiodd_model(self) -> type:
        from aiodd import models

        cls: type = getattr(models, self.model)
        return cls

    def official_model(self) -> type:
        import importlib

        module = importlib.import_module(f"datadog_api_client.v2.model.{self.official_module}")
        cls: type = getattr(module, self.model)
        return cls


def _user(sa_id: str = SERVICE_ACCOUNT_ID) -> dict[str, Any]:
    return {
        "type": "users",
        "id": sa_id,
        "attributes": {
            "name": "Key rotation robot",
            "handle": sa_id,
            "created_at": "2023-10-12T07:18:33.545035+00:00",
            "modified_at": "2023-10-12T07:18:33.545035+00:00",
            "email": "key-rotation-robot@example.com",
            "icon": "https://secure.gravatar.com/avatar/675597cb6c88dc2642385e567f57b727?s=48&d=retro",
            "title": "Rotates application keys",
            "verified": True,
            "service_account": True,
            "disabled": False,
            "allowed_login_methods": [],
            "status": "Active",
        },
        "relationships": {
            "roles": {"data": [{"type": "roles", "id": "f1624684-d87d-11e8-acac-efb4dbffab1c"}]},
            "org": {"data": {"type": "orgs", "id": _ORG_ID}},
        },
    }


def _key(number: int, key_id: str | None = None) -> dict[str, Any]:
    return {
        "type": "application_keys",
        "id": key_id or f"490b7601-a457-449c-8d8c-{number:012d}",
        "attributes": {
            "name": f"ci-deploy-{number:05d}",
            "created_at": "2023-10-12T07:18:34.052468+00:00",
            "last4": f"{number % 10000:04d}",
            "scopes": ["dashboards_read", "monitors_read"] if number % 2 else None,
        },
        "relationships": {
            "owned_by": {"data": {"type": "users", "id": SERVICE_ACCOUNT_ID}},
            "leak_information": {"data": None},
        },
    }


def key_page(size: int, total: int) -> dict[str, Any]:
    """A ``list application keys`` page of ``size`` keys out of ``total``, with the owner included."""
    return {
        "data": [_key(n) for n in range(size)],
        "included": [_user()],
        "meta": {"max_allowed_per_user": 1000, "page": {"total_filtered_count": total}},
    }


def _connection(integration: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {
            "id": CONNECTION_ID,
            "type": "action_connection",
            "attributes": {"name": "Cassette Connection", "integration": integration, "tags": ["team:infra"]},
        }
    }


_AWS = {
    "type": "AWS",
    "credentials": {
        "type": "AWSAssumeRole",
        "account_id": "123456789123",
        "role": "MyRoleUpdated",
        "external_id": "909b33b1242748cfbef42f20011e2fa0",
        "principal_id": "464622532012",
    },
}
# Every field set, so the official client parses it fully: its HTTPToken requires ``value``, and
# without one it falls back to an UnparsedObject about ten times slower still.
_HTTP = {
    "type": "HTTP",
    "base_url": "https://api.example.com/v1",
    "credentials": {
        "type": "HTTPTokenAuth",
        "headers": [{"name": "XTeam", "value": "infra"}, {"name": "XTrace", "value": "on"}],
        "tokens": [{"name": "ApiToken", "type": "SECRET", "value": "s3cr3t"}],
        "url_parameters": [{"name": "region", "value": "eu"}, {"name": "format", "value": "json"}],
        "body": {"content_type": "application/json", "content": '{"query": "{{ query }}"}'},
    },
}
_UNKNOWN = {
    "type": "Pagerduty",  # an integration type neither client knows
    "credentials": {"type": "PagerdutyAPIKey", "subdomain": "acme"},
}

RESPONSES = (
    Fixture(
        "connection_aws",
        "AWS AssumeRole connection",
        _connection(_AWS),
        "GetActionConnectionResponse",
        "get_action_connection_response",
    ),
    Fixture(
        "connection_http",
        "HTTP token-auth connection",
        _connection(_HTTP),
        "GetActionConnectionResponse",
        "get_action_connection_response",
    ),
    Fixture(
        "key",
        "application key + included user",
        {"data": _key(1, KEY_ID), "included": [_user()]},
        "PartialApplicationKeyResponse",
        "partial_application_key_response",
    ),
    Fixture(
        "key_page",
        "list page: 100 keys + included user",
        key_page(100, 100),
        "ListApplicationKeysResponse",
        "list_application_keys_response",
    ),
    Fixture(
        "connection_unknown",
        "connection of an unknown integration",
        _connection(_UNKNOWN),
        "GetActionConnectionResponse",
        "get_action_connection_response",
    ),
)
"""Answers to structure (JSON -> model)."""
RESPONSE = {fixture.key: fixture for fixture in RESPONSES}


def _create_connection(integration: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {
            "type": "action_connection",
            "attributes": {"name": "Cassette Connection", "integration": integration, "tags": ["team:infra"]},
        }
    }


BODIES = (
    Fixture(
        "create_aws",
        "create AWS connection",
        _create_connection(
            {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": "123456789123", "role": "MyRole"}}
        ),
        "CreateActionConnectionRequest",
        "create_action_connection_request",
    ),
    Fixture(
        "create_http",
        "create HTTP token-auth connection",
        _create_connection(_HTTP),
        "CreateActionConnectionRequest",
        "create_action_connection_request",
    ),
    Fixture(
        "create_key",
        "create application key",
        {"data": {"type": "application_keys", "attributes": {"name": "ci-deploy", "scopes": ["dashboards_read"]}}},
        "ApplicationKeyCreateRequest",
        "application_key_create_request",
    ),
    Fixture(
        "create_service_account",
        "create service account",
        {
            "data": {
                "type": "users",
                "attributes": {"email": "robot@example.com", "service_account": True, "name": "Robot"},
                "relationships": {"roles": {"data": [{"type": "roles", "id": "f1624684-d87d-11e8-acac-efb4dbffab1c"}]}},
            }
        },
        "ServiceAccountCreateRequest",
        "service_account_create_request",
    ),
)
"""Request bodies to unstructure (model -> JSON-ready dict)."""
