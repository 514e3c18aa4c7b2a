"""CLI subcommands of this package (see lytt.cli): `lytt reindex`."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "reindex", help="rebuild the search index from the catalogue", description="Rebuild the search index."
    )
    parser.set_defaults(func=reindex, needs_django=True)


def reindex(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from lytt.search.index import rebuild

    with Progress(
        TextColumn("indexing shows"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    ) as progress:
        task = progress.add_task("reindex", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        written = rebuild(progress=report)
    print(f"indexed {written} shows and episodes")
    return 0
