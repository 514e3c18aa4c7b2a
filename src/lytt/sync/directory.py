"""Public directory endpoints of the gpodder.net API (toplist, search, tags, podcast and episode data)
and the authenticated suggestions, served from the catalogue. Formats: json, txt and opml.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse

from lytt.accounts.formats import opml_document, text_document
from lytt.accounts.models import Follow
from lytt.catalog.media import public_media_url, site_root, stored_media_url
from lytt.catalog.models import Category, Episode, FeedSource, Show, ShowCategory
from lytt.sync.auth import api_view, error
from lytt.sync.payloads import ApiError
from lytt.sync.podcasts import episode_json, podcast_json

MAX_COUNT = 100


def _count(raw: str) -> int:
    count = int(raw)
    if not 1 <= count <= MAX_COUNT:
        raise ApiError(f"count must be between 1 and {MAX_COUNT}")
    return count


def _public_shows() -> Any:
    """Listed shows with their follower count as `followers` (typed Any: mypy cannot see annotations)."""
    return Show.objects.filter(hidden=False).annotate(followers=Count("follows"))


def _feed_urls(shows: Iterable[Show]) -> dict[int, str]:
    ids = [s.pk for s in shows]
    urls: dict[int, str] = {}
    for show_id, url in (
        FeedSource.objects.filter(show_id__in=ids, private=False)
        .exclude(status__in=[FeedSource.Status.DUPLICATE, FeedSource.Status.RETIRED])
        .order_by("-added_at", "-id")
        .values_list("show_id", "url")
    ):
        urls[show_id] = url  # the oldest wins: ordered newest first
    return urls


def _render(request: HttpRequest, shows: list[Show], fmt: str, title: str) -> HttpResponse:
    root = site_root(request)
    urls = {show_id: public_media_url(url, root) for show_id, url in _feed_urls(shows).items()}
    listed = [s for s in shows if s.pk in urls]
    if fmt == "txt":
        return HttpResponse(
            text_document([urls[s.pk] for s in listed]), content_type="text/plain; charset=utf-8"
        )
    if fmt == "opml":
        body = opml_document(title, [(s.title, urls[s.pk]) for s in listed])
        return HttpResponse(body, content_type="text/x-opml; charset=utf-8")
    data = [podcast_json(request, urls[s.pk], s, getattr(s, "followers", 0)) for s in listed]
    return JsonResponse(data, safe=False)


@api_view(("GET",), auth=False)
def toplist(request: HttpRequest, count: str, fmt: str) -> HttpResponse:
    n = _count(count)
    shows = list(_public_shows().order_by("-followers", "-episode_count", "title")[:n])
    return _render(request, shows, fmt, "Lytt top list")


@api_view(("GET",), auth=False)
def search(request: HttpRequest, fmt: str) -> HttpResponse:
    from lytt.search import SearchError
    from lytt.search import search as run_search

    query = request.GET.get("q", "").strip()
    if not query:
        return error("search needs ?q=<words>")
    try:
        results = run_search(query, kind="shows", limit=MAX_COUNT)
    except SearchError as exc:
        return error(str(exc))
    ids = [hit.id for hit in results.hits]
    by_id = _public_shows().in_bulk(ids)
    shows = [by_id[i] for i in ids if i in by_id]
    return _render(request, shows, fmt, f"Lytt search: {query}")


@api_view(("GET",), user_in_path=False)
def suggestions(request: HttpRequest, user: User, count: str, fmt: str) -> HttpResponse:
    """Popular shows the listener does not follow yet, from the categories of the shows they follow."""
    n = _count(count)
    followed = Follow.objects.filter(user=user).values_list("show_id", flat=True)
    categories = ShowCategory.objects.filter(show_id__in=followed).values_list("category_id", flat=True)
    candidates = _public_shows().exclude(pk__in=followed)
    shows = list(candidates.filter(categories__in=categories).distinct().order_by("-followers", "title")[:n])
    if len(shows) < n:
        more = candidates.exclude(pk__in=[s.pk for s in shows]).order_by(
            "-followers", "-episode_count", "title"
        )
        shows += list(more[: n - len(shows)])
    return _render(request, shows, fmt, "Lytt suggestions")


@api_view(("GET",), auth=False)
def top_tags(request: HttpRequest, count: str) -> HttpResponse:
    n = _count(count)
    tags = (
        Category.objects.annotate(usage=Count("shows", filter=Q(shows__hidden=False)))
        .filter(usage__gt=0)
        .order_by("-usage", "slug")[:n]
    )
    return JsonResponse([{"tag": c.slug, "title": c.name_en, "usage": c.usage} for c in tags], safe=False)


@api_view(("GET",), auth=False)
def tag_podcasts(request: HttpRequest, tag: str, count: str) -> HttpResponse:
    n = _count(count)
    shows = list(_public_shows().filter(categories__slug=tag).distinct().order_by("-followers", "title")[:n])
    return _render(request, shows, "json", f"Lytt: {tag}")


def _show_for_feed(url: str) -> Show:
    feed = FeedSource.objects.filter(url=url, show__isnull=False, show__hidden=False).first()
    if feed is None or feed.show is None:
        raise ApiError(f"no podcast with the feed URL {url!r}", 404)
    return feed.show


@api_view(("GET",), auth=False)
def podcast_data(request: HttpRequest) -> HttpResponse:
    url = request.GET.get("url", "")
    if not url:
        return error("podcast data needs ?url=<feed URL>")
    show = _show_for_feed(stored_media_url(url, site_root(request)))
    return JsonResponse(podcast_json(request, url, show, Follow.objects.filter(show=show).count()))


@api_view(("GET",), auth=False)
def episode_data(request: HttpRequest) -> HttpResponse:
    podcast = request.GET.get("podcast", "")
    url = request.GET.get("url", "")
    if not podcast or not url:
        return error("episode data needs ?podcast=<feed URL>&url=<media URL>")
    root = site_root(request)
    show = _show_for_feed(stored_media_url(podcast, root))
    stored = stored_media_url(url, root)
    episode = Episode.objects.filter(show=show, enclosure_url=stored).select_related("show").first()
    if episode is None:
        return error(f"no episode with the media URL {url!r} in that podcast", 404)
    return JsonResponse(episode_json(request, episode, podcast))


@api_view(("GET",), auth=False)
def clientconfig(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/")
    return JsonResponse(
        {
            "mygpo": {"baseurl": base},
            "mygpo-feedservice": {"baseurl": base},
            "update_timeout": 604800,
        }
    )
