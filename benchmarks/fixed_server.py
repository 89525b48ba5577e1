"""A fixed-response stand-in for Datadog: ``python -m benchmarks.fixed_server [--port P]``.

Serves the three GETs of the throughput benchmark from bytes rendered once at start-up, so
nearly all the server's time goes to HTTP and the client is what gets measured:

- ``GET /api/v2/service_accounts/{id}/application_keys/{key_id}``: one key with its owner included
- ``GET /api/v2/service_accounts/{id}/application_keys``: a page of 100 keys (of 100)
- ``GET /api/v2/actions/connections/{id}``: an AWS AssumeRole connection

Every answer carries ``X-RateLimit-*`` headers as Datadog's do, with a limit no benchmark
reaches, so a client's rate-limit handling runs but never waits. A request without
``DD-API-KEY`` is refused (403): proof that each client sent its keys.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable

from aiohttp import web

from .fixtures import RESPONSE

__all__ = ["main", "make_app"]

_RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "1000000",
    "X-RateLimit-Period": "60",
    "X-RateLimit-Remaining": "999999",
    "X-RateLimit-Reset": "60",
    "X-RateLimit-Name": "benchmark",
}
_KEYS_TYPE = "application/json"
_ACTIONS_TYPE = "application/vnd.api+json"


def _fixed(body: bytes, content_type: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    headers = {**_RATE_LIMIT_HEADERS, "Content-Type": content_type}

    async def handler(request: web.Request) -> web.Response:
        if "DD-API-KEY" not in request.headers:
            return web.Response(status=403, body=b'{"errors":["Forbidden"]}', headers=headers)
        return web.Response(body=body, headers=headers)

    return handler


def make_app() -> web.Application:
    keys = "/api/v2/service_accounts/{service_account_id}/application_keys"
    app = web.Application()
    app.router.add_get(keys, _fixed(RESPONSE["key_page"].body, _KEYS_TYPE))
    app.router.add_get(keys + "/{app_key_id}", _fixed(RESPONSE["key"].body, _KEYS_TYPE))
    app.router.add_get(
        "/api/v2/actions/connections/{connection_id}", _fixed(RESPONSE["connection_aws"].body, _ACTIONS_TYPE)
    )
    return app


async def _serve(port: int) -> None:
    runner = web.AppRunner(make_app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    print(f"Fixed-response server listening on http://127.0.0.1:{runner.addresses[0][1]}")
    print("Ctrl-C to stop.", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fixed_server", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: any free port)")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
