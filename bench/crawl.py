"""Crawler benchmark: Lytt's crawler against the `reader` library, same feeds, same local server, same run.

    .venv/bin/python bench/crawl.py            # 1,000 and 10,000 feeds
    .venv/bin/python bench/crawl.py --quick    # 200 feeds
    .venv/bin/python bench/crawl.py --feeds 500 --feeds 2000
    .venv/bin/python bench/crawl.py --quick --parsers 0 --parsers 1   # Lytt twice: in-process, one process
    .venv/bin/python bench/crawl.py --reader-search   # and reader making its entries searchable too
    .venv/bin/python bench/crawl.py --realistic --feeds 400 --backend sqlite --backend postgres
        --workers 1 --workers 2 --no-reader   # Lytt on both databases, bench/realistic_feeds.py's feeds

A separate process serves N generated feeds (~35 episodes, ~40 KB each, built before either side runs) from
127.0.0.1 with ETags, with keep-alive, answering If-None-Match with 304. Each side starts from an empty
SQLite database and does:

1. first ingest: every feed fetched, parsed and stored (feeds/s, episodes/s; and the CPU time of the
   side's own process per feed, all its threads, Lytt's parser processes not counted);
2. unchanged pass, conditional: every feed again, the server answers 304 (feeds/s);
3. unchanged pass, no validators: Lytt's stored ETags are dropped, so every feed comes back 200 with the
   same body and Lytt skips parsing by content hash (feeds/s). `reader` keeps its own validators: its
   second figure is its 304 pass.

reader runs `update_feeds(workers=16, scheduled=False)`: it stores the entries, while Lytt's first ingest
also indexes them for search. With `--reader-search`, reader also does that work, in a run of its own:
search enabled, `update_feeds` then `update_search` (an extra row; its `update_search` is slow).
Lytt's worker runs with `--parsers` parser
processes (default: as `lytt crawl`, cores - 1). Each load average printed is the 1-minute figure when that
side finished. Figures go to stdout as a Markdown table.

`--realistic` serves bench/realistic_feeds.py's feeds (35 episodes of ~6 KB) instead. `--backend postgres`
runs Lytt on a PostgreSQL database of its own (`--postgres` names the server and the database's prefix),
`--workers N` with N worker processes sharing the first ingest. Every Lytt run reports the first ingest's
CPU per feed of everything that did its work (`proc_cpu`): the crawler's processes, its PostgreSQL
backends, and the server's shared processes (which also serve other sessions on a shared server).
"""

from __future__ import annotations

# Imports stay light at the top, and the feed server (asyncio) lives in bench/feed_server.py: every process
# spawned from this script imports it again as its main module, Lytt's parser process in the middle of
# the timed first ingest among them (`lytt crawl`'s main module is the CLI's, ~15 ms to import).
import multiprocessing
import os
import platform
import queue
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from proc_cpu import HelperSampler, own_cpu, process_cpu

EPISODES = 35


def feed_body(n: int) -> bytes:
    """A realistic podcast feed, different for every n, ~40 KB."""
    base = datetime(2022, 1, 3, 6, 0, tzinfo=UTC)
    items = []
    for e in range(EPISODES, 0, -1):
        published = format_datetime(base + timedelta(days=7 * e + n % 7), usegmt=True)
        items.append(
            f"<item><title>Show {n}, episode {e}: a conversation about things</title>"
            f"<guid isPermaLink='false'>show-{n}-episode-{e}</guid><pubDate>{published}</pubDate>"
            f"<link>https://example.com/show-{n}/{e}</link>"
            f'<enclosure url="https://cdn.example.com/show-{n}/episode-{e}.mp3" type="audio/mpeg" '
            f'length="{30_000_000 + e}"/>'
            f"<itunes:duration>{3000 + e * 7}</itunes:duration><itunes:episode>{e}</itunes:episode>"
            f"<description><![CDATA[<p>In episode {e} of show {n} we talk about "
            + "podcasts, feeds and the open web. " * 12
            + "</p>]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
        f"<title>Benchmark show {n}</title><link>https://example.com/show-{n}</link>"
        f"<description>Show number {n}, generated for the crawler benchmark.</description>"
        f"<language>en</language><itunes:author>Bench Author {n % 97}</itunes:author>"
        '<itunes:category text="Technology"/>' + "".join(items) + "</channel></rss>"
    ).encode()


def served(n: int, realistic: bool = False) -> tuple[bytes, bytes]:
    """Feed n's body (this script's, or with `realistic` bench/realistic_feeds.py's) and ETag."""
    if realistic:
        import realistic_feeds

        return realistic_feeds.feed_body(n), f'"feed-{n}-v1"'.encode()
    return feed_body(n), f'"feed-{n}-v1"'.encode()


def expect(condition: bool, detail: str) -> None:
    """Figures only count when both sides did all the work."""
    if not condition:
        raise RuntimeError(f"benchmark run incomplete: {detail}")


@dataclass(frozen=True)
class Lytt:
    """How Lytt runs: on which database, with how many worker processes for the first ingest, each with
    `parsers` parser processes."""

    parsers: int
    backend: str = "sqlite"
    workers: int = 1
    postgres: str = ""  # postgres://…/NAME: a database NAME_<pid> is created for the run and dropped after

    def label(self) -> str:
        return f"{self.backend}, {self.workers} worker{'s' if self.workers > 1 else ''}"


def _environment(data_dir: Path, database_url: str) -> None:
    os.environ["LYTT_DATA_DIR"] = str(data_dir)
    os.environ["LYTT_ALLOW_PRIVATE_FEEDS"] = "1"
    os.environ["LYTT_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "lytt.settings"
    if database_url:
        os.environ["LYTT_DATABASE_URL"] = database_url


def _worker(worker_id: str, parsers: int) -> Any:
    from lytt.crawl.fetch import FetchConfig
    from lytt.crawl.worker import Worker, WorkerConfig

    fetch = FetchConfig(concurrency=32, per_host=32)
    return Worker(WorkerConfig(worker_id=worker_id, batch_size=500, fetch=fetch, parse_processes=parsers))


def backend_pid() -> int:
    """This process's PostgreSQL backend (0 on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def first_ingest(worker_id: str, parsers: int) -> tuple[int, float, float]:
    """One worker's first ingest, as `lytt crawl --once` runs it: the feeds it checked, and the CPU
    seconds of this process (its threads and parser processes) and of its database backend."""
    worker = _worker(worker_id, parsers)
    backend = backend_pid()
    own, server = own_cpu(), process_cpu(backend) if backend else 0.0
    summary = worker.crawl_once()
    expect(backend_pid() == backend, "the worker kept one database connection")
    server = process_cpu(backend) - server if backend else 0.0
    return summary.feeds, own_cpu() - own, server


def run_lytt(urls: list[str], data_dir: Path, lytt: Lytt) -> dict[str, float]:
    database_url = ""
    if lytt.backend == "postgres":
        database_url = f"{lytt.postgres}_{os.getpid()}"
        postgres_database(database_url, create=True)
    _environment(data_dir, database_url)
    try:
        return _run_lytt(urls, lytt)
    finally:
        if database_url:
            from django.db import connections

            connections.close_all()
            postgres_database(database_url, create=False)


def postgres_database(url: str, *, create: bool) -> None:
    """Create (or drop) the database `url` names, connected to the server's ``postgres`` database."""
    import psycopg

    server, name = url.replace("postgres://", "postgresql://").rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")  # type: ignore[arg-type]
        if create:
            conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]


def _run_lytt(urls: list[str], lytt: Lytt) -> dict[str, float]:
    import django

    django.setup()
    from django.core.management import call_command

    from lytt.catalog.models import Episode, FeedSource
    from lytt.crawl.tuning import settle_heap

    call_command("migrate", verbosity=0)
    FeedSource.objects.bulk_create([FeedSource(url=url) for url in urls], batch_size=1000)
    figures: dict[str, float] = {}
    helpers = HelperSampler().start() if lytt.backend == "postgres" else None
    started = time.perf_counter()
    if lytt.workers == 1:
        settle_heap()  # as `lytt crawl` does before crawling
        runs = [first_ingest("bench", lytt.parsers)]
    else:
        runs = _first_ingest_in_processes(lytt)
    seconds = time.perf_counter() - started
    figures["server_helpers_cpu_ms"] = (helpers.stop() if helpers else 0.0) * 1000 / len(urls)
    checked = sum(feeds for feeds, _, _ in runs)
    expect(checked == len(urls), f"{checked} feeds checked")
    crawler = sum(own for _, own, _ in runs)
    if helpers and lytt.workers == 1:  # the sampling thread ran in the worker's process: not its work
        crawler -= helpers.own
    figures["first_cpu_ms"] = crawler * 1000 / len(urls)
    figures["backend_cpu_ms"] = sum(backend for _, _, backend in runs) * 1000 / len(urls)
    figures["all_cpu_ms"] = figures["first_cpu_ms"] + figures["backend_cpu_ms"]
    figures["all_cpu_ms"] += figures["server_helpers_cpu_ms"]
    episodes = Episode.objects.count()
    expect(episodes == len(urls) * EPISODES, f"{episodes} episodes stored")
    figures["first_feeds_s"] = len(urls) / seconds
    figures["first_episodes_s"] = episodes / seconds

    worker = _worker("bench", lytt.parsers)
    started = time.perf_counter()
    second = worker.crawl_once(all_feeds=True)
    figures["unchanged_304_feeds_s"] = len(urls) / (time.perf_counter() - started)
    expect(second.outcomes == {"not_modified": len(urls)}, second.line())

    FeedSource.objects.update(etag="", last_modified="")
    started = time.perf_counter()
    third = worker.crawl_once(all_feeds=True)
    figures["unchanged_hash_feeds_s"] = len(urls) / (time.perf_counter() - started)
    expect(third.outcomes == {"same_hash": len(urls)}, third.line())
    return figures


def _first_ingest_process(worker_id: str, parsers: int, out: multiprocessing.Queue[Any]) -> None:
    import django

    django.setup()
    from lytt.crawl.tuning import settle_heap

    settle_heap()
    out.put(first_ingest(worker_id, parsers))


def _first_ingest_in_processes(lytt: Lytt) -> list[tuple[int, float, float]]:
    """The first ingest by `lytt.workers` worker processes at once, as that many `lytt crawl --once`."""
    from django.db import connections

    connections.close_all()  # (the database is written by the workers alone meanwhile)
    out: multiprocessing.Queue[tuple[int, float, float]] = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_first_ingest_process, args=(f"bench-{n}", lytt.parsers, out))
        for n in range(lytt.workers)
    ]
    for process in processes:
        process.start()
    runs = [out.get(timeout=3600) for _ in processes]
    for process in processes:
        process.join()
        expect(process.exitcode == 0, f"a worker process ended with {process.exitcode}")
    return runs


def _import_reader() -> Any:
    """Import `reader`, whose vendored feedparser still does `import sgmllib`.

    feedparser 6.0.12+ depends on `feedparser-sgmllib` (the maintained copy of the same module, importable
    as `feedparser_sgmllib`) instead of `sgmllib3k`, so with a current feedparser installed `sgmllib` may
    be missing. Point the old name at the new module; the peer's parsing is unchanged.
    """
    try:
        import sgmllib  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        import feedparser_sgmllib

        sys.modules["sgmllib"] = feedparser_sgmllib
    import reader

    return reader


def run_reader(urls: list[str], data_dir: Path) -> dict[str, float]:
    reader = _import_reader()
    db = reader.make_reader(str(data_dir / "reader.sqlite"))
    for url in urls:
        db.add_feed(url)
    started, cpu = time.perf_counter(), time.process_time()
    db.update_feeds(workers=16, scheduled=False)
    seconds = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu) * 1000 / len(urls)
    entries = db.get_entry_counts().total
    expect(entries == len(urls) * EPISODES, f"reader stored {entries} entries")
    figures = {"first_feeds_s": len(urls) / seconds, "first_episodes_s": entries / seconds}
    figures["first_cpu_ms"] = cpu_ms
    started = time.perf_counter()
    db.update_feeds(workers=16, scheduled=False)
    figures["unchanged_304_feeds_s"] = len(urls) / (time.perf_counter() - started)
    db.close()
    return figures


def run_reader_searchable(urls: list[str], data_dir: Path) -> dict[str, float]:
    """reader doing all that Lytt's first ingest does: the entries stored and searchable (its search
    enabled, `update_feeds` then `update_search`). A database of its own: search's triggers would slow
    the plain run's `update_feeds`."""
    reader = _import_reader()
    db = reader.make_reader(str(data_dir / "reader-search.sqlite"))
    db.enable_search()
    for url in urls:
        db.add_feed(url)
    started = time.perf_counter()
    db.update_feeds(workers=16, scheduled=False)
    db.update_search()
    seconds = time.perf_counter() - started
    hits = db.search_entry_counts("conversation").total
    expect(hits == len(urls) * EPISODES, f"reader's search finds {hits} entries")
    db.close()
    return {"first_feeds_s": len(urls) / seconds}


def _in_process(
    target: str, urls: list[str], data_dir: Path, lytt: Lytt, out: multiprocessing.Queue[dict[str, float]]
) -> None:
    if target == "lytt":
        out.put(run_lytt(urls, data_dir, lytt))
    elif target == "reader-search":
        out.put(run_reader_searchable(urls, data_dir))
    else:
        out.put(run_reader(urls, data_dir))


def measure(target: str, urls: list[str], lytt: Lytt | None = None) -> dict[str, float]:
    """Each side runs in a fresh process with a fresh data directory (and database)."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"lytt-bench-{target}-"))
    try:
        out: multiprocessing.Queue[dict[str, float]] = multiprocessing.Queue()
        process = multiprocessing.Process(target=_in_process, args=(target, urls, data_dir, lytt, out))
        process.start()
        while process.is_alive() or not out.empty():
            try:
                figures = out.get(timeout=1)
            except queue.Empty:
                continue
            figures["load"] = os.getloadavg()[0]
            process.join()
            return figures
        raise RuntimeError(f"the {target} run failed (exit code {process.exitcode})")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _reader_rows(count: int, runs: list[tuple[Lytt, dict[str, float]]], peer: dict[str, float]) -> None:
    print("\n| feeds | Lytt | measure | Lytt | reader | Lytt / reader |")
    print("| ---: | --- | --- | ---: | ---: | ---: |")
    rows = [
        ("first ingest, feeds/s", "first_feeds_s", "first_feeds_s"),
        ("first ingest, episodes/s", "first_episodes_s", "first_episodes_s"),
        ("unchanged, 304s, feeds/s", "unchanged_304_feeds_s", "unchanged_304_feeds_s"),
        ("unchanged, hash-skip, feeds/s", "unchanged_hash_feeds_s", "unchanged_304_feeds_s"),
        ("first ingest, CPU ms per feed (own process)", "first_cpu_ms", "first_cpu_ms"),
    ]
    for label, ours, theirs in rows:
        for lytt, figures in runs:
            ratio = figures[ours] / peer[theirs]
            places = 1 if ours == "first_cpu_ms" else 0
            print(
                f"| {count:,} | {lytt.label()}, {lytt.parsers} parsers | {label} "
                f"| {figures[ours]:,.{places}f} | {peer[theirs]:,.{places}f} | {ratio:.1f}x |"
            )


def _cpu_rows(count: int, runs: list[tuple[Lytt, dict[str, float]]]) -> None:
    """Lytt's runs side by side: the first ingest's speed and the CPU it cost everything that did its work
    (the crawler's processes, the database server's backends and shared processes)."""
    print(
        "\n| feeds | Lytt | first ingest, feeds/s | CPU ms per feed: crawler | server backends "
        "| server shared | all | feeds per CPU-second | against the first row |"
        "\n| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    base = 1000 / runs[0][1]["all_cpu_ms"]
    for lytt, figures in runs:
        per_cpu_second = 1000 / figures["all_cpu_ms"]
        print(
            f"| {count:,} | {lytt.label()}, {lytt.parsers} parsers | {figures['first_feeds_s']:,.0f} "
            f"| {figures['first_cpu_ms']:.2f} | {figures['backend_cpu_ms']:.2f} "
            f"| {figures['server_helpers_cpu_ms']:.2f} | {figures['all_cpu_ms']:.2f} "
            f"| {per_cpu_second:,.0f} | {per_cpu_second / base:.2f}x |"
        )


def main() -> int:
    import argparse

    from feed_server import serve

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, action="append", help="feed counts to run (repeatable)")
    parser.add_argument("--quick", action="store_true", help="200 feeds only")
    parser.add_argument(
        "--parsers",
        type=int,
        action="append",
        help="Lytt's parser processes (repeatable: one Lytt run each; default cores - 1)",
    )
    parser.add_argument(
        "--realistic",
        action="store_true",
        help="serve bench/realistic_feeds.py's feeds (35 episodes of ~6 KB) instead of ~40 KB ones",
    )
    parser.add_argument(
        "--backend",
        action="append",
        choices=("sqlite", "postgres"),
        help="Lytt's database (repeatable: one Lytt run each; default sqlite)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        action="append",
        help="PostgreSQL: worker processes sharing the first ingest (repeatable: a run each; default 1)",
    )
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/lytt_bench_crawl",
        help="PostgreSQL server and database name prefix (a database per run, dropped after it)",
    )
    parser.add_argument("--no-reader", action="store_true", help="run Lytt only")
    parser.add_argument(
        "--reader-search",
        action="store_true",
        help="also time reader doing all of Lytt's first ingest: stored and searchable (slow)",
    )
    args = parser.parse_args()
    counts = [200] if args.quick else (args.feeds or [1000, 10000])
    from lytt.crawl.parser_pool import default_processes

    # SQLite has one writer at a time: a second worker would wait on the first's locks, or give up.
    settings = [
        Lytt(parsers, backend, workers, args.postgres)
        for backend in args.backend or ["sqlite"]
        for workers in (args.workers or [1] if backend == "postgres" else [1])
        for parsers in args.parsers or [default_processes()]
    ]

    multiprocessing.set_start_method("spawn")
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports, max(counts), args.realistic), daemon=True)
    server.start()
    port = ports.get(timeout=600)
    try:
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, ",
            end="",
        )
        feeds = "bench/realistic_feeds.py's" if args.realistic else "generated ~40 KB"
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {feeds} feeds")
        for count in counts:
            urls = [f"http://127.0.0.1:{port}/{n}.xml" for n in range(count)]
            runs = [(lytt, measure("lytt", urls, lytt)) for lytt in settings]
            loads = ", ".join(f"{lytt.label()} {figures['load']:.1f}" for lytt, figures in runs)
            if not args.no_reader:
                peer = measure("reader", urls)
                loads += f", reader {peer['load']:.1f}"
            print(f"\n<!-- load average when each finished: {loads} -->")
            _cpu_rows(count, runs)
            if not args.no_reader:
                _reader_rows(count, runs, peer)
            if args.reader_search:
                searchable = measure("reader-search", urls)
                print(f"<!-- load average: reader with search {searchable['load']:.1f} -->")
                for lytt, figures in runs:
                    ratio = figures["first_feeds_s"] / searchable["first_feeds_s"]
                    print(
                        f"| {count:,} | {lytt.label()} | first ingest, searchable (reader: + update_search), "
                        f"feeds/s | {figures['first_feeds_s']:,.0f} | {searchable['first_feeds_s']:,.0f} "
                        f"| {ratio:.1f}x |"
                    )
            sys.stdout.flush()
    finally:
        server.terminate()
        server.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
