"""Serve the fake Datadog on 127.0.0.1 for curl or any client: ``python -m aiodd.testing``.

Prints the base URL and the keys it accepts (the fake's own, never real ones), then serves
until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from ._fake import FakeDatadog
from ._ratelimit import Limit

__all__ = ["main"]


def _rate_limit(text: str) -> Limit:
    """``"100/1"``: 100 requests per 1 second."""
    try:
        requests, _, period = text.partition("/")
        return int(requests), float(period or "1")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected REQUESTS/SECONDS such as 100/1, got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m aiodd.testing", description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8126, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--rate-limit", type=_rate_limit, metavar="REQUESTS/SECONDS", help="e.g. 100/1")
    parser.add_argument("--api-key", help="the API key to accept (default: random)")
    parser.add_argument("--app-key", help="the application key to accept (default: random)")
    parser.add_argument("--require-registered-app-key", action="store_true")
    parser.add_argument("--seed-service-accounts", type=int, default=0, metavar="N")
    parser.add_argument("--seed-keys-per-account", type=int, default=0, metavar="K")
    return parser


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeDatadog(
        port=args.port,
        api_key=args.api_key,
        app_key=args.app_key,
        rate_limit=args.rate_limit,
        require_registered_app_key=args.require_registered_app_key,
    )
    seeded = fake.seed(args.seed_service_accounts, args.seed_keys_per_account) if args.seed_service_accounts else []
    async with fake:
        print(f"Fake Datadog listening on {fake.base_url}")
        print(f"DD-API-KEY: {fake.api_key}")
        print(f"DD-APPLICATION-KEY: {fake.app_key} (key id {fake.app_key_id})")
        if seeded:
            print(f"Seeded {len(seeded)} service accounts, {args.seed_keys_per_account} keys each; first: {seeded[0]}")
        print("Ctrl-C to stop.", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(args))
    except OSError as error:  # typically: the port is taken
        print(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
