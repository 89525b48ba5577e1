"""The public surface is deliberate: a new name must be added here on purpose."""

import aiodd


def test_top_level_exports_are_pinned() -> None:
    assert sorted(aiodd.__all__) == sorted(
        [
            "APIConnectionError", "APIError", "APIResponseValidationError", "APIStatusError", "APITimeoutError",
            "AsyncPaginator", "AuthenticationError", "BadRequestError", "Client", "ClientStats",
            "ConfigurationError", "ConflictError", "Error", "InternalServerError", "InvalidArgumentError",
            "NotFoundError", "PermissionDeniedError", "RateLimit", "RateLimitError", "RetryEvent", "RetryPolicy",
            "UnprocessableEntityError", "__version__", "models", "rotate_application_keys",
        ]
    )  # fmt: skip


def test_every_exported_name_resolves() -> None:
    for name in aiodd.__all__:
        assert getattr(aiodd, name) is not None


def test_importing_aiodd_does_not_import_the_optional_parts() -> None:
    import subprocess
    import sys

    optional = ("aiodd.rotation", "aiodd.testing", "aiodd.cli", "aiodd.contrib")
    code = f"import aiodd, sys; print(sorted(m for m in sys.modules if m.startswith({optional!r})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
