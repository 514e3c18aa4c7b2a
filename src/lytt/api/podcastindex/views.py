"""The Podcast Index-compatible endpoints. Each accepts GET query strings and POST form bodies.

Every request must carry a User-Agent and a valid X-Auth-Key / X-Auth-Date / Authorization signature
(`lytt.api.keys`); failures answer in Podcast Index's style, {"status": "false", "description": ...},
with 400, 401, 405 or 429.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from lytt import search as search_api
from lytt.api.keys import AuthError, authenticate, credentials_from
from lytt.api.podcastindex import serialize
from lytt.api.podcastindex.categories import PI_CATEGORIES, parse_category_filter, pi_ids_with_parent
from lytt.api.ratelimit import hit
from lytt.catalog.models import Category, Episode, FeedSource, Show

Handler = Callable[["Params"], dict[str, Any]]
MAX_ID = 2**63 - 1  # ids are signed 64-bit integers in both databases
MAX_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second a datetime can hold


class ParamError(ValueError):
    """A bad or missing parameter: answered with 400 and this message."""


class Params:
    """Query string and form body merged (the body wins), with typed accessors that raise ParamError."""

    def __init__(self, request: HttpRequest) -> None:
        self.values: dict[str, str] = {k: str(v) for k, v in request.GET.items()}
        if request.method == "POST":
            self.values.update({k: str(v) for k, v in request.POST.items()})

    def text(self, name: str, *, required: bool = False, max_length: int = 1000) -> str:
        value = self.values.get(name, "").strip()
        if required and not value:
            raise ParamError(f"The '{name}' parameter is required.")
        if len(value) > max_length:
            raise ParamError(f"The '{name}' parameter is longer than {max_length} characters.")
        if "\x00" in value:  # PostgreSQL cannot hold it in text
            raise ParamError(f"The '{name}' parameter contains a NUL character.")
        return value

    def integer(
        self, name: str, *, default: int | None = None, low: int | None = None, high: int | None = None
    ) -> int | None:
        raw = self.values.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ParamError(f"The '{name}' parameter must be an integer, not {raw[:40]!r}.") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise ParamError(f"The '{name}' parameter must be between {low} and {high}.")
        return value

    def required_integer(self, name: str) -> int:
        value = self.integer(name, low=0, high=MAX_ID)
        if value is None:
            raise ParamError(f"The '{name}' parameter is required.")
        return value

    def flag(self, name: str) -> bool:
        """Podcast Index flags count when present (``&clean``); "0"/"false" switch them off explicitly."""
        if name not in self.values:
            return False
        return self.values[name].strip().lower() not in {"0", "false", "no", "off"}

    def since(self) -> int | None:
        """Epoch seconds, or a negative number of seconds before now (at most back to 1970)."""
        now = int(time.time())
        value = self.integer("since", low=-now, high=MAX_EPOCH)
        if value is not None and value < 0:
            return now + value
        return value


def pi_error(status: int, description: str) -> HttpResponse:
    return HttpResponse(
        json.dumps({"status": "false", "description": description}),
        status=status,
        content_type="application/json",
    )


def endpoint(handler: Handler) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    @functools.wraps(handler)
    def view(request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "POST", "HEAD"}:
            response = pi_error(405, f"Method {request.method} is not allowed; use GET or POST.")
            response["Allow"] = "GET, POST"
            return response
        if not request.headers.get("User-Agent", "").strip():
            return pi_error(400, "A User-Agent header identifying your app is required.")
        try:
            credentials = credentials_from(request)
            if credentials is None:
                raise AuthError(
                    "Authorization headers (X-Auth-Key, X-Auth-Date, Authorization) are required."
                )
            api_key = authenticate(credentials)
        except AuthError as exc:
            return pi_error(exc.status, str(exc))
        decision = hit(f"key:{api_key.pk}", api_key.rate_limit_per_minute)
        if not decision.allowed:
            response = pi_error(429, f"Rate limit of {decision.limit} requests per minute exceeded.")
            response["Retry-After"] = str(decision.retry_after)
            return response
        params = Params(request)
        try:
            body = handler(params)
        except (ParamError, search_api.SearchError) as exc:
            return pi_error(400, str(exc))
        indent = 2 if params.flag("pretty") else None
        return HttpResponse(json.dumps(body, indent=indent, default=str), content_type="application/json")

    return view


def visible_shows() -> QuerySet[Show]:
    return Show.objects.filter(hidden=False)


def _max(params: Params, default: int, high: int = 1000) -> int:
    value = params.integer("max", default=default, low=1, high=high)
    assert value is not None
    return value


def _found(items: list[Any], what: str) -> str:
    return f"Found matching {what}" if items else f"No {what} match this query."


def _search_feeds(params: Params, field: search_api.Field) -> dict[str, Any]:
    q = params.text("q", required=True, max_length=500)
    limit = _max(params, 25, 100)
    fulltext = params.flag("fulltext")
    results = search_api.search(
        q,
        kind="shows",
        filters=search_api.Filters(exclude_explicit=params.flag("clean")),
        limit=limit,
        field=field,
    )
    shows = [hit.obj for hit in results.hits]
    value_type = params.text("val").lower()
    if value_type and value_type != "any":
        shows = [
            s
            for s in shows
            if str(((s.extra or {}).get("value") or {}).get("type", "")).lower() == value_type
        ]
    feeds = serialize.feeds(shows, fulltext=fulltext)
    return {
        "status": "true",
        "feeds": feeds,
        "count": len(feeds),
        "query": q,
        "description": _found(feeds, "feeds"),
    }


@endpoint
def search_byterm(params: Params) -> dict[str, Any]:
    return _search_feeds(params, "all")


@endpoint
def search_bytitle(params: Params) -> dict[str, Any]:
    return _search_feeds(params, "title")


@endpoint
def search_byperson(params: Params) -> dict[str, Any]:
    q = params.text("q", required=True, max_length=500)
    limit = _max(params, 25, 100)
    results = search_api.search(q, kind="episodes", limit=limit, field="people")
    items = serialize.episodes([hit.obj for hit in results.hits], fulltext=params.flag("fulltext"))
    return {
        "status": "true",
        "items": items,
        "count": len(items),
        "query": q,
        "description": _found(items, "items"),
    }


def _feed_response(query: dict[str, Any], show: Show | None) -> dict[str, Any]:
    if show is None:
        return {"status": "true", "query": query, "feed": [], "description": "No feeds match this query."}
    return {
        "status": "true",
        "query": query,
        "feed": serialize.feeds([show])[0],
        "description": "Found matching feed",
    }


@endpoint
def podcasts_byfeedid(params: Params) -> dict[str, Any]:
    feed_id = params.required_integer("id")
    return _feed_response({"id": str(feed_id)}, visible_shows().filter(pk=feed_id).first())


@endpoint
def podcasts_byfeedurl(params: Params) -> dict[str, Any]:
    url = params.text("url", required=True, max_length=2000)
    source = (
        FeedSource.objects.filter(url=url, private=False, show__hidden=False).select_related("show").first()
    )
    return _feed_response({"url": url}, source.show if source else None)


@endpoint
def podcasts_byguid(params: Params) -> dict[str, Any]:
    guid = params.text("guid", required=True, max_length=64)
    show = visible_shows().filter(podcast_guid__iexact=guid).order_by("pk").first()
    query = {"guid": guid} if show is None else {"guid": guid, "id": str(show.pk)}
    return _feed_response(query, show)


def _category_scope(shows: QuerySet[Show], params: Params) -> QuerySet[Show]:
    wanted = parse_category_filter(params.text("cat"))
    unwanted = parse_category_filter(params.text("notcat"))
    if params.text("cat") and not wanted:
        raise ParamError("The 'cat' parameter names no known category.")
    if wanted or unwanted:
        categories = list(Category.objects.select_related("parent"))
        ids_for = {
            c.pk: set(pi_ids_with_parent(c.apple_name, c.parent.apple_name if c.parent else None))
            for c in categories
        }
        if wanted:
            shows = shows.filter(
                categories__in=[pk for pk, ids in ids_for.items() if ids & wanted]
            ).distinct()
        if unwanted:
            shows = shows.exclude(categories__in=[pk for pk, ids in ids_for.items() if ids & unwanted])
    languages = [code.strip().lower() for code in params.text("lang").split(",") if code.strip()]
    if languages:
        condition = Q()
        for code in languages:
            condition |= Q(language__iexact=code) | Q(language__istartswith=code + "-")
        shows = shows.filter(condition)
    return shows


@endpoint
def podcasts_trending(params: Params) -> dict[str, Any]:
    from lytt.charts.ranking import popular_shows

    limit = _max(params, 10, 1000)
    since = params.since()
    ranked = popular_shows(None, 1000)
    allowed = set(_category_scope(visible_shows(), params).values_list("pk", flat=True))
    chosen = [s for s in ranked if s.pk in allowed]
    if since is not None:
        cutoff = datetime.fromtimestamp(since, tz=UTC)
        chosen = [s for s in chosen if s.latest_episode_at and s.latest_episode_at >= cutoff]
    chosen = chosen[:limit]
    full = {s.pk: s for s in visible_shows().filter(pk__in=[s.pk for s in chosen])}
    shows = [full[s.pk] for s in chosen if s.pk in full]
    feeds = []
    for position, item in enumerate(serialize.feeds(shows, fulltext=False)):
        feeds.append(
            {
                "id": item["id"],
                "url": item["url"],
                "title": item["title"],
                "description": item["description"],
                "author": item["author"],
                "image": item["image"],
                "artwork": item["artwork"],
                "newestItemPublishTime": item["newestItemPubdate"],
                "itunesId": None,
                "trendScore": max(1, len(shows) - position),
                "language": item["language"],
                "categories": item["categories"],
            }
        )
    return {
        "status": "true",
        "feeds": feeds,
        "count": len(feeds),
        "max": limit,
        "since": since,
        "description": _found(feeds, "feeds"),
    }


@endpoint
def episodes_byfeedid(params: Params) -> dict[str, Any]:
    raw = params.text("id", required=True)
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise ParamError(
            f"The 'id' parameter must be a feed id or a comma-separated list, not {raw[:40]!r}."
        ) from None
    if not ids or len(ids) > 200:
        raise ParamError("The 'id' parameter takes between 1 and 200 feed ids.")
    if not all(0 <= i <= MAX_ID for i in ids):
        raise ParamError(f"The 'id' parameter must hold feed ids between 0 and {MAX_ID}.")
    limit = _max(params, 10, 1000)
    episodes = Episode.objects.filter(show_id__in=ids, show__hidden=False).select_related("show")
    since = params.since()
    if since is not None:
        episodes = episodes.filter(published_at__gte=datetime.fromtimestamp(since, tz=UTC))
    enclosure = params.text("enclosure", max_length=2000)
    if enclosure:
        episodes = episodes.filter(enclosure_url=enclosure)
    page = list(episodes.order_by(F("published_at").desc(nulls_last=True), "-pk")[:limit])
    items = serialize.episodes(page, fulltext=params.flag("fulltext"))
    query: Any = str(ids[0]) if len(ids) == 1 else [str(i) for i in ids]
    return {
        "status": "true",
        "items": items,
        "liveItems": [],
        "count": len(items),
        "query": query,
        "description": _found(items, "items"),
    }


@endpoint
def episodes_byid(params: Params) -> dict[str, Any]:
    episode_id = params.required_integer("id")
    episode = Episode.objects.filter(pk=episode_id, show__hidden=False).select_related("show").first()
    if episode is None:
        return {
            "status": "true",
            "id": str(episode_id),
            "episode": [],
            "description": "No episodes match this id.",
        }
    return {
        "status": "true",
        "id": episode_id,
        "episode": serialize.episodes([episode], fulltext=params.flag("fulltext"))[0],
        "description": "Found matching item.",
    }


@endpoint
def episodes_byguid(params: Params) -> dict[str, Any]:
    guid = params.text("guid", required=True, max_length=2000)
    feed_url = params.text("feedurl", max_length=2000)
    feed_id = params.integer("feedid", low=0, high=MAX_ID)
    podcast_guid = params.text("podcastguid", max_length=64)
    if not (feed_url or feed_id is not None or podcast_guid):
        raise ParamError("One of 'feedurl', 'feedid' or 'podcastguid' is required with 'guid'.")
    shows = visible_shows()
    if feed_id is not None:
        shows = shows.filter(pk=feed_id)
    if feed_url:
        shows = shows.filter(feeds__url=feed_url)
    if podcast_guid:
        shows = shows.filter(podcast_guid__iexact=podcast_guid)
    episode = Episode.objects.filter(show__in=shows, guid=guid).select_related("show").order_by("pk").first()
    base = {
        "status": "true",
        "id": str(feed_id or ""),
        "url": feed_url,
        "podcastGuid": podcast_guid,
        "guid": guid,
    }
    if episode is None:
        return {**base, "episode": [], "description": "No episodes match this guid."}
    return {
        **base,
        "episode": serialize.episodes([episode], fulltext=params.flag("fulltext"))[0],
        "description": "Found matching item.",
    }


@endpoint
def recent_episodes(params: Params) -> dict[str, Any]:
    limit = _max(params, 10, 1000)
    episodes = Episode.objects.filter(show__hidden=False, published_at__isnull=False).select_related("show")
    before = params.integer("before", low=0, high=MAX_ID)
    if before is not None:
        episodes = episodes.filter(pk__lt=before)
    exclude = params.text("excludeString", max_length=200)
    if exclude:
        episodes = episodes.exclude(Q(title__icontains=exclude) | Q(enclosure_url__icontains=exclude))
    page = list(episodes.order_by("-published_at", "-pk")[:limit])
    items = serialize.episodes(page, fulltext=params.flag("fulltext"))
    return {
        "status": "true",
        "items": items,
        "count": len(items),
        "max": limit,
        "description": _found(items, "items"),
    }


@endpoint
def recent_feeds(params: Params) -> dict[str, Any]:
    limit = _max(params, 40, 1000)
    shows = _category_scope(visible_shows().filter(latest_episode_at__isnull=False), params)
    since = params.since()
    if since is not None:
        shows = shows.filter(latest_episode_at__gte=datetime.fromtimestamp(since, tz=UTC))
    page = list(shows.order_by("-latest_episode_at", "-pk")[:limit])
    first_dates = {
        show_id: published
        for show_id, published in Episode.objects.filter(show__in=page, published_at__isnull=False)
        .order_by("show_id", "-published_at")
        .values_list("show_id", "published_at")
    }
    ctx = serialize.FeedContext(page)
    feeds = [
        {
            "id": s.pk,
            "url": ctx.sources[s.pk].url if s.pk in ctx.sources else "",
            "title": s.title,
            "newestItemPublishTime": serialize.epoch(s.latest_episode_at),
            "oldestItemPublishTime": serialize.epoch(first_dates.get(s.pk)),
            "itunesId": None,
            "language": s.language,
            "categories": ctx.categories.get(s.pk, {}),
        }
        for s in page
    ]
    return {
        "status": "true",
        "feeds": feeds,
        "count": len(feeds),
        "max": limit,
        "since": since,
        "description": _found(feeds, "feeds"),
    }


@endpoint
def categories_list(params: Params) -> dict[str, Any]:
    feeds = [{"id": pi_id, "name": name} for pi_id, name in PI_CATEGORIES]
    return {"status": "true", "feeds": feeds, "count": len(feeds), "description": "Categories list."}


@endpoint
def stats_current(params: Params) -> dict[str, Any]:
    now = time.time()
    shows = visible_shows()

    def since(days: int) -> int:
        return shows.filter(latest_episode_at__gte=datetime.fromtimestamp(now - days * 86400, tz=UTC)).count()

    stats = {
        "feedCountTotal": shows.count(),
        "episodeCountTotal": Episode.objects.filter(show__hidden=False).count(),
        "feedsWithNewEpisodes3days": since(3),
        "feedsWithNewEpisodes10days": since(10),
        "feedsWithNewEpisodes30days": since(30),
        "feedsWithNewEpisodes90days": since(90),
        "feedsWithValueBlocks": shows.filter(extra__has_key="value").count(),
    }
    return {"status": "true", "stats": stats, "description": "Statistics."}
