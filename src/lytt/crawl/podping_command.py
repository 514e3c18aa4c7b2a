"""`lytt podping`: follow a Hive API node for podping notices and make the feeds they name due now."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

DEFAULT_NODE = "https://api.hive.blog"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "podping",
        help="follow podping notices on Hive and make the feeds they name due now",
        description=(
            "Read podping notices (custom_json ids 'podping' and 'pp_*', from any account) from a Hive API "
            "node as blocks are made, and make each feed Lytt crawls that a notice names due now, noting "
            "the reason. Bursts naming one feed count once. Goes on from the last block read (kept in the "
            "data directory), or from the newest block the first time. Runs until SIGTERM/Ctrl-C, or with "
            "--once until caught up."
        ),
    )
    parser.add_argument(
        "--node",
        default=os.environ.get("LYTT_PODPING_NODE") or DEFAULT_NODE,
        help=f"the Hive API node's URL (LYTT_PODPING_NODE; default {DEFAULT_NODE})",
    )
    parser.add_argument(
        "--once", action="store_true", help="read up to the newest block, print a summary, exit"
    )
    parser.add_argument("--from-block", type=int, default=None, metavar="N", help="start at block N")
    parser.add_argument(
        "--state", type=Path, default=None, metavar="PATH", help="where the last block read is kept"
    )
    parser.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.utils import timezone

    from lytt.crawl.podping_follow import Cursor, HiveNode, NodeError, follow

    if args.from_block is not None and args.from_block < 1:
        print("lytt podping: --from-block must be 1 or more", file=sys.stderr)
        return 2
    if not args.node.startswith(("http://", "https://")):
        print(f"lytt podping: --node {args.node!r} is not an http(s) URL", file=sys.stderr)
        return 2
    stop = threading.Event()

    def stopping(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, stopping) for sig in (signal.SIGTERM, signal.SIGINT)}
    cursor = Cursor(args.state or Path(settings.DATA_DIR) / "podping-block")
    try:
        summary = follow(
            HiveNode(args.node),
            cursor,
            now=timezone.now,
            stop=stop,
            once=args.once,
            from_block=args.from_block,
        )
    except NodeError as exc:
        print(f"lytt podping: {exc}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"podping summary: {summary.line()}")
    return 0
