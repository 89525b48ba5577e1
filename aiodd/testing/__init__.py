"""An in-process fake Datadog API server for testing code that uses aiodd (or any client).

    from aiodd.testing import FakeDatadog

    async with FakeDatadog(rate_limit=(100, 1.0)) as fake:
        async with fake.client() as dd:
            ...
        assert fake.requests_seen("GET", "/api/v2/service_accounts/*/application_keys") == 1

With pytest, the ``fake_datadog`` and ``dd`` fixtures come from ``aiodd.testing.pytest_plugin``.
Run ``python -m aiodd.testing`` to serve it to curl or another client.

The names below are imported on first use: the pytest plugin, loaded in every pytest run where
aiodd is installed, lives in this package, and must not bring in the server (``aiohttp.web``).
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._fake import FakeDatadog
    from ._recorder import RecordedRequest
    from ._routing import (
        ACTION_CONNECTIONS,
        APP_KEY_REGISTRATIONS,
        BUCKETS,
        SERVICE_ACCOUNT_APPLICATION_KEYS,
        SERVICE_ACCOUNTS,
        USERS,
    )

__all__ = [
    "ACTION_CONNECTIONS",
    "APP_KEY_REGISTRATIONS",
    "BUCKETS",
    "SERVICE_ACCOUNTS",
    "SERVICE_ACCOUNT_APPLICATION_KEYS",
    "USERS",
    "FakeDatadog",
    "RecordedRequest",
]

_MODULE_OF = {
    "FakeDatadog": "_fake",
    "RecordedRequest": "_recorder",
    **dict.fromkeys((name for name in __all__ if name.isupper()), "_routing"),  # the bucket names
}


def __getattr__(name: str) -> Any:
    module_name = _MODULE_OF.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value
