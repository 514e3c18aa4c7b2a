"""The claim protocol: leased row claims on `FeedSource`, so any number of workers share the feeds.

1. In one short transaction, pick up to `limit` due feeds whose lease is free or expired and stamp them
   `claimed_by = <worker id>`, `claimed_until = now + lease` (`claim_batch`). On PostgreSQL the pick is
   `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent workers never pick the same rows and never wait for
   each other. SQLite has no row locks; its `BEGIN IMMEDIATE` transactions serialise claims, which is
   right for the single worker SQLite is meant for.
2. Every write of a claimed feed's outcome first locks the rows the worker still holds (`lock_held`) in
   the writing transaction. A worker whose lease ran out (it was stalled, or killed) records nothing for
   that feed: whoever claimed it next does.
3. Writing an outcome releases the claim; a worker stopping early gives claims back (`release_claims`).
   A worker killed with SIGKILL loses only uncommitted work: its claims expire and the feeds are fetched
   again. Sooner when a worker on the same host starts a run: worker ids are ``host:pid``, and the leases
   of a process that is gone from this host are taken back at once (`reclaim_from_dead_workers`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce, Greatest

from lytt.catalog.bulk import columns_sql, placeholders, returned
from lytt.catalog.models import CRAWLABLE_STATUSES, FeedSource

CRAWLABLE = CRAWLABLE_STATUSES


def worker_id(host: str | None = None, pid: int | None = None) -> str:
    """This process's worker id, ``host:pid``: what `reclaim_from_dead_workers` reads back."""
    return f"{host or socket.gethostname()}:{pid or os.getpid()}"[:100]


def dead_workers(holders: Iterable[str], host: str, alive: Callable[[int], bool]) -> set[str]:
    """The worker ids among `holders` that name `host` and a process `alive` says is gone. Ids of other
    hosts, or that are not ``host:pid`` (given with ``crawl --worker-id``), are never judged dead."""
    dead = set()
    for holder in holders:
        name, sep, pid = holder.rpartition(":")
        if sep and name == host and pid.isdigit() and not alive(int(pid)):
            dead.add(holder)
    return dead


def process_alive(pid: int) -> bool:
    """Is there a process with this id on this host (of any user)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reclaim_from_dead_workers(
    now: datetime, *, host: str | None = None, alive: Callable[[int], bool] = process_alive
) -> int:
    """Take back at once the leases held by workers of this host whose process is gone; how many feeds.
    (A process id reused since keeps its lease until it expires, which is merely the old behaviour.)"""
    host = host or socket.gethostname()
    leased = FeedSource.objects.filter(claimed_until__gt=now, claimed_by__startswith=f"{host}:")
    dead = dead_workers(set(leased.values_list("claimed_by", flat=True).distinct()), host, alive)
    if not dead:
        return 0
    return leased.filter(claimed_by__in=dead).update(claimed_by="", claimed_until=None)


class Held(NamedTuple):
    """Feeds a run could not check because other workers hold them, and when the last lease ends."""

    feeds: int
    until: datetime | None


def held_by_others(me: str, now: datetime, *, run_started: datetime | None = None) -> Held:
    """The feeds that would be due for this run but are leased by other workers."""
    due = Q(status__in=CRAWLABLE, claimed_until__gt=now) & ~Q(claimed_by=me)
    if run_started is not None:
        due &= Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=run_started)
    else:
        due &= Q(next_check_at__lte=now)
    found = FeedSource.objects.filter(due).aggregate(feeds=Count("id"), until=Max("claimed_until"))
    return Held(found["feeds"], found["until"])


def due_filter(now: datetime, *, run_started: datetime | None = None) -> Q:
    """Feeds a worker may claim now. With `run_started` (crawl --all): every feed not yet checked this run."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    polite = Q(not_before__isnull=True) | Q(not_before__lte=now)
    due = Q(status__in=CRAWLABLE) & free & polite
    if run_started is not None:
        return due & (Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=run_started))
    return due & Q(next_check_at__lte=now)


#: The most overdue feeds first; of feeds due at the same moment, as all of an imported dump's are, the
#: most popular first, so the first crawl of a directory reads the shows people look for first. The
#: index `feed_claim_order` has this order.
CLAIM_ORDER = ("next_check_at", "-popularity", "id")


class ClaimedFeed(NamedTuple):
    """A claimed feed as the crawler reads it: what the request, the change check and the schedule need.

    A plain row, not a `FeedSource`: building model instances was the largest Python cost of an unchanged
    pass. A feed with something to store is read again, locked, as a `FeedSource` (`lytt.crawl.storing`).
    """

    pk: int
    url: str
    etag: str
    last_modified: str
    content_hash: str
    show_id: int | None
    check_interval_seconds: int
    error_count: int
    added_at: datetime
    last_success_at: datetime | None
    # What the tier is decided from (`lytt.crawl.tiers`).
    podcastindex_popularity: float = 0.0
    popularity: float = 0.0
    newest_item_at: datetime | None = None


#: `ClaimedFeed`'s columns, in its order (the model's attnames: `id` is `pk`).
_CLAIMED = ("id", *ClaimedFeed._fields[1:])


def claim_batch(
    worker_id: str,
    *,
    limit: int,
    lease: timedelta,
    now: datetime | None = None,
    run_started: datetime | None = None,
) -> list[ClaimedFeed]:
    """Claim up to `limit` due feeds for `worker_id` until now + lease, and return them in `CLAIM_ORDER`."""
    now = now or datetime.now(UTC)
    with transaction.atomic():
        candidates = FeedSource.objects.filter(due_filter(now, run_started=run_started))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.order_by(*CLAIM_ORDER).values_list("id", flat=True)[:limit])
        if not ids:
            return []
        claimed = {feed.pk: feed for feed in _stamp_claims(ids, worker_id, now + lease)}
    return [claimed[pk] for pk in ids if pk in claimed]


def _stamp_claims(ids: list[int], worker_id: str, until: datetime) -> list[ClaimedFeed]:
    """Stamp the claim on `ids` and read them back in the same statement (UPDATE ... RETURNING, which
    SQLite 3.35+ and PostgreSQL both have): one statement instead of an UPDATE and a SELECT through the
    ORM, and plain rows. Dates go through the backend's own converters, as the ORM would read them."""
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(FeedSource._meta.db_table)}"
        f" SET {quote('claimed_by')} = %s, {quote('claimed_until')} = %s"
        f" WHERE {quote('id')} IN ({placeholders(len(ids))}) RETURNING {columns_sql(FeedSource, _CLAIMED)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [worker_id, connection.ops.adapt_datetimefield_value(until), *ids])
        rows = cursor.fetchall()
    return [ClaimedFeed._make(row) for row in returned(FeedSource, _CLAIMED, rows)]


def lock_held(worker_id: str, ids: list[int]) -> list[int]:
    """Lock the feeds among `ids` that `worker_id` still holds until the caller's transaction ends, and
    return their ids. Locked in id order, so two workers never wait on each other crosswise; on SQLite,
    which has no row locks, the caller's write transaction serialises instead."""
    if not ids:
        return []
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('id')} FROM {quote(FeedSource._meta.db_table)}"
        f" WHERE {quote('claimed_by')} = %s AND {quote('id')} IN ({placeholders(len(ids))})"
        f" ORDER BY {quote('id')}"
    )
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [worker_id, *ids])
        return [pk for (pk,) in cursor.fetchall()]


def release_claims(worker_id: str, ids: Iterable[int]) -> int:
    """Give back claims without recording a check (a worker stopping early)."""
    return FeedSource.objects.filter(id__in=list(ids), claimed_by=worker_id).update(
        claimed_by="", claimed_until=None
    )


def next_claimable_at() -> datetime | None:
    """When the first crawlable feed becomes claimable: due, allowed, and not leased (None: no feeds)."""
    claimable_at = Greatest(
        F("next_check_at"),
        Coalesce(F("not_before"), F("next_check_at")),
        Coalesce(F("claimed_until"), F("next_check_at")),
    )
    return (
        FeedSource.objects.filter(status__in=CRAWLABLE)
        .annotate(claimable_at=claimable_at)
        .order_by("claimable_at")
        .values_list("claimable_at", flat=True)
        .first()
    )
