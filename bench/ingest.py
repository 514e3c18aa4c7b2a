"""Catalogue ingest benchmark: parse + store of feeds already on disk, Lytt against `reader`, same run.

    .venv/bin/python bench/ingest.py               # 1,000 feeds
    .venv/bin/python bench/ingest.py --feeds 200

The crawl benchmark (bench/crawl.py) measures the whole pipeline over HTTP; this one leaves the network
out to show what parsing and storing cost. The feeds are bench/crawl.py's (~35 episodes, ~40 KB each),
written to a temporary directory. Each side runs in a fresh process with an empty SQLite database:

- Lytt: `parse_feed` + `ingest_feed` per feed, with the search index updated from the `feed_ingested`
  signal as in production, and again without it (ingest alone);
- reader: `make_reader(feed_root=DIR)`, `add_feed(path)` per feed, `update_feeds(workers=1)`.

Then the same again with nothing changed (Lytt re-parses and re-ingests; reader does what it does for an
unchanged local file). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import platform
import queue
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def write_feeds(count: int, directory: Path) -> list[Path]:
    paths = []
    spec = importlib.util.spec_from_file_location("bench_crawl", HERE / "crawl.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for n in range(count):
        path = directory / f"feed{n}.xml"
        path.write_bytes(module.feed_body(n))
        paths.append(path)
    return paths


def run_lytt(paths: list[Path], data_dir: Path, search: bool) -> dict[str, float]:
    os.environ["LYTT_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from lytt.catalog.ingest import ingest_feed
    from lytt.catalog.models import Episode, FeedSource
    from lytt.catalog.signals import feed_ingested
    from lytt.feeds import parse_feed

    call_command("migrate", verbosity=0)
    if not search:
        feed_ingested.receivers.clear()
    sources = [FeedSource.objects.create(url=f"http://127.0.0.1/{path.name}") for path in paths]
    figures: dict[str, float] = {}
    for label in ("first", "unchanged"):
        started = time.perf_counter()
        for path, source in zip(paths, sources, strict=True):
            ingest_feed(source, parse_feed(path.read_bytes(), url=source.url))
        figures[label] = len(paths) / (time.perf_counter() - started)
    episodes = Episode.objects.count()
    if episodes != len(paths) * 35:
        raise SystemExit(f"Lytt stored {episodes} episodes")
    return figures


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


def run_reader(paths: list[Path], data_dir: Path) -> dict[str, float]:
    reader = _import_reader()
    db = reader.make_reader(str(data_dir / "reader.sqlite"), feed_root=str(paths[0].parent))
    for path in paths:
        db.add_feed(path.name)
    figures: dict[str, float] = {}
    for label in ("first", "unchanged"):
        started = time.perf_counter()
        db.update_feeds(workers=1, scheduled=False)
        figures[label] = len(paths) / (time.perf_counter() - started)
    entries = db.get_entry_counts().total
    db.close()
    if entries != len(paths) * 35:
        raise SystemExit(f"reader stored {entries} entries")
    return figures


def _child(target: str, paths: list[Path], out: multiprocessing.Queue[dict[str, float]]) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix=f"lytt-bench-ingest-{target}-"))
    try:
        if target == "reader":
            out.put(run_reader(paths, data_dir))
        else:
            out.put(run_lytt(paths, data_dir, search=target == "lytt"))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(target: str, paths: list[Path]) -> dict[str, float]:
    out: multiprocessing.Queue[dict[str, float]] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_child, args=(target, paths, out))
    process.start()
    try:
        while True:
            try:
                return out.get(timeout=1)
            except queue.Empty:
                if not process.is_alive():
                    raise SystemExit(f"{target} failed (exit code {process.exitcode})") from None
    finally:
        process.join(30)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=1000)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="lytt-bench-ingest-feeds-"))
    try:
        paths = write_feeds(args.feeds, directory)
        results = {target: measure(target, paths) for target in ("lytt", "lytt-no-search", "reader")}
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {now}")
    print(f"\n{args.feeds} feeds x 35 episodes, SQLite, one process each, feeds/s:\n")
    print("| pass | Lytt | Lytt, no search index | reader | Lytt / reader | no search / reader |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label in ("first", "unchanged"):
        lytt, bare, peer = (results[t][label] for t in ("lytt", "lytt-no-search", "reader"))
        print(f"| {label} | {lytt:.0f} | {bare:.0f} | {peer:.0f} | {lytt / peer:.1f}x | {bare / peer:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
