"""The attrs models of every request and response, named as in the Datadog API reference.

``structure(data, Model)`` and ``unstructure(model)`` convert between models and JSON-ready
builtins by the same rules the client uses. Each submodule is imported on first use of one of
its names: attrs classes are costly to create, and a program rarely needs all ~270 of them.
"""

import importlib
from typing import TYPE_CHECKING, Any

from .._converter import structure as structure
from .._converter import unstructure as unstructure

if TYPE_CHECKING:
    from ._common import *  # noqa: F403
    from .action_connections import *  # noqa: F403
    from .app_key_registrations import *  # noqa: F403
    from .integrations import *  # noqa: F403
    from .service_accounts import *  # noqa: F403
    from .users import *  # noqa: F403

_SUBMODULES = ("_common", "service_accounts", "users", "app_key_registrations", "action_connections", "integrations")


def _submodule(name: str) -> Any:
    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name: str) -> Any:
    if name == "__all__":  # asked for by ``from aiodd.models import *``
        return ["structure", "unstructure", *(n for module in _SUBMODULES for n in _submodule(module).__all__)]
    for module_name in _SUBMODULES:
        module = _submodule(module_name)
        if name in module.__all__:
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
