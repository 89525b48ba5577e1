"""Match requests by method and path glob, as fault injection and introspection both do."""

from __future__ import annotations

import re

__all__ = ["RequestMatcher"]


class RequestMatcher:
    """A method (``None`` or ``"*"`` for any) and a path glob where ``*`` is exactly one segment.

    ``"/api/v2/service_accounts/*/application_keys"`` matches the keys of any service account but
    not ``/api/v2/service_accounts/application_keys``; the query string never takes part.
    """

    __slots__ = ("_method", "_path", "pattern")

    def __init__(self, method: str | None, path_glob: str | None) -> None:
        self._method = method.upper() if method is not None and method != "*" else None
        self.pattern = path_glob
        self._path = None if path_glob is None else _compile(path_glob)

    def matches(self, method: str, path: str) -> bool:
        if self._method is not None and self._method != method.upper():
            return False
        return self._path is None or self._path.fullmatch(path) is not None

    def __repr__(self) -> str:
        return f"RequestMatcher({self._method or '*'} {self.pattern or '*'})"


def _compile(glob: str) -> re.Pattern[str]:
    if not glob.startswith("/"):
        raise ValueError(f"path glob must start with '/', got {glob!r}")
    return re.compile("[^/]+".join(re.escape(part) for part in glob.split("*")))
