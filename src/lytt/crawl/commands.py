"""`lytt crawl`: keep the catalogue fresh (see lytt.crawl.claims for the claim/lease protocol)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import timedelta
from types import FrameType
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="fetch due feeds and update the catalogue (forever, or --once)",
        description=(
            "Fetch due feeds and ingest what changed. Runs until SIGTERM/Ctrl-C (the feeds already "
            "claimed are finished first), or with --once until nothing is due. Any number of workers "
            "can share one PostgreSQL database; on SQLite run one."
        ),
    )
    parser.add_argument(
        "--once", action="store_true", help="check every due feed once, print a summary, exit"
    )
    parser.add_argument(
        "--all", action="store_true", help="with --once: every feed, due or not (still conditional requests)"
    )
    parser.add_argument("--concurrency", type=int, default=32, metavar="N", help="fetches at once (32)")
    parser.add_argument("--per-host", type=int, default=4, metavar="N", help="fetches at once per host (4)")
    parser.add_argument("--batch", type=int, default=100, metavar="N", help="feeds claimed at a time (100)")
    parser.add_argument(
        "--lease", type=float, default=900, metavar="SECONDS", help="how long a claim lasts (900)"
    )
    parser.add_argument(
        "--timeout", type=float, default=90, metavar="SECONDS", help="total time allowed per fetch (90)"
    )
    parser.add_argument(
        "--parsers",
        type=int,
        default=None,
        metavar="N",
        help="parser processes beside the crawler (default: cores - 1, at least 1; 0 parses in-process)",
    )
    parser.add_argument("--worker-id", default=None, help="name in claims (default host:pid)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run, needs_django=True)


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.utils import timezone
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from lytt.catalog.models import FeedSource
    from lytt.crawl.attachments import AttachmentCrawler, fetch_config_from
    from lytt.crawl.claims import ClaimedFeed, due_filter, reclaim_from_dead_workers, worker_id
    from lytt.crawl.fetch import FetchConfig
    from lytt.crawl.parser_pool import default_processes
    from lytt.crawl.schedule import Outcome
    from lytt.crawl.tuning import settle_heap
    from lytt.crawl.websub_keeper import keep_forever, keep_subscriptions
    from lytt.crawl.worker import Worker, WorkerConfig

    console = Console(stderr=True)
    if args.all and not args.once:
        console.print("[red]--all needs --once[/red]")
        return 2
    if min(args.concurrency, args.per_host, args.batch) < 1 or args.lease <= 0 or args.timeout <= 0:
        console.print("[red]--concurrency, --per-host, --batch, --lease and --timeout must be positive[/red]")
        return 2
    if args.parsers is not None and args.parsers < 0:
        console.print("[red]--parsers must be 0 or more[/red]")
        return 2
    fetch = FetchConfig(
        concurrency=args.concurrency,
        per_host=args.per_host,
        total_timeout=args.timeout,
        connect_timeout=min(10.0, args.timeout),
        read_timeout=min(30.0, args.timeout),
    )
    config = WorkerConfig(
        worker_id=args.worker_id or worker_id(),
        batch_size=args.batch,
        lease=timedelta(seconds=args.lease),
        fetch=fetch,
        parse_processes=default_processes() if args.parsers is None else args.parsers,
    )
    if config.lease_needed() > config.lease:
        console.print(
            f"[yellow]warning: a batch can take up to {config.lease_needed().total_seconds():.0f}s, "
            f"longer than the {args.lease:.0f}s lease; use a smaller --batch or a longer --lease[/yellow]"
        )
    show_progress = args.once and not args.no_progress
    progress = Progress(
        TextColumn("crawling"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[updated]} updated, {task.fields[errors]} failed"),
        TimeRemainingColumn(),
        console=console,
        disable=not show_progress,
    )
    counts = {"updated": 0, "errors": 0}
    task = progress.add_task("crawl", total=None, updated=0, errors=0)

    def on_feed(source: FeedSource | ClaimedFeed, outcome: Outcome) -> None:
        if outcome is Outcome.UPDATED:
            counts["updated"] += 1
        elif outcome in (Outcome.ERROR, Outcome.GONE):
            counts["errors"] += 1
        progress.update(task, advance=1, updated=counts["updated"], errors=counts["errors"])

    worker = Worker(config, on_feed=on_feed)
    settle_heap()

    def stop(signum: int, frame: FrameType | None) -> None:
        console.print("stopping once the feeds already claimed are done…")
        worker.stop.set()

    # Transcripts and chapters files: a pass after the feeds with --once, else a thread beside the loop.
    files = AttachmentCrawler(fetch_config_from(fetch), policy=worker.policy)
    public_root: str | None = getattr(settings, "LYTT_PUBLIC_ROOT", None)  # where hubs can push to
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with progress:
            if args.once:
                now = timezone.now()
                reclaimed = reclaim_from_dead_workers(now)  # before counting: this run checks those feeds
                due = FeedSource.objects.filter(due_filter(now, run_started=now if args.all else None))
                progress.update(task, total=due.count())
                summary = worker.crawl_once(all_feeds=args.all)
                summary.reclaimed += reclaimed
                attached = files.crawl_once(worker.stop)
                subscribed = keep_subscriptions(public_root, timezone.now()) if public_root else None
            else:
                beside = [
                    threading.Thread(target=files.run_forever, args=(worker.stop,), name="lytt-attachments")
                ]
                if public_root:
                    beside.append(
                        threading.Thread(
                            target=keep_forever,
                            args=(public_root, worker.stop, timezone.now),
                            name="lytt-websub",
                        )
                    )
                for thread in beside:
                    thread.start()
                try:
                    summary = worker.crawl_forever()
                finally:
                    worker.stop.set()
                    for thread in beside:
                        thread.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"crawl summary: {summary.line()}", file=sys.stdout)
    if args.once:
        print(f"transcripts and chapters: {attached.line()}", file=sys.stdout)
        if subscribed is not None:
            print(f"websub subscriptions: {subscribed.line()}", file=sys.stdout)
    return 0
