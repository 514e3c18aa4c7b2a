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
from lytt.catalog.draws import random_episode_ids
from lytt.catalog.media import public_media_url
from lytt.catalog.models import Episode, FeedSource, Show
from lytt.catalog.newest import listable_shows, new_shows


@endpoint
def episodes_byfeedurl(params: Params) -> dict[str, Any]:
    """Newest first, as episodes/byfeedid."""
    url = params.text("url", required=True, max_length=2000)
    limit = _max(params, 10)
    fulltext = params.flag("fulltext")
    show = show_for_feed_url(url, params.root)
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
    """Live, dated episodes of visible shows, drawn at random (`lytt.catalog.draws`) within `lang`, `cat`
    and `notcat`."""
    limit = _max(params, 1)
    fulltext = params.flag("fulltext")
    filtered = any(params.text(name) for name in ("lang", "cat", "notcat"))
    shows = _category_scope(visible_shows(), params) if filtered else None
    ids = random_episode_ids(limit, shows)
    found = Episode.objects.select_related("show").in_bulk(ids)
    drawn = [found[pk] for pk in ids if pk in found]
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
    """Shows first seen lately, by the catalogue's one definition of new shows
    (`lytt.catalog.newest.new_shows`), each under its canonical feed URL and "confirmed"; beside them the
    public feed URLs added but not read yet, "unconfirmed". Newest first, the past 24 hours unless `since`
    says otherwise. With `feedid` the list runs over new-show candidates from that feed id up (down with
    `desc`) and ignores `since`; unread URLs have no feed id, so they are not listed then."""
    limit = _max(params, 40)
    since = params.since()
    raw_feed_id = params.text("feedid")
    desc = params.flag("desc")
    now = datetime.now(tz=UTC)
    shows: list[Show]
    pending: list[FeedSource] = []
    if raw_feed_id:
        try:
            feed_id = int(raw_feed_id)
        except ValueError:
            raise ParamError(f"The 'feedid' parameter must be a feed id, not {raw_feed_id[:40]!r}.") from None
        candidates = listable_shows()
        if not _valid_id(feed_id):
            shows = []
        elif desc:
            shows = list(candidates.filter(pk__lte=feed_id).order_by("-pk")[:limit])
        else:
            shows = list(candidates.filter(pk__gte=feed_id).order_by("pk")[:limit])
    else:
        start = datetime.fromtimestamp(since if since is not None else int(now.timestamp()) - 86400, tz=UTC)
        shows = new_shows(limit, now, since=start)
        unread = FeedSource.objects.filter(private=False, show__isnull=True, added_at__gte=start)
        unread = unread.exclude(status__in=[FeedSource.Status.DUPLICATE, FeedSource.Status.BUNDLED])
        pending = list(unread.order_by("-added_at", "-pk")[:limit])
    feeds_of = serialize.feed_urls([show.pk for show in shows])
    listed = [
        (
            show.created_at,
            {
                "id": show.pk,
                "url": public_media_url(feeds_of[show.pk].url, params.root) if show.pk in feeds_of else "",
                "image": serialize.public_media_url(show.image_url, params.root),
                "timeAdded": serialize.epoch(show.created_at),
                "status": "confirmed",
                "contentHash": feeds_of[show.pk].content_hash if show.pk in feeds_of else "",
                "language": show.language,
            },
        )
        for show in shows
    ]
    listed += [
        (
            source.added_at,
            {
                "id": 0,
                "url": source.url,
                "image": "",
                "timeAdded": serialize.epoch(source.added_at),
                "status": "unconfirmed",
                "contentHash": source.content_hash,
                "language": "",
            },
        )
        for source in pending
    ]
    if pending:
        listed.sort(key=lambda item: item[0], reverse=True)
    feeds = [feed for _, feed in listed[:limit]]
    return {
        "status": "true",
        "feeds": feeds,
        "count": len(feeds),
        "max": limit,
        "description": _found(feeds, "feeds"),
    }
