"""``NOT_GIVEN``: "leave this as it is", for fields where ``None`` is a value the API accepts.

An application-key update takes ``"scopes": null``, so ``scopes=None`` must be sent; leaving the
scopes alone has to be said another way: by not passing ``scopes`` at all, whose default is
``NOT_GIVEN``. A model field whose default is ``NOT_GIVEN`` is left out of the request body
while it holds it (as in the Stainless SDKs, ``openai.NOT_GIVEN``).
"""

from __future__ import annotations

from typing import Final, Literal, final

__all__ = ["NOT_GIVEN", "NotGiven"]


@final
class NotGiven:
    """The type of :data:`NOT_GIVEN`, its only instance (also after a copy or a pickle); falsy."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"  # pickle and copy give back the module's NOT_GIVEN


NOT_GIVEN: Final = NotGiven()
