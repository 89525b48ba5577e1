"""The public surface is deliberate: a new name must be added here on purpose."""

import aiodd


def test_top_level_exports_are_pinned() -> None:
    assert sorted(aiodd.__all__) == sorted(
        [
            "APIConnectionError", "APIError", "APIResponseValidationError", "APIStatusError", "APITimeoutError",
            "AsyncPaginator", "AuthenticationError", "BadRequestError", "Client", "ClientClosedError", "ClientStats",
            "ConfigurationError", "ConflictError", "Error", "InternalServerError", "InvalidArgumentError",
            "NOT_GIVEN", "NotFoundError", "NotGiven", "PermissionDeniedError", "RateLimit", "RateLimitError",
            "RedisRateLimit", "ResponseTooLargeError", "RetryEvent", "RetryPolicy", "UnprocessableEntityError",
            "__version__", "models", "rotate_application_keys",
        ]
    )  # fmt: skip


def test_every_exported_name_resolves() -> None:
    for name in aiodd.__all__:
        assert getattr(aiodd, name) is not None


def test_importing_aiodd_defers_the_optional_parts_and_the_models() -> None:
    import subprocess
    import sys

    optional = (
        "aiodd.rotation", "aiodd.testing", "aiodd.cli", "aiodd.contrib", "aiodd.models.", "aiodd.resources.",
        "aiodd._redis", "redis",
    )  # fmt: skip
    code = f"import aiodd, sys; print(sorted(m for m in sys.modules if m.startswith({optional!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lazily_loaded_models_and_resource_groups_resolve() -> None:
    from aiodd import models as m

    assert m.AWSIntegration.__module__ == "aiodd.models.integrations"
    assert m.UserResponse.__module__ == "aiodd.models.service_accounts"
    assert {"AWSIntegration", "UserResponse", "structure"} <= set(m.__all__)
    client = aiodd.Client("api-key", "app-key")
    assert client.action_connections is client.action_connections  # built once per client
    assert client.service_accounts.application_keys is not None
