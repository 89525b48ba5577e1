"""The attrs models of every request and response, named as in the Datadog API reference.

``structure(data, Model)`` and ``unstructure(model)`` convert between models and JSON-ready
builtins by the same rules the client uses.
"""

from .._converter import structure, unstructure
from ._common import *  # noqa: F403
from ._common import __all__ as _common_all
from .action_connections import *  # noqa: F403
from .action_connections import __all__ as _connections_all
from .app_key_registrations import *  # noqa: F403
from .app_key_registrations import __all__ as _registrations_all
from .integrations import *  # noqa: F403
from .integrations import __all__ as _integrations_all
from .service_accounts import *  # noqa: F403
from .service_accounts import __all__ as _service_accounts_all

__all__ = [
    "structure",
    "unstructure",
    *_common_all,
    *_connections_all,
    *_integrations_all,
    *_registrations_all,
    *_service_accounts_all,
]
