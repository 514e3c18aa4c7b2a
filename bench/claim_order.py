"""The claim query after a Podcast Index import, on PostgreSQL: Lytt's order (most overdue, then most
popular, on `feed_claim_order`) against the order before tiers (`next_check_at, id` on an index of
`next_check_at` alone), in the same run on the same rows.

    LYTT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_NAME .venv/bin/python bench/claim_order.py \\
        --feeds 1000000 [--rounds 3]

The database must be a scratch one: the script migrates it and replaces every feed. 90 % of the feeds are
an imported dump's, never crawled and all due at the import's moment; 10 % are crawled, due over the next
day; 1 % retired. The baseline's index exists only inside a transaction that is rolled back.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, datetime

FILL = """
TRUNCATE catalog_feedsource CASCADE;
INSERT INTO catalog_feedsource (url, status, status_reason, private, etag, last_modified, content_hash,
  next_check_at, check_interval_seconds, last_error, error_count, claimed_by, push_reason, added_at,
  podcastindex_id, podcastindex_popularity, popularity, tier, tier_reason, last_checked_at)
SELECT 'https://feeds' || (g %% 997) || '.example.com/show/' || g || '.xml',
  CASE WHEN g %% 10 = 0 THEN 'active' WHEN g %% 97 = 0 THEN 'retired' ELSE 'new' END, '', false, '', '', '',
  CASE WHEN g %% 10 = 0 THEN now() + (g %% 86400) * interval '1 second' - interval '1 hour'
       ELSE now() - interval '2 hours' END,
  3600, '', 0, '', '', now(), g, p, p,
  (ARRAY['hot', 'active', 'quiet', 'dormant', 'failing'])[1 + g %% 5], '',
  CASE WHEN g %% 10 = 0 THEN now() - interval '1 hour' END
FROM (SELECT g, CASE WHEN random() < 0.7 THEN 0 ELSE floor(random() * 30) END + floor(random() * 6) / 10 AS p
      FROM generate_series(1, %s) g) rows
"""
DUE = (
    "status IN ('new', 'active', 'error') AND (claimed_until IS NULL OR claimed_until < now())"
    " AND (not_before IS NULL OR not_before <= now()) AND next_check_at <= now()"
)
CLAIM = (
    "EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM catalog_feedsource WHERE {due} ORDER BY {order}"
    " LIMIT 100 FOR UPDATE SKIP LOCKED"
)
LYTT_ORDER = "next_check_at, popularity DESC, id"
BASELINE_ORDER = "next_check_at, id"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lytt.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        started = time.monotonic()
        cursor.execute(FILL, [args.feeds])
        cursor.execute("ANALYZE catalog_feedsource")
        print(f"filled {args.feeds:,} feeds in {time.monotonic() - started:.0f}s")

    def claim(order: str) -> tuple[float, str]:
        with connection.cursor() as cursor:
            cursor.execute(CLAIM.format(due=DUE, order=order))
            (plan,) = cursor.fetchone()
        top = plan[0]
        node = top["Plan"]
        while node.get("Plans") and node["Node Type"] not in ("Index Scan", "Seq Scan", "Incremental Sort"):
            node = node["Plans"][0]
        return float(top["Execution Time"]), node["Node Type"]

    load = os.getloadavg()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    lytt = [claim(LYTT_ORDER) for _ in range(args.rounds)]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX feed_claim_order")
            cursor.execute("CREATE INDEX bench_next_check ON catalog_feedsource (next_check_at)")
            cursor.execute("ANALYZE catalog_feedsource")
        baseline = [claim(BASELINE_ORDER) for _ in range(args.rounds)]
        transaction.set_rollback(True)
    lytt_ms = statistics.median(ms for ms, _ in lytt)
    base_ms = statistics.median(ms for ms, _ in baseline)
    print("| order | plan | median ms (of rounds) | rounds ms |")
    print("| --- | --- | ---: | --- |")
    print(
        f"| Lytt: {LYTT_ORDER} | {lytt[0][1]} | {lytt_ms:.2f} | {', '.join(f'{ms:.1f}' for ms, _ in lytt)} |"
    )
    print(
        f"| before: {BASELINE_ORDER} | {baseline[0][1]} | {base_ms:.2f} |"
        f" {', '.join(f'{ms:.1f}' for ms, _ in baseline)} |"
    )
    print(f"baseline / Lytt: {base_ms / lytt_ms:,.0f}x")


if __name__ == "__main__":
    main()
