"""A FastAPI service that manages Datadog application keys and reads Action Connections with aiodd.

    GET  /service-accounts/{service_account_id}/keys                    every key, streamed as JSON lines
    POST /service-accounts/{service_account_id}/keys/{key_id}/rotate    replace one key, answer its secret
    GET  /action-connections/{connection_id}                            one connection, without credentials

The whole process shares one ``aiodd.Client`` (one connection pool, one rate-limit governor),
opened and closed by the app's lifespan; endpoints receive it as a ``DatadogClient`` parameter.
aiodd's errors become HTTP answers through ``install_error_handlers``: a missing resource is a
404, Datadog's rate limit after retries a 503 with ``Retry-After``, and Datadog refusing this
service's own keys a 502 (the caller cannot fix that).

Run it (uvicorn is not a dependency of aiodd)::

    DD_API_KEY=... DD_APP_KEY=... OPERATOR_TOKEN=... uvicorn fastapi_app:app --app-dir examples

Against the fake Datadog, start ``python -m aiodd.testing --seed-service-accounts 1
--seed-keys-per-account 3``, and set ``DD_API_KEY`` / ``DD_APP_KEY`` to the keys it prints and
``AIODD_EXAMPLE_BASE_URL`` to its URL.
"""

import contextlib
import json
import logging
import os
import secrets
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

import aiodd
from aiodd.contrib.fastapi import DatadogClient, aiodd_lifespan, http_exception_for, install_error_handlers
from aiodd.models import ListApplicationKeysResponse, PartialApplicationKey, UnknownIntegration
from aiodd.rotation import replacement_name  # the naming `aiodd keys rotate` uses, so operators recognise it

logger = logging.getLogger(__name__)

router = APIRouter()


# --- models ---------------------------------------------------------------------------------------


class ApplicationKeyOut(BaseModel):
    """A key as this service shows it: never its secret."""

    id: str
    name: str | None = None
    created_at: str | None = None
    last_used_at: str | None = None
    scopes: list[str] | None = None

    @classmethod
    def of(cls, key: PartialApplicationKey) -> "ApplicationKeyOut":
        attributes = key.attributes
        if attributes is None:
            return cls(id=key.id or "")
        return cls(
            id=key.id or "",
            name=attributes.name,
            created_at=attributes.created_at.isoformat() if attributes.created_at else None,
            last_used_at=attributes.last_used_at.isoformat() if attributes.last_used_at else None,
            scopes=attributes.scopes,
        )


class RotatedKey(BaseModel):
    """The replacement key. ``secret`` is shown once: the caller must store it now."""

    service_account_id: str
    key_id: str
    name: str
    replaces: str
    registered_for_actions: bool
    secret: str = Field(repr=False)


class ActionConnectionOut(BaseModel):
    id: str
    name: str
    integration_type: str | None
    credentials_type: str | None
    tags: list[str] | None = None


# --- authorisation of the rotate endpoint ---------------------------------------------------------


_bearer = HTTPBearer(auto_error=False)


async def require_operator(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Only callers holding the operator token may rotate: the answer carries a key's secret."""
    expected: str | None = request.app.state.operator_token
    if expected is None:
        raise HTTPException(403, "key rotation is disabled: this service has no operator token configured")
    if credentials is None or not secrets.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(401, "a valid operator token is required", headers={"WWW-Authenticate": "Bearer"})


# --- endpoints ------------------------------------------------------------------------------------


@router.get(
    "/service-accounts/{service_account_id}/keys",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
async def list_keys(
    service_account_id: str,
    dd: DatadogClient,
    filter: str | None = None,
    page_size: Annotated[int, Query(ge=1, le=100)] = 100,
) -> StreamingResponse:
    """Every key of the service account, one JSON object per line, fetched a page at a time.

    The first page is fetched before answering, so an unknown account is a 404 and a refused key
    a 502. Once the answer has started its status cannot change: a later page that fails ends the
    stream with an ``{"error": {"status": ..., "detail": ...}}`` line, so a reader can tell a cut
    listing from a complete one.
    """
    pages = dd.service_accounts.application_keys.list(service_account_id, page_size=page_size, filter=filter).pages()
    first = await anext(pages)
    return StreamingResponse(_key_lines(first, pages), media_type="application/x-ndjson")


async def _key_lines(
    first: ListApplicationKeysResponse, rest: AsyncGenerator[ListApplicationKeysResponse, None]
) -> AsyncIterator[bytes]:
    async with contextlib.aclosing(rest):
        for key in first.data:
            yield ApplicationKeyOut.of(key).model_dump_json().encode() + b"\n"
        try:
            async for page in rest:
                for key in page.data:
                    yield ApplicationKeyOut.of(key).model_dump_json().encode() + b"\n"
        except aiodd.APIError as exc:
            answer = http_exception_for(exc)
            logger.warning("key listing cut short: %s: %s", type(exc).__name__, exc)
            yield json.dumps({"error": {"status": answer.status_code, "detail": answer.detail}}).encode() + b"\n"


@router.post(
    "/service-accounts/{service_account_id}/keys/{key_id}/rotate",
    dependencies=[Depends(require_operator)],
)
async def rotate_key(
    service_account_id: str,
    key_id: str,
    dd: DatadogClient,
    background: BackgroundTasks,
    response: Response,
) -> RotatedKey:
    """Replace one key: create its replacement, answer the new secret, then delete the old key.

    Why not ``aiodd.rotation.rotate_application_keys`` with a ``select`` for this key: its
    contract is that the ``sink`` has stored the secret durably when it returns, and only then is
    the old key deleted. Inside an endpoint the only place for the secret is this answer, which
    the caller receives after the endpoint returns; a sink that merely kept the secret in memory
    would let the old key be deleted before the caller has its replacement, and an answer lost
    after that would leave the caller with neither. (It would also list every key of the account
    and every Actions registration to rotate one key, and report failures in a report instead of
    raising the typed errors this service maps to HTTP statuses.) Its journal makes long bulk
    runs resumable; one request does not need one.

    So the steps are the primitives, in the order that keeps a working key in the caller's hands:

    1. read the old key (404 if it does not exist in this account) and whether it is registered
       for the Actions API;
    2. create the replacement with the old key's scopes, named ``<old name> [rotated <marker>]``;
       if the create fails ambiguously (it may have run), delete whatever carries the marker;
    3. register the replacement for Actions if the old key was (on failure, delete it: nobody
       has its secret yet);
    4. answer the secret (``Cache-Control: no-store``);
    5. after the answer has been sent, unregister and delete the old key (a background task).
       If that fails, the old key stays live and the failure is logged: both keys work.

    A caller that cannot accept losing an answer sent over a dropped connection should rotate in
    two requests instead: create the replacement, store its secret, then delete the old key.
    The secret is in this answer only; it is never logged.
    """
    keys = dd.service_accounts.application_keys
    old = await keys.get(service_account_id, key_id)
    old_name = old.data.attributes.name if old.data and old.data.attributes else None
    scopes = old.data.attributes.scopes if old.data and old.data.attributes else None
    registered = await _is_registered(dd, key_id)

    marker = uuid.uuid4().hex[:12]
    name = replacement_name(old_name, marker)
    try:
        created = await keys.create(service_account_id, name, scopes=scopes)
    except (aiodd.APIConnectionError, aiodd.InternalServerError):
        await _delete_marked(dd, service_account_id, marker)
        raise
    new_id = created.data.id if created.data else None
    secret = created.data.attributes.key if created.data and created.data.attributes else None
    if not new_id or not secret:
        if new_id:
            await keys.delete(service_account_id, new_id)
        raise HTTPException(502, "Datadog created no usable key; the old key is unchanged.")
    if registered:
        try:
            await dd.app_key_registrations.register(new_id)
        except aiodd.Error:
            await keys.delete(service_account_id, new_id)
            raise

    background.add_task(_retire, dd, service_account_id, key_id, registered)
    response.headers["Cache-Control"] = "no-store"
    return RotatedKey(
        service_account_id=service_account_id,
        key_id=new_id,
        name=name,
        replaces=key_id,
        registered_for_actions=registered,
        secret=secret,
    )


async def _is_registered(dd: aiodd.Client, key_id: str) -> bool:
    try:
        await dd.app_key_registrations.get(key_id)
    except aiodd.NotFoundError:
        return False
    return True


async def _delete_marked(dd: aiodd.Client, service_account_id: str, marker: str) -> None:
    keys = dd.service_accounts.application_keys
    try:
        async for key in keys.list(service_account_id, filter=marker):
            if key.id and key.attributes and marker in (key.attributes.name or ""):
                await keys.delete(service_account_id, key.id)
    except aiodd.Error as exc:
        logger.error("a replacement key named [rotated %s] may exist without an owner: %s", marker, exc)


async def _retire(dd: aiodd.Client, service_account_id: str, key_id: str, registered: bool) -> None:
    """Unregister and delete a replaced key; runs after the answer with its replacement was sent."""
    try:
        if registered:
            with contextlib.suppress(aiodd.NotFoundError):
                await dd.app_key_registrations.unregister(key_id)
        with contextlib.suppress(aiodd.NotFoundError):
            await dd.service_accounts.application_keys.delete(service_account_id, key_id)
    except aiodd.Error as exc:
        logger.error(
            "replaced key %s of service account %s is still live, delete it: %s", key_id, service_account_id, exc
        )


@router.get("/action-connections/{connection_id}")
async def get_action_connection(connection_id: str, dd: DatadogClient) -> ActionConnectionOut:
    """A connection's name, tags and integration; Datadog never returns the credentials' secrets."""
    answer = await dd.action_connections.get(connection_id)
    if answer.data is None:
        raise HTTPException(502, "Datadog answered without the connection.")
    integration = answer.data.attributes.integration
    if isinstance(integration, UnknownIntegration):  # a type this aiodd does not know: read the wire object
        raw = integration.raw.get("credentials")
        credentials_type = raw.get("type") if isinstance(raw, dict) else None
    else:
        credentials_type = integration.credentials.type
    return ActionConnectionOut(
        id=answer.data.id or connection_id,
        name=answer.data.attributes.name,
        integration_type=integration.type,
        credentials_type=credentials_type,
        tags=answer.data.attributes.tags,
    )


# --- the app ----------------------------------------------------------------------------------------


def create_app(*, operator_token: str | None = None, **client_options: Any) -> FastAPI:
    """The app; ``client_options`` go to ``aiodd.Client`` at startup (keys default to the environment).

    ``operator_token`` (default: the ``OPERATOR_TOKEN`` environment variable) is the bearer token
    the rotate endpoint requires; without one, rotation is disabled.
    """
    app = FastAPI(title="Datadog keys", lifespan=aiodd_lifespan(**client_options))
    app.state.operator_token = operator_token or os.environ.get("OPERATOR_TOKEN") or None
    install_error_handlers(app)
    app.include_router(router)
    return app


app = create_app(base_url=os.environ.get("AIODD_EXAMPLE_BASE_URL") or None)
