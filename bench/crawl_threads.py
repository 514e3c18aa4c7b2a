"""Where a crawl's first ingest spends its CPU: the tools behind docs/benchmarks.md's "crawl" analyses.

    .venv/bin/python bench/crawl_threads.py crawl 2000            # a first ingest, CPU per thread
    .venv/bin/python bench/crawl_threads.py store 1500 --statements   # the writing thread alone

`crawl`: bench/crawl.py's feed server and Lytt's worker as that script runs it (one parser process), in
this process; prints feeds/s and the CPU milliseconds per feed of the crawler's main (writing) thread, its
other threads together (the parse pool's, the fetcher's and the checkpoints'), the parser process and
the feed server.

`store`: the bench feeds parsed here first, then only `lytt.crawl.storing` in chunks as a crawl stores them,
in this thread: its CPU per feed (`thread_time`; the checkpoint thread's is not in it), the bytes the
process wrote (`/proc/self/io`), and with `--statements` each kind of statement's and the commits'
share. No fetching or parsing competes with it, so it tells changes to the writing side apart better
than a whole crawl on a shared machine; run the two trees being compared in alternation all the same.

`--realistic`: bench/realistic_feeds.py's feeds instead of bench/crawl.py's. `--postgres URL` (store): on a
PostgreSQL database of its own, with the backend's CPU too, per statement with `--statements` (COPY and
the pipelined executemany bypass Django's wrappers: their share is the line "the backend's other").

Set SRC to another checkout's `src` to measure that tree with the same script.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, os.environ.get("SRC", str(Path(__file__).resolve().parent.parent / "src")))
import crawl  # bench/crawl.py: its feeds
import feed_server  # and their server
from proc_cpu import cpu, process_cpu, run_time


def _setup(count: int) -> Path:
    data = Path(tempfile.mkdtemp(prefix="lytt-threads-"))
    os.environ.update(
        LYTT_DATA_DIR=str(data),
        LYTT_ALLOW_PRIVATE_FEEDS="1",
        LYTT_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="lytt.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data


def _thread_cpu() -> dict[str, float]:
    """CPU seconds of each thread of this process so far, by thread id."""
    out: dict[str, float] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            out[tid] = cpu(f"/proc/self/task/{tid}/stat")
        except OSError:  # the thread ended meanwhile
            continue
    return out


def run_crawl(count: int, realistic: bool) -> None:
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=feed_server.serve, args=(ports, count, realistic), daemon=True)
    server.start()
    port = ports.get(timeout=600)
    data = _setup(count)
    from lytt.catalog.models import Episode, FeedSource
    from lytt.crawl.fetch import FetchConfig
    from lytt.crawl.tuning import settle_heap
    from lytt.crawl.worker import Worker, WorkerConfig

    urls = [f"http://127.0.0.1:{port}/{n}.xml" for n in range(count)]
    FeedSource.objects.bulk_create([FeedSource(url=url) for url in urls], batch_size=1000)
    fetch = FetchConfig(concurrency=32, per_host=32)
    worker = Worker(WorkerConfig(worker_id="bench", batch_size=500, fetch=fetch, parse_processes=1))
    settle_heap()
    # Threads end before `crawl_once` returns: sample them while it runs.
    seen = _thread_cpu()
    before, done = dict(seen), threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            seen.update(_thread_cpu())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    server_before = process_cpu(server.pid or 0)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    worker.crawl_once()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    crawl.expect(Episode.objects.count() == count * crawl.EPISODES, "every episode stored")
    main = str(threading.get_native_id())
    sampler_id = str(sampler.native_id)
    spent = {tid: cpu - before.get(tid, 0.0) for tid, cpu in seen.items() if tid != sampler_id}
    per_feed = 1000 / count
    parsers = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    main_cpu, others = spent.pop(main, 0.0), sum(spent.values())
    server_cpu = process_cpu(server.pid or 0) - server_before
    print(
        f"{count / seconds:.0f} feeds/s ({seconds:.1f} s, load {os.getloadavg()[0]:.1f}); CPU ms per feed: "
        f"main thread {main_cpu * per_feed:.2f}, other threads {others * per_feed:.2f}, "
        f"parser process {parsers * per_feed:.2f}, feed server {server_cpu * per_feed:.2f}"
    )
    server.terminate()
    shutil.rmtree(data, ignore_errors=True)


def _io() -> dict[str, int]:
    lines = Path("/proc/self/io").read_text().splitlines()
    return {name: int(value) for name, value in (line.split(": ") for line in lines)}


def run_store(count: int, statements: bool, realistic: bool) -> None:
    data = _setup(count)
    from django.db import DEFAULT_DB_ALIAS, connection, connections
    from django.db.backends.base.base import BaseDatabaseWrapper

    from lytt.catalog.models import Episode, FeedSource
    from lytt.crawl.checkpoints import Checkpointer
    from lytt.crawl.claims import claim_batch
    from lytt.crawl.decisions import Changed
    from lytt.crawl.fetch import FetchRequest, FetchResult
    from lytt.crawl.parser_pool import ParseJob, parse_job
    from lytt.crawl.records import Recorder, Summary
    from lytt.crawl.safety import AddressPolicy
    from lytt.crawl.storing import Storer
    from lytt.crawl.tuning import tune_connection
    from lytt.crawl.worker import WorkerConfig

    FeedSource.objects.bulk_create([FeedSource(url=f"http://127.0.0.1:9/{n}.xml") for n in range(count)])
    config = WorkerConfig(worker_id="bench")
    tune_connection()
    items = []
    for claimed in claim_batch("bench", limit=count, lease=timedelta(hours=1)):
        body = crawl.served(int(claimed.url.rsplit("/", 1)[1].split(".")[0]), realistic)[0]
        parsed = parse_job(ParseJob(body, claimed.url, "application/rss+xml", 10 << 20))
        result = FetchResult(
            FetchRequest(claimed.pk, claimed.url, "", ""), claimed.url, 200, body, etag='"1"'
        )
        digest = hashlib.sha256(body).hexdigest()
        items.append(Changed(claimed, result, prepared=parsed, digest=digest))
    spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    backend = crawl.backend_pid()

    def server() -> float:
        return run_time(backend) if backend else 0.0

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started, on_server = time.thread_time(), server()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = sql.split()[0] if sql.startswith(("SAVEPOINT", "RELEASE")) else sql.split("(")[0][:60]
            spent[kind][0] += 1
            spent[kind][1] += time.thread_time() - started
            spent[kind][2] += server() - on_server

    if statements:
        connection.execute_wrappers.append(timed)
        commit = BaseDatabaseWrapper._commit

        def timed_commit(self: BaseDatabaseWrapper) -> None:
            started, on_server = time.thread_time(), server()
            try:
                commit(self)
            finally:
                spent["COMMIT"][0] += 1
                spent["COMMIT"][1] += time.thread_time() - started
                spent["COMMIT"][2] += server() - on_server

        BaseDatabaseWrapper._commit = timed_commit  # type: ignore[method-assign]
    summary = Summary()
    io_before, started, server_started = _io(), time.thread_time(), server()
    # As in a crawl: checkpoints on their own thread (not in the CPU figure).
    checkpoints = Checkpointer.of(connections[DEFAULT_DB_ALIAS])

    def now() -> datetime:
        return datetime.now(UTC)

    recorder = Recorder(
        "bench",
        clock=now,
        keep_checks=config.keep_checks,
        committed=checkpoints.poke if checkpoints else _no_op,
    )
    storer = Storer(recorder, policy=AddressPolicy.from_settings(), clock=now, rng=random.Random())
    try:
        for start in range(0, count, config.store_every):
            storer.store(items[start : start + config.store_every], summary)
    finally:
        if checkpoints is not None:
            checkpoints.close()
    own, io_after, on_server = time.thread_time() - started, _io(), server() - server_started
    crawl.expect(Episode.objects.count() == count * crawl.EPISODES, "every episode stored")
    per_feed = 1000 / count
    written = (io_after["wchar"] - io_before["wchar"]) / 1024 / count
    print(
        f"store: {own * per_feed:.3f} ms of CPU per feed, {written:.0f} KB written per feed ({count} feeds)"
        + (f"; the PostgreSQL backend's: {on_server * per_feed:.3f} ms per feed" if backend else "")
    )
    ranked = sorted(spent.items(), key=lambda item: -item[1][1] - item[1][2])
    for kind, (calls, seconds, statement_server) in ranked[:14]:
        server_part = f", server {statement_server * per_feed:7.3f}" if backend else ""
        print(f"  {seconds * per_feed:7.3f} ms per feed{server_part}, {calls / count:5.2f} per feed  {kind}")
    if backend and statements:
        unseen = on_server - sum(figures[2] for figures in spent.values())
        print(f"  the backend's other {unseen * per_feed:.3f} ms per feed: COPY and pipelined executemany")
    shutil.rmtree(data, ignore_errors=True)


def _no_op() -> None:
    pass


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["crawl", "store"])
    parser.add_argument("feeds", type=int)
    parser.add_argument("--statements", action="store_true", help="store: time each kind of statement")
    parser.add_argument("--realistic", action="store_true", help="bench/realistic_feeds.py's feeds")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="on PostgreSQL: postgres://…/NAME, a database NAME_<pid> created for the run and dropped after",
    )
    args = parser.parse_args()
    if args.postgres:
        url = f"{args.postgres}_{os.getpid()}"
        crawl.postgres_database(url, create=True)
        os.environ["LYTT_DATABASE_URL"] = url
        try:
            return _run(args)
        finally:
            from django.db import connections

            connections.close_all()
            crawl.postgres_database(url, create=False)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    if args.mode == "crawl":
        multiprocessing.set_start_method("spawn")
        run_crawl(args.feeds, args.realistic)
    else:
        run_store(args.feeds, args.statements, args.realistic)
    return 0


if __name__ == "__main__":
    sys.exit(main())
