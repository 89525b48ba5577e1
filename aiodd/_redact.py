"""Hide secrets in the text an error keeps (its message, ``.body`` and ``.errors``).

A server may echo what it received: a proxy's 400 page listing the request headers, an API
error quoting a member of the body. Three rules, applied to every such text:

- **Known values**: the client's own API and application keys are replaced wherever they
  appear (values shorter than 8 characters are left alone: no real key is that short, and
  replacing a short string everywhere would garble the text).
- **Secret-named members of a JSON document**: the value of every member whose name says it
  holds a secret (``key``, ``api_key``, ``apiKey``, ``DD-API-KEY``, ``access_token``,
  ``clientSecret``, ``password``, ``Authorization``, ``Cookie`` ..., any case) and of the
  ``value`` / ``content`` members of HTTP-integration credentials. Names are compared after JSON
  decoding, so a ``\\u``-escaped name is found too.
- **``name: value`` and ``name=value`` pairs in plain text** (HTML pages, header dumps, strings
  inside a JSON document, a JSON body cut off mid-value) with a secret name; an auth scheme
  such as ``Bearer`` is hidden along with the token that follows it.

Pure functions of their input; no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

__all__ = ["LONGEST_KEPT", "REDACTED", "Redactor", "is_secret_name", "redact_secrets"]

REDACTED = "<redacted>"
_SHORTEST_KNOWN = 8
# An answer's body is kept on an error up to this size (Datadog's error bodies are a few KB): a
# larger one (up to max_response_bytes) is cut to its head, so that hiding secrets in it stays
# cheap however large a hostile answer is.
LONGEST_KEPT = 256 * 1024

# A member name (lower-cased) that says its value is a secret: ``key`` alone or after a separator
# (``api_key``, ``dd-api-key``), a known prefix glued to ``key`` (``apikey``, ``appKey``), or any
# name ending in token / secret / password / authorization / cookie / credential(s).
_SECRET_NAME = re.compile(
    r"(?:(?:^|[^a-z0-9]|api|app|application|private|access|client|sdk|auth|secret|license|master)key"
    r"|token|secret|passw(?:or)?d|passphrase|authori[sz]ation|cookie|credentials?)$"
)
# Members that hold a secret only inside a JSON document (HTTP-integration headers and bodies);
# as words in plain text they are too common to hide what follows them.
_SECRET_JSON_MEMBERS = frozenset({"value", "content"})

# A JSON member with a scalar value, in text that may not parse (cut off mid-value).
_JSON_MEMBER = re.compile(r'("(?:[^"\\]|\\.)*")(\s*:\s*)("(?:[^"\\]|\\.)*"?|-?[0-9][0-9.eE+-]*|true|false)')
_NOT_A_VALUE = frozenset({"null", "none", "true", "false"})
# ``name: value`` / ``name=value`` / ``'name': 'value'`` / ``"name": "value"`` in any text.
_PLAIN_PAIR = re.compile(
    r"(?<![A-Za-z0-9_-])([A-Za-z0-9_-]+)(\\?['\"]?[ \t]*[:=][ \t]*\\?['\"]?)"
    r"((?:(?:bearer|basic|token|digest|dd(?:api)?)[ \t]+)?[^\s'\"\\<>,;&(){}\[\]]+)",
    re.IGNORECASE,
)


def is_secret_name(name: str, *, in_json: bool = False) -> bool:
    """Whether a member or header called ``name`` holds a secret (case-insensitive)."""
    lowered = name.lower()
    return bool(_SECRET_NAME.search(lowered)) or (in_json and lowered in _SECRET_JSON_MEMBERS)


def _hide_json_member(match: re.Match[str]) -> str:
    name, separator, _ = match.groups()
    try:
        decoded = json.loads(name)  # "DD-API-\u004bEY" is DD-API-KEY
    except ValueError:
        decoded = name[1:-1]
    if not is_secret_name(decoded, in_json=True):
        return match.group(0)
    return f'{name}{separator}"{REDACTED}"'


def _hide_plain_pair(match: re.Match[str]) -> str:
    name, separator, value = match.groups()
    if value.lower() in _NOT_A_VALUE or not is_secret_name(name):
        return match.group(0)
    return f"{name}{separator}{REDACTED}"


class Redactor:
    """Hides secrets in text by the rules above; ``known`` are values to hide wherever they appear.

    Its ``repr`` never shows the known values (a client keeps one, and a traceback that captures
    local variables prints the client).
    """

    __slots__ = ("_known",)

    def __init__(self, known: Iterable[str] = ()) -> None:
        self._known = tuple(value for value in known if len(value) >= _SHORTEST_KNOWN)

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._known)} known secret values>)"

    def text(self, text: str) -> str:
        """``text`` with every secret hidden; safe on any text, JSON or not, whole or cut off."""
        text = self._hide_known(text)
        text = _JSON_MEMBER.sub(_hide_json_member, text)
        return _PLAIN_PAIR.sub(_hide_plain_pair, text)

    def answer(self, body: bytes) -> tuple[str, Any]:
        """An answer's body as hidden text, and its decoded JSON with the same secrets hidden.

        The JSON is ``None`` when the body is not JSON, or longer than :data:`LONGEST_KEPT`
        (then the text is its head, hidden as plain text, and says how long the body was). The
        text is the body itself when nothing had to be hidden, else the hidden document written
        back as JSON.
        """
        if len(body) > LONGEST_KEPT:
            head = body[:LONGEST_KEPT].decode("utf-8", "replace")
            return f"{self.text(head)}... [cut: {len(body)} bytes in all]", None
        text = body.decode("utf-8", "replace")
        try:
            document = json.loads(body)
            hidden, changed = self._hide_in_document(document)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to walk
            return self.text(text), None
        return (json.dumps(hidden, ensure_ascii=False) if changed else text), hidden

    def _hide_known(self, text: str) -> str:
        for value in self._known:
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def _hide_in_document(self, value: Any) -> tuple[Any, bool]:
        """``value`` with secrets hidden, and whether anything was."""
        if isinstance(value, str):
            hidden = self._hide_known(value)
            if ":" in hidden or "=" in hidden:  # a pair needs one of them
                hidden = _PLAIN_PAIR.sub(_hide_plain_pair, hidden)
            return hidden, hidden != value
        if isinstance(value, dict):
            changed = False
            members: dict[str, Any] = {}
            for name, item in value.items():
                shown_name = self._hide_known(name)
                changed |= shown_name != name
                if item is not None and not isinstance(item, dict | list) and is_secret_name(name, in_json=True):
                    members[shown_name] = REDACTED
                    changed |= item != REDACTED
                else:
                    members[shown_name], item_changed = self._hide_in_document(item)
                    changed |= item_changed
            return members, changed
        if isinstance(value, list):
            items = [self._hide_in_document(item) for item in value]
            return [item for item, _ in items], any(changed for _, changed in items)
        return value, False


_BY_NAME_ONLY = Redactor()


def redact_secrets(text: str) -> str:
    """``text`` with secret-named members and pairs hidden (no known values: see :class:`Redactor`)."""
    return _BY_NAME_ONLY.text(text)
