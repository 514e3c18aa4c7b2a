"""CLI subcommands of this package (see lytt.cli): `lytt apikey create|list|revoke`."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("apikey", help="issue and revoke API keys", description="Manage API keys.")
    actions = parser.add_subparsers(dest="apikey_command", metavar="ACTION")
    actions.required = True
    create = actions.add_parser(
        "create", help="create a key; prints the key and the secret, in that order, last"
    )
    create.add_argument("name", help="who the key is for")
    create.add_argument("--rate", type=int, default=None, help="requests per minute (default 600)")
    create.set_defaults(func=create_key, needs_django=True)
    listing = actions.add_parser("list", help="list keys (never their secrets)")
    listing.set_defaults(func=list_keys, needs_django=True)
    revoke = actions.add_parser("revoke", help="revoke a key")
    revoke.add_argument("key", help="the key (as printed by create or list)")
    revoke.set_defaults(func=revoke_key, needs_django=True)


def create_key(args: argparse.Namespace) -> int:
    from lytt.api.keys import create_key as create

    if args.rate is not None and args.rate < 1:
        print("apikey create: --rate must be at least 1 request per minute")
        return 2
    try:
        api_key, secret = create(args.name, rate_limit_per_minute=args.rate)
    except ValueError as exc:
        print(f"apikey create: {exc}")
        return 2
    print(f"API key for {api_key.name!r} ({api_key.rate_limit_per_minute} requests/minute).")
    print("The secret is shown only now. Key and secret:")
    print(f"{api_key.key} {secret}")
    return 0


def list_keys(args: argparse.Namespace) -> int:
    from lytt.api.models import ApiKey

    keys = list(ApiKey.objects.all())
    if not keys:
        print("no API keys (create one with `lytt apikey create NAME`)")
        return 0
    for key in keys:
        state = "active" if key.active else "revoked"
        used = key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "never"
        print(
            f"{key.key}  {state:7}  {key.rate_limit_per_minute:>6}/min  "
            f"created {key.created_at.date().isoformat()}  last used {used}  {key.name}"
        )
    return 0


def revoke_key(args: argparse.Namespace) -> int:
    from lytt.api.models import ApiKey

    updated = ApiKey.objects.filter(key=args.key.strip(), active=True).update(active=False)
    if not updated:
        exists = ApiKey.objects.filter(key=args.key.strip()).exists()
        print(f"apikey revoke: {args.key!r} is {'already revoked' if exists else 'not a known key'}")
        return 1
    print(f"revoked {args.key}")
    return 0
