"""Send-time checks of models the caller built: the path of the first wrong field, never its value."""

from __future__ import annotations

import pytest

import aiodd
from aiodd import models as m
from aiodd._model_check import check_model


def test_a_well_typed_integration_passes() -> None:
    check_model(
        m.HTTPIntegration(
            base_url="https://example.com",
            credentials=m.HTTPTokenAuth(
                tokens=[m.HTTPToken(name="T", value="v")],
                headers=[m.HTTPHeader(name="A", value="b")],
                url_parameters=[m.UrlParam(name="p", value="q")],
            ),
        ),
        "integration",
    )
    check_model(m.UnknownIntegration({"type": "Future", "anything": [1, {"x": None}]}), "integration")


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (m.HTTPTokenAuth(tokens=[m.HTTPToken(name=3, value="v")]), "auth.tokens[0].name must be a string, got int"),  # type: ignore[arg-type]
        (m.HTTPTokenAuth(body="text"), "auth.body must be HTTPBody, got str"),  # type: ignore[arg-type]
        (m.JSONAPIErrorItem(meta={1: "x"}), "auth.meta key must be a string, got int"),  # type: ignore[dict-item]
        (m.OpenAIIntegration(credentials=m.AWSAssumeRole(account_id="1", role="r")), "AWSAssumeRole"),  # type: ignore[arg-type]
    ],
    ids=["nested-list-item", "optional-model", "dict-key", "union-member"],
)
def test_the_first_wrong_field_is_named_by_its_path(model: object, message: str) -> None:
    with pytest.raises(aiodd.InvalidArgumentError) as caught:
        check_model(model, "auth")
    assert message in str(caught.value)


def test_the_message_never_shows_the_value() -> None:
    with pytest.raises(aiodd.InvalidArgumentError) as caught:
        check_model(m.OpenAIIntegration(credentials=m.OpenAIAPIKey(api_token=987654321)), "integration")  # type: ignore[arg-type]
    assert "987654321" not in str(caught.value)
    assert caught.value.__context__ is None
