"""The public API v1 (`/api/v1/`, OpenAPI at `/api/v1/openapi.json`), built with django-ninja.

Reads are open; anonymous clients are rate-limited per address, clients that sign requests with an API
key (the same X-Auth-* headers as the Podcast Index API) get the key's higher limit, and a listener's
personal token counts against the listener's limit. A listener's own data lives under /me/ (`me.py`,
with its own authentication). Lists page with opaque cursors; every GET answers If-None-Match with 304
(ETags come from ConditionalGetMiddleware).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lytt import search as search_api
from lytt.api import me, serialize
from lytt.api.cursor import CursorError, decode, encode
from lytt.api.errors import ApiError, RateLimited, error_response, refuse_nul
from lytt.api.errors import error_responses as _errors
from lytt.api.keys import AuthError, authenticate, credentials_from
from lytt.api.params import DateTime
from lytt.api.ratelimit import anonymous_limit, listener_limit
from lytt.api.schemas import (
    CategoryList,
    ChartOut,
    EpisodeOut,
    EpisodePage,
    NewShowPage,
    PersonOut,
    PersonPage,
    SearchOut,
    ShowOut,
    ShowPage,
    SuggestOut,
    TrendingOut,
)
from lytt.catalog import newest
from lytt.catalog.media import site_root
from lytt.catalog.models import MAX_ID, Category, Episode, Person, Show
from lytt.ratelimit import client_address, hit

MAX_LIMIT = 100


def access(request: HttpRequest) -> Any:
    """Authenticate a signed request or a personal token (or let an anonymous request through) and apply
    the rate limit."""
    refuse_nul(request)
    token = me.bearer_token(request)
    credentials = None if token is not None else credentials_from(request)
    who: Any
    if token is not None:
        # An app that sends its listener's token on every request is a known caller here too.
        who = me.token_user(token)
        bucket, limit = f"user:{who.pk}", listener_limit()
    elif credentials is None:
        bucket, limit, who = f"anon:{client_address(request)}", anonymous_limit(), "anonymous"
    else:
        api_key = authenticate(credentials)
        bucket, limit, who = f"key:{api_key.pk}", api_key.rate_limit_per_minute, api_key
    decision = hit(bucket, limit)
    if not decision.allowed:
        raise RateLimited(decision.retry_after, limit)
    return who


api = NinjaAPI(
    title="Lytt API",
    version="1",
    description=(
        "Shows, episodes, categories, people, search and charts of this Lytt directory; under /me/, a "
        "listener's own queue, play progress and bookmarks (a personal token as `Authorization: Bearer`, "
        "or the website's session cookie with its CSRF token)."
    ),
    urls_namespace="api-v1",
    auth=access,
    docs_url="/docs",
)


api.add_router("/me", me.router)


@api.exception_handler(me.Unauthenticated)
def _unauthenticated(request: HttpRequest, exc: me.Unauthenticated) -> HttpResponse:
    return me.unauthenticated(str(exc))


@api.exception_handler(AuthenticationError)
def _no_listener(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """No authentication scheme of an endpoint matched (today only /me/ has its own)."""
    return me.unauthenticated(me.NOT_SIGNED_IN)


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    location = list(first.get("loc", ()))
    if location[:1] == ["body"]:
        location = location[2:]  # ("body", <the handler's parameter>, field, index...)
    elif location[:1] and location[0] in ("query", "path", "header", "cookie"):
        location = location[1:]
    names = [part for part in location if isinstance(part, str)]
    field = names[-1] if names else None
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")
    message = str(first.get("msg", "invalid parameter"))
    return error_response(422, f"{where}: {message}" if where else message, field=field)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, str(exc), code=exc.code, field=exc.field)


@api.exception_handler(search_api.SearchError)
def _search_error(request: HttpRequest, exc: search_api.SearchError) -> HttpResponse:
    return error_response(400, str(exc), field=exc.field)


@api.exception_handler(CursorError)
def _cursor_error(request: HttpRequest, exc: CursorError) -> HttpResponse:
    return error_response(400, str(exc), code="invalid_cursor", field="cursor")


@api.exception_handler(AuthError)
def _auth_error(request: HttpRequest, exc: AuthError) -> HttpResponse:
    return error_response(exc.status, str(exc))


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = error_response(429, str(exc))
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(413, f"the request body is larger than {limit} bytes")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, str(exc) or "not found")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(exc.status_code, str(exc))


def _category(slug: str | None) -> Category | None:
    if not slug:
        return None
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise ApiError(404, f"no category with slug {slug!r}", field="category")
    return category


@api.get("/shows", response={200: ShowPage, **_errors(400, 404)}, tags=["shows"])
def list_shows(
    request: HttpRequest,
    category: str | None = None,
    language: str | None = None,
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
) -> Any:
    """All visible shows, oldest first (stable for paging). Filter by category slug or language."""
    shows = Show.objects.filter(hidden=False).order_by("pk")
    selected = _category(category)
    if selected is not None:
        shows = shows.filter(categories__in=[selected, *selected.children.all()]).distinct()
    if language:
        code = language.strip().lower()
        shows = shows.filter(Q(language__iexact=code) | Q(language__istartswith=code + "-"))
    if cursor:
        shows = shows.filter(pk__gt=int(decode("shows", cursor).get("id", 0)))
    page = list(shows[: limit + 1])
    next_cursor = encode("shows", {"id": page[limit - 1].pk}) if len(page) > limit else None
    return {"items": serialize.shows(page[:limit], site_root(request)), "next_cursor": next_cursor}


@api.get("/shows/new", response={200: NewShowPage, **_errors(400)}, tags=["shows"])
def new_shows(
    request: HttpRequest,
    since: DateTime | None = None,
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
) -> Any:
    """Shows this directory first read lately (by default in the past 30 days), newest first."""
    after = None
    if cursor:
        position = decode("new-shows", cursor)
        after = (datetime.fromisoformat(str(position.get("at"))), int(position.get("id", 0)))
    page = newest.new_shows(limit + 1, timezone.now(), since=since, after=after)
    next_cursor = None
    if len(page) > limit:
        last = page[limit - 1]
        next_cursor = encode("new-shows", {"at": last.created_at.isoformat(), "id": last.pk})
    shows = page[:limit]
    items = serialize.shows(shows, site_root(request))
    for item, show in zip(items, shows, strict=True):
        item["first_seen_at"] = show.created_at
    return {"items": items, "next_cursor": next_cursor}


@api.get("/shows/trending", response={200: TrendingOut, **_errors()}, tags=["shows"])
def trending(request: HttpRequest, limit: int = Query(20, ge=1, le=MAX_LIMIT)) -> Any:
    """Shows whose plays and follows are rising compared with the weeks before, most rising first (empty
    until listeners play and follow)."""
    from lytt.charts.ranking import trending_shows

    ranked = trending_shows(limit)
    items = serialize.shows([show for show, _ in ranked], site_root(request))
    for item, (_, score) in zip(items, ranked, strict=True):
        item["trend_score"] = round(score, 6)
    return {"items": items}


def _show(show_id: int) -> Show:
    show = Show.objects.filter(pk=show_id, hidden=False).first()
    if show is None:
        raise ApiError(404, f"no show with id {show_id}", field="show_id")
    return show


@api.get("/shows/{show_id}", response={200: ShowOut, **_errors(404)}, tags=["shows"])
def get_show(request: HttpRequest, show_id: int) -> Any:
    return serialize.shows([_show(show_id)], site_root(request))[0]


@api.get("/shows/{show_id}/episodes", response={200: EpisodePage, **_errors(400, 404)}, tags=["episodes"])
def show_episodes(
    request: HttpRequest, show_id: int, cursor: str | None = None, limit: int = Query(20, ge=1, le=MAX_LIMIT)
) -> Any:
    """A show's episodes, newest first (undated ones last)."""
    show = _show(show_id)
    episodes = Episode.objects.filter(show=show).select_related("show")
    if cursor:
        position = decode("episodes", cursor)
        last_id = int(position.get("id", 0))
        published = position.get("p")
        if published is None:
            episodes = episodes.filter(published_at__isnull=True, pk__lt=last_id)
        else:
            when = datetime.fromisoformat(str(published))
            episodes = episodes.filter(
                Q(published_at__lt=when) | Q(published_at=when, pk__lt=last_id) | Q(published_at__isnull=True)
            )
    page = list(episodes.order_by(F("published_at").desc(nulls_last=True), "-pk")[: limit + 1])
    next_cursor = None
    if len(page) > limit:
        last = page[limit - 1]
        stamp = last.published_at.isoformat() if last.published_at else None
        next_cursor = encode("episodes", {"id": last.pk, "p": stamp})
    return {"items": serialize.episodes(page[:limit], site_root(request)), "next_cursor": next_cursor}


@api.get("/episodes/{episode_id}", response={200: EpisodeOut, **_errors(404)}, tags=["episodes"])
def get_episode(request: HttpRequest, episode_id: int) -> Any:
    episode = Episode.objects.select_related("show").filter(pk=episode_id, show__hidden=False).first()
    if episode is None:
        raise ApiError(404, f"no episode with id {episode_id}", field="episode_id")
    return serialize.episodes([episode], site_root(request))[0]


@api.get("/categories", response={200: CategoryList, **_errors()}, tags=["categories"])
def list_categories(request: HttpRequest) -> Any:
    """Apple's podcast taxonomy with English and Bokmål names; subcategories name their parent."""
    categories = list(Category.objects.select_related("parent").order_by("position", "name_en", "pk"))
    return {
        "items": [
            {
                "id": c.pk,
                "slug": c.slug,
                "name_en": c.name_en,
                "name_nb": c.name_nb,
                "parent": c.parent.slug if c.parent else None,
            }
            for c in categories
        ]
    }


def _person(p: Person, request: HttpRequest) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("web:person", args=[p.slug]))
    return {"id": p.pk, "slug": p.slug, "url": url, "name": p.name, "href": p.href, "img": p.img}


@api.get("/people", response={200: PersonPage, **_errors(400)}, tags=["people"])
def list_people(
    request: HttpRequest, cursor: str | None = None, limit: int = Query(20, ge=1, le=MAX_LIMIT)
) -> Any:
    """Hosts and guests named by feeds (podcast:person), each with `url`, their page on this site. One
    person across feeds when their href, or their exact name and image, agree."""
    people = Person.objects.order_by("pk")
    if cursor:
        people = people.filter(pk__gt=int(decode("people", cursor).get("id", 0)))
    page = list(people[: limit + 1])
    next_cursor = encode("people", {"id": page[limit - 1].pk}) if len(page) > limit else None
    return {"items": [_person(p, request) for p in page[:limit]], "next_cursor": next_cursor}


@api.get("/people/{person_id}", response={200: PersonOut, **_errors(404)}, tags=["people"])
def get_person(request: HttpRequest, person_id: int) -> Any:
    """One person, with `url`, their page on this site (every episode they appear in, across shows)."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ApiError(404, f"no person with id {person_id}", field="person_id")
    return _person(person, request)


@api.get("/search", response={200: SearchOut, **_errors(400, 404)}, tags=["search"])
def search(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=500, description='words, "phrases", -exclusions, OR'),
    kind: Literal["shows", "episodes"] = "episodes",
    category: str | None = None,
    language: str | None = Query(None, max_length=35),
    show: int | None = Query(None, ge=1, le=MAX_ID),
    since: DateTime | None = None,
    until: DateTime | None = None,
    clean: bool = False,
    prefix: bool = False,
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
) -> Any:
    """Full-text search of shows or episodes, best match first, with highlighted titles and snippets."""
    offset = int(decode("search", cursor).get("o", 0)) if cursor else 0
    filters = search_api.Filters(
        show_id=show, category=category, language=language, since=since, until=until, exclude_explicit=clean
    )
    if category and not Category.objects.filter(slug=category).exists():
        raise ApiError(404, f"no category with slug {category!r}", field="category")
    results = search_api.search(q, kind=kind, filters=filters, limit=limit, offset=offset, prefix=prefix)
    objects = [hit.obj for hit in results.hits]
    root = site_root(request)
    if kind == "shows":
        shows = dict(zip([o.pk for o in objects], serialize.shows(objects, root), strict=True))
        episodes: dict[int, Any] = {}
    else:
        shows = {}
        episodes = dict(zip([o.pk for o in objects], serialize.episodes(objects, root), strict=True))
    items = [
        {
            "kind": kind,
            "id": hit.id,
            "score": round(hit.score, 6),
            "title_html": str(hit.title_html),
            "snippet_html": str(hit.snippet_html),
            "show": shows.get(hit.id),
            "episode": episodes.get(hit.id),
        }
        for hit in results.hits
    ]
    next_cursor = encode("search", {"o": offset + limit}) if results.has_next else None
    return {
        "query": q,
        "kind": kind,
        "total": results.total,
        "total_capped": results.total_capped,
        "items": items,
        "next_cursor": next_cursor,
    }


@api.get("/search/suggest", response={200: SuggestOut, **_errors(400)}, tags=["search"])
def suggest(
    request: HttpRequest, q: str = Query("", max_length=200), limit: int = Query(8, ge=1, le=20)
) -> Any:
    """Titles for a search-as-you-type box: the last word counts as a prefix."""
    items = [
        {"kind": s.kind, "id": s.id, "title": s.title, "title_html": str(s.title_html), "url": s.url}
        for s in search_api.suggest(q, limit=limit)
    ]
    return {"query": q, "items": items}


@api.get("/charts", response={200: ChartOut, **_errors(404)}, tags=["charts"])
def charts(
    request: HttpRequest, category: str | None = None, limit: int = Query(20, ge=1, le=MAX_LIMIT)
) -> Any:
    """The most popular shows overall, or in a category (by slug)."""
    from lytt.charts.ranking import popular_shows

    selected = _category(category)
    return {
        "category": category,
        "items": serialize.shows(popular_shows(selected, limit), site_root(request)),
    }
