"""The aiodd command line: find service accounts, audit, rotate and retire their application keys.

Keys come from DD_API_KEY and DD_APP_KEY; the site from --site or DD_SITE; --base-url (or
DD_BASE_URL) points at a proxy or a fake. --rate-limit-redis URL (or AIODD_RATE_LIMIT_REDIS)
shares one rate-limit budget with every other process using that Redis, such as the other pods
of a sweep. Exit status: 0 all done, 1 a key failed or the API failed, 2 a usage or
configuration error (nothing was changed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Sequence

from .._client import Client
from .._exceptions import ConfigurationError, Error, InvalidArgumentError
from .._version import __version__
from . import _audit, _demo, _list_keys, _rotate, _service_accounts
from ._arguments import add_rate_limit_redis, rate_limit_option

__all__ = ["main"]

Command = Callable[[Client, argparse.Namespace], Awaitable[int]]


def _parser() -> argparse.ArgumentParser:
    # --site and --base-url are accepted before or after the command words.
    connection = argparse.ArgumentParser(add_help=False)
    connection.add_argument(
        "--site", default=argparse.SUPPRESS, help="Datadog site, e.g. datadoghq.eu (default: DD_SITE or datadoghq.com)"
    )
    connection.add_argument(
        "--base-url",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="API base URL overriding the site: a proxy or a fake (default: DD_BASE_URL)",
    )
    parser = argparse.ArgumentParser(
        prog="aiodd", description=__doc__, parents=[connection], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"aiodd {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str, run: object
    ) -> argparse.ArgumentParser:
        sub = group.add_parser(name, help=summary, description=summary, parents=[connection])
        sub.set_defaults(run=run)
        return sub

    accounts = commands.add_parser("service-accounts", help="find service accounts")
    accounts_commands = accounts.add_subparsers(dest="subcommand", metavar="COMMAND", required=True)
    _service_accounts.add_arguments(
        command(accounts_commands, "list", "list the organization's service accounts", _service_accounts.run)
    )

    keys = commands.add_parser("keys", help="audit, rotate and retire service accounts' application keys")
    key_commands = keys.add_subparsers(dest="subcommand", metavar="COMMAND", required=True)
    _list_keys.add_arguments(command(key_commands, "list", "list a service account's application keys", _list_keys.run))
    audit = command(key_commands, "audit", "one row per application key, leaked first, then oldest", _audit.run)
    _audit.add_arguments(audit)
    add_rate_limit_redis(audit)
    rotate = command(
        key_commands,
        "rotate",
        "replace application keys (leaked first) without losing a secret; resumable with --journal",
        _rotate.rotate,
    )
    _rotate.add_rotate_arguments(rotate)
    add_rate_limit_redis(rotate)
    retire = command(key_commands, "retire", "delete the old keys a rotation with --grace kept", _rotate.retire)
    _rotate.add_retire_arguments(retire)
    add_rate_limit_redis(retire)
    demo = commands.add_parser(
        "demo",
        help="run an org-wide key sweep against an embedded fake Datadog",
        description="Seed an embedded fake Datadog like a real organization, then audit it, rotate every key "
        "(leaked first) with a grace period, retire the old keys, and check that every live key's secret was "
        "delivered.",
    )
    _demo.add_arguments(demo)
    add_rate_limit_redis(demo)
    return parser


def _client(args: argparse.Namespace) -> Client:
    missing = [name for name in ("DD_API_KEY", "DD_APP_KEY") if not os.environ.get(name, "").strip()]
    if missing:
        raise ConfigurationError(
            f"set {' and '.join(missing)} in the environment (your Datadog API key and an application key)"
        )
    return Client(
        site=getattr(args, "site", None), base_url=getattr(args, "base_url", None), rate_limit=rate_limit_option(args)
    )


async def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        return await _demo.run(args)
    run: Command = args.run
    async with _client(args) as dd:
        return await run(dd, args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``aiodd`` console script."""
    args = _parser().parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except (ConfigurationError, InvalidArgumentError) as exc:  # usage or configuration: nothing was changed
        print(f"aiodd: error: {exc}", file=sys.stderr)
        return 2
    except Error as exc:  # the API (or a file) failed while working
        print(f"aiodd: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
