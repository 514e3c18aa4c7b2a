"""`lytt charts`: recompute the popularity lists now."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    charts = subparsers.add_parser(
        "charts", help="recompute the popular-shows lists (overall and per category)"
    )
    charts.set_defaults(func=_charts)


def _charts(args: argparse.Namespace) -> int:
    from lytt.charts.ranking import recompute_popularity

    rows = recompute_popularity()
    print(f"charts: {rows} ranked entries written")
    return 0
