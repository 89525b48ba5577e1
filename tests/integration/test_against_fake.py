"""aiodd end to end against the fake Datadog: every endpoint, typed errors, 429s and faults.

Uses the ``fake_datadog`` and ``dd`` fixtures of aiodd's own pytest plugin, as a user would.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

import aiodd
from aiodd import models as m
from aiodd.testing import FakeDatadog

KEYS = "/api/v2/service_accounts/*/application_keys"
KEY = "/api/v2/service_accounts/*/application_keys/*"


async def test_service_account_and_key_lifecycle(dd: aiodd.Client, fake_datadog: FakeDatadog) -> None:
    sa = await dd.service_accounts.create(email="ci@example.com", name="CI", title="bot")
    assert sa.data is not None and sa.data.attributes is not None and sa.data.id
    assert sa.data.attributes.service_account is True and sa.data.attributes.created_at.tzinfo is not None  # type: ignore[union-attr]
    sa_id = sa.data.id

    created = await dd.service_accounts.application_keys.create(sa_id, name="deploy", scopes=["dashboards_read"])
    assert created.data is not None and created.data.attributes is not None and created.data.id
    secret = created.data.attributes.key
    assert secret and fake_datadog.state.key_id_for_secret(secret) == created.data.id
    assert secret not in repr(created)

    got = await dd.service_accounts.application_keys.get(sa_id, created.data.id)
    assert got.data is not None and got.data.attributes is not None
    assert got.data.attributes.name == "deploy" and got.data.attributes.scopes == ["dashboards_read"]
    assert any(isinstance(item, m.User) for item in got.included or [])

    updated = await dd.service_accounts.application_keys.update(sa_id, created.data.id, name="deploy-2", scopes=[])
    assert updated.data is not None and updated.data.attributes is not None
    assert updated.data.attributes.name == "deploy-2"

    await dd.service_accounts.application_keys.delete(sa_id, created.data.id)
    with pytest.raises(aiodd.NotFoundError) as caught:
        await dd.service_accounts.application_keys.get(sa_id, created.data.id)
    assert caught.value.status == 404 and caught.value.errors and isinstance(caught.value.errors[0], str)


async def test_a_key_update_keeps_scopes_left_out_and_clears_scopes_given_as_none(
    dd: aiodd.Client, fake_datadog: FakeDatadog
) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=0)
    created = await dd.service_accounts.application_keys.create(sa, name="deploy", scopes=["dashboards_read"])
    assert created.data is not None and created.data.id
    key_id = created.data.id

    renamed = await dd.service_accounts.application_keys.update(sa, key_id, name="deploy-2")
    assert renamed.data is not None and renamed.data.attributes is not None
    assert (renamed.data.attributes.name, renamed.data.attributes.scopes) == ("deploy-2", ["dashboards_read"])

    unscoped = await dd.service_accounts.application_keys.update(sa, key_id, scopes=None)
    assert unscoped.data is not None and unscoped.data.attributes is not None
    assert (unscoped.data.attributes.name, unscoped.data.attributes.scopes) == ("deploy-2", None)
    [stored] = fake_datadog.state.application_keys(sa)
    assert stored.scopes is None


async def test_listing_walks_every_page_with_filters_and_sort(dd: aiodd.Client, fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=250)
    fake_datadog.reset_counters()
    keys = await dd.service_accounts.application_keys.list(sa, sort="-created_at").to_list()
    assert len(keys) == 250 and len({k.id for k in keys}) == 250
    assert fake_datadog.requests_seen("GET", KEYS) == 3  # pages of 100, 100, 50
    created = [k.attributes.created_at for k in keys if k.attributes and k.attributes.created_at]
    assert created == sorted(created, reverse=True)

    named = await dd.service_accounts.application_keys.list(sa, filter="-000007", page_size=10).to_list()
    assert [k.attributes.name for k in named if k.attributes] == ["seeded-key-0000-000007"]

    cutoff = created[49]  # the 50 newest were created at or after this
    recent = await dd.service_accounts.application_keys.list(sa, created_after=cutoff).to_list()
    assert len(recent) == 50
    none = await dd.service_accounts.application_keys.list(
        sa, created_before=datetime.now(UTC) - timedelta(days=365)
    ).to_list()
    assert none == []


async def test_pages_expose_the_documents(dd: aiodd.Client, fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=15)
    pages = [page async for page in dd.service_accounts.application_keys.list(sa, page_size=10).pages()]
    assert [len(p.data) for p in pages] == [10, 5]
    assert pages[0].meta is not None and pages[0].meta.page is not None
    assert pages[0].meta.page.total_filtered_count == 15


async def test_action_connection_lifecycle(dd: aiodd.Client, fake_datadog: FakeDatadog) -> None:
    aws = m.AWSIntegration(credentials=m.AWSAssumeRole(account_id="111222333444", role="my-role"))
    created = await dd.action_connections.create(name="prod AWS", integration=aws, tags=["team:sre"])
    assert created.data is not None and created.data.id and created.data.attributes is not None
    integration = created.data.attributes.integration
    assert isinstance(integration, m.AWSIntegration) and isinstance(integration.credentials, m.AWSAssumeRole)
    first_external_id = integration.credentials.external_id
    assert first_external_id

    update = m.AWSIntegrationUpdate(credentials=m.AWSAssumeRoleUpdate(generate_new_external_id=True))
    updated = await dd.action_connections.update(created.data.id, name="prod AWS 2", integration=update)
    assert updated.data is not None and updated.data.attributes is not None
    assert updated.data.attributes.name == "prod AWS 2"
    new_credentials = updated.data.attributes.integration.credentials  # type: ignore[union-attr]
    assert isinstance(new_credentials, m.AWSAssumeRole) and new_credentials.external_id != first_external_id

    got = await dd.action_connections.get(created.data.id)
    assert got.data is not None and got.data.attributes is not None and got.data.attributes.name == "prod AWS 2"
    await dd.action_connections.delete(created.data.id)
    with pytest.raises(aiodd.NotFoundError) as caught:
        await dd.action_connections.get(created.data.id)
    assert isinstance(caught.value.errors[0], m.JSONAPIErrorItem)


async def test_a_connection_read_back_has_its_secrets_withheld(dd: aiodd.Client) -> None:
    http = m.HTTPIntegration(
        base_url="https://hooks.example.com",
        credentials=m.HTTPTokenAuth(
            tokens=[m.HTTPToken(name="ApiToken", value="t0ken-s3cret")],
            headers=[m.HTTPHeader(name="Authorization", value="Bearer h3ader-s3cret")],
            url_parameters=[m.UrlParam(name="team", value="sre")],
        ),
    )
    created = await dd.action_connections.create(name="hook", integration=http)
    assert created.data is not None and created.data.id
    got = await dd.action_connections.get(created.data.id)
    assert got.data is not None and got.data.attributes is not None
    integration = got.data.attributes.integration
    assert isinstance(integration, m.HTTPIntegration) and isinstance(integration.credentials, m.HTTPTokenAuth)
    assert integration.credentials.tokens and integration.credentials.tokens[0].value is None
    assert "s3cret" not in repr(got) and "s3cret" not in repr(created)


async def test_app_key_registration_lifecycle(dd: aiodd.Client, fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=3)
    key_ids = [k.id for k in fake_datadog.state.application_keys(sa)]
    for key_id in key_ids:
        registered = await dd.app_key_registrations.register(key_id)
        assert registered.data is not None and registered.data.id == key_id
    got = await dd.app_key_registrations.get(key_ids[0])
    assert got.data is not None and got.data.id == key_ids[0]
    listed = await dd.app_key_registrations.list(page_size=2).to_list()
    assert sorted(r.id for r in listed if r.id) == sorted(key_ids)
    await dd.app_key_registrations.unregister(key_ids[0])
    with pytest.raises(aiodd.NotFoundError):
        await dd.app_key_registrations.get(key_ids[0])
    with pytest.raises(aiodd.BadRequestError) as caught:
        await dd.app_key_registrations.get("not-a-uuid")
    assert "uuid" in str(caught.value)


@pytest.mark.fake_datadog(require_registered_app_key=True)
async def test_an_unregistered_calling_key_is_denied_actions(dd: aiodd.Client, fake_datadog: FakeDatadog) -> None:
    with pytest.raises(aiodd.PermissionDeniedError) as caught:
        await dd.action_connections.get("00000000-0000-0000-0000-000000000000")
    assert caught.value.status == 403
    await dd.app_key_registrations.register(fake_datadog.app_key_id)
    with pytest.raises(aiodd.NotFoundError):
        await dd.action_connections.get("00000000-0000-0000-0000-000000000000")


async def test_wrong_keys_are_permission_denied(fake_datadog: FakeDatadog) -> None:
    async with aiodd.Client("wrong-api-key", "wrong-app-key", base_url=fake_datadog.base_url) as dd:
        with pytest.raises(aiodd.PermissionDeniedError) as caught:
            await dd.service_accounts.application_keys.list("sa").to_list()
    assert "wrong-api-key" not in str(caught.value) and "wrong-app-key" not in str(caught.value)


@pytest.mark.fake_datadog(rate_limit=(5, 2.0))
async def test_concurrent_requests_stay_within_the_fake_rate_limit(dd: aiodd.Client, fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=12)
    ids = [k.id for k in fake_datadog.state.application_keys(sa)]
    results = await asyncio.gather(*(dd.service_accounts.application_keys.get(sa, key_id) for key_id in ids))
    assert len(results) == 12
    assert fake_datadog.rate_limited_count <= 3  # at most one per 2-second window


async def test_a_post_failing_with_500_is_sent_once_and_a_get_is_retried(
    dd: aiodd.Client, fake_datadog: FakeDatadog
) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=1)
    fake_datadog.fail_next("POST", KEYS, status=500)
    with pytest.raises(aiodd.InternalServerError):
        await dd.service_accounts.application_keys.create(sa, name="once")
    assert fake_datadog.requests_seen("POST", KEYS) == 1
    assert [k.name for k in fake_datadog.state.application_keys(sa)] == ["seeded-key-0000-000000"]

    fake_datadog.fail_next("GET", KEYS, status=503, times=2)
    keys = await dd.service_accounts.application_keys.list(sa).to_list()
    assert len(keys) == 1 and fake_datadog.requests_seen("GET", KEYS) == 3


async def test_a_dropped_post_is_not_resent(dd: aiodd.Client, fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=0)
    fake_datadog.drop_next("POST", KEYS)
    with pytest.raises(aiodd.APIConnectionError):
        await dd.service_accounts.application_keys.create(sa, name="once")
    assert fake_datadog.requests_seen("POST", KEYS) == 1


async def test_garbage_success_body_is_a_validation_error(dd: aiodd.Client, fake_datadog: FakeDatadog) -> None:
    [sa] = fake_datadog.seed(service_accounts=1, keys_per_account=1)
    fake_datadog.garbage_next("GET", KEYS)
    with pytest.raises(aiodd.APIResponseValidationError) as caught:
        await dd.service_accounts.application_keys.list(sa).to_list()
    assert caught.value.status == 200
