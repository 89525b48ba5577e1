"""Datadog's own Python client (datadog-api-client) works against the fake.

Evidence that the fake speaks Datadog's wire format rather than aiodd's idea of it: the official
client's generated models parse every answer, and its typed exceptions see the error statuses.
The sync client blocks, so each call runs in a thread while the fake serves on the event loop.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from aiodd.testing import FakeDatadog

pytest.importorskip("datadog_api_client")

from datadog_api_client import ApiClient, Configuration
from datadog_api_client.exceptions import ForbiddenException, NotFoundException
from datadog_api_client.v2.api.action_connection_api import ActionConnectionApi
from datadog_api_client.v2.api.service_accounts_api import ServiceAccountsApi
from datadog_api_client.v2.api.users_api import UsersApi
from datadog_api_client.v2.model.action_connection_attributes import ActionConnectionAttributes
from datadog_api_client.v2.model.action_connection_data import ActionConnectionData
from datadog_api_client.v2.model.action_connection_data_type import ActionConnectionDataType
from datadog_api_client.v2.model.application_key_create_attributes import (
    ApplicationKeyCreateAttributes,
)
from datadog_api_client.v2.model.application_key_create_data import ApplicationKeyCreateData
from datadog_api_client.v2.model.application_key_create_request import ApplicationKeyCreateRequest
from datadog_api_client.v2.model.application_keys_sort import ApplicationKeysSort
from datadog_api_client.v2.model.application_keys_type import ApplicationKeysType
from datadog_api_client.v2.model.aws_assume_role import AWSAssumeRole
from datadog_api_client.v2.model.aws_assume_role_type import AWSAssumeRoleType
from datadog_api_client.v2.model.aws_integration import AWSIntegration
from datadog_api_client.v2.model.aws_integration_type import AWSIntegrationType
from datadog_api_client.v2.model.create_action_connection_request import (
    CreateActionConnectionRequest,
)
from datadog_api_client.v2.model.service_account_create_attributes import (
    ServiceAccountCreateAttributes,
)
from datadog_api_client.v2.model.service_account_create_data import ServiceAccountCreateData
from datadog_api_client.v2.model.service_account_create_request import ServiceAccountCreateRequest
from datadog_api_client.v2.model.users_type import UsersType

T = TypeVar("T")


@pytest.fixture
def official(fake_datadog: FakeDatadog) -> Iterator[ApiClient]:
    configuration = Configuration(host=fake_datadog.base_url)
    configuration.api_key["apiKeyAuth"] = fake_datadog.api_key
    configuration.api_key["appKeyAuth"] = fake_datadog.app_key
    with ApiClient(configuration) as client:
        yield client


async def _call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.to_thread(function, *args, **kwargs)


async def test_service_accounts_and_application_keys(official: ApiClient, fake_datadog: FakeDatadog) -> None:
    api = ServiceAccountsApi(official)
    [sa_id] = fake_datadog.seed(service_accounts=1, keys_per_account=15)
    seeded = fake_datadog.state.application_keys(sa_id)

    page = await _call(
        api.list_service_account_application_keys,
        sa_id,
        page_size=5,
        page_number=2,
        sort=ApplicationKeysSort.CREATED_AT_DESCENDING,
    )
    one = await _call(api.get_service_account_application_key, sa_id, seeded[0].id)

    assert [key.id for key in page.data] == [key.id for key in reversed(seeded[0:5])]
    assert page.meta.page.total_filtered_count == 15
    assert page.included[0].id == sa_id
    assert one.data.attributes.name == seeded[0].name
    assert one.data.attributes.last4 == seeded[0].last4
    assert one.included[0].attributes.service_account is True


async def test_users_listing_and_leaked_used_keys(official: ApiClient, fake_datadog: FakeDatadog) -> None:
    [sa_id] = fake_datadog.seed(service_accounts=1, keys_per_account=2, status="Disabled")
    fake_datadog.seed_users(1, status="Pending")
    leaky, used = fake_datadog.state.application_keys(sa_id)
    leak = fake_datadog.state.mark_leaked(leaky.id)
    fake_datadog.state.note_key_used(used.id)

    users = await _call(
        UsersApi(official).list_users, page_size=1, page_number=1, sort="-name", filter_status="Disabled,Pending"
    )
    keys = await _call(ServiceAccountsApi(official).list_service_account_application_keys, sa_id)

    assert [user.id for user in users.data] == [sa_id]  # "Seeded user 0" sorts after "Seeded service account 0"
    assert users.data[0].attributes.service_account is True and users.data[0].attributes.disabled is True
    assert users.meta.page.total_count == 2 and users.meta.page.total_filtered_count == 2
    by_id = {key.id: key for key in keys.data}
    assert by_id[used.id].attributes.last_used_at is not None
    assert [(str(item.type), item.id) for item in keys.included][1:] == [("leaked_keys", leak.id)]
    assert keys.included[1].attributes.leak_source == "github"


async def test_creating_a_service_account_and_a_key(official: ApiClient, fake_datadog: FakeDatadog) -> None:
    api = ServiceAccountsApi(official)

    user = await _call(
        api.create_service_account,
        ServiceAccountCreateRequest(
            data=ServiceAccountCreateData(
                type=UsersType.USERS,
                attributes=ServiceAccountCreateAttributes(email="Robot@Example.com", service_account=True),
            )
        ),
    )
    key = await _call(
        api.create_service_account_application_key,
        user.data.id,
        ApplicationKeyCreateRequest(
            data=ApplicationKeyCreateData(
                type=ApplicationKeysType.APPLICATION_KEYS,
                attributes=ApplicationKeyCreateAttributes(name="ci", scopes=["dashboards_read"]),
            )
        ),
    )

    assert user.data.attributes.email == "robot@example.com"
    assert len(key.data.attributes.key) == 40
    assert key.data.attributes.scopes == ["dashboards_read"]
    assert [k.id for k in fake_datadog.state.application_keys(user.data.id)] == [key.data.id]


async def test_action_connections_and_app_key_registrations(official: ApiClient, fake_datadog: FakeDatadog) -> None:
    api = ActionConnectionApi(official)
    key_id = str(uuid.uuid4())

    registered = await _call(api.register_app_key, key_id)
    registration = await _call(api.get_app_key_registration, key_id)
    registrations = await _call(api.list_app_key_registrations, page_size=10, page_number=0)
    created = await _call(
        api.create_action_connection,
        CreateActionConnectionRequest(
            data=ActionConnectionData(
                type=ActionConnectionDataType.ACTION_CONNECTION,
                attributes=ActionConnectionAttributes(
                    name="Cassette Connection",
                    integration=AWSIntegration(
                        type=AWSIntegrationType.AWS,
                        credentials=AWSAssumeRole(
                            type=AWSAssumeRoleType.AWSASSUMEROLE, account_id="123456789123", role="MyRole"
                        ),
                    ),
                ),
            )
        ),
    )
    fetched = await _call(api.get_action_connection, created.data.id)

    assert str(registered.data.id) == str(registration.data.id) == key_id
    assert [str(item.id) for item in registrations.data] == [key_id]
    assert registrations.meta.total == 1
    credentials = fetched.data.attributes.integration.credentials
    assert fetched.data.attributes.name == "Cassette Connection"
    assert credentials.account_id == "123456789123"
    assert len(credentials.external_id) == 32


async def test_error_statuses_reach_the_official_exceptions(official: ApiClient, fake_datadog: FakeDatadog) -> None:
    api = ActionConnectionApi(official)
    fake_datadog.require_registered_app_key = True

    with pytest.raises(NotFoundException):
        await _call(api.get_app_key_registration, str(uuid.uuid4()))
    with pytest.raises(ForbiddenException):
        await _call(api.get_action_connection, str(uuid.uuid4()))
