"""`lytt serve`: migrate, collect static files, load the sample catalogue on an empty database, compute the
charts, then serve the site with a production server while the crawler and the charts run in the background.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    serve = subparsers.add_parser(
        "serve", help="migrate, load the sample catalogue on an empty database, serve the site and crawl"
    )
    serve.add_argument(
        "--host",
        default=os.environ.get("LYTT_HOST", "127.0.0.1"),
        help="address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
    )
    serve.add_argument(
        "--port", type=int, default=int(os.environ.get("LYTT_PORT", "8000")), help="TCP port (default 8000)"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="web server processes (default: one per CPU, at most 4)",
    )
    serve.add_argument("--no-crawl", action="store_true", help="do not run the crawler in the background")
    serve.add_argument("--no-sample", action="store_true", help="never load the sample catalogue")
    serve.set_defaults(func=_serve, needs_schema=False)  # it migrates as it starts


def _serve(args: argparse.Namespace) -> int:
    from lytt.web.serve import ServeOptions, run

    options = ServeOptions(
        host=args.host,
        port=args.port,
        workers=args.workers,
        crawl=not args.no_crawl,
        sample=not args.no_sample,
    )
    try:
        return run(options)
    except OSError as exc:
        print(f"lytt serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
