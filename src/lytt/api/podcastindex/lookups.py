"""Podcast Index endpoints that look feeds and episodes up another way: by feed URL, by iTunes id, at
random, and the feeds added lately (`views` holds the endpoint machinery and the first endpoints)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import F, QuerySet

from lytt.api.podcastindex import serialize
from lytt.api.podcastindex.views import (
    ParamError,
    Params,
    _category_scope,
    _feed_response,
    _found,
    _max,
    _valid_id,
    endpoint,
    show_for_feed_url,
    visible_shows,
)
from lytt.catalog.models import Episode, FeedSource


@endpoint
def episodes_byfeedurl(params: Params) -> dict[str, Any]:
    """Newest first, as episodes/byfeedid."""
    url = params.text("url", required=True, max_length=2000)
    limit = _max(params, 10)
    fulltext = params.flag("fulltext")
    show = show_for_feed_url(url)
    episodes: QuerySet[Episode] = Episode.objects.none()
    if show is not None:
        episodes = Episode.objects.filter(show=show).select_related("show")
    since = params.since()
    if since is not None:
        episodes = episodes.filter(published_at__gte=datetime.fromtimestamp(since, tz=UTC))
    page = list(episodes.order_by(F("published_at").desc(nulls_last=True), "-pk")[:limit])
    items = serialize.episodes(page, params.root, fulltext=fulltext)
    return {
        "status": "true",
        "items": items,
        "count": len(items),
        "query": {"url": url},
        "description": _found(items, "items"),
    }


@endpoint
def podcasts_byitunesid(params: Params) -> dict[str, Any]:
    """The visible show with this iTunes id (shows imported from the Podcast Index dump carry one; feeds
    themselves do not), else an empty feed, as Podcast Index answers an id it does not know."""
    itunes_id = params.required_integer("id")
    show = None
    if _valid_id(itunes_id):
        show = visible_shows().filter(itunes_id=itunes_id).order_by("pk").first()
    return _feed_response({"id": str(itunes_id)}, show, params.root)


@endpoint
def episodes_random(params: Params) -> dict[str, Any]:
    """Dated episodes of visible shows, drawn at random within `lang`, `cat` and `notcat`."""
    limit = _max(params, 1)
    fulltext = params.flag("fulltext")
    shows = _category_scope(visible_shows(), params)
    drawn = list(
        Episode.objects.filter(show__in=shows, published_at__isnull=False)
        .select_related("show")
        .order_by("?")[:limit]
    )
    categories = serialize.categories_for({e.show_id for e in drawn})
    items = serialize.episodes(drawn, params.root, fulltext=fulltext)
    for item, episode in zip(items, drawn, strict=True):
        item["categories"] = categories.get(episode.show_id, {})
    return {
        "status": "true",
        "episodes": items,
        "count": len(items),
        "max": limit,
        "description": _found(items, "items"),
    }


@endpoint
def recent_newfeeds(params: Params) -> dict[str, Any]:
    """Feed URLs added to the catalogue lately, newest first (the past 24 hours unless `since` or
    `feedid` says otherwise). A feed whose show Lytt has read is "confirmed", one it has not yet read
    "unconfirmed". With `feedid`, the list runs from that feed id up (down with `desc`) and ignores `since`.
    """
    limit = _max(params, 40)
    since = params.since()
    raw_feed_id = params.text("feedid")
    desc = params.flag("desc")
    sources = FeedSource.objects.filter(private=False).exclude(show__hidden=True).select_related("show")
    sources = sources.exclude(status__in=[FeedSource.Status.DUPLICATE, FeedSource.Status.BUNDLED])
    if raw_feed_id:
        try:
            feed_id = int(raw_feed_id)
        except ValueError:
            raise ParamError(f"The 'feedid' parameter must be a feed id, not {raw_feed_id[:40]!r}.") from None
        if not _valid_id(feed_id):
            sources = sources.none()
        elif desc:
            sources = sources.filter(show_id__lte=feed_id).order_by("-show_id", "-pk")
        else:
            sources = sources.filter(show_id__gte=feed_id).order_by("show_id", "pk")
    else:
        start = since if since is not None else int(datetime.now(tz=UTC).timestamp()) - 86400
        sources = sources.filter(added_at__gte=datetime.fromtimestamp(start, tz=UTC))
        sources = sources.order_by("-added_at", "-pk")
    page = list(sources[:limit])
    feeds = [
        {
            "id": source.show_id or 0,
            "url": source.url,
            "image": serialize.public_media_url(source.show.image_url, params.root) if source.show else "",
            "timeAdded": serialize.epoch(source.added_at),
            "status": "confirmed" if source.show_id is not None else "unconfirmed",
            "contentHash": source.content_hash,
            "language": source.show.language if source.show else "",
        }
        for source in page
    ]
    return {
        "status": "true",
        "feeds": feeds,
        "count": len(feeds),
        "max": limit,
        "description": _found(feeds, "feeds"),
    }
