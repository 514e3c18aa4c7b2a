"""Charts: record anonymous plays, precompute popularity, read the precomputed lists.

`recompute_popularity` runs ahead of requests (in `lytt serve`'s background loop and `lytt charts`);
`popular_shows` only reads `ShowPopularity`, so a page costs one indexed query.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lytt.catalog import bulk
from lytt.catalog.models import Category, Episode, Show, ShowCategory
from lytt.charts import trending
from lytt.charts.models import PlayCount, ShowPopularity, TrendingShow
from lytt.charts.scoring import (
    FOLLOW_WINDOW_DAYS,
    PLAY_WINDOW_DAYS,
    Candidate,
    popularity_order,
    rank,
    score_shows,
)
from lytt.crawl.listeners import carry_show_popularity

log = logging.getLogger(__name__)

OVERALL_LIMIT = 500
CATEGORY_LIMIT = 200
TRENDING_LIMIT = 500
# Columns lists never show; deferring them keeps list queries small (they still load on access).
_HEAVY_SHOW_FIELDS = ("description_html", "description_text", "extra", "funding")


def record_play(episode: Episode, now: datetime | None = None) -> None:
    """Count one play of `episode` today (UTC). Safe under concurrent calls for the same episode."""
    day = (now or timezone.now()).astimezone(UTC).date()
    updated = PlayCount.objects.filter(episode=episode, day=day).update(count=F("count") + 1)
    if updated:
        return
    try:
        with transaction.atomic():
            PlayCount.objects.create(episode=episode, show_id=episode.show_id, day=day, count=1)
    except IntegrityError:  # another request created today's row first
        PlayCount.objects.filter(episode=episode, day=day).update(count=F("count") + 1)


def _follows_since(since: datetime) -> list[tuple[int, datetime]]:
    """(show_id, created_at) of recent follows, or nothing while the accounts app has no Follow model."""
    try:
        follow = apps.get_model("accounts", "Follow")
    except LookupError:
        return []
    rows = follow.objects.filter(created_at__gte=since).values_list("show_id", "created_at")
    return [(int(show_id), created_at) for show_id, created_at in rows.iterator(chunk_size=5000)]


def recompute_popularity(now: datetime | None = None) -> int:
    """Rebuild the overall and per-category lists. Returns the number of rows written."""
    now = now or timezone.now()
    window = max(PLAY_WINDOW_DAYS, trending.WINDOW_DAYS)
    plays = PlayCount.objects.filter(day__gte=(now - timedelta(days=window)).date())
    play_rows = list(plays.values_list("show_id", "day", "count").iterator(chunk_size=5000))
    follows = _follows_since(now - timedelta(days=max(FOLLOW_WINDOW_DAYS, trending.WINDOW_DAYS)))
    scores = score_shows(play_rows, follows, now)
    rising = trending.trending(trending.activity(play_rows, follows, now), TRENDING_LIMIT)
    visible = Show.objects.filter(hidden=False)
    candidates: dict[int, Candidate] = {}
    orders: list[list[float | int]] = []  # [popularity, id] of shows whose stored order changed
    rows_read = visible.values_list("id", "latest_episode_at", "popularity").iterator(chunk_size=5000)
    for show_id, latest, stored in rows_read:
        candidates[show_id] = Candidate(show_id, latest)
        order = popularity_order(scores.get(show_id, 0.0), latest)
        if order != stored:
            orders.append([order, show_id])
    parents = dict(Category.objects.values_list("id", "parent_id"))
    members: dict[int, set[int]] = defaultdict(set)
    links = ShowCategory.objects.filter(show__hidden=False).values_list("show_id", "category_id")
    for show_id, category_id in links.iterator(chunk_size=5000):
        # A show in a subcategory also belongs to its parent's list.
        current: int | None = category_id
        seen: set[int] = set()
        while current is not None and current not in seen:
            seen.add(current)
            members[current].add(show_id)
            current = parents.get(current)

    rows = [
        ShowPopularity(show_id=show_id, category_id=None, score=score, rank=position, computed_at=now)
        for position, (show_id, score) in enumerate(rank(candidates.values(), scores, OVERALL_LIMIT), 1)
    ]
    for category_id, show_ids in members.items():
        ranked = rank((candidates[s] for s in show_ids if s in candidates), scores, CATEGORY_LIMIT)
        rows.extend(
            ShowPopularity(show_id=show_id, category_id=category_id, score=score, rank=pos, computed_at=now)
            for pos, (show_id, score) in enumerate(ranked, 1)
        )
    trend_rows = [
        TrendingShow(show_id=show_id, score=score, rank=position, computed_at=now)
        for position, (show_id, score) in enumerate(
            ((show_id, score) for show_id, score in rising if show_id in candidates), 1
        )
    ]
    with transaction.atomic():
        ShowPopularity.objects.all().delete()
        ShowPopularity.objects.bulk_create(rows, batch_size=1000)
        TrendingShow.objects.all().delete()
        TrendingShow.objects.bulk_create(trend_rows, batch_size=1000)
        feeds = tiers = 0
        for start in range(0, len(orders), 5000):
            batch = orders[start : start + 5000]
            carried, redecided = carry_show_popularity(batch, now)  # the feeds first, as a crawl locks them
            feeds, tiers = feeds + carried, tiers + redecided
            bulk.update_values(Show, ["popularity"], batch)
    log.info(
        "charts recomputed: %d rows, %d scored shows, %d trending, %d orders changed,"
        " %d feeds' popularity carried, %d feeds' tiers or next checks changed",
        len(rows),
        len(scores),
        len(trend_rows),
        len(orders),
        feeds,
        tiers,
    )
    return len(rows)


def trending_shows(limit: int = 20) -> list[tuple[Show, float]]:
    """The visible shows whose plays and follows are rising (`lytt.charts.trending`), best first, with their
    trend scores. Empty until listeners play and follow; one indexed query."""
    ranked = (
        TrendingShow.objects.filter(show__hidden=False)
        .select_related("show")
        .defer(*(f"show__{name}" for name in _HEAVY_SHOW_FIELDS))
        .order_by("rank")[:limit]
    )
    return [(row.show, row.score) for row in ranked]


def popular_shows(category: Category | None, limit: int = 20) -> list[Show]:
    """The most popular visible shows overall (`None`) or in `category`, best first.

    Reads the precomputed table; before the first computation it falls back to the newest episodes.
    """
    ranked = (
        ShowPopularity.objects.filter(category=category, show__hidden=False)
        .select_related("show")
        .defer(*(f"show__{name}" for name in _HEAVY_SHOW_FIELDS))
        .order_by("rank")[:limit]
    )
    shows = [row.show for row in ranked]
    if shows or ShowPopularity.objects.exists():
        return shows
    fallback = Show.objects.filter(hidden=False, latest_episode_at__isnull=False)
    if category is not None:
        fallback = fallback.filter(categories__in=[category, *category.children.all()]).distinct()
    return list(fallback.defer(*_HEAVY_SHOW_FIELDS).order_by("-latest_episode_at", "id")[:limit])
