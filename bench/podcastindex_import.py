"""`lytt import-podcastindex` on a synthetic dump of millions of rows, on SQLite and PostgreSQL.

    .venv/bin/python bench/podcastindex_import.py --rows 4000000
    LYTT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/podcastindex_import.py --rows 1000000 --backend postgres

The dumps are bench/podcastindex_dump.py's (week 1, then week 2: 1 % moved, 1 % newly dead, 1 % gone,
2 % new, 5 % retitled), written to a temporary directory first (not timed). Each step is the real
command in a fresh process on an empty database (PostgreSQL: a scratch database, dropped afterwards);
wall time, CPU (user + system of the command's process, and of the PostgreSQL server's backends where
measurable only as wall), and the process's peak RSS are read from `os.wait4`:

1. baseline: the same URLs through Lytt's OPML/`lytt add` path (`catalog.sources.add_feed_urls`, feed
   rows only, no shows, no search index), 10,000 at a time;
2. `lytt import-podcastindex week1.db` into that empty database (first import);
3. `lytt import-podcastindex week2.db` over it (re-import).

Prints a Markdown table: rows/s of each, and the ratio to the baseline. `--dumps DIR` keeps the dumps
(`week1-N.db`, `week2-N.db`) there and reuses them; `--no-baseline` leaves step 1 out (the first import's
wall time is then the ratios' base); `--peer SRC` runs steps 2 and 3 first with the Lytt of another
checkout's `src` (on `PYTHONPATH`), for a before/after in one run on a noisy machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _backends import create_database, database_name, database_url, drop_database

HERE = Path(__file__).resolve().parent


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("podcastindex_dump", HERE / "podcastindex_dump.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BASELINE = """
import os, sqlite3, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
import django
django.setup()
from lytt.catalog.sources import add_feed_urls
rows = sqlite3.connect(sys.argv[1]).execute("SELECT url FROM podcasts WHERE dead = 0 ORDER BY id")
while batch := [url for (url,) in rows.fetchmany(10000)]:
    add_feed_urls(batch)
"""


def _dump(generator: object, directory: Path, rows: int, week: int) -> Path:
    """Week `week`'s dump of `rows` feeds in `directory`, written unless it is there already."""
    path = directory / f"week{week}-{rows}.db"
    if not path.exists():
        part = path.with_suffix(".part")
        generator.write_dump(part, rows, week)  # type: ignore[attr-defined]
        part.rename(path)
    return path


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run `command`; (wall seconds, CPU seconds, peak RSS in MB) of its process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command} failed with status {status}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def fresh_database(env: dict[str, str], backend: str, url: str, scratch: Path) -> None:
    """An empty, migrated database for the next step."""
    if backend == "postgres":
        name = database_name(f"pi_{os.getpid()}")
        drop_database(url, name)
        create_database(url, name)
        env["LYTT_DATABASE_URL"] = database_url(url, name)
    else:
        data = scratch / "data"
        shutil.rmtree(data, ignore_errors=True)
        env["LYTT_DATA_DIR"] = str(data)
    subprocess.run([sys.executable, "-m", "lytt.cli", "migrate"], env=env, check=True, capture_output=True)


def drop_scratch(backend: str, url: str) -> None:
    if backend == "postgres":
        drop_database(url, database_name(f"pi_{os.getpid()}"))


def main() -> None:
    parser = argparse.ArgumentParser(description="Podcast Index dump import benchmark")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--dir", type=Path, default=None, help="where the dumps and SQLite database go")
    parser.add_argument("--dumps", type=Path, default=None, help="keep and reuse the dumps in this directory")
    parser.add_argument("--no-baseline", action="store_true", help="leave out the add_feed_urls baseline")
    parser.add_argument("--peer", type=Path, default=None, help="another checkout's src to time first")
    args = parser.parse_args()
    url = os.environ.get("LYTT_DATABASE_URL", "")
    if args.backend == "postgres" and not url:
        raise SystemExit("--backend postgres needs LYTT_DATABASE_URL (a server to make scratch databases on)")
    generator: object = _generator()
    with tempfile.TemporaryDirectory(prefix="lytt-bench-pi-", dir=args.dir) as directory:
        scratch = Path(directory)
        started = time.perf_counter()
        week1, week2 = (_dump(generator, args.dumps or scratch, args.rows, week) for week in (1, 2))
        print(f"dumps ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        rows1 = sqlite3.connect(week1).execute("SELECT COUNT(*) FROM podcasts").fetchone()[0]
        rows2 = sqlite3.connect(week2).execute("SELECT COUNT(*) FROM podcasts").fetchone()[0]
        env = dict(os.environ)
        env.pop("LYTT_DATABASE_URL", None)
        lytt = [sys.executable, "-m", "lytt.cli", "import-podcastindex", "--no-progress"]
        results = []
        try:
            if not args.no_baseline:
                fresh_database(env, args.backend, url, scratch)
                command = [sys.executable, "-c", BASELINE, str(week1)]
                results.append(("baseline: add_feed_urls (feeds only)", rows1, *run(command, env)))
            checkouts = [(f" ({args.peer})", {"PYTHONPATH": str(args.peer)})] if args.peer else []
            for label, extra in [*checkouts, ("", {})]:
                fresh_database(env, args.backend, url, scratch)
                steps = [("first import", rows1, week1), ("re-import (week 2)", rows2, week2)]
                for name, count, dump in steps:
                    results.append((name + label, count, *run([*lytt, str(dump)], {**env, **extra})))
        finally:
            drop_scratch(args.backend, url)
    load = os.getloadavg()[0]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
    ).stdout.strip()
    print(f"\n{args.backend}, {args.rows:,} rows, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load {load:.1f}, commit {commit}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")  # fmt: skip
    base = "first import" if args.no_baseline else "baseline"
    print(f"| step | rows | wall s | rows/s (wall) | CPU s | rows/s (CPU) | peak RSS MB | wall vs {base} |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    base_wall = results[0][2]
    for name, count, wall, cpu, rss in results:
        print(f"| {name} | {count:,} | {wall:.1f} | {count / wall:,.0f} | {cpu:.1f} | {count / cpu:,.0f} | "
              f"{rss:.0f} | {wall / base_wall:.2f}x |")  # fmt: skip


if __name__ == "__main__":
    main()
