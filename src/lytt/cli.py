"""The `lytt` command. Each package registers its own subcommands from its `commands.py`.

A command module exposes ``register(subparsers) -> None``; each subparser sets ``func`` to a handler
``(args: argparse.Namespace) -> int``, ``needs_django`` (default True) when it uses the database, and
``needs_schema`` (default True) unless it migrates the database itself. A database command stops with a
one-line error, before it starts, when the database cannot be reached or read, or lacks migrations
(`lytt.schema`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "lytt.catalog.commands",  # add, import-opml, import-podcastindex, export-opml, feeds
    "lytt.crawl.commands",  # crawl
    "lytt.crawl.parse_command",  # parse
    "lytt.crawl.podping_command",  # podping
    "lytt.web.commands",  # serve
    "lytt.charts.commands",  # charts
    "lytt.accounts.commands",  # user
    "lytt.api.commands",  # apikey
    "lytt.search.commands",  # reindex
    "lytt.schema",  # migrate
)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lytt", description="Lytt, the open podcast platform.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "needs_django", True):
        try:
            setup_django()
        except ValueError as exc:  # a LYTT_* setting that makes no sense: the message names it
            print(f"lytt: {exc}", file=sys.stderr)
            return 1
        from lytt.schema import database_problem

        problem = database_problem(migrations=getattr(args, "needs_schema", True))
        if problem is not None:
            print(problem, file=sys.stderr)
            return 1
    try:
        result: int = args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
