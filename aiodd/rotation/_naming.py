"""How a replacement key is named: the old name plus a `` [rotated <12 hex>]`` marker.

The marker ties a replacement to its journal entry (a resume finds it by name); selectors read
the name without it, so a pattern keeps selecting the same keys after a rotation.
"""

from __future__ import annotations

import re

__all__ = ["base_name", "marker_of", "replacement_name"]

_SUFFIX = re.compile(r"\s*\[rotated ([0-9a-f]{12})\]$")


def marker_of(name: str | None) -> str | None:
    """The rotation marker at the end of a replacement's name, if any."""
    found = _SUFFIX.search(name or "")
    return found.group(1) if found else None


def base_name(name: str) -> str:
    """``"deploy [rotated 1a2b3c4d5e6f]"`` -> ``"deploy"``; a name without a marker is unchanged."""
    return _SUFFIX.sub("", name)


def replacement_name(old_name: str | None, marker: str) -> str:
    """``"deploy"`` -> ``"deploy [rotated 1a2b3c4d5e6f]"``; an earlier suffix is replaced, not stacked."""
    base = base_name(old_name or "") or "key"
    return f"{base} [rotated {marker}]"
