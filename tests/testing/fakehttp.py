"""Raw-HTTP helpers for testing the fake itself: plain aiohttp requests, never through aiodd."""

from __future__ import annotations

from typing import Any

import aiohttp

from aiodd.testing import FakeDatadog

SA_JSON = "application/json"
ACTIONS_JSON = "application/vnd.api+json"
KEYS = "/api/v2/service_accounts/{sa}/application_keys"
CONNECTIONS = "/api/v2/actions/connections"
REGISTRATIONS = "/api/v2/actions/app_key_registrations"


class RawAPI:
    """Small request builders so each test reads as the behaviour it checks."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def create_service_account(self, email: str = "robot@example.com", **attributes: Any) -> dict[str, Any]:
        body = {"data": {"type": "users", "attributes": {"email": email, "service_account": True, **attributes}}}
        async with self.session.post("/api/v2/service_accounts", json=body) as response:
            assert response.status == 201, await response.text()
            return await response.json()  # type: ignore[no-any-return]

    async def create_key(self, sa_id: str, name: str = "key", scopes: list[str] | None = None) -> dict[str, Any]:
        attributes: dict[str, Any] = {"name": name}
        if scopes is not None:
            attributes["scopes"] = scopes
        body = {"data": {"type": "application_keys", "attributes": attributes}}
        async with self.session.post(KEYS.format(sa=sa_id), json=body) as response:
            assert response.status == 201, await response.text()
            return await response.json()  # type: ignore[no-any-return]

    async def create_connection(self, integration: dict[str, Any], name: str = "conn", **attributes: Any) -> Any:
        body = {
            "data": {
                "type": "action_connection",
                "attributes": {"name": name, "integration": integration, **attributes},
            }
        }
        async with self.session.post(CONNECTIONS, json=body) as response:
            assert response.status == 201, await response.text()
            assert response.headers["Content-Type"] == ACTIONS_JSON
            return await response.json(content_type=None)

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, str], Any]:
        """Status, headers and body: decoded JSON, ``None`` when empty, else the text."""
        async with self.session.request(method, path, **kwargs) as response:
            raw = await response.read()
            if not raw:
                return response.status, dict(response.headers), None
            if "json" in response.content_type:
                return response.status, dict(response.headers), await response.json(content_type=None)
            return response.status, dict(response.headers), raw.decode()


def aws(account_id: str = "123456789123", role: str = "MyRole") -> dict[str, Any]:
    return {"type": "AWS", "credentials": {"type": "AWSAssumeRole", "account_id": account_id, "role": role}}


def auth_headers(fake: FakeDatadog) -> dict[str, str]:
    return {"DD-API-KEY": fake.api_key, "DD-APPLICATION-KEY": fake.app_key}
