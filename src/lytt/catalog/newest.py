"""The newest dated episodes across the visible shows, found show first; and the shows first seen lately.

There is no index of every episode by date: a first ingest puts each new episode at a random place in
one (feeds bring years of back catalogue), and keeping it cost the crawler's writing thread 12-16% of a
first ingest of 10,000 feeds (docs/benchmarks.md, "crawl"). The lists of the newest episodes across
shows (home's, the Podcast Index API's ``recent/episodes``) start from the shows instead.

`Show.latest_episode_at` is the date of a show's newest live episode (ingest keeps it in the same
transaction as the episodes). So if B is that date for the N-th show in order of it, at least N
episodes are dated B or later, and every episode dated B or later belongs to a show whose date is B or
later. The newest N episodes dated B or later of those shows (each walked through its own newest-first
index) are then the newest N of all. A filter on the episodes (the API's ``before`` and
``excludeString``) can leave fewer than N of them: then N grows, down to the whole catalogue.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import DateTimeField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from lytt.catalog.models import Episode, Show

#: How much the number of shows looked at grows when their episodes are not enough.
_GROWTH = 4
#: The bound when there are fewer shows than looked for: every date is this late.
_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
#: Up to this many shows go to the episodes' query as a list of ids; more (many shows sharing the bound's
#: date) as a subquery.
_LISTED_SHOWS = 1_000


def newest_episode_ids(
    episodes: QuerySet[Episode], limit: int, among: QuerySet[Show] | None = None
) -> list[int]:
    """The ids of the newest `limit` live, dated episodes of visible shows (of `among`, when given: a
    category's) among `episodes` (which may be filtered further), newest first, ties by id, highest first.
    Two queries (the shows, then their episodes) when the newest shows' episodes are enough."""
    if limit <= 0 or episodes.query.is_empty():
        return []
    shows = (among if among is not None else Show.objects).filter(
        hidden=False, latest_episode_at__isnull=False
    )
    by_date = shows.order_by("-latest_episode_at", "-pk")
    live = episodes.filter(vanished_at__isnull=True, published_at__isnull=False)
    live = live.order_by("-published_at", "-pk")
    window = limit
    while True:
        newest_of_nth = Subquery(by_date.values("latest_episode_at")[window - 1 : window])
        at_least = Coalesce(newest_of_nth, Value(_EARLIEST), output_field=DateTimeField())
        recent_shows = shows.filter(latest_episode_at__gte=at_least)
        rows = list(recent_shows.values_list("pk", "latest_episode_at")[: _LISTED_SHOWS + 1])
        # The shows and their bound go to the episodes' query as values: given as subqueries, PostgreSQL
        # cannot tell how few episodes they leave, and scans every episode.
        recent: Any  # the shows' ids, or their query
        bound: Coalesce | datetime
        if len(rows) > _LISTED_SHOWS:
            recent, bound = recent_shows.values("pk"), at_least
            every_show = window >= shows.count()
        else:
            every_show = len(rows) < window  # fewer shows than looked for: the bound is `_EARLIEST`
            dates = [date for _, date in rows if date is not None]
            recent = [pk for pk, _ in rows]
            bound = _EARLIEST if every_show or not dates else min(dates)
        candidates = live.filter(show_id__in=recent, published_at__gte=bound)
        found = list(candidates.values_list("pk", flat=True)[:limit])
        if len(found) == limit or every_show:
            return found
        window *= _GROWTH


#: How long a show counts as new after Lytt first saw it (`Show.created_at`, set by its first ingest).
NEW_SHOW_DAYS = 30


def listable_shows() -> QuerySet[Show]:
    """Shows a list of new shows may name: visible, with at least one dated episode."""
    return Show.objects.filter(hidden=False, latest_episode_at__isnull=False)


def new_shows(
    limit: int, now: datetime, *, since: datetime | None = None, after: tuple[datetime, int] | None = None
) -> list[Show]:
    """Shows first seen lately, newest first: the one definition of "new shows" (the home page, API v1's
    /shows/new, Podcast Index's recent/newfeeds). Visible shows with at least one dated episode, first
    seen (`created_at`) since `since` (default: `NEW_SHOW_DAYS` before `now`); `after` is the (first
    seen, id) of the last show of the previous page. Walks the `created_at` index from the newest."""
    start = since if since is not None else now - timedelta(days=NEW_SHOW_DAYS)
    shows = listable_shows().filter(created_at__gte=start)
    if after is not None:
        seen, show_id = after
        shows = shows.filter(Q(created_at__lt=seen) | Q(created_at=seen, pk__lt=show_id))
    return list(shows.order_by("-created_at", "-pk")[:limit])
