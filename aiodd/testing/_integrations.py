"""The 24 Action Connection integrations: what their credentials need, and what is never echoed.

Rules come from the ``*Integration`` / ``*Credentials`` / ``*Update`` schemas of the reference:
every credential type requires its listed fields on create, an ``*Update`` requires only
``type``, AWS ``account_id`` must be 12 digits and ``external_id`` / ``principal_id`` are filled
by the server, HTTP integrations also require ``base_url``. Secret fields are write-only: they are
stored (a client can check them in ``FakeDatadog.state``) but left out of every answer. Which fields
are secret is read from aiodd's models (:func:`aiodd.models.secret_credential_fields`) on first
use, so the list is written down once.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass
from typing import Any

from ._secrets import credential_secrets
from ._validation import (
    BadRequest,
    optional_bool,
    optional_object,
    optional_str,
    require_enum,
    require_object,
    require_str,
)

__all__ = ["INTEGRATION_TYPES", "parse_integration", "public_integration", "update_integration"]

AWS_PRINCIPAL_ID = "123456789012"
"""The AWS account Datadog assumes roles from, as the fake reports it."""

_AWS_ACCOUNT_ID = re.compile(r"\d{12}")
_TOKEN_NAME = re.compile(r"[A-Za-z][A-Za-z\d]*")
_HEADER_NAME = re.compile(r"[A-Za-z][A-Za-z\d\-_]*")


@dataclass(frozen=True, slots=True)
class _CredentialSpec:
    """What a credential ``type`` requires on create; which of it is write-only, aiodd's models say."""

    type: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


def _token(type_: str, field: str = "api_token") -> _CredentialSpec:
    return _CredentialSpec(type_, (field,))


_INTEGRATIONS: dict[str, tuple[_CredentialSpec, ...]] = {
    "AWS": (_CredentialSpec("AWSAssumeRole", ("account_id", "role")),),
    "Anthropic": (_token("AnthropicAPIKey"),),
    "Asana": (_token("AsanaAccessToken", "access_token"),),
    "Azure": (_CredentialSpec("AzureTenant", ("tenant_id", "app_client_id", "client_secret"), ("custom_scopes",)),),
    "CircleCI": (_token("CircleCIAPIKey"),),
    "Clickup": (_token("ClickupAPIKey"),),
    "Cloudflare": (
        _token("CloudflareAPIToken"),
        _CredentialSpec("CloudflareGlobalAPIToken", ("auth_email", "global_api_key")),
    ),
    "ConfigCat": (_CredentialSpec("ConfigCatSDKKey", ("sdk_key", "api_username", "api_password")),),
    "Datadog": (_CredentialSpec("DatadogAPIKey", ("datacenter", "api_key", "app_key"), ("subdomain",)),),
    "Fastly": (_token("FastlyAPIKey", "api_key"),),
    "Freshservice": (_CredentialSpec("FreshserviceAPIKey", ("domain", "api_key")),),
    "GCP": (_CredentialSpec("GCPServiceAccount", ("service_account_email", "private_key")),),
    "Gemini": (_token("GeminiAPIKey", "api_key"),),
    "Gitlab": (_token("GitlabAPIKey"),),
    "GreyNoise": (_token("GreyNoiseAPIKey", "api_key"),),
    # Token values are the secret here; headers, URL parameters and body are handled apart.
    "HTTP": (_CredentialSpec("HTTPTokenAuth", ()),),
    "LaunchDarkly": (_token("LaunchDarklyAPIKey"),),
    "Notion": (_token("NotionAPIKey"),),
    "Okta": (_CredentialSpec("OktaAPIToken", ("domain", "api_token")),),
    "OpenAI": (_token("OpenAIAPIKey"),),
    "ServiceNow": (_CredentialSpec("ServiceNowBasicAuth", ("instance", "username", "password")),),
    "Split": (_token("SplitAPIKey", "api_key"),),
    "Statsig": (_token("StatsigAPIKey", "api_key"),),
    "VirusTotal": (_token("VirusTotalAPIKey", "api_key"),),
}

INTEGRATION_TYPES = frozenset(_INTEGRATIONS)
_WHERE = "data.attributes.integration."


def parse_integration(value: Any) -> dict[str, Any]:
    """Validate a create request's integration; the stored form, with secrets and AWS ids."""
    if not isinstance(value, dict):
        raise BadRequest(f"Field '{_WHERE[:-1]}' must be an object")
    integration_type = require_enum(value, "type", _WHERE, INTEGRATION_TYPES)
    credentials = require_object(value, "credentials", _WHERE)
    spec = _spec_for(integration_type, credentials)
    stored: dict[str, Any] = {"type": integration_type, "credentials": _parse_credentials(spec, credentials)}
    if integration_type == "HTTP":
        stored["base_url"] = _base_url(value)
    return stored


def update_integration(stored: dict[str, Any], value: Any) -> dict[str, Any]:
    """Merge an ``*Update`` into a stored integration; returns a new one, ``stored`` is untouched."""
    if not isinstance(value, dict):
        raise BadRequest(f"Field '{_WHERE[:-1]}' must be an object")
    integration_type = require_enum(value, "type", _WHERE, INTEGRATION_TYPES)
    if integration_type != stored["type"]:
        raise BadRequest(f"Cannot change a connection's integration type from {stored['type']} to {integration_type}")
    updated = copy.deepcopy(stored)
    if integration_type == "HTTP" and "base_url" in value:
        updated["base_url"] = _base_url(value)
    credentials = optional_object(value, "credentials", _WHERE)
    if credentials is not None:
        spec = _spec_for(integration_type, credentials)
        if spec.type == stored["credentials"]["type"]:
            updated["credentials"] = _merge_credentials(spec, updated["credentials"], credentials)
        else:  # switching variant (Cloudflare token kinds): the new one must be complete
            updated["credentials"] = _parse_credentials(spec, credentials)
    return updated


def public_integration(stored: dict[str, Any]) -> dict[str, Any]:
    """The integration as answers show it: everything but the write-only fields."""
    credentials = stored["credentials"]
    secret = credential_secrets(credentials["type"])
    public = {key: value for key, value in credentials.items() if key not in secret}
    if "tokens" in credentials:
        public["tokens"] = [{"name": token["name"], "type": token["type"]} for token in credentials["tokens"]]
    for key in ("headers", "url_parameters"):
        if key in credentials:
            public[key] = [dict(item) for item in credentials[key]]
    if "body" in credentials:
        public["body"] = dict(credentials["body"])
    answer: dict[str, Any] = {"type": stored["type"], "credentials": public}
    if "base_url" in stored:
        answer["base_url"] = stored["base_url"]
    return answer


def _spec_for(integration_type: str, credentials: dict[str, Any]) -> _CredentialSpec:
    allowed = {spec.type: spec for spec in _INTEGRATIONS[integration_type]}
    credential_type = require_enum(credentials, "type", _WHERE + "credentials.", allowed)
    return allowed[credential_type]


def _parse_credentials(spec: _CredentialSpec, credentials: dict[str, Any]) -> dict[str, Any]:
    where = _WHERE + "credentials."
    stored: dict[str, Any] = {"type": spec.type}
    for field in spec.required:
        stored[field] = require_str(credentials, field, where)
    for field in spec.optional:
        value = optional_str(credentials, field, where, allow_empty=True)
        if value is not None:
            stored[field] = value
    if spec.type == "AWSAssumeRole":
        _check_account_id(stored["account_id"])
        stored["external_id"] = uuid.uuid4().hex
        stored["principal_id"] = AWS_PRINCIPAL_ID
    elif spec.type == "HTTPTokenAuth":
        stored.update(_parse_http_auth(credentials, where))
    return stored


def _merge_credentials(spec: _CredentialSpec, stored: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    where = _WHERE + "credentials."
    for field in (*spec.required, *spec.optional):
        value = optional_str(update, field, where, allow_empty=field in spec.optional)
        if value is not None:
            stored[field] = value
    if spec.type == "AWSAssumeRole":
        _check_account_id(stored["account_id"])
        if optional_bool(update, "generate_new_external_id", where):
            stored["external_id"] = uuid.uuid4().hex
    elif spec.type == "HTTPTokenAuth":
        _merge_http_auth(stored, update, where)
    return stored


def _check_account_id(account_id: str) -> None:
    if _AWS_ACCOUNT_ID.fullmatch(account_id) is None:
        raise BadRequest('invalid AWSAssumeRole.AccountId: value does not match regex pattern "^\\d{12}$"')


def _base_url(value: dict[str, Any]) -> str:
    base_url = require_str(value, "base_url", _WHERE)
    if not base_url.startswith(("https://", "http://")):
        raise BadRequest(f"Field '{_WHERE}base_url' must be an http(s) URL")
    return base_url


# --- HTTP token auth ------------------------------------------------------------------------------

_HTTP_LISTS = {"tokens": _TOKEN_NAME, "headers": _HEADER_NAME, "url_parameters": _TOKEN_NAME}


def _parse_http_auth(credentials: dict[str, Any], where: str) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for list_name in _HTTP_LISTS:
        items = _items(credentials, list_name, where)
        if items is None:
            continue
        entries: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            item_where = f"{where}{list_name}[{index}]."
            entry: dict[str, Any] = {
                "name": _item_name(item, list_name, item_where),
                "value": require_str(item, "value", item_where, allow_empty=True),
            }
            if list_name == "tokens":
                entry["type"] = require_enum(item, "type", item_where, {"SECRET"})
            entries.append(entry)
        _check_unique(entries, where + list_name)
        parsed[list_name] = entries
    body = optional_object(credentials, "body", where)
    if body is not None:
        parsed["body"] = _http_body(body, where + "body.")
    return parsed


def _merge_http_auth(stored: dict[str, Any], update: dict[str, Any], where: str) -> None:
    for list_name in _HTTP_LISTS:
        items = _items(update, list_name, where)
        if items is None:
            continue
        entries = {entry["name"]: entry for entry in stored.get(list_name, [])}
        for index, item in enumerate(items):
            item_where = f"{where}{list_name}[{index}]."
            name = _item_name(item, list_name, item_where)
            if optional_bool(item, "deleted", item_where):
                entries.pop(name, None)
                continue
            if name in entries:
                value = optional_str(item, "value", item_where, allow_empty=True)
            else:
                value = require_str(item, "value", item_where, allow_empty=True)
            entry = entries.setdefault(name, {"name": name})
            if value is not None:
                entry["value"] = value
            if list_name == "tokens":
                entry["type"] = require_enum(item, "type", item_where, {"SECRET"})
        stored[list_name] = list(entries.values())
    body = optional_object(update, "body", where)
    if body is not None:
        stored["body"] = _http_body(body, where + "body.")


def _items(credentials: dict[str, Any], list_name: str, where: str) -> list[dict[str, Any]] | None:
    items = credentials.get(list_name)
    if items is None:
        return None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise BadRequest(f"Field '{where}{list_name}' must be an array of objects")
    return items


def _item_name(item: dict[str, Any], list_name: str, where: str) -> str:
    name = require_str(item, "name", where)
    if _HTTP_LISTS[list_name].fullmatch(name) is None:
        raise BadRequest(f"Field '{where}name' does not match pattern \"^{_HTTP_LISTS[list_name].pattern}$\"")
    return name


def _check_unique(entries: list[dict[str, Any]], where: str) -> None:
    names = [entry["name"] for entry in entries]
    if len(set(names)) != len(names):
        raise BadRequest(f"Field '{where}' has duplicate names")


def _http_body(body: dict[str, Any], where: str) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for field in ("content", "content_type"):
        value = optional_str(body, field, where, allow_empty=True)
        if value is not None:
            parsed[field] = value
    return parsed
