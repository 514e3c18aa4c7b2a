"""CLI subcommands of the catalogue: `add`, `import-opml`, `import-podcastindex`, `export-opml`, `feeds`
(see lytt.cli)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from lytt.catalog.podcastindex import ImportSummary
    from lytt.catalog.sources import AddResult

MAX_OPML_BYTES = 64 * 1024 * 1024  # 100,000 outlines are ~15 MB
PROGRESS_THRESHOLD = 2000  # URLs; below this, a progress bar is just noise


class CommandError(Exception):
    """A problem to report to the operator in one line, with exit status 1."""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    add = subparsers.add_parser(
        "add",
        help="add feed URLs to the catalogue (crawled on the next pass)",
        description="Add feed URLs. Each is checked on its own: invalid ones are reported, the rest added.",
    )
    add.add_argument("urls", nargs="+", metavar="URL", help="feed URL (http, https, feed:, itpc:)")
    add.set_defaults(func=run_add, needs_django=True)

    imp = subparsers.add_parser(
        "import-opml",
        help="add every feed of an OPML file or URL",
        description="Add every feed of an OPML document: a file path, '-' for stdin, or an http(s) URL.",
    )
    imp.add_argument("source", metavar="PATH|URL")
    imp.add_argument("--no-progress", action="store_true", help="no progress bar")
    imp.set_defaults(func=run_import_opml, needs_django=True)

    pi = subparsers.add_parser(
        "import-podcastindex",
        help="add or update the feeds of the Podcast Index dump",
        description=(
            "Import podcastindex_feeds.db (or the .tgz it is published as): every live feed becomes a "
            "listed show, crawled in turn. Run it again on a newer dump to update in place."
        ),
    )
    pi.add_argument("path", metavar="PATH", help="podcastindex_feeds.db or podcastindex_feeds.db.tgz")
    pi.add_argument(
        "--keep-absent", action="store_true", help="keep feeds the dump lacks (for a part of a dump)"
    )
    pi.add_argument("--batch", type=int, default=None, metavar="N", help="rows per transaction (5000)")
    pi.add_argument("--no-progress", action="store_true", help="no progress bar")
    pi.set_defaults(func=run_import_podcastindex, needs_django=True)

    exp = subparsers.add_parser(
        "export-opml",
        help="write the catalogue's feeds as OPML to stdout",
        description="Write every feed (not duplicate, retired or bundled sample ones) as OPML 2.0 to stdout.",
    )
    exp.add_argument("--include-private", action="store_true", help="include feeds whose URL carries a token")
    exp.add_argument("--title", default="Lytt feeds", help="the OPML head title")
    exp.set_defaults(func=run_export_opml, needs_django=True)

    feeds = subparsers.add_parser(
        "feeds",
        help="list feeds with their state and last error",
        description="List feeds with their crawl state. Private feed URLs are shown redacted.",
    )
    feeds.add_argument("--status", choices=["new", "active", "error", "duplicate", "retired", "bundled"])
    feeds.add_argument("--failing", action="store_true", help="only feeds whose last check failed")
    feeds.add_argument("--search", metavar="TEXT", help="only feeds whose URL or show title contains TEXT")
    feeds.add_argument("--limit", type=int, default=100, metavar="N", help="at most N rows (100; 0: all)")
    feeds.add_argument(
        "--stats", action="store_true", help="how many feeds are in each polling tier, and how many are due"
    )
    feeds.add_argument("--json", action="store_true", help="with --stats: JSON on stdout")
    feeds.set_defaults(func=run_feeds, needs_django=True)


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _report(result: AddResult, console: Console, *, verbose: bool) -> int:
    from rich.markup import escape

    for rejected in result.rejected:
        console.print(f"[red]error[/red]: {escape(rejected.reason)}")
    if verbose:
        from lytt.feeds.feed_urls import redact_url

        for url in result.added:
            console.print(f"added: {escape(redact_url(url))}")
        for url in result.known:
            console.print(f"already known: {escape(redact_url(url))}")
    console.print(
        f"{len(result.added)} added, {len(result.known)} already known, {len(result.rejected)} invalid"
    )
    return 0 if result.ok else 1


def run_add(args: argparse.Namespace) -> int:
    from lytt.catalog.sources import add_feed_urls

    console = _console()
    return _report(add_feed_urls(args.urls), console, verbose=len(args.urls) <= 20)


def _read_opml_source(source: str) -> bytes:
    """The bytes of an OPML document from a path, '-' (stdin) or an http(s) URL, capped in size."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_OPML_BYTES + 1)
    elif source.lower().startswith(("http://", "https://")):
        data = _fetch_opml(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"{source}: no such file")
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_OPML_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{source}: cannot read ({error.strerror or error})") from None
    if len(data) > MAX_OPML_BYTES:
        raise CommandError(f"{source}: larger than {MAX_OPML_BYTES // (1024 * 1024)} MB")
    return data


def _fetch_opml(url: str) -> bytes:
    from lytt.download import DownloadError, DownloadTooLarge, download

    try:
        return download(url, MAX_OPML_BYTES, purpose="(OPML import)").body
    except DownloadTooLarge:
        raise CommandError(f"{url}: larger than {MAX_OPML_BYTES // (1024 * 1024)} MB") from None
    except DownloadError as error:
        raise CommandError(str(error)) from None


def _batches(urls: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(urls), size):
        yield urls[start : start + size]


def run_import_opml(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from lytt.catalog.sources import AddResult, add_feed_urls
    from lytt.feeds.errors import OPMLError

    console = _console()
    try:
        data = _read_opml_source(args.source)
        from lytt.feeds.opml import parse_opml

        outlines = parse_opml(data, source=args.source)
    except (CommandError, OPMLError) as error:
        console.print(f"[red]error[/red]: {error}")
        return 1
    urls = [outline.url for outline in outlines]
    if not urls:
        console.print(f"[red]error[/red]: {args.source}: the OPML lists no feeds (no xmlUrl outlines)")
        return 1
    result = AddResult()
    with Progress(
        TextColumn("importing feeds"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=args.no_progress or len(urls) < PROGRESS_THRESHOLD,
    ) as progress:
        task = progress.add_task("import", total=len(urls))
        # Batches commit on their own: an interrupted import of 100,000 URLs keeps what it added.
        for batch in _batches(urls, 10_000):
            part = add_feed_urls(batch, on_progress=lambda n: progress.advance(task, n))
            result.added += part.added
            result.known += part.known
            result.rejected += part.rejected
            progress.advance(task, len(part.rejected))
    return _report(result, console, verbose=False)


def run_import_podcastindex(args: argparse.Namespace) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from lytt.catalog.podcastindex import BATCH, import_dump
    from lytt.catalog.podcastindex_dump import DumpError, count_rows, open_dump
    from lytt.crawl.tiers import decided_at_import
    from lytt.heap import settle_heap

    console = _console()
    if args.batch is not None and args.batch < 1:
        console.print("[red]error[/red]: --batch must be 1 or more")
        return 2
    settle_heap()
    try:
        with open_dump(args.path) as dump:
            total = count_rows(dump)
            with Progress(
                TextColumn("importing Podcast Index feeds"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                disable=args.no_progress or total < PROGRESS_THRESHOLD,
            ) as progress:
                task = progress.add_task("import", total=total, rate="")

                def advance(rows: int) -> None:
                    progress.advance(task, rows)
                    speed = progress.tasks[0].speed
                    progress.update(task, rate=f"{speed:,.0f} rows/s" if speed else "")

                summary = import_dump(
                    dump,
                    batch=args.batch or BATCH,
                    retire_absent=not args.keep_absent,
                    on_progress=advance,
                    tier_of=decided_at_import,
                )
    except DumpError as error:
        console.print(f"[red]error[/red]: {escape_markup(str(error))}", soft_wrap=True)  # paths stay whole
        return 1
    _report_import(summary, console)
    return 0


def escape_markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _report_import(summary: ImportSummary, console: Console) -> None:
    for problem in summary.problems:
        console.print(f"[yellow]skipped[/yellow]: {escape_markup(problem)}")
    if summary.skipped > len(summary.problems):
        console.print(f"... and {summary.skipped - len(summary.problems)} more rows skipped")
    console.print(
        f"{summary.rows} rows: {summary.added} added, {summary.adopted} known feeds adopted, "
        f"{summary.updated} updated, {summary.moved} moved, {summary.retired} retired, "
        f"{summary.revived} revived, {summary.unchanged} unchanged, {summary.dead_skipped} dead skipped, "
        f"{summary.conflicts} URL conflicts, {summary.skipped} unreadable"
    )


def run_export_opml(args: argparse.Namespace) -> int:
    from lytt.catalog.models import FeedSource
    from lytt.feeds.opml import OutlineFeed, write_opml

    feeds = FeedSource.objects.exclude(
        status__in=[FeedSource.Status.DUPLICATE, FeedSource.Status.RETIRED, FeedSource.Status.BUNDLED]
    ).order_by("added_at", "pk")
    if not args.include_private:
        feeds = feeds.filter(private=False)
    outlines = (
        OutlineFeed(
            url=feed.url,
            title=feed.show.title if feed.show else None,
            html_url=(feed.show.link or None) if feed.show else None,
            text=feed.show.title if feed.show else None,
            categories=[],
        )
        for feed in feeds.select_related("show").iterator(chunk_size=2000)
    )
    sys.stdout.buffer.write(write_opml(outlines, title=args.title))
    sys.stdout.flush()
    return 0


def run_feeds(args: argparse.Namespace) -> int:
    from django.db.models import Q
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from lytt.catalog.models import FeedSource
    from lytt.catalog.sources import display_url

    if args.limit < 0:
        _console().print("[red]error[/red]: --limit must be 0 or more")
        return 2
    if args.json and not args.stats:
        _console().print("[red]error[/red]: --json needs --stats")
        return 2
    if args.stats:
        from lytt.crawl.tier_stats import print_stats

        return print_stats(as_json=args.json)
    feeds = FeedSource.objects.select_related("show").order_by("-error_count", "url")
    if args.status:
        feeds = feeds.filter(status=args.status)
    if args.failing:
        feeds = feeds.filter(error_count__gt=0)
    if args.search:
        feeds = feeds.filter(Q(url__icontains=args.search) | Q(show__title__icontains=args.search))
    total = feeds.count()
    rows = feeds[: args.limit] if args.limit else feeds
    table = Table(title=f"{total} feed(s)", show_lines=False)
    for column in ("URL", "show", "status", "tier", "last checked", "errors", "last error"):
        table.add_column(column, overflow="fold")
    for feed in rows:
        checked = feed.last_checked_at.strftime("%Y-%m-%d %H:%M") if feed.last_checked_at else "never"
        table.add_row(
            escape(display_url(feed)),
            escape(feed.show.title[:60]) if feed.show else "",
            feed.status,
            feed.tier,
            checked,
            str(feed.error_count),
            escape((feed.last_error or feed.status_reason)[:200]),
        )
    Console(width=200).print(table)
    if args.limit and total > args.limit:
        _console().print(f"showing {args.limit} of {total}; use --limit 0 for all")
    return 0
