"""Listeners' plays and follows reach the crawl tiers of their shows' feeds, changed bodies or not.

A feed's popularity points (`FeedSource.popularity`) are the dump's plus its show's listeners
(`lytt.crawl.tiers.listener_popularity` of `Show.popularity`). A crawl sets them when it stores a changed
body (`lytt.crawl.decisions.learned_from`), but a feed whose body never changes (304s, the same hash) is
never stored: a show people start playing would keep its feed in a quiet or dormant tier. So the charts,
when they recompute show popularity (`lytt.charts.ranking.recompute_popularity`), hand the shows whose
popularity changed to `carry_show_popularity`, in the same transaction and before they write the shows
(a crawl locks feeds before their shows; so does this). Per batch of shows:

1. one UPDATE sets the feeds' popularity from the shows' new values in SQL and returns only the feeds
   whose popularity changed (the arithmetic is `listener_popularity`'s, on the same doubles);
2. in Python, those feeds' tier is decided again by the crawl's own `decide_tier`, and where the new tier
   allows a shorter wait than the one planned, the next check comes forward (`check_due_by`) — never back,
   and never for a feed backing off after errors or not crawled at all;
3. one more UPDATE writes the tiers, reasons and next checks that changed.

Only the feeds of shows whose popularity changed are read: those with plays or follows, as scores decay.
A feed a worker holds meanwhile gets its outcome's tier from the row it claimed; the carried points stay
on the row, so its next check decides the tier from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection

from lytt.catalog.bulk import columns_sql, execute, placeholders, quote, returned, table
from lytt.catalog.models import CRAWLABLE_STATUSES, FeedSource
from lytt.crawl.tiers import TierInputs, check_due_by, decide_tier

#: The statuses whose next check a new tier may bring forward: not a failing feed's, whose errors back
#: it off, nor any feed the crawler does not check.
_HEALTHY = (FeedSource.Status.NEW.value, FeedSource.Status.ACTIVE.value)


class CarriedFeed(NamedTuple):
    """A feed whose popularity the charts changed, as the UPDATE returns it."""

    pk: int
    popularity: float
    newest_item_at: datetime | None
    error_count: int
    status: str
    tier: str
    tier_reason: str
    next_check_at: datetime
    last_checked_at: datetime | None


_RETURNED = ("id", *CarriedFeed._fields[1:])


def redecided(feed: CarriedFeed, now: datetime) -> tuple[str, str, datetime] | None:
    """The tier, its reason and the next check of `feed` after its popularity changed, or None when none
    of them changes (or the crawler does not check the feed)."""
    if feed.status not in CRAWLABLE_STATUSES:
        return None
    decision = decide_tier(TierInputs(feed.popularity, feed.newest_item_at, feed.error_count), now)
    next_check_at = feed.next_check_at
    if feed.status in _HEALTHY and feed.error_count == 0:
        next_check_at = check_due_by(decision.tier, next_check_at, feed.last_checked_at, now)
    decided = (decision.tier.value, decision.reason[:200], next_check_at)
    return None if decided == (feed.tier, feed.tier_reason, feed.next_check_at) else decided


def carry_show_popularity(shows: Sequence[Sequence[Any]], now: datetime) -> tuple[int, int]:
    """Carry `shows`' new popularity ([popularity, show id] rows, `Show.popularity`'s new values) onto
    their feeds and decide the changed feeds' tiers again. Call it inside the transaction that writes the
    shows, before writing them. Returns (feeds whose popularity changed, feeds whose tier or next check
    did)."""
    if not shows:
        return 0, 0
    show_ids = [show_id for _, show_id in shows]
    if connection.features.has_select_for_update:
        _lock_feeds(show_ids)
    carried = _carry(shows)
    changes = []
    for feed in carried:
        decided = redecided(feed, now)
        if decided is not None:
            changes.append((feed.pk, *decided))
    _write(changes)
    return len(carried), len(changes)


def _lock_feeds(show_ids: list[int]) -> None:
    """Lock the shows' feeds in id order, as a crawl's write does (`lytt.crawl.claims.lock_held`), so the
    two never wait on each other crosswise."""
    execute(
        f"SELECT {quote('id')} FROM {table(FeedSource)}"
        f" WHERE {quote('show_id')} IN ({placeholders(len(show_ids))}) ORDER BY {quote('id')} FOR UPDATE",
        show_ids,
    )


def _carry(shows: Sequence[Sequence[Any]]) -> list[CarriedFeed]:
    """Step 1: one UPDATE; the feeds whose popularity changed, read back by its RETURNING."""
    listened = "CASE WHEN v.column1 >= 1 THEN v.column1 - 1 ELSE 0 END"  # `listener_popularity`
    points = f"{quote('podcastindex_popularity')} + {listened}"
    rows = ", ".join(["(CAST(%s AS DOUBLE PRECISION), %s)"] * len(shows))
    sql = (
        f"UPDATE {table(FeedSource)} SET {quote('popularity')} = {points} FROM (VALUES {rows}) AS v"
        f" WHERE {quote('show_id')} = v.column2 AND {quote('popularity')} <> {points}"
        f" RETURNING {columns_sql(FeedSource, _RETURNED)}"
    )
    params = [value for popularity, show_id in shows for value in (float(popularity), show_id)]
    return [CarriedFeed._make(row) for row in returned(FeedSource, _RETURNED, execute(sql, params))]


def _write(changes: list[tuple[int, str, str, datetime]]) -> None:
    """Step 3: one UPDATE of the tiers, reasons and next checks that changed."""
    if not changes:
        return
    adapt = connection.ops.adapt_datetimefield_value
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(changes))
    sql = (
        f"UPDATE {table(FeedSource)} SET {quote('tier')} = v.column2, {quote('tier_reason')} = v.column3,"
        f" {quote('next_check_at')} = v.column4 FROM (VALUES {rows}) AS v WHERE {quote('id')} = v.column1"
    )
    execute(sql, [value for pk, tier, reason, at in changes for value in (pk, tier, reason, adapt(at))])
