"""The integrations of Action Connections: 24 integration types, their credentials, and ``*Update`` twins.

Names and fields follow the API reference (``ActionConnectionIntegration`` and what it references).

Why explicit classes: the ~100 classes differ only in names and a few fields, but a generator that
built them at import time from a table would be invisible to mypy and to IDEs. Written out, every
class is a real attrs class with real attributes; each group below is one integration. Every class
is keyword-only: ``AWSAssumeRole(account_id="111222333444", role="my-role")``.

How the wire maps to the classes:

- ``type`` is fixed by the class (``init=False``): ``AWSIntegration(credentials=...)`` always writes
  ``"type": "AWS"``, and nobody passes ``type=``.
- Every oneOf is a union structured by one dict lookup on ``type``: ``ActionConnectionIntegration``
  (24 integrations), and inside each integration its credentials union (``AWSCredentials``, ...).
  The ``*Update`` variants have their own unions. The converter reads the tag -> class maps off
  the classes (:mod:`aiodd._converter`); nothing here registers anything.
- An unknown integration or credential ``type`` becomes :class:`UnknownIntegration` /
  :class:`UnknownCredentials` (``*Update`` for update payloads), keeping the wire object in ``raw``
  and writing it back unchanged; an unknown credential inside a known integration gives the known
  integration holding ``UnknownCredentials``. Build one yourself to send a type aiodd does not know.

Secrets. The reference marks credential secrets (``api_token``, ``client_secret``, ...) required,
but they are write-only: Datadog leaves them out of what it returns. So in the classes that are
both sent and received they are ``str | None = None``, which lets a GET parse, and
``dd.action_connections.create`` refuses a payload whose secrets are ``None`` (see
:func:`missing_secrets`). Secret fields carry the attrs metadata ``{"secret": True}`` and never
appear in ``repr`` or ``str``; neither does ``HTTPBody.content`` nor the ``raw`` of an unknown type.
These markers are the one list of the write-only fields: :func:`secret_credential_fields` reads
them for the fake Datadog (which leaves them out of its answers) and the tests.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping
from types import MappingProxyType, NoneType
from typing import Any, Literal, get_args, get_type_hints

import attrs

__all__ = [
    "AWSAssumeRole",
    "AWSAssumeRoleUpdate",
    "AWSCredentials",
    "AWSCredentialsUpdate",
    "AWSIntegration",
    "AWSIntegrationUpdate",
    "ActionConnectionIntegration",
    "ActionConnectionIntegrationUpdate",
    "AnthropicAPIKey",
    "AnthropicAPIKeyUpdate",
    "AnthropicCredentials",
    "AnthropicCredentialsUpdate",
    "AnthropicIntegration",
    "AnthropicIntegrationUpdate",
    "AsanaAccessToken",
    "AsanaAccessTokenUpdate",
    "AsanaCredentials",
    "AsanaCredentialsUpdate",
    "AsanaIntegration",
    "AsanaIntegrationUpdate",
    "AzureCredentials",
    "AzureCredentialsUpdate",
    "AzureIntegration",
    "AzureIntegrationUpdate",
    "AzureTenant",
    "AzureTenantUpdate",
    "CircleCIAPIKey",
    "CircleCIAPIKeyUpdate",
    "CircleCICredentials",
    "CircleCICredentialsUpdate",
    "CircleCIIntegration",
    "CircleCIIntegrationUpdate",
    "ClickupAPIKey",
    "ClickupAPIKeyUpdate",
    "ClickupCredentials",
    "ClickupCredentialsUpdate",
    "ClickupIntegration",
    "ClickupIntegrationUpdate",
    "CloudflareAPIToken",
    "CloudflareAPITokenUpdate",
    "CloudflareCredentials",
    "CloudflareCredentialsUpdate",
    "CloudflareGlobalAPIToken",
    "CloudflareGlobalAPITokenUpdate",
    "CloudflareIntegration",
    "CloudflareIntegrationUpdate",
    "ConfigCatCredentials",
    "ConfigCatCredentialsUpdate",
    "ConfigCatIntegration",
    "ConfigCatIntegrationUpdate",
    "ConfigCatSDKKey",
    "ConfigCatSDKKeyUpdate",
    "DatadogAPIKey",
    "DatadogAPIKeyUpdate",
    "DatadogCredentials",
    "DatadogCredentialsUpdate",
    "DatadogIntegration",
    "DatadogIntegrationUpdate",
    "FastlyAPIKey",
    "FastlyAPIKeyUpdate",
    "FastlyCredentials",
    "FastlyCredentialsUpdate",
    "FastlyIntegration",
    "FastlyIntegrationUpdate",
    "FreshserviceAPIKey",
    "FreshserviceAPIKeyUpdate",
    "FreshserviceCredentials",
    "FreshserviceCredentialsUpdate",
    "FreshserviceIntegration",
    "FreshserviceIntegrationUpdate",
    "GCPCredentials",
    "GCPCredentialsUpdate",
    "GCPIntegration",
    "GCPIntegrationUpdate",
    "GCPServiceAccount",
    "GCPServiceAccountUpdate",
    "GeminiAPIKey",
    "GeminiAPIKeyUpdate",
    "GeminiCredentials",
    "GeminiCredentialsUpdate",
    "GeminiIntegration",
    "GeminiIntegrationUpdate",
    "GitlabAPIKey",
    "GitlabAPIKeyUpdate",
    "GitlabCredentials",
    "GitlabCredentialsUpdate",
    "GitlabIntegration",
    "GitlabIntegrationUpdate",
    "GreyNoiseAPIKey",
    "GreyNoiseAPIKeyUpdate",
    "GreyNoiseCredentials",
    "GreyNoiseCredentialsUpdate",
    "GreyNoiseIntegration",
    "GreyNoiseIntegrationUpdate",
    "HTTPBody",
    "HTTPCredentials",
    "HTTPCredentialsUpdate",
    "HTTPHeader",
    "HTTPHeaderUpdate",
    "HTTPIntegration",
    "HTTPIntegrationUpdate",
    "HTTPToken",
    "HTTPTokenAuth",
    "HTTPTokenAuthUpdate",
    "HTTPTokenUpdate",
    "LaunchDarklyAPIKey",
    "LaunchDarklyAPIKeyUpdate",
    "LaunchDarklyCredentials",
    "LaunchDarklyCredentialsUpdate",
    "LaunchDarklyIntegration",
    "LaunchDarklyIntegrationUpdate",
    "NotionAPIKey",
    "NotionAPIKeyUpdate",
    "NotionCredentials",
    "NotionCredentialsUpdate",
    "NotionIntegration",
    "NotionIntegrationUpdate",
    "OktaAPIToken",
    "OktaAPITokenUpdate",
    "OktaCredentials",
    "OktaCredentialsUpdate",
    "OktaIntegration",
    "OktaIntegrationUpdate",
    "OpenAIAPIKey",
    "OpenAIAPIKeyUpdate",
    "OpenAICredentials",
    "OpenAICredentialsUpdate",
    "OpenAIIntegration",
    "OpenAIIntegrationUpdate",
    "ServiceNowBasicAuth",
    "ServiceNowBasicAuthUpdate",
    "ServiceNowCredentials",
    "ServiceNowCredentialsUpdate",
    "ServiceNowIntegration",
    "ServiceNowIntegrationUpdate",
    "SplitAPIKey",
    "SplitAPIKeyUpdate",
    "SplitCredentials",
    "SplitCredentialsUpdate",
    "SplitIntegration",
    "SplitIntegrationUpdate",
    "StatsigAPIKey",
    "StatsigAPIKeyUpdate",
    "StatsigCredentials",
    "StatsigCredentialsUpdate",
    "StatsigIntegration",
    "StatsigIntegrationUpdate",
    "UnknownCredentials",
    "UnknownCredentialsUpdate",
    "UnknownIntegration",
    "UnknownIntegrationUpdate",
    "UrlParam",
    "UrlParamUpdate",
    "VirusTotalAPIKey",
    "VirusTotalAPIKeyUpdate",
    "VirusTotalCredentials",
    "VirusTotalCredentialsUpdate",
    "VirusTotalIntegration",
    "VirusTotalIntegrationUpdate",
    "missing_secrets",
    "secret_credential_fields",
]


def _secret() -> Any:
    """A write-only credential field: optional, hidden from ``repr``, marked ``{"secret": True}``."""
    return attrs.field(default=None, repr=False, metadata={"secret": True})


def missing_secrets(value: object, path: str = "integration") -> list[str]:
    """The paths of the secret fields that are ``None`` in ``value`` and everything it holds.

    A create payload must have none; a model read from Datadog usually has some (secrets are
    never returned), so it cannot be sent back to ``create`` as it is.
    """
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in missing_secrets(item, f"{path}[{i}]")]
    cls = type(value)
    if not attrs.has(cls):
        return []
    missing: list[str] = []
    for field in attrs.fields(cls):
        item = getattr(value, field.name)
        if field.metadata.get("secret") and item is None:
            missing.append(f"{path}.{field.name}")
        else:
            missing.extend(missing_secrets(item, f"{path}.{field.name}"))
    return missing


# --- types aiodd does not know --------------------------------------------------------------------


@attrs.define(repr=False)
class _UnknownVariant:
    raw: dict[str, Any]

    @property
    def type(self) -> str | None:
        value = self.raw.get("type")
        return value if isinstance(value, str) else None

    def __repr__(self) -> str:
        # Only the type: ``raw`` may hold secrets.
        return f"{type(self).__name__}(type={self.type!r})"


@attrs.define(repr=False)
class UnknownIntegration(_UnknownVariant):
    """An integration of a ``type`` this version of aiodd does not know; ``raw`` is its wire object."""


@attrs.define(repr=False)
class UnknownIntegrationUpdate(_UnknownVariant):
    """An integration update of a ``type`` this version of aiodd does not know."""


@attrs.define(repr=False)
class UnknownCredentials(_UnknownVariant):
    """Credentials of a ``type`` this version of aiodd does not know; ``raw`` is their wire object."""


@attrs.define(repr=False)
class UnknownCredentialsUpdate(_UnknownVariant):
    """Credentials update of a ``type`` this version of aiodd does not know."""


# --- AWS ------------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class AWSAssumeRole:
    """Assume ``role`` in AWS account ``account_id`` (12 digits, checked before sending).

    ``external_id`` and ``principal_id`` are read-only: Datadog fills them in its answers.
    """

    account_id: str
    external_id: str | None = None
    principal_id: str | None = None
    role: str
    type: Literal["AWSAssumeRole"] = attrs.field(default="AWSAssumeRole", init=False, repr=False)


@attrs.define(kw_only=True)
class AWSAssumeRoleUpdate:
    """``generate_new_external_id=True`` asks Datadog for a new ``external_id``."""

    account_id: str | None = None
    generate_new_external_id: bool | None = None
    role: str | None = None
    type: Literal["AWSAssumeRole"] = attrs.field(default="AWSAssumeRole", init=False, repr=False)


AWSCredentials = AWSAssumeRole | UnknownCredentials
AWSCredentialsUpdate = AWSAssumeRoleUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class AWSIntegration:
    credentials: AWSCredentials
    type: Literal["AWS"] = attrs.field(default="AWS", init=False, repr=False)


@attrs.define(kw_only=True)
class AWSIntegrationUpdate:
    credentials: AWSCredentialsUpdate | None = None
    type: Literal["AWS"] = attrs.field(default="AWS", init=False, repr=False)


# --- Anthropic ------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class AnthropicAPIKey:
    api_token: str | None = _secret()
    type: Literal["AnthropicAPIKey"] = attrs.field(default="AnthropicAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class AnthropicAPIKeyUpdate:
    api_token: str | None = _secret()
    type: Literal["AnthropicAPIKey"] = attrs.field(default="AnthropicAPIKey", init=False, repr=False)


AnthropicCredentials = AnthropicAPIKey | UnknownCredentials
AnthropicCredentialsUpdate = AnthropicAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class AnthropicIntegration:
    credentials: AnthropicCredentials
    type: Literal["Anthropic"] = attrs.field(default="Anthropic", init=False, repr=False)


@attrs.define(kw_only=True)
class AnthropicIntegrationUpdate:
    credentials: AnthropicCredentialsUpdate | None = None
    type: Literal["Anthropic"] = attrs.field(default="Anthropic", init=False, repr=False)


# --- Asana ----------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class AsanaAccessToken:
    access_token: str | None = _secret()
    type: Literal["AsanaAccessToken"] = attrs.field(default="AsanaAccessToken", init=False, repr=False)


@attrs.define(kw_only=True)
class AsanaAccessTokenUpdate:
    access_token: str | None = _secret()
    type: Literal["AsanaAccessToken"] = attrs.field(default="AsanaAccessToken", init=False, repr=False)


AsanaCredentials = AsanaAccessToken | UnknownCredentials
AsanaCredentialsUpdate = AsanaAccessTokenUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class AsanaIntegration:
    credentials: AsanaCredentials
    type: Literal["Asana"] = attrs.field(default="Asana", init=False, repr=False)


@attrs.define(kw_only=True)
class AsanaIntegrationUpdate:
    credentials: AsanaCredentialsUpdate | None = None
    type: Literal["Asana"] = attrs.field(default="Asana", init=False, repr=False)


# --- Azure ----------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class AzureTenant:
    app_client_id: str
    client_secret: str | None = _secret()
    custom_scopes: str | None = None
    tenant_id: str
    type: Literal["AzureTenant"] = attrs.field(default="AzureTenant", init=False, repr=False)


@attrs.define(kw_only=True)
class AzureTenantUpdate:
    app_client_id: str | None = None
    client_secret: str | None = _secret()
    custom_scopes: str | None = None
    tenant_id: str | None = None
    type: Literal["AzureTenant"] = attrs.field(default="AzureTenant", init=False, repr=False)


AzureCredentials = AzureTenant | UnknownCredentials
AzureCredentialsUpdate = AzureTenantUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class AzureIntegration:
    credentials: AzureCredentials
    type: Literal["Azure"] = attrs.field(default="Azure", init=False, repr=False)


@attrs.define(kw_only=True)
class AzureIntegrationUpdate:
    credentials: AzureCredentialsUpdate | None = None
    type: Literal["Azure"] = attrs.field(default="Azure", init=False, repr=False)


# --- CircleCI -------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class CircleCIAPIKey:
    api_token: str | None = _secret()
    type: Literal["CircleCIAPIKey"] = attrs.field(default="CircleCIAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class CircleCIAPIKeyUpdate:
    api_token: str | None = _secret()
    type: Literal["CircleCIAPIKey"] = attrs.field(default="CircleCIAPIKey", init=False, repr=False)


CircleCICredentials = CircleCIAPIKey | UnknownCredentials
CircleCICredentialsUpdate = CircleCIAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class CircleCIIntegration:
    credentials: CircleCICredentials
    type: Literal["CircleCI"] = attrs.field(default="CircleCI", init=False, repr=False)


@attrs.define(kw_only=True)
class CircleCIIntegrationUpdate:
    credentials: CircleCICredentialsUpdate | None = None
    type: Literal["CircleCI"] = attrs.field(default="CircleCI", init=False, repr=False)


# --- Clickup --------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class ClickupAPIKey:
    api_token: str | None = _secret()
    type: Literal["ClickupAPIKey"] = attrs.field(default="ClickupAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class ClickupAPIKeyUpdate:
    api_token: str | None = _secret()
    type: Literal["ClickupAPIKey"] = attrs.field(default="ClickupAPIKey", init=False, repr=False)


ClickupCredentials = ClickupAPIKey | UnknownCredentials
ClickupCredentialsUpdate = ClickupAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class ClickupIntegration:
    credentials: ClickupCredentials
    type: Literal["Clickup"] = attrs.field(default="Clickup", init=False, repr=False)


@attrs.define(kw_only=True)
class ClickupIntegrationUpdate:
    credentials: ClickupCredentialsUpdate | None = None
    type: Literal["Clickup"] = attrs.field(default="Clickup", init=False, repr=False)


# --- Cloudflare -----------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class CloudflareAPIToken:
    api_token: str | None = _secret()
    type: Literal["CloudflareAPIToken"] = attrs.field(default="CloudflareAPIToken", init=False, repr=False)


@attrs.define(kw_only=True)
class CloudflareGlobalAPIToken:
    auth_email: str
    global_api_key: str | None = _secret()
    type: Literal["CloudflareGlobalAPIToken"] = attrs.field(default="CloudflareGlobalAPIToken", init=False, repr=False)


@attrs.define(kw_only=True)
class CloudflareAPITokenUpdate:
    api_token: str | None = _secret()
    type: Literal["CloudflareAPIToken"] = attrs.field(default="CloudflareAPIToken", init=False, repr=False)


@attrs.define(kw_only=True)
class CloudflareGlobalAPITokenUpdate:
    auth_email: str | None = None
    global_api_key: str | None = _secret()
    type: Literal["CloudflareGlobalAPIToken"] = attrs.field(default="CloudflareGlobalAPIToken", init=False, repr=False)


CloudflareCredentials = CloudflareAPIToken | CloudflareGlobalAPIToken | UnknownCredentials
CloudflareCredentialsUpdate = CloudflareAPITokenUpdate | CloudflareGlobalAPITokenUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class CloudflareIntegration:
    credentials: CloudflareCredentials
    type: Literal["Cloudflare"] = attrs.field(default="Cloudflare", init=False, repr=False)


@attrs.define(kw_only=True)
class CloudflareIntegrationUpdate:
    credentials: CloudflareCredentialsUpdate | None = None
    type: Literal["Cloudflare"] = attrs.field(default="Cloudflare", init=False, repr=False)


# --- ConfigCat ------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class ConfigCatSDKKey:
    api_password: str | None = _secret()
    api_username: str
    sdk_key: str | None = _secret()
    type: Literal["ConfigCatSDKKey"] = attrs.field(default="ConfigCatSDKKey", init=False, repr=False)


@attrs.define(kw_only=True)
class ConfigCatSDKKeyUpdate:
    api_password: str | None = _secret()
    api_username: str | None = None
    sdk_key: str | None = _secret()
    type: Literal["ConfigCatSDKKey"] = attrs.field(default="ConfigCatSDKKey", init=False, repr=False)


ConfigCatCredentials = ConfigCatSDKKey | UnknownCredentials
ConfigCatCredentialsUpdate = ConfigCatSDKKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class ConfigCatIntegration:
    credentials: ConfigCatCredentials
    type: Literal["ConfigCat"] = attrs.field(default="ConfigCat", init=False, repr=False)


@attrs.define(kw_only=True)
class ConfigCatIntegrationUpdate:
    credentials: ConfigCatCredentialsUpdate | None = None
    type: Literal["ConfigCat"] = attrs.field(default="ConfigCat", init=False, repr=False)


# --- Datadog --------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class DatadogAPIKey:
    api_key: str | None = _secret()
    app_key: str | None = _secret()
    datacenter: str
    subdomain: str | None = None
    type: Literal["DatadogAPIKey"] = attrs.field(default="DatadogAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class DatadogAPIKeyUpdate:
    api_key: str | None = _secret()
    app_key: str | None = _secret()
    datacenter: str | None = None
    subdomain: str | None = None
    type: Literal["DatadogAPIKey"] = attrs.field(default="DatadogAPIKey", init=False, repr=False)


DatadogCredentials = DatadogAPIKey | UnknownCredentials
DatadogCredentialsUpdate = DatadogAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class DatadogIntegration:
    credentials: DatadogCredentials
    type: Literal["Datadog"] = attrs.field(default="Datadog", init=False, repr=False)


@attrs.define(kw_only=True)
class DatadogIntegrationUpdate:
    credentials: DatadogCredentialsUpdate | None = None
    type: Literal["Datadog"] = attrs.field(default="Datadog", init=False, repr=False)


# --- Fastly ---------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class FastlyAPIKey:
    api_key: str | None = _secret()
    type: Literal["FastlyAPIKey"] = attrs.field(default="FastlyAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class FastlyAPIKeyUpdate:
    api_key: str | None = _secret()
    type: Literal["FastlyAPIKey"] = attrs.field(default="FastlyAPIKey", init=False, repr=False)


FastlyCredentials = FastlyAPIKey | UnknownCredentials
FastlyCredentialsUpdate = FastlyAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class FastlyIntegration:
    credentials: FastlyCredentials
    type: Literal["Fastly"] = attrs.field(default="Fastly", init=False, repr=False)


@attrs.define(kw_only=True)
class FastlyIntegrationUpdate:
    credentials: FastlyCredentialsUpdate | None = None
    type: Literal["Fastly"] = attrs.field(default="Fastly", init=False, repr=False)


# --- Freshservice ---------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class FreshserviceAPIKey:
    api_key: str | None = _secret()
    domain: str
    type: Literal["FreshserviceAPIKey"] = attrs.field(default="FreshserviceAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class FreshserviceAPIKeyUpdate:
    api_key: str | None = _secret()
    domain: str | None = None
    type: Literal["FreshserviceAPIKey"] = attrs.field(default="FreshserviceAPIKey", init=False, repr=False)


FreshserviceCredentials = FreshserviceAPIKey | UnknownCredentials
FreshserviceCredentialsUpdate = FreshserviceAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class FreshserviceIntegration:
    credentials: FreshserviceCredentials
    type: Literal["Freshservice"] = attrs.field(default="Freshservice", init=False, repr=False)


@attrs.define(kw_only=True)
class FreshserviceIntegrationUpdate:
    credentials: FreshserviceCredentialsUpdate | None = None
    type: Literal["Freshservice"] = attrs.field(default="Freshservice", init=False, repr=False)


# --- GCP ------------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class GCPServiceAccount:
    private_key: str | None = _secret()
    service_account_email: str
    type: Literal["GCPServiceAccount"] = attrs.field(default="GCPServiceAccount", init=False, repr=False)


@attrs.define(kw_only=True)
class GCPServiceAccountUpdate:
    private_key: str | None = _secret()
    service_account_email: str | None = None
    type: Literal["GCPServiceAccount"] = attrs.field(default="GCPServiceAccount", init=False, repr=False)


GCPCredentials = GCPServiceAccount | UnknownCredentials
GCPCredentialsUpdate = GCPServiceAccountUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class GCPIntegration:
    credentials: GCPCredentials
    type: Literal["GCP"] = attrs.field(default="GCP", init=False, repr=False)


@attrs.define(kw_only=True)
class GCPIntegrationUpdate:
    credentials: GCPCredentialsUpdate | None = None
    type: Literal["GCP"] = attrs.field(default="GCP", init=False, repr=False)


# --- Gemini ---------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class GeminiAPIKey:
    api_key: str | None = _secret()
    type: Literal["GeminiAPIKey"] = attrs.field(default="GeminiAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class GeminiAPIKeyUpdate:
    api_key: str | None = _secret()
    type: Literal["GeminiAPIKey"] = attrs.field(default="GeminiAPIKey", init=False, repr=False)


GeminiCredentials = GeminiAPIKey | UnknownCredentials
GeminiCredentialsUpdate = GeminiAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class GeminiIntegration:
    credentials: GeminiCredentials
    type: Literal["Gemini"] = attrs.field(default="Gemini", init=False, repr=False)


@attrs.define(kw_only=True)
class GeminiIntegrationUpdate:
    credentials: GeminiCredentialsUpdate | None = None
    type: Literal["Gemini"] = attrs.field(default="Gemini", init=False, repr=False)


# --- Gitlab ---------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class GitlabAPIKey:
    api_token: str | None = _secret()
    type: Literal["GitlabAPIKey"] = attrs.field(default="GitlabAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class GitlabAPIKeyUpdate:
    api_token: str | None = _secret()
    type: Literal["GitlabAPIKey"] = attrs.field(default="GitlabAPIKey", init=False, repr=False)


GitlabCredentials = GitlabAPIKey | UnknownCredentials
GitlabCredentialsUpdate = GitlabAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class GitlabIntegration:
    credentials: GitlabCredentials
    type: Literal["Gitlab"] = attrs.field(default="Gitlab", init=False, repr=False)


@attrs.define(kw_only=True)
class GitlabIntegrationUpdate:
    credentials: GitlabCredentialsUpdate | None = None
    type: Literal["Gitlab"] = attrs.field(default="Gitlab", init=False, repr=False)


# --- GreyNoise ------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class GreyNoiseAPIKey:
    api_key: str | None = _secret()
    type: Literal["GreyNoiseAPIKey"] = attrs.field(default="GreyNoiseAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class GreyNoiseAPIKeyUpdate:
    api_key: str | None = _secret()
    type: Literal["GreyNoiseAPIKey"] = attrs.field(default="GreyNoiseAPIKey", init=False, repr=False)


GreyNoiseCredentials = GreyNoiseAPIKey | UnknownCredentials
GreyNoiseCredentialsUpdate = GreyNoiseAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class GreyNoiseIntegration:
    credentials: GreyNoiseCredentials
    type: Literal["GreyNoise"] = attrs.field(default="GreyNoise", init=False, repr=False)


@attrs.define(kw_only=True)
class GreyNoiseIntegrationUpdate:
    credentials: GreyNoiseCredentialsUpdate | None = None
    type: Literal["GreyNoise"] = attrs.field(default="GreyNoise", init=False, repr=False)


# --- HTTP -----------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class HTTPBody:
    """A body sent with every request; ``content`` is kept out of ``repr`` (it often carries credentials)."""

    content: str | None = attrs.field(default=None, repr=False)
    content_type: str | None = None


@attrs.define(kw_only=True)
class HTTPHeader:
    name: str
    value: str | None = _secret()


@attrs.define(kw_only=True)
class HTTPHeaderUpdate:
    deleted: bool | None = None
    name: str
    value: str | None = _secret()


@attrs.define(kw_only=True)
class HTTPToken:
    """A named secret the HTTP actions can reference. ``type`` is the API's ``TokenType`` (only ``SECRET`` exists)."""

    name: str
    type: str = "SECRET"
    value: str | None = _secret()


@attrs.define(kw_only=True)
class HTTPTokenUpdate:
    """The API requires ``value`` here even when ``deleted`` is true."""

    deleted: bool | None = None
    name: str
    type: str = "SECRET"
    value: str = attrs.field(repr=False, metadata={"secret": True})


@attrs.define(kw_only=True)
class UrlParam:
    name: str
    value: str


@attrs.define(kw_only=True)
class UrlParamUpdate:
    deleted: bool | None = None
    name: str
    value: str | None = None


@attrs.define(kw_only=True)
class HTTPTokenAuth:
    body: HTTPBody | None = None
    headers: list[HTTPHeader] | None = None
    tokens: list[HTTPToken] | None = None
    type: Literal["HTTPTokenAuth"] = attrs.field(default="HTTPTokenAuth", init=False, repr=False)
    url_parameters: list[UrlParam] | None = None


@attrs.define(kw_only=True)
class HTTPTokenAuthUpdate:
    body: HTTPBody | None = None
    headers: list[HTTPHeaderUpdate] | None = None
    tokens: list[HTTPTokenUpdate] | None = None
    type: Literal["HTTPTokenAuth"] = attrs.field(default="HTTPTokenAuth", init=False, repr=False)
    url_parameters: list[UrlParamUpdate] | None = None


HTTPCredentials = HTTPTokenAuth | UnknownCredentials
HTTPCredentialsUpdate = HTTPTokenAuthUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class HTTPIntegration:
    """Calls to any HTTP API under ``base_url``."""

    base_url: str
    credentials: HTTPCredentials
    type: Literal["HTTP"] = attrs.field(default="HTTP", init=False, repr=False)


@attrs.define(kw_only=True)
class HTTPIntegrationUpdate:
    base_url: str | None = None
    credentials: HTTPCredentialsUpdate | None = None
    type: Literal["HTTP"] = attrs.field(default="HTTP", init=False, repr=False)


# --- LaunchDarkly ---------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class LaunchDarklyAPIKey:
    api_token: str | None = _secret()
    type: Literal["LaunchDarklyAPIKey"] = attrs.field(default="LaunchDarklyAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class LaunchDarklyAPIKeyUpdate:
    api_token: str | None = _secret()
    type: Literal["LaunchDarklyAPIKey"] = attrs.field(default="LaunchDarklyAPIKey", init=False, repr=False)


LaunchDarklyCredentials = LaunchDarklyAPIKey | UnknownCredentials
LaunchDarklyCredentialsUpdate = LaunchDarklyAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class LaunchDarklyIntegration:
    credentials: LaunchDarklyCredentials
    type: Literal["LaunchDarkly"] = attrs.field(default="LaunchDarkly", init=False, repr=False)


@attrs.define(kw_only=True)
class LaunchDarklyIntegrationUpdate:
    credentials: LaunchDarklyCredentialsUpdate | None = None
    type: Literal["LaunchDarkly"] = attrs.field(default="LaunchDarkly", init=False, repr=False)


# --- Notion ---------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class NotionAPIKey:
    api_token: str | None = _secret()
    type: Literal["NotionAPIKey"] = attrs.field(default="NotionAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class NotionAPIKeyUpdate:
    api_token: str | None = _secret()
    type: Literal["NotionAPIKey"] = attrs.field(default="NotionAPIKey", init=False, repr=False)


NotionCredentials = NotionAPIKey | UnknownCredentials
NotionCredentialsUpdate = NotionAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class NotionIntegration:
    credentials: NotionCredentials
    type: Literal["Notion"] = attrs.field(default="Notion", init=False, repr=False)


@attrs.define(kw_only=True)
class NotionIntegrationUpdate:
    credentials: NotionCredentialsUpdate | None = None
    type: Literal["Notion"] = attrs.field(default="Notion", init=False, repr=False)


# --- Okta -----------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class OktaAPIToken:
    api_token: str | None = _secret()
    domain: str
    type: Literal["OktaAPIToken"] = attrs.field(default="OktaAPIToken", init=False, repr=False)


@attrs.define(kw_only=True)
class OktaAPITokenUpdate:
    api_token: str | None = _secret()
    domain: str | None = None
    type: Literal["OktaAPIToken"] = attrs.field(default="OktaAPIToken", init=False, repr=False)


OktaCredentials = OktaAPIToken | UnknownCredentials
OktaCredentialsUpdate = OktaAPITokenUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class OktaIntegration:
    credentials: OktaCredentials
    type: Literal["Okta"] = attrs.field(default="Okta", init=False, repr=False)


@attrs.define(kw_only=True)
class OktaIntegrationUpdate:
    credentials: OktaCredentialsUpdate | None = None
    type: Literal["Okta"] = attrs.field(default="Okta", init=False, repr=False)


# --- OpenAI ---------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class OpenAIAPIKey:
    api_token: str | None = _secret()
    type: Literal["OpenAIAPIKey"] = attrs.field(default="OpenAIAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class OpenAIAPIKeyUpdate:
    api_token: str | None = _secret()
    type: Literal["OpenAIAPIKey"] = attrs.field(default="OpenAIAPIKey", init=False, repr=False)


OpenAICredentials = OpenAIAPIKey | UnknownCredentials
OpenAICredentialsUpdate = OpenAIAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class OpenAIIntegration:
    credentials: OpenAICredentials
    type: Literal["OpenAI"] = attrs.field(default="OpenAI", init=False, repr=False)


@attrs.define(kw_only=True)
class OpenAIIntegrationUpdate:
    credentials: OpenAICredentialsUpdate | None = None
    type: Literal["OpenAI"] = attrs.field(default="OpenAI", init=False, repr=False)


# --- ServiceNow -----------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class ServiceNowBasicAuth:
    instance: str
    password: str | None = _secret()
    username: str
    type: Literal["ServiceNowBasicAuth"] = attrs.field(default="ServiceNowBasicAuth", init=False, repr=False)


@attrs.define(kw_only=True)
class ServiceNowBasicAuthUpdate:
    instance: str | None = None
    password: str | None = _secret()
    username: str | None = None
    type: Literal["ServiceNowBasicAuth"] = attrs.field(default="ServiceNowBasicAuth", init=False, repr=False)


ServiceNowCredentials = ServiceNowBasicAuth | UnknownCredentials
ServiceNowCredentialsUpdate = ServiceNowBasicAuthUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class ServiceNowIntegration:
    credentials: ServiceNowCredentials
    type: Literal["ServiceNow"] = attrs.field(default="ServiceNow", init=False, repr=False)


@attrs.define(kw_only=True)
class ServiceNowIntegrationUpdate:
    credentials: ServiceNowCredentialsUpdate | None = None
    type: Literal["ServiceNow"] = attrs.field(default="ServiceNow", init=False, repr=False)


# --- Split ----------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class SplitAPIKey:
    api_key: str | None = _secret()
    type: Literal["SplitAPIKey"] = attrs.field(default="SplitAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class SplitAPIKeyUpdate:
    api_key: str | None = _secret()
    type: Literal["SplitAPIKey"] = attrs.field(default="SplitAPIKey", init=False, repr=False)


SplitCredentials = SplitAPIKey | UnknownCredentials
SplitCredentialsUpdate = SplitAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class SplitIntegration:
    credentials: SplitCredentials
    type: Literal["Split"] = attrs.field(default="Split", init=False, repr=False)


@attrs.define(kw_only=True)
class SplitIntegrationUpdate:
    credentials: SplitCredentialsUpdate | None = None
    type: Literal["Split"] = attrs.field(default="Split", init=False, repr=False)


# --- Statsig --------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class StatsigAPIKey:
    api_key: str | None = _secret()
    type: Literal["StatsigAPIKey"] = attrs.field(default="StatsigAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class StatsigAPIKeyUpdate:
    api_key: str | None = _secret()
    type: Literal["StatsigAPIKey"] = attrs.field(default="StatsigAPIKey", init=False, repr=False)


StatsigCredentials = StatsigAPIKey | UnknownCredentials
StatsigCredentialsUpdate = StatsigAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class StatsigIntegration:
    credentials: StatsigCredentials
    type: Literal["Statsig"] = attrs.field(default="Statsig", init=False, repr=False)


@attrs.define(kw_only=True)
class StatsigIntegrationUpdate:
    credentials: StatsigCredentialsUpdate | None = None
    type: Literal["Statsig"] = attrs.field(default="Statsig", init=False, repr=False)


# --- VirusTotal -----------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class VirusTotalAPIKey:
    api_key: str | None = _secret()
    type: Literal["VirusTotalAPIKey"] = attrs.field(default="VirusTotalAPIKey", init=False, repr=False)


@attrs.define(kw_only=True)
class VirusTotalAPIKeyUpdate:
    api_key: str | None = _secret()
    type: Literal["VirusTotalAPIKey"] = attrs.field(default="VirusTotalAPIKey", init=False, repr=False)


VirusTotalCredentials = VirusTotalAPIKey | UnknownCredentials
VirusTotalCredentialsUpdate = VirusTotalAPIKeyUpdate | UnknownCredentialsUpdate


@attrs.define(kw_only=True)
class VirusTotalIntegration:
    credentials: VirusTotalCredentials
    type: Literal["VirusTotal"] = attrs.field(default="VirusTotal", init=False, repr=False)


@attrs.define(kw_only=True)
class VirusTotalIntegrationUpdate:
    credentials: VirusTotalCredentialsUpdate | None = None
    type: Literal["VirusTotal"] = attrs.field(default="VirusTotal", init=False, repr=False)


# --- the unions -----------------------------------------------------------------------------------

ActionConnectionIntegration = (
    AWSIntegration
    | AnthropicIntegration
    | AsanaIntegration
    | AzureIntegration
    | CircleCIIntegration
    | ClickupIntegration
    | CloudflareIntegration
    | ConfigCatIntegration
    | DatadogIntegration
    | FastlyIntegration
    | FreshserviceIntegration
    | GCPIntegration
    | GeminiIntegration
    | GitlabIntegration
    | GreyNoiseIntegration
    | HTTPIntegration
    | LaunchDarklyIntegration
    | NotionIntegration
    | OktaIntegration
    | OpenAIIntegration
    | ServiceNowIntegration
    | SplitIntegration
    | StatsigIntegration
    | VirusTotalIntegration
    | UnknownIntegration
)
ActionConnectionIntegrationUpdate = (
    AWSIntegrationUpdate
    | AnthropicIntegrationUpdate
    | AsanaIntegrationUpdate
    | AzureIntegrationUpdate
    | CircleCIIntegrationUpdate
    | ClickupIntegrationUpdate
    | CloudflareIntegrationUpdate
    | ConfigCatIntegrationUpdate
    | DatadogIntegrationUpdate
    | FastlyIntegrationUpdate
    | FreshserviceIntegrationUpdate
    | GCPIntegrationUpdate
    | GeminiIntegrationUpdate
    | GitlabIntegrationUpdate
    | GreyNoiseIntegrationUpdate
    | HTTPIntegrationUpdate
    | LaunchDarklyIntegrationUpdate
    | NotionIntegrationUpdate
    | OktaIntegrationUpdate
    | OpenAIIntegrationUpdate
    | ServiceNowIntegrationUpdate
    | SplitIntegrationUpdate
    | StatsigIntegrationUpdate
    | VirusTotalIntegrationUpdate
    | UnknownIntegrationUpdate
)


def _credentials_union(integration: type) -> Any:
    """The union an integration class's ``credentials`` accepts (``AWSCredentials`` for ``AWSIntegration``)."""
    members = [cls for cls in get_args(get_type_hints(integration)["credentials"]) if cls is not NoneType]
    return functools.reduce(operator.or_, members)


def _tag(cls: type) -> str:
    """The ``type`` a class always writes: the default of its ``init=False`` ``type`` field."""
    tag = attrs.fields_dict(cls)["type"].default
    assert isinstance(tag, str), cls
    return tag


@functools.cache
def secret_credential_fields() -> Mapping[str, frozenset[str]]:
    """Per credential ``type`` tag, the wire names of its write-only fields (``AzureTenant``: ``client_secret``).

    Read off the ``{"secret": True}`` markers of the 25 credential classes, so the list is written
    down once. Every credential type is a key (``AWSAssumeRole`` has none). The secrets nested in
    HTTP credentials (``HTTPToken.value``, ``HTTPHeader.value``) are marked on those classes, not here.
    """
    credential_classes = [
        credentials
        for integration in get_args(ActionConnectionIntegration)
        if integration is not UnknownIntegration
        for credentials in get_args(_credentials_union(integration))
        if credentials is not UnknownCredentials
    ]
    return MappingProxyType(
        {
            _tag(cls): frozenset(field.name for field in attrs.fields(cls) if field.metadata.get("secret"))
            for cls in credential_classes
        }
    )
