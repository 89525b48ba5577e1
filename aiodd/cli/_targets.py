"""Which service accounts a command works on: ids given, ids in a file, or every active one."""

from __future__ import annotations

import argparse
import sys

from .._client import Client
from .._exceptions import ConfigurationError, InvalidArgumentError

__all__ = ["add_target_arguments", "check_targets", "resolve_targets"]


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("service_account_ids", nargs="*", metavar="SA_ID", help="service account ids")
    parser.add_argument(
        "--from-file",
        metavar="PATH",
        help="also the ids in this file, one per line ('-' for standard input; blank lines and # comments ignored)",
    )
    parser.add_argument(
        "--all-service-accounts", action="store_true", help="also every active service account in the organization"
    )


def check_targets(args: argparse.Namespace) -> None:
    """A usage error unless some way of naming accounts was given (checked before anything else)."""
    if not (args.service_account_ids or args.from_file or args.all_service_accounts):
        raise InvalidArgumentError("name service accounts: SA_ID..., --from-file PATH or --all-service-accounts")


def _read_ids(path: str) -> list[str]:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        raise ConfigurationError(f"cannot read --from-file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"--from-file {path} is not UTF-8 text") from None
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


async def resolve_targets(dd: Client, args: argparse.Namespace) -> list[str]:
    """The accounts named on the command line, in a file and (``--all-service-accounts``) by Datadog, once
    each, in that order; possibly none (an empty file, an organization without service accounts)."""
    ids = list(args.service_account_ids)
    if args.from_file:
        ids += _read_ids(args.from_file)
    if args.all_service_accounts:
        ids += [user.id async for user in dd.service_accounts.list(status="Active") if user.id]
    return list(dict.fromkeys(ids))
