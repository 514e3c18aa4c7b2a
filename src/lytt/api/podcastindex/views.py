"""The Podcast Index-compatible endpoints. Each accepts GET query strings and POST form bodies.

Every request must carry a User-Agent and a valid X-Auth-Key / X-Auth-Date / Authorization signature
(`lytt.api.keys`). The spec (Podcastindex-org/docs-api, docs/pi_api.json) lists all four as the security
requirement and documents a 401's body as a bare JSON string, so a missing or bad one of them answers
401 with a string; other failures answer {"status": "false", "description": ...} with 400, 405 or 429.

Values the spec's types allow are answered rather than refused: an integer id no row can have finds
nothing, a `since` past either end is clamped, an empty `q` finds nothing. A 400 is for a required
parameter left out, text where an integer belongs, a `max` outside 1-1000, a `val` outside its enum, a
flag whose value is not a boolean, or a NUL character (PostgreSQL can neither store nor compare one).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from lytt import search as search_api
from lytt.api.keys import AuthError, authenticate, credentials_from
from lytt.api.podcastindex import serialize
from lytt.catalog.media import public_media_url, site_root, stored_media_url
from lytt.catalog.models import MAX_ID, Category, Episode, FeedSource, Show
from lytt.catalog.newest import newest_episode_ids
from lytt.catalog.podcastindex_categories import PI_CATEGORIES, parse_category_filter, pi_ids_with_parent
from lytt.ratelimit import Decision, hit
from lytt.search.engine import MAX_LIMIT, MAX_OFFSET

Handler = Callable[["Params"], dict[str, Any]]
MAX_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second a datetime can hold
MAX_RESULTS = 1000  # the spec's maximum for every `max`
TRUE_VALUES = frozenset({"", "1", "true", "yes", "on"})  # "" is the documented form: `&clean`
FALSE_VALUES = frozenset({"0", "false", "no", "off"})
VALUE_TYPES = frozenset({"any", "lightning", "hive", "webmonetization"})  # `val`'s enum in the spec


class ParamError(ValueError):
    """A bad or missing parameter: answered with 400 and this message."""


class Params:
    """Query string and form body merged (the body wins), with typed accessors that raise ParamError."""

    def __init__(self, request: HttpRequest) -> None:
        self.root = site_root(request)  # where the sample catalogue's media are published
        self.values: dict[str, str] = {k: str(v) for k, v in request.GET.items()}
        if request.method == "POST":
            self.values.update({k: str(v) for k, v in request.POST.items()})

    def text(self, name: str, *, required: bool = False, max_length: int = 1000) -> str:
        """`required` refuses a parameter left out; one sent empty (`q=`) is a string the spec allows,
        and the endpoints answer it with nothing found."""
        if required and name not in self.values:
            raise ParamError(f"The '{name}' parameter is required.")
        value = self.values.get(name, "").strip()
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
        """Any integer: the spec types ids as plain integers, so one no row can have simply finds nothing."""
        value = self.integer(name)
        if value is None:
            raise ParamError(f"The '{name}' parameter is required.")
        return value

    def flag(self, name: str) -> bool:
        """Podcast Index flags count when present (``&clean``); "0"/"false" switch them off explicitly.

        The spec types them as booleans, so a value that is neither (``pretty=-5``) is refused.
        """
        if name not in self.values:
            return False
        value = self.values[name].strip().lower()
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        raise ParamError(f"The '{name}' parameter is a flag: give it no value, or true or false.")

    def since(self) -> int | None:
        """Epoch seconds, or a negative number of seconds before now; clamped to 1970 and the year 9999."""
        now = int(time.time())
        value = self.integer("since")
        if value is None:
            return None
        if value < 0:
            value += now
        return min(max(value, 0), MAX_EPOCH)


def pi_error(status: int, description: str) -> HttpResponse:
    """A failure in Podcast Index's shape: the spec's 401 body is a JSON string, the others an object."""
    body: Any = description if status == 401 else {"status": "false", "description": description}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def refused_method(request: HttpRequest) -> HttpResponse | None:
    """The 405 answer for a method other than GET, POST or HEAD; None for those."""
    if request.method in {"GET", "POST", "HEAD"}:
        return None
    response = pi_error(405, f"Method {request.method} is not allowed; use GET or POST.")
    response["Allow"] = "GET, POST"
    return response


def too_many(decision: Decision, what: str) -> HttpResponse:
    """The 429 answer once `decision` says a limit of `what` per minute is used up."""
    response = pi_error(429, f"Rate limit of {decision.limit} {what} per minute exceeded.")
    response["Retry-After"] = str(decision.retry_after)
    return response


def endpoint(handler: Handler) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    @functools.wraps(handler)
    def view(request: HttpRequest) -> HttpResponse:
        if (refused := refused_method(request)) is not None:
            return refused
        if not request.headers.get("User-Agent", "").strip():
            return pi_error(401, "A User-Agent header identifying your app is required.")
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
            return too_many(decision, "requests")
        params = Params(request)
        try:
            indent = 2 if params.flag("pretty") else None
            body = handler(params)
        except (ParamError, search_api.SearchError) as exc:
            return pi_error(400, str(exc))
        return HttpResponse(json.dumps(body, indent=indent, default=str), content_type="application/json")

    return view


def visible_shows() -> QuerySet[Show]:
    return Show.objects.filter(hidden=False)


def show_for_feed_url(url: str, root: str) -> Show | None:
    """The visible show a public feed URL belongs to (any of its sources; a sample feed's as published
    under `root`), or None."""
    if not url:
        return None
    stored = stored_media_url(url, root)
    sources = FeedSource.objects.filter(url=stored, private=False, show__hidden=False).select_related("show")
    source = sources.first()
    return source.show if source is not None else None


def _max(params: Params, default: int) -> int:
    value = params.integer("max", default=default, low=1, high=MAX_RESULTS)
    assert value is not None
    return value


def _valid_id(value: int) -> bool:
    return 0 <= value <= MAX_ID


def _found(items: list[Any], what: str) -> str:
    return f"Found matching {what}" if items else f"No {what} match this query."


def _search_hits(
    q: str,
    *,
    kind: search_api.Kind,
    field: search_api.Field,
    limit: int,
    filters: search_api.Filters | None = None,
    keep: Callable[[Any], bool] | None = None,
) -> list[Any]:
    """Up to `limit` results that `keep` accepts, best first, read in the search engine's pages.

    The engine answers at most `MAX_LIMIT` results a call while the spec allows `max` up to
    1000, and filters the engine cannot apply (`val`) must not shorten a page: both read on.
    """
    out: list[Any] = []
    size = MAX_LIMIT if keep is not None else min(limit, MAX_LIMIT)
    offset = 0
    while len(out) < limit and offset <= MAX_OFFSET:
        page = search_api.search(q, kind=kind, filters=filters, limit=size, offset=offset, field=field).hits
        out.extend(hit.obj for hit in page if keep is None or keep(hit.obj))
        if len(page) < size:
            break
        offset += size
    return out[:limit]


def _value_type(show: Show) -> str:
    value = (show.extra or {}).get("value")
    return str(value.get("type") or "").lower() if isinstance(value, dict) else ""


def _search_feeds(params: Params, field: search_api.Field) -> dict[str, Any]:
    """search/byterm and search/bytitle.

    `aponly` keeps the feeds with an iTunes id (those imported from the Podcast Index dump; feeds do not
    carry one). `similar` is accepted and changes nothing: Lytt's search already matches word forms.
    """
    q = params.text("q", required=True, max_length=500)
    limit = _max(params, 25)
    fulltext = params.flag("fulltext")
    clean = params.flag("clean")
    params.flag("similar")  # checked like every flag; see the docstring
    aponly = params.flag("aponly")
    value_type = params.text("val").lower()
    if value_type and value_type not in VALUE_TYPES:
        raise ParamError(f"The 'val' parameter must be one of {', '.join(sorted(VALUE_TYPES))}.")

    def wanted(show: Show) -> bool:
        if aponly and show.itunes_id is None:
            return False
        found = _value_type(show)
        return not value_type or (bool(found) and value_type in {"any", found})

    shows: list[Show] = _search_hits(
        q,
        kind="shows",
        field=field,
        limit=limit,
        filters=search_api.Filters(exclude_explicit=clean),
        keep=wanted if value_type or aponly else None,
    )
    feeds = serialize.feeds(shows, params.root, fulltext=fulltext)
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
    """Episodes that mention a person: the spec searches person tags, the episode's title and description
    and the feed's author and owner, so this is Lytt's whole-entry search (which also reads the show's
    title and category names), not its people-only field."""
    q = params.text("q", required=True, max_length=500)
    limit = _max(params, 25)
    fulltext = params.flag("fulltext")
    found = _search_hits(q, kind="episodes", field="all", limit=limit)
    items = serialize.episodes(found, params.root, fulltext=fulltext)
    return {
        "status": "true",
        "items": items,
        "count": len(items),
        "query": q,
        "description": _found(items, "items"),
    }


def _feed_response(query: dict[str, Any], show: Show | None, root: str) -> dict[str, Any]:
    """`feed` is an object in the spec; with no match it is an empty one (Podcast Index sends `[]`,
    which a client reading it as an object cannot take, while `{}` is as empty to one that tests it)."""
    if show is None:
        return {"status": "true", "query": query, "feed": {}, "description": "No feeds match this query."}
    return {
        "status": "true",
        "query": query,
        "feed": serialize.feeds([show], root)[0],
        "description": "Found matching feed",
    }


@endpoint
def podcasts_byfeedid(params: Params) -> dict[str, Any]:
    feed_id = params.required_integer("id")
    show = visible_shows().filter(pk=feed_id).first() if _valid_id(feed_id) else None
    return _feed_response({"id": str(feed_id)}, show, params.root)


@endpoint
def podcasts_byfeedurl(params: Params) -> dict[str, Any]:
    url = params.text("url", required=True, max_length=2000)
    return _feed_response({"url": url}, show_for_feed_url(url, params.root), params.root)


@endpoint
def podcasts_byguid(params: Params) -> dict[str, Any]:
    guid = params.text("guid", required=True, max_length=2000)
    show = visible_shows().filter(podcast_guid__iexact=guid).order_by("pk").first() if guid else None
    query = {"guid": guid} if show is None else {"guid": guid, "id": str(show.pk)}
    return _feed_response(query, show, params.root)


def _category_scope(shows: QuerySet[Show], params: Params) -> QuerySet[Show]:
    """`cat`, `notcat` and `lang` as the spec describes them for podcasts/trending and recent/feeds.

    A `cat` naming no known category matches no feed (the spec types it as free text, so it is no 400);
    unknown names in `notcat` exclude nothing. `lang`'s token "unknown" stands for feeds without a language.
    """
    wanted = parse_category_filter(params.text("cat"))
    unwanted = parse_category_filter(params.text("notcat"))
    if params.text("cat") and not wanted:
        return shows.none()
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
            if code == "unknown":
                condition |= Q(language="")
            condition |= Q(language__iexact=code) | Q(language__istartswith=code + "-")
        shows = shows.filter(condition)
    return shows


@endpoint
def podcasts_trending(params: Params) -> dict[str, Any]:
    """The charts' trending shows (`lytt.charts.ranking.trending_shows`: plays and follows rising), then,
    so that a young directory's list is not empty, its popular shows; `trendScore` is the trend score
    times ten, rounded (at least 1) for a rising show and 0 for one listed as popular."""
    from lytt.charts.ranking import popular_shows, trending_shows

    limit = _max(params, 10)
    since = params.since()
    ranked = trending_shows(MAX_RESULTS)
    rising = {show.pk for show, _ in ranked}
    ranked += [(show, 0.0) for show in popular_shows(None, MAX_RESULTS) if show.pk not in rising]
    candidates = visible_shows().filter(pk__in=[show.pk for show, _ in ranked])
    allowed = set(_category_scope(candidates, params).values_list("pk", flat=True))
    chosen = [(show, score) for show, score in ranked if show.pk in allowed]
    if since is not None:
        cutoff = datetime.fromtimestamp(since, tz=UTC)
        chosen = [(s, score) for s, score in chosen if s.latest_episode_at and s.latest_episode_at >= cutoff]
    chosen = chosen[:limit]
    full = {s.pk: s for s in visible_shows().filter(pk__in=[s.pk for s, _ in chosen])}
    shows = [full[s.pk] for s, _ in chosen if s.pk in full]
    scores = {s.pk: score for s, score in chosen}
    feeds = []
    for item in serialize.feeds(shows, params.root, fulltext=False):
        score = scores[item["id"]]
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
                "itunesId": item["itunesId"],
                "trendScore": max(1, round(score * 10)) if score > 0 else 0,
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
    """Newest first; `newest` keeps each feed's most recent episode, `enclosure` the one with that URL."""
    raw = params.text("id", required=True)
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise ParamError(
            f"The 'id' parameter must be a feed id or a comma-separated list, not {raw[:40]!r}."
        ) from None
    if len(ids) > 200:
        raise ParamError("The 'id' parameter takes at most 200 feed ids.")
    limit = _max(params, 10)
    fulltext = params.flag("fulltext")
    newest = params.flag("newest")
    valid = [i for i in ids if _valid_id(i)]
    episodes = Episode.objects.filter(show_id__in=valid, show__hidden=False).select_related("show")
    since = params.since()
    if since is not None:
        episodes = episodes.filter(published_at__gte=datetime.fromtimestamp(since, tz=UTC))
    enclosure = params.text("enclosure", max_length=2000)
    if enclosure:
        episodes = episodes.filter(enclosure_url=stored_media_url(enclosure, params.root))
    ordered = episodes.order_by(F("published_at").desc(nulls_last=True), "-pk")
    if newest:
        latest = Subquery(ordered.filter(show_id=OuterRef("pk")).values("pk")[:1])
        firsts = Show.objects.filter(pk__in=valid).annotate(latest=latest).values_list("latest", flat=True)
        ordered = ordered.filter(pk__in=[pk for pk in firsts if pk is not None])
    page = list(ordered[:limit])
    items = serialize.episodes(page, params.root, fulltext=fulltext)
    query: Any = [str(i) for i in ids] if len(ids) > 1 else "".join(str(i) for i in ids)
    return {
        "status": "true",
        "items": items,
        "liveItems": [],
        "count": len(items),
        "query": query,
        "description": _found(items, "items"),
    }


def _episode_or_empty(episode: Episode | None, root: str, fulltext: bool) -> dict[str, Any]:
    """`episode` is an object in the spec; with no match it is an empty one (see `_feed_response`)."""
    return serialize.episodes([episode], root, fulltext=fulltext)[0] if episode is not None else {}


@endpoint
def episodes_byid(params: Params) -> dict[str, Any]:
    episode_id = params.required_integer("id")
    fulltext = params.flag("fulltext")
    episode = None
    if _valid_id(episode_id):
        episode = Episode.objects.filter(pk=episode_id, show__hidden=False).select_related("show").first()
    return {
        "status": "true",
        "id": episode_id,
        "episode": _episode_or_empty(episode, params.root, fulltext),
        "description": "Found matching item." if episode else "No episodes match this id.",
    }


@endpoint
def episodes_byguid(params: Params) -> dict[str, Any]:
    guid = params.text("guid", required=True, max_length=2000)
    feed_url = params.text("feedurl", max_length=2000)
    feed_id = params.integer("feedid")
    podcast_guid = params.text("podcastguid", max_length=2000)
    fulltext = params.flag("fulltext")
    if not (feed_url or feed_id is not None or podcast_guid):
        raise ParamError("One of 'feedurl', 'feedid' or 'podcastguid' is required with 'guid'.")
    shows = visible_shows()
    if feed_id is not None:
        shows = shows.filter(pk=feed_id) if _valid_id(feed_id) else shows.none()
    if feed_url:
        shows = shows.filter(feeds__url=stored_media_url(feed_url, params.root))
    if podcast_guid:
        shows = shows.filter(podcast_guid__iexact=podcast_guid)
    episodes = Episode.objects.filter(show__in=shows, guid=guid).select_related("show").order_by("pk")
    episode = episodes.first() if guid else None
    return {
        "status": "true",
        "id": "" if feed_id is None else str(feed_id),
        "url": feed_url,
        "podcastGuid": podcast_guid,
        "guid": guid,
        "episode": _episode_or_empty(episode, params.root, fulltext),
        "description": "Found matching item." if episode else "No episodes match this guid.",
    }


@endpoint
def recent_episodes(params: Params) -> dict[str, Any]:
    limit = _max(params, 10)
    fulltext = params.flag("fulltext")
    episodes = Episode.objects.all()
    before = params.integer("before")
    if before is not None:
        episodes = episodes.filter(pk__lt=min(before, MAX_ID)) if before > 0 else episodes.none()
    exclude = params.text("excludeString", max_length=200)
    if exclude:
        episodes = episodes.exclude(Q(title__icontains=exclude) | Q(enclosure_url__icontains=exclude))
    ids = newest_episode_ids(episodes, limit)  # live, dated, of visible shows; show first
    found = Episode.objects.select_related("show").in_bulk(ids)
    page = [found[pk] for pk in ids if pk in found]
    items = serialize.episodes(page, params.root, fulltext=fulltext)
    return {
        "status": "true",
        "items": items,
        "count": len(items),
        "max": limit,
        "description": _found(items, "items"),
    }


@endpoint
def recent_feeds(params: Params) -> dict[str, Any]:
    limit = _max(params, 40)
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
    ctx = serialize.FeedContext(page, params.root)
    feeds = [
        {
            "id": s.pk,
            "url": public_media_url(ctx.sources[s.pk].url, params.root) if s.pk in ctx.sources else "",
            "title": s.title,
            "newestItemPublishTime": serialize.epoch(s.latest_episode_at),
            "oldestItemPublishTime": serialize.epoch(first_dates.get(s.pk)),
            "itunesId": s.itunes_id,
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
