"""Benchmark: the charts carrying shows' new popularity onto their feeds and tiers, on PostgreSQL.

    .venv/bin/python bench/listeners.py [--feeds 1000000] [--changed 10000,100000] [--rounds 3]
                                        [--database-url postgres://postgres@127.0.0.1:5432/test]

A scratch database (created, migrated and dropped by the bench) is filled by `INSERT ... SELECT FROM
generate_series` with `--feeds` shows and a feed for each: 90% active, 5% failing, 5% retired, in the tiers
their dump popularity and newest episode give. For each `--changed` count, that many shows spread over the
table get new popularity, as plays and follows give (1 + 0..20 points): first the Show UPDATE a charts
recomputation writes already (`bulk.update_values`, batches of 5,000: the baseline, what a recomputation
cost before), then `lytt.crawl.listeners.carry_show_popularity` for the same batches (the new cost), each
in a transaction rolled back afterwards, alternating for `--rounds`. Reported per step: wall, CPU of this
process + its PostgreSQL backend's (from /proc), median of the rounds; the feeds and tiers changed; the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _backends import POSTGRES_URL, create_database, database_name, database_url, drop_database
from proc_cpu import own_cpu, process_cpu

BATCH = 5000
#: The feeds: one per show, with the dump's popularity (70% none) and a newest episode up to 2 years old.
FILL_FEEDS = """
INSERT INTO catalog_feedsource (url, show_id, status, status_reason, private, etag, last_modified,
  content_hash, next_check_at, check_interval_seconds, last_error, error_count, claimed_by, push_reason,
  added_at, podcastindex_popularity, popularity, tier, tier_reason, newest_item_at, last_checked_at)
SELECT 'https://feeds' || (id %% 997) || '.example.com/show/' || id || '.xml', id,
  CASE WHEN id %% 20 = 1 THEN 'error' WHEN id %% 20 = 2 THEN 'retired' ELSE 'active' END, '', false, '', '',
  '', %(now)s + (id %% 86400) * interval '1 second', 86400, '', CASE WHEN id %% 20 = 1 THEN 4 ELSE 0 END,
  '', '', %(now)s - interval '300 days', p, p,
  CASE WHEN id %% 20 = 1 THEN 'failing' WHEN age > 365 THEN 'dormant' WHEN age <= 30 AND p >= 5 THEN 'hot'
       WHEN age <= 90 OR p >= 5 THEN 'active' ELSE 'quiet' END,
  'from the dump', %(now)s - age * interval '1 day', %(now)s - interval '1 hour'
FROM (SELECT id, CASE WHEN random() < 0.7 THEN 0 ELSE floor(random() * 30) END AS p,
             floor(random() * 730) AS age FROM catalog_show) shows
"""


def fill(feeds: int, now: datetime) -> float:
    """Fill the shows (copies of one made through the ORM) and their feeds; the seconds it took."""
    from django.core.management import call_command
    from django.db import connection

    from lytt.catalog.bulk import quote, table
    from lytt.catalog.models import Show

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    template = Show.objects.create(slug="show-1", title="Show")
    columns = [str(f.column) for f in Show._meta.concrete_fields if not f.primary_key]
    picked = ["'show-' || g" if name == "slug" else f"t.{quote(name)}" for name in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(Show)} ({', '.join(map(quote, columns))}) SELECT {', '.join(picked)}"
            f" FROM {table(Show)} t, generate_series(2, %s) g WHERE t.id = %s",
            [feeds, template.pk],
        )
        cursor.execute(FILL_FEEDS, {"now": now})
        cursor.execute("ANALYZE catalog_show")
        cursor.execute("ANALYZE catalog_feedsource")
    return time.perf_counter() - started


def timed(step: Callable[[], Any], backend: int) -> tuple[dict[str, float], Any]:
    """Run `step` in a transaction rolled back afterwards; its wall and CPU seconds, and what it returned."""
    from django.db import transaction

    wall, mine, server = time.perf_counter(), own_cpu(), process_cpu(backend)
    with transaction.atomic():
        result = step()
        transaction.set_rollback(True)
    figures = {
        "wall_s": time.perf_counter() - wall,
        "cpu_s": own_cpu() - mine,
        "server_cpu_s": process_cpu(backend) - server,
    }
    return figures, result


def measure(changed: int, rounds: int, now: datetime) -> dict[str, Any]:
    from django.db import connection

    from lytt.catalog import bulk
    from lytt.catalog.models import Show
    from lytt.crawl.listeners import carry_show_popularity

    rng = random.Random(changed)
    ids = list(Show.objects.values_list("id", flat=True))
    orders = [[1.0 + rng.uniform(0, 20), show_id] for show_id in sorted(rng.sample(ids, changed))]
    batches = [orders[start : start + BATCH] for start in range(0, len(orders), BATCH)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()

    def shows() -> None:
        for batch in batches:
            bulk.update_values(Show, ["popularity"], batch)

    def carry() -> tuple[int, int]:
        feeds = tiers = 0
        for batch in batches:
            carried, redecided = carry_show_popularity(batch, now)
            feeds, tiers = feeds + carried, tiers + redecided
        return feeds, tiers

    runs: dict[str, list[dict[str, float]]] = {"shows": [], "carry": []}
    counts: tuple[int, int] = (0, 0)
    for _ in range(rounds):
        runs["shows"].append(timed(shows, backend)[0])
        figures, counts = timed(carry, backend)
        runs["carry"].append(figures)
    medians = {
        step: {key: statistics.median(run[key] for run in found) for key in found[0]}
        for step, found in runs.items()
    }
    return {"changed": changed, "feeds_carried": counts[0], "tiers_changed": counts[1], **medians}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1_000_000)
    parser.add_argument("--changed", default="10000,100000", help="shows whose popularity changed, per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=POSTGRES_URL)
    args = parser.parse_args()
    name = database_name(f"listeners_{os.getpid()}")
    create_database(args.database_url, name)
    os.environ["LYTT_DATABASE_URL"] = database_url(args.database_url, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
    import django

    django.setup()
    from django.db import connection

    now = datetime.now(UTC).replace(microsecond=0)
    try:
        print(f"filled {args.feeds:,} shows and feeds in {fill(args.feeds, now):.0f} s", file=sys.stderr)
        results = [measure(int(count), args.rounds, now) for count in args.changed.split(",")]
    finally:
        connection.close()
        drop_database(args.database_url, name)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}, "
        f"{args.feeds:,} feeds, median of {args.rounds} rounds"
    )
    print(
        "| shows changed | feeds carried | tiers or checks changed | Show UPDATE alone (before): wall, CPU s"
        " | carry to the feeds (added): wall, CPU s | added / before, CPU |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for found in results:
        before, added = found["shows"], found["carry"]
        spent = {
            step: figures["cpu_s"] + figures["server_cpu_s"]
            for step, figures in (("b", before), ("a", added))
        }
        print(
            f"| {found['changed']:,} | {found['feeds_carried']:,} | {found['tiers_changed']:,} "
            f"| {before['wall_s']:.2f}, {before['cpu_s']:.2f} + {before['server_cpu_s']:.2f} "
            f"| {added['wall_s']:.2f}, {added['cpu_s']:.2f} + {added['server_cpu_s']:.2f} "
            f"| {spent['a'] / max(spent['b'], 1e-9):.2f}x |"
        )


if __name__ == "__main__":
    main()
