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
    from lytt.search.transcripts import reindex_transcripts

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    ) as progress:
        task = progress.add_task("indexing shows", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        written = rebuild(progress=report)
        progress.update(task, description="indexing transcripts", total=None)
        chunks = reindex_transcripts()
    print(f"indexed {written} shows and episodes, and {chunks} stretches of transcripts")
    return 0
