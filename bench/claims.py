"""Benchmark: claiming due feeds at directory scale, many workers on PostgreSQL, against a simulated clock.

    .venv/bin/python bench/claims.py [--feeds 4000000] [--workers 8] [--batch 500] [--speed 60]
                                     [--seconds 120] [--backlog] [--database-url postgres://postgres@127.0.0.1:5432/test]

A scratch PostgreSQL database (created, migrated and dropped by the bench) is filled by one `INSERT ...
SELECT FROM generate_series` (`fill_sql`) with `--feeds` feeds in the crawler's tiers (`lytt.crawl.tiers`),
each feed given the popularity and newest episode date that put it there, as a directory's feeds spread
once the crawler knows them: hot 3% (every 15 to 60 minutes), active 20% (2 to 12 hours), quiet 27% (12 to
24 hours), dormant 32% (weekly), failing 8% (3 to 8 errors, backed off by the schedule), and 10% retired
long ago, whose last planned checks lie in the past.

Each feed's first check is spread evenly over its interval from the start, as in a steady state; with
`--backlog` every feed is due at the start instead (a first crawl of an imported catalogue).

`--workers` processes then run the crawler's own claim and write path for `--seconds` of real time:
`lytt.crawl.claims.claim_batch`, then for each claimed feed the decision a 304 answer (a failing feed: a
timeout) leads to (`lytt.crawl.decisions.after_fetch`, so the schedule's real intervals and backoff), written
by `lytt.crawl.records.Recorder.flush` with its FeedCheck rows and pruning, as `lytt crawl` writes an
unchanged feed. Fetching is instant: what is measured is the claim protocol and the database, the part that
does not grow with more crawler hosts. The clock the workers pass in runs `--speed` times real time, so a
simulated day takes 24/speed hours.

Reported: feeds claimed per second; the claim statement's latency (p50, p95, p99); per band, how late feeds
were when claimed (simulated time past their next check: p50, p95, max); the demand the bands make at real
time (claims per second) and the capacity as a multiple of it; CPU of the workers and of PostgreSQL's server
processes (from /proc). Lateness is read with one extra SELECT per batch, outside the timed claim.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _backends import POSTGRES_URL, create_database, database_name, database_url, drop_database
from proc_cpu import process_cpu, server_helpers
from search import percentile

#: (band, share of feeds, shortest and longest check interval in seconds, newest episode's age in days).
#: The bands are the crawler's tiers (`lytt.crawl.tiers`), each feed given what decides its tier, plus the
#: feeds the crawler retired, which claims must step over cheaply.
BANDS = (
    ("hot", 0.03, 15 * 60, 60 * 60, 1),
    ("active", 0.20, 2 * 3600, 12 * 3600, 45),
    ("quiet", 0.27, 12 * 3600, 24 * 3600, 200),
    ("dormant", 0.32, 7 * 86400, 7 * 86400, 800),
    ("failing", 0.08, 0, 0, 20),
    ("retired", 0.10, 0, 0, 900),
)
CRAWLED = tuple(band for band, *_ in BANDS if band != "retired")
SAMPLES = 20_000  # lateness values kept per band per worker (reservoir)
SIM_START = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def band_of(index: int, feeds: int) -> str:
    """The band of the `index`-th feed (id `index + 1`): bands in contiguous id ranges, by share."""
    edge = 0.0
    for name, share, *_ in BANDS:
        edge += share * feeds
        if index < edge:
            return name
    return BANDS[-1][0]


def fill_sql(feeds: int, backlog: bool) -> tuple[str, dict[str, Any]]:
    """One `INSERT ... SELECT FROM generate_series` of `feeds` feeds (ids 1..feeds, in `band_of`'s bands),
    and its parameters. Each feed's random draws are made once, in a materialised CTE, and give what the
    bands promise: the interval uniform in the band's range (a failing feed's from the schedule's backoff
    after its 3 to 8 errors), the first check uniform over it, the newest episode at a half to the whole of
    the band's age, popularity uniform in 5..50 for hot feeds and exponential (mean 1) for the others."""
    from lytt.crawl.schedule import ERROR_BASE, ERROR_CAP

    params: dict[str, Any] = {
        "feeds": feeds,
        "start": SIM_START,
        "base": ERROR_BASE.total_seconds(),
        "cap": ERROR_CAP.total_seconds(),
        "normal": timedelta(hours=1).total_seconds(),
    }
    bands, intervals, ages = [], [], []
    edge = 0.0
    for n, (name, share, low, high, age) in enumerate(BANDS):
        edge += share * feeds
        params.update(
            {f"edge{n}": edge, f"band{n}": name, f"low{n}": low, f"span{n}": high - low, f"age{n}": age}
        )
        bands.append(f"WHEN g - 1 < %(edge{n})s THEN %(band{n})s")
        if name not in ("failing", "retired"):
            intervals.append(f"WHEN %(band{n})s THEN %(low{n})s + %(span{n})s * r_interval")
        ages.append(f"WHEN %(band{n})s THEN %(age{n})s")
    # `lytt.crawl.schedule.backoff(errors, normal, jitter)`, in SQL.
    backoff = "LEAST(GREATEST(%(normal)s, %(base)s * 2 ^ (errors - 1)) * (1 + 0.25 * r_jitter), %(cap)s)"
    first = "%(start)s" if backlog else "%(start)s + r_first * interval_s * interval '1 second'"
    sql = f"""
WITH draws AS MATERIALIZED (
  SELECT g, CASE {" ".join(bands)} ELSE %(band{len(BANDS) - 1})s END AS band, random() AS r_interval,
         random() AS r_first, random() AS r_jitter, random() AS r_age, random() AS r_popularity,
         3 + floor(random() * 6)::int AS r_errors
  FROM generate_series(1, %(feeds)s) g
), shaped AS (
  SELECT *, CASE WHEN band = 'failing' THEN r_errors ELSE 0 END AS errors,
         CASE band {" ".join(ages)} END * (0.5 + 0.5 * r_age) AS age_days,
         CASE WHEN band = 'hot' THEN 5 + 45 * r_popularity ELSE -ln(1 - r_popularity) END AS popularity
  FROM draws
), timed AS (
  SELECT *, CASE band {" ".join(intervals)} WHEN 'failing' THEN {backoff} ELSE %(base)s END AS interval_s
  FROM shaped
)
INSERT INTO catalog_feedsource (id, url, status, status_reason, private, etag, last_modified, content_hash,
  next_check_at, check_interval_seconds, last_error, error_count, claimed_by, push_reason, added_at,
  last_success_at, last_checked_at, newest_item_at, podcastindex_popularity, popularity, tier, tier_reason)
SELECT g, 'https://host' || ((g - 1) %% 50000) || '.example/feed/' || (g - 1) || '.xml',
  CASE band WHEN 'failing' THEN 'error' WHEN 'retired' THEN 'retired' ELSE 'active' END, '', false,
  '"e' || (g - 1) || '"', '', '',
  CASE WHEN band = 'retired' THEN %(start)s - (7 + 693 * r_first) * interval '1 day' ELSE {first} END,
  GREATEST(floor(interval_s)::int, 1), '', errors, '', '', %(start)s - interval '1000 days',
  %(start)s - errors * interval '1 day', %(start)s - interval_s * interval '1 second',
  %(start)s - age_days * interval '1 day', popularity, popularity,
  CASE WHEN band = 'retired' THEN '' ELSE band END, ''
FROM timed
"""
    return sql, params


def fill(feeds: int, backlog: bool) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    sql, params = fill_sql(feeds, backlog)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("SELECT setval(pg_get_serial_sequence('catalog_feedsource', 'id'), %s)", [feeds])
        cursor.execute("ANALYZE catalog_feedsource")
    return {"fill_s": time.perf_counter() - started}


def demand_per_second(feeds: int) -> float:
    """Claims per second the bands ask for at real time (the failing band at its mean backoff)."""
    from lytt.crawl.schedule import backoff

    rate = 0.0
    for name, share, low, high, _ in BANDS:
        if name == "failing":
            mean = statistics.fmean(backoff(n, timedelta(hours=1), 0.5).total_seconds() for n in range(3, 9))
            rate += share * feeds / mean
        elif name == "retired":
            continue
        elif low == high:
            rate += share * feeds / low
        else:  # the mean of 1/interval over an interval drawn uniformly from low..high
            rate += share * feeds * math.log(high / low) / (high - low)
    return rate


def work(
    worker: int, feeds_filled: int, batch: int, speed: float, seconds: float, real_start: float
) -> dict[str, Any]:
    """One worker's loop; returns its counts, latencies and lateness samples."""
    from django.db import connection

    from lytt.catalog.models import FeedSource
    from lytt.crawl.claims import claim_batch, worker_id
    from lytt.crawl.decisions import Record, after_fetch
    from lytt.crawl.errors import FetchError
    from lytt.crawl.fetch import FetchRequest, FetchResult
    from lytt.crawl.records import Recorder, Summary

    def clock() -> datetime:
        return SIM_START + timedelta(seconds=(time.time() - real_start) * speed)

    me = worker_id()
    rng = random.Random(worker)
    recorder = Recorder(me, clock=clock, keep_checks=20)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    while time.time() < real_start:
        time.sleep(0.01)
    cpu0, server0 = time.process_time(), process_cpu(backend)
    claims: list[float] = []
    late: dict[str, list[float]] = {name: [] for name in CRAWLED}
    seen = dict.fromkeys(CRAWLED, 0)
    worst = dict.fromkeys(CRAWLED, 0.0)
    feeds = idle = 0
    table = FeedSource._meta.db_table
    while time.time() < real_start + seconds:
        now = clock()
        started = time.perf_counter()
        claimed = claim_batch(me, limit=batch, lease=timedelta(minutes=15), now=now)
        claims.append((time.perf_counter() - started) * 1000)
        if not claimed:
            idle += 1
            time.sleep(0.05)
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, next_check_at FROM {table} WHERE id = ANY(%s)", [[feed.pk for feed in claimed]]
            )
            due = dict(cursor.fetchall())
        records: list[Record] = []
        for feed in claimed:
            band = band_of(feed.pk - 1, feeds_filled)
            lateness = max((now - due[feed.pk]).total_seconds(), 0.0)
            seen[band] += 1
            worst[band] = max(worst[band], lateness)
            if len(late[band]) < SAMPLES:
                late[band].append(lateness)
            else:
                slot = rng.randrange(seen[band])
                if slot < SAMPLES:
                    late[band][slot] = lateness
            request = FetchRequest(feed.pk, feed.url, feed.etag)
            if feed.error_count:
                result = FetchResult(
                    request, feed.url, error=FetchError("timed out", url=feed.url, kind="timeout")
                )
            else:
                result = FetchResult(request, feed.url, status_code=304, etag=feed.etag)
            decided = after_fetch(feed, result, now, rng.random())
            assert isinstance(decided, Record)
            records.append(decided)
        recorder.flush(records, Summary())
        recorder.prune([feed.pk for feed in claimed])
        feeds += len(claimed)
    return {
        "worker": worker,
        "feeds": feeds,
        "claims": claims,
        "idle_claims": idle,
        "late": late,
        "seen": seen,
        "worst": worst,
        "cpu_s": time.process_time() - cpu0,
        "server_cpu_s": process_cpu(backend) - server0,
    }


def child(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
    django.setup()
    logging.getLogger("lytt.crawl").setLevel(logging.ERROR)  # a line per feed is not what is measured
    if args.fill:
        result = fill(args.feeds, args.backlog)
    else:
        result = work(args.worker, args.feeds, args.batch, args.speed, args.seconds, args.real_start)
    print("RESULT " + json.dumps(result))


def spawn(args: argparse.Namespace, env: dict[str, str], extra: list[str]) -> subprocess.Popen[str]:
    command = [sys.executable, __file__, "--child", "--feeds", str(args.feeds), "--batch", str(args.batch)]
    command += ["--speed", str(args.speed), "--seconds", str(args.seconds), *extra]
    if args.backlog:
        command.append("--backlog")
    return subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE)


def result_of(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"a bench process failed (exit {process.returncode})")
    for line in out.splitlines():
        if line.startswith("RESULT "):
            found: dict[str, Any] = json.loads(line[len("RESULT ") :])
            return found
    raise SystemExit("a bench process printed no result")


def run(args: argparse.Namespace) -> dict[str, Any]:
    database = database_name(f"claims_{os.getpid()}")
    create_database(args.database_url, database)
    env = dict(os.environ, LYTT_DATABASE_URL=database_url(args.database_url, database))
    env["DJANGO_SETTINGS_MODULE"] = "lytt.settings"
    try:
        filled = result_of(spawn(args, env, ["--fill"]))
        print(f"filled {args.feeds:,} feeds in {filled['fill_s']:.0f} s", file=sys.stderr)
        server = {pid: process_cpu(pid) for pid in server_helpers()}
        real_start = time.time() + 5  # the workers' Django start-up is not timed
        workers = [
            spawn(args, env, ["--worker", str(n), "--real-start", str(real_start)])
            for n in range(args.workers)
        ]
        results = [result_of(process) for process in workers]
        background = sum(
            process_cpu(pid) - cpu for pid, cpu in server.items() if Path(f"/proc/{pid}").exists()
        )
    finally:
        drop_database(args.database_url, database)
    return summarise(args, results, background, filled["fill_s"])


def summarise(
    args: argparse.Namespace, results: list[dict[str, Any]], background: float, fill_s: float
) -> dict[str, Any]:
    claims = sorted(ms for result in results for ms in result["claims"])
    feeds = sum(result["feeds"] for result in results)
    bands = {}
    for name in CRAWLED:
        samples = sorted(value for result in results for value in result["late"][name])
        bands[name] = {
            "claimed": sum(result["seen"][name] for result in results),
            "late_p50_s": percentile(samples, 0.5) if samples else 0.0,
            "late_p95_s": percentile(samples, 0.95) if samples else 0.0,
            "late_max_s": max(result["worst"][name] for result in results),
        }
    demand = demand_per_second(args.feeds)
    rate = feeds / args.seconds
    return {
        "feeds": args.feeds,
        "workers": args.workers,
        "batch": args.batch,
        "speed": args.speed,
        "seconds": args.seconds,
        "backlog": args.backlog,
        "fill_s": fill_s,
        "claimed_per_s": rate,
        "claim_statements": len(claims),
        "claim_ms": {str(p): percentile(claims, p / 100) for p in (50, 95, 99)},
        "bands": bands,
        "realtime_demand_per_s": demand,
        "offered_per_s": demand * args.speed,
        "capacity_multiple": rate / demand,
        "worker_cpu_s": sum(result["cpu_s"] for result in results),
        "server_cpu_s": sum(result["server_cpu_s"] for result in results) + background,
        "load": os.getloadavg()[0],
        "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def table(summary: dict[str, Any]) -> str:
    def minutes(seconds: float) -> str:
        return f"{seconds / 60:,.1f}"

    lines = [
        f"{summary['at']}, load {summary['load']:.1f}: {summary['feeds']:,} feeds, "
        f"{summary['workers']} workers, "
        f"batch {summary['batch']}, clock {summary['speed']:g}x for {summary['seconds']:g} s"
        + (" (backlog: all due at the start)" if summary["backlog"] else ""),
        f"claimed {summary['claimed_per_s']:,.0f} feeds/s; claim statement p50/p95/p99 "
        + " / ".join(f"{summary['claim_ms'][p]:.1f}" for p in ("50", "95", "99"))
        + f" ms; demand at real time {summary['realtime_demand_per_s']:,.0f} claims/s"
        + (
            f", so capacity {summary['capacity_multiple']:,.0f}x that"
            if summary["backlog"]
            else f", offered at {summary['speed']:g}x: {summary['offered_per_s']:,.0f}/s"
        )
        + f"; CPU workers {summary['worker_cpu_s']:.0f} s, PostgreSQL "
        f"{summary['server_cpu_s']:.0f} s",
        "| band | claimed | late p50 (sim. min) | late p95 | late max |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, band in summary["bands"].items():
        lines.append(
            f"| {name} | {band['claimed']:,} | {minutes(band['late_p50_s'])} | {minutes(band['late_p95_s'])} "
            f"| {minutes(band['late_max_s'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=4_000_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--batch", type=int, default=500, help="feeds per claim (lytt crawl's batch size)")
    parser.add_argument("--speed", type=float, default=60, help="simulated seconds per real second")
    parser.add_argument("--seconds", type=float, default=120, help="real seconds the workers run")
    parser.add_argument("--backlog", action="store_true", help="every feed due at the start")
    parser.add_argument("--database-url", default=POSTGRES_URL)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON as well")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fill", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--real-start", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    summary = run(args)
    print(table(summary))
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
