"""Pushes: a notice that a feed changed (podping, Podcast Index's hub/pubnotify) makes it due now.

Only feeds Lytt crawls are touched and none is added. A push moves `next_check_at` forward, never back,
and leaves `not_before` (the crawler's backoff after errors and 429s) alone: the host's own answers still
decide how soon it is fetched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime

from django.db.models import QuerySet
from django.db.models.functions import Least

from lytt.catalog.models import FeedSource
from lytt.crawl.claims import CRAWLABLE

#: URLs per UPDATE (within SQLite's bound-parameter limit).
CHUNK = 500


def mark_pushed(sources: QuerySet[FeedSource], reason: str, now: datetime) -> int:
    """Make the crawlable feeds among `sources` due now, noting the push; how many."""
    return sources.filter(status__in=CRAWLABLE).update(
        next_check_at=Least("next_check_at", now), pushed_at=now, push_reason=reason[:100]
    )


def mark_urls_pushed(reasons: Mapping[str, str], now: datetime) -> int:
    """`mark_pushed` for feeds named by URL (as Lytt stores them), each with its own reason."""
    by_reason: dict[str, list[str]] = defaultdict(list)
    for url, reason in reasons.items():
        by_reason[reason].append(url)
    marked = 0
    for reason, urls in by_reason.items():
        for start in range(0, len(urls), CHUNK):
            marked += mark_pushed(FeedSource.objects.filter(url__in=urls[start : start + CHUNK]), reason, now)
    return marked
