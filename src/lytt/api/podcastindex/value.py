"""Podcast Index's value-for-value endpoints: a feed's `podcast:value` block by feed id or URL, and the
feeds that carry one (podcasts/bytag)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, Q, Subquery

from lytt.api.podcastindex import serialize
from lytt.api.podcastindex.views import (
    ParamError,
    Params,
    _found,
    _valid_id,
    endpoint,
    show_for_feed_url,
    visible_shows,
)
from lytt.catalog.models import Episode, Show
from lytt.charts.models import ShowPopularity

TAG_LIMIT = 5000  # the spec's maximum `max` for podcasts/bytag
TOP_BY_POPULARITY = 500  # without `start_at`, the spec answers the most popular 500 feeds


def _value_response(query: dict[str, str], show: Show | None) -> dict[str, Any]:
    """`value` is nullable in the spec: null for an unknown feed and for a feed without a value block."""
    value = serialize.value_block((show.extra or {}).get("value")) if show is not None else None
    return {
        "status": "true",
        "query": query,
        "value": value,
        "description": "Found matching feed" if value is not None else "No value block matches this query.",
    }


@endpoint
def value_byfeedid(params: Params) -> dict[str, Any]:
    feed_id = params.required_integer("id")
    show = visible_shows().filter(pk=feed_id).first() if _valid_id(feed_id) else None
    return _value_response({"id": str(feed_id)}, show)


@endpoint
def value_byfeedurl(params: Params) -> dict[str, Any]:
    url = params.text("url", required=True, max_length=2000)
    return _value_response({"url": url}, show_for_feed_url(url, params.root))


def _popularity(show_ids: list[int]) -> dict[int, int]:
    rows = ShowPopularity.objects.filter(category=None, show_id__in=show_ids).values_list("show_id", "score")
    return {show_id: round(score) for show_id, score in rows}


@endpoint
def podcasts_bytag(params: Params) -> dict[str, Any]:
    """Feeds with a `podcast:value` block, or with a `podcast:valueTimeSplit` in their own or an episode's
    block. Without `start_at`: the most popular first; with it: by feed id from it on,
    and `nextStartAt` names where the next page starts."""
    by_value = params.flag("podcast-value")
    by_time_split = params.flag("podcast-valueTimeSplit")
    if not (by_value or by_time_split):
        raise ParamError("One of the 'podcast-value' or 'podcast-valueTimeSplit' parameters is required.")
    limit = params.integer("max", default=TOP_BY_POPULARITY, low=1, high=TAG_LIMIT)
    assert limit is not None
    start_at = params.integer("start_at", low=1)
    # The spec: when both are given the first one counts; the query string keeps the order they came in.
    first = next(name for name in params.values if name in {"podcast-value", "podcast-valueTimeSplit"})
    if first == "podcast-value":
        shows = visible_shows().filter(extra__has_key="value")
    else:
        split_episodes = Episode.objects.filter(extra__value__has_key="time_splits").values("show_id")
        shows = visible_shows().filter(Q(extra__value__has_key="time_splits") | Q(pk__in=split_episodes))
    total = shows.count()
    page: list[Show]
    if start_at is None:
        score = ShowPopularity.objects.filter(category=None, show=OuterRef("pk")).values("score")[:1]
        ranked = shows.annotate(score=Subquery(score)).order_by(F("score").desc(nulls_last=True), "pk")
        page = list(ranked[: min(limit, TOP_BY_POPULARITY)])
    else:
        page = list(shows.filter(pk__gte=start_at).order_by("pk")[:limit])
    popularity = _popularity([s.pk for s in page])
    ctx = serialize.FeedContext(page, params.root)
    feeds = []
    for show in page:
        item = serialize.feed(show, ctx, fulltext=False)
        item["popularity"] = popularity.get(show.pk, 0)
        item["valueCreatedOn"] = serialize.epoch(show.created_at)
        feeds.append(item)
    body: dict[str, Any] = {"status": "true", "feeds": feeds, "count": len(feeds), "total": total}
    if start_at is not None:
        body["nextStartAt"] = (page[-1].pk + 1) if page else start_at
    body["description"] = _found(feeds, "feeds")
    return body
