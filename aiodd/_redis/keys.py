"""Where an organization's buckets live in Redis. Pure functions: no I/O.

Every key of one organization carries the same hash tag, ``{<org fingerprint>}``, so on a Redis
Cluster they all live on one slot and one Lua script may touch any of them::

    aiodd:rl:{3f9a0c1d2b4e5f60}:<bucket>          the bucket's state (a hash), e.g. ...:app_keys
    aiodd:rl:{3f9a0c1d2b4e5f60}:<bucket>:leases   requests in flight (a sorted set: lease -> expiry)
    aiodd:rl:{3f9a0c1d2b4e5f60}::routes           route (method + path template) -> bucket, or "" when not limited
    aiodd:rl:{3f9a0c1d2b4e5f60}::probe:<route>    the one probe out for a route whose bucket nobody knows yet

A bucket name is what ``X-RateLimit-Name`` says, with ``%``, ``:``, ``{`` and ``}``
percent-encoded, so no name can reach another key's spelling (and ``::`` never starts one).
"""

from __future__ import annotations

import hashlib

import yarl

__all__ = ["KeyLayout", "org_fingerprint"]

PREFIX = "aiodd:rl:"
_VERSION = b"aiodd rate-limit org v1\0"


def org_fingerprint(base_url: yarl.URL, *, api_key: str, org: str | None = None) -> str:
    """16 hex digits that tell organizations apart: a hash of the site and of a hash of the API key
    (or of ``org``, a name the user gave). Nothing of the key can be recovered from it."""
    site = str(base_url).rstrip("/").lower().encode()
    if org is not None:
        who = b"org\0" + org.strip().encode()
    else:
        who = b"key\0" + hashlib.sha256(api_key.encode()).digest()
    return hashlib.sha256(_VERSION + site + b"\0" + who).hexdigest()[:16]


def _quote(name: str) -> str:
    return name.replace("%", "%25").replace(":", "%3A").replace("{", "%7B").replace("}", "%7D")


class KeyLayout:
    """The key names of one organization."""

    __slots__ = ("_base", "routes")

    def __init__(self, fingerprint: str) -> None:
        self._base = f"{PREFIX}{{{fingerprint}}}:"
        self.routes = self._base + ":routes"

    def state(self, bucket: str) -> str:
        return self._base + _quote(bucket)

    def leases(self, bucket: str) -> str:
        return self._base + _quote(bucket) + ":leases"

    def probe(self, route: str) -> str:
        return self._base + ":probe:" + _quote(route)
