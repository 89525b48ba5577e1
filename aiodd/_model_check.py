"""Check a model the caller built against its annotations, at send time, before anything is sent.

Model constructors do not check types: every answer is structured through them, and that must
stay fast (the converter checks what it reads from the wire). A model a caller builds and
passes in, such as an integration with its credentials, is checked here instead, so that
``HTTPTokenAuth(tokens="abc")`` or ``OpenAIAPIKey(api_token=123)`` gives an
:class:`InvalidArgumentError` naming the field rather than a failure deep in encoding, or a
request Datadog rejects. The message names the field's path and the type found, never the value
(it may be a secret).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, get_args, get_origin

import attrs

from ._exceptions import InvalidArgumentError

__all__ = ["check_model"]


def check_model(value: object, argument: str) -> None:
    """Raise :class:`InvalidArgumentError` if ``value`` (an attrs model) or anything it holds has the wrong type."""
    problem = _problem(value, type(value), argument)
    if problem is not None:  # raised here, from a frame that holds only the model (its repr hides secrets)
        raise InvalidArgumentError(problem)


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """The (name, resolved type) of every field a caller sets (``init=False`` ones are fixed by the class)."""
    attrs.resolve_types(cls)
    return tuple((field.name, field.type) for field in attrs.fields(cls) if field.init)


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _describe(kind: Any) -> str:
    if kind is str:
        return "a string"
    if kind is int:
        return "an integer"
    if kind is float:
        return "a number"
    if kind is bool:
        return "True or False"
    if kind is types.NoneType:
        return "None"
    origin = get_origin(kind)
    if origin is list:
        return "a list"
    if origin is dict:
        return "a dict"
    if origin is Literal:
        return " or ".join(repr(choice) for choice in get_args(kind))
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_describe(member) for member in get_args(kind))
    return getattr(kind, "__name__", str(kind))


# How each plain type is checked: exactly as the converter reads it from the wire.
_ACCEPTS: dict[Any, Callable[[object], bool]] = {
    Any: lambda value: True,
    str: lambda value: isinstance(value, str),
    bool: lambda value: isinstance(value, bool),
    int: lambda value: isinstance(value, int) and not isinstance(value, bool),
    float: lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    types.NoneType: lambda value: value is None,
    datetime: lambda value: isinstance(value, datetime),
}


def _problem(value: object, kind: Any, path: str) -> str | None:
    """What is wrong with ``value`` as a ``kind`` at ``path``; ``None`` when nothing is.

    Returns rather than raises, so that no frame holding a field's value is ever in a traceback.
    """
    origin = get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        return _union_problem(value, kind, path)
    if origin is list:
        return _list_problem(value, kind, path)
    if origin is dict:
        return _dict_problem(value, kind, path)
    if isinstance(kind, type) and attrs.has(kind):
        return _model_problem(value, kind, path)
    if origin is Literal:
        ok = isinstance(value, str | int) and value in get_args(kind)
    else:
        accepts = _ACCEPTS.get(kind)
        if accepts is None:  # a type this checker does not know: left to the encoder
            return None
        ok = accepts(value)
    if not ok:
        return f"{path} must be {_describe(kind)}, got {type(value).__name__}"
    if isinstance(value, str) and not value.isascii() and not _encodable(value):
        return f"{path} is not valid Unicode text (it holds a lone surrogate)"
    return None


def _union_problem(value: object, kind: Any, path: str) -> str | None:
    members = [member for member in get_args(kind) if member is not types.NoneType]
    if value is None and len(members) < len(get_args(kind)):
        return None
    if len(members) == 1:
        return _problem(value, members[0], path)
    for member in members:
        if isinstance(member, type) and attrs.has(member):
            if isinstance(value, member):  # the right class: report what is wrong inside it
                return _problem(value, member, path)
        elif _problem(value, member, path) is None:
            return None
    return f"{path} must be {_describe(kind)}, got {type(value).__name__}"


def _model_problem(value: object, kind: type, path: str) -> str | None:
    if not isinstance(value, kind):
        return f"{path} must be {kind.__name__}, got {type(value).__name__}"
    for name, field_kind in _fields(kind):
        problem = _problem(getattr(value, name), field_kind, f"{path}.{name}")
        if problem is not None:
            return problem
    return None


def _list_problem(value: object, kind: Any, path: str) -> str | None:
    if not isinstance(value, list):
        return f"{path} must be a list, got {type(value).__name__}"
    (item_kind,) = get_args(kind) or (Any,)
    for number, item in enumerate(value):
        problem = _problem(item, item_kind, f"{path}[{number}]")
        if problem is not None:
            return problem
    return None


def _dict_problem(value: object, kind: Any, path: str) -> str | None:
    if not isinstance(value, dict):
        return f"{path} must be a dict, got {type(value).__name__}"
    key_kind, item_kind = get_args(kind) or (Any, Any)
    for key, item in value.items():
        problem = _problem(key, key_kind, f"{path} key") or _problem(item, item_kind, f"{path}[{key!r}]")
        if problem is not None:
            return problem
    return None
