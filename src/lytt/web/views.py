"""Pages: home, show, episode, categories. Thin: queries live in `queries`, formatting in `formatting`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_safe

from lytt.accounts.models import PlayProgress
from lytt.accounts.services import continue_listening, newest_position
from lytt.catalog import attachments
from lytt.catalog.media import public_media_url, site_root
from lytt.catalog.models import Category, Episode, Show
from lytt.charts.ranking import popular_shows
from lytt.feeds.feed_urls import is_private_feed_url
from lytt.web import browse, followalong, fragments, queries, structured
from lytt.web.cache_headers import page_cache
from lytt.web.formatting import parse_timestamp
from lytt.web.media import playable_url

EPISODES_ON_EPISODE_PAGE = 8
EPISODES_ON_SHOW_PAGE = 20
POPULAR_ON_PAGE = 20
HOME_LIST = 12
CONTINUE_ON_HOME = 10
NEWEST_IN_CATEGORY = 12
HIDE_PLAYED = "lytt:hide-played"
_SHOW_HEAVY = ("extra", "funding")


def _public_feed_url(url: str | None, request: HttpRequest) -> str | None:
    """The feed URL a page may show (a bundled sample's as this site serves it), never one with a secret."""
    if url is None or is_private_feed_url(url):
        return None
    return public_media_url(url, site_root(request))


@require_safe
@page_cache()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    resume = continue_listening(user, CONTINUE_ON_HOME) if isinstance(user, User) else []
    context = {
        "resume": fragments.resume_rows(resume),
        "popular": popular_shows(None, HOME_LIST),
        "trending": fragments.trending_block(HOME_LIST),
        "new_shows": fragments.new_shows_block(HOME_LIST),
        "newest": fragments.newest_rows(queries.newest_episodes(HOME_LIST)),
        "featured": queries.featured_shows(HOME_LIST),
        "categories": queries.top_categories(),
        "canonical": request.build_absolute_uri("/"),
    }
    return render(request, "lytt/home.html", context)


@require_safe
@page_cache()
def show_page(request: HttpRequest, show_slug: str) -> HttpResponse:
    show = get_object_or_404(Show.objects.defer(*_SHOW_HEAVY), slug=show_slug)
    page = queries.parse_page(request.GET.get("page"))
    categories, feed_url, uncrawled = queries.show_links(show)
    url = request.build_absolute_uri(reverse("web:show", args=[show.slug]))
    image = playable_url(show.image_url, request)
    public_feed = _public_feed_url(feed_url, request)
    context = {
        "show": show,
        "episode_list": fragments.episode_list_block(show, page, EPISODES_ON_SHOW_PAGE),
        "uncrawled": uncrawled,
        "hide_played": _hide_played(request),
        "feed_url": public_feed,
        "categories": categories,
        "people": queries.show_people(show),
        "popular": fragments.popular_block(queries.show_category_id(show), show.pk, POPULAR_ON_PAGE),
        "canonical": url,
        "image": image,
        "ld_json": structured.ld_json(
            structured.series(
                name=show.title,
                url=url,
                description=show.description_text,
                image=image,
                author=show.author,
                feed_url=public_feed,
            )
        ),
    }
    return render(request, "lytt/show.html", context)


def _hide_played(request: HttpRequest) -> bool:
    """?hide=played hides played episodes, ?hide=none shows them; a signed-in listener's choice is kept in
    their session (an anonymous visitor gets no session, which would keep their pages out of the cache)."""
    asked = request.GET.get("hide")
    signed_in = isinstance(request.user, User)
    if asked in ("played", "none"):
        hide = asked == "played"
        if signed_in and request.session.get(HIDE_PLAYED, False) != hide:
            request.session[HIDE_PLAYED] = hide
        return hide
    return signed_in and bool(request.session.get(HIDE_PLAYED, False))


def _known_position(request: HttpRequest, episode: Episode) -> PlayProgress | None:
    """A signed-in listener's newest position in `episode` (the player compares it with the browser's)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return newest_position(user, episode.pk)


@require_safe
@page_cache()
def episode_page(request: HttpRequest, show_slug: str, episode_slug: str) -> HttpResponse:
    episode = queries.episode_with_show(show_slug, episode_slug)
    if episode is None:
        raise Http404("No such episode")
    show = episode.show
    page = queries.parse_page(request.GET.get("page"))
    url = request.build_absolute_uri(reverse("web:episode", args=[show.slug, episode.slug]))
    show_url = request.build_absolute_uri(reverse("web:show", args=[show.slug]))
    image = playable_url(episode.image_url or show.image_url, request)
    audio = playable_url(episode.enclosure_url, request)
    chapters, transcript = _follow_along(episode)
    context = {
        "show": show,
        "episode": episode,
        "people": queries.episode_people(episode),
        "episode_list": fragments.episode_list_block(show, page, EPISODES_ON_EPISODE_PAGE),
        "popular": fragments.popular_block(queries.show_category_id(show), show.pk, POPULAR_ON_PAGE),
        "canonical": url,
        "image": image,
        "audio": audio,
        "start_at": parse_timestamp(request.GET.get("t")),
        "known": _known_position(request, episode),
        "chapters": chapters,
        "transcript": transcript,
        "ld_json": structured.ld_json(
            structured.episode(
                name=episode.title,
                url=url,
                description=episode.description_text,
                date_published=episode.published_at.isoformat() if episode.published_at else None,
                duration_seconds=episode.duration_seconds,
                audio_url=audio,
                audio_type=episode.enclosure_type,
                image=image,
                series_name=show.title,
                series_url=show_url,
                episode_number=episode.episode_number,
            )
        ),
    }
    return render(request, "lytt/episode.html", context)


def _follow_along(episode: Episode) -> tuple[SafeString, dict[str, Any] | None]:
    """The episode's chapters (the fetched file's, else the feed's inline ones) and its stored transcript,
    as HTML. One query for an episode that links files (none for one that does not), which reads the HTML
    rendered when the files were stored (`followalong.stored_html`)."""
    stored = attachments.stored_for_episode(episode.pk) if episode.chapters_url or episode.transcripts else {}
    label = gettext("Link")
    chapters = SafeString()
    chapter_file = stored.get(attachments.Kind.CHAPTERS)
    if chapter_file is not None:
        chapters = followalong.with_link_label(followalong.stored_html(chapter_file), label)
    if not chapters and episode.chapters:
        chapters = followalong.chapter_list(episode.chapters, label)
    transcript = stored.get(attachments.Kind.TRANSCRIPT)
    if transcript is None:
        return chapters, None
    lines = mark_safe(followalong.stored_html(transcript))  # rendered by followalong, escaped there
    return chapters, (
        {"lines": lines, "language": transcript.language, "url": transcript.url} if lines else None
    )


@require_safe
@page_cache()
def category_index(request: HttpRequest) -> HttpResponse:
    categories = list(Category.objects.order_by("position", "name_en"))
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    tree = [(c, children.get(c.pk, [])) for c in categories if c.parent_id is None]
    return render(
        request,
        "lytt/categories.html",
        {"tree": tree, "canonical": request.build_absolute_uri(reverse("web:categories"))},
    )


@require_safe
@page_cache()
def category_page(request: HttpRequest, category_slug: str) -> HttpResponse:
    category = get_object_or_404(Category.objects.select_related("parent"), slug=category_slug)
    order = browse.order_named(request.GET.get("sort"))
    listing = browse.category_shows_page(
        category,
        order,
        after=browse.parse_position(order, request.GET.get("after")),
        before=browse.parse_position(order, request.GET.get("before")),
    )
    context = {
        "category": category,
        "subcategories": list(category.children.order_by("position", "name_en")),
        "listing": listing,
        "sorts": _sort_links(order),
        "next_url": _listing_url(order, "after", listing.next_after),
        "previous_url": _listing_url(order, "before", listing.previous_before),
        "newest": fragments.newest_block(category, NEWEST_IN_CATEGORY),
        "canonical": request.build_absolute_uri(reverse("web:category", args=[category.slug])),
    }
    return render(request, "lytt/category.html", context)


def _sort_links(current: browse.Order) -> list[tuple[str, str, bool]]:
    """(label, URL, is the current sort) for each way a category's shows can be sorted."""
    labels = {
        "popular": pgettext("sort shows", "Popular"),
        "newest": pgettext("sort shows", "Newest episode"),
        "az": pgettext("sort shows", "A–Z"),
    }
    return [(labels[name], f"?{urlencode({'sort': name})}", name == current.name) for name in browse.ORDERS]


def _listing_url(order: browse.Order, direction: str, position: str | None) -> str | None:
    return None if position is None else f"?{urlencode({'sort': order.name, direction: position})}"


def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("django.contrib.sitemaps.views.index"))
    body = "\n".join(
        [
            "User-agent: *",
            "Disallow: /admin/",
            "Disallow: /accounts/",
            "Disallow: /charts/",
            "Disallow: /search/",
            f"Sitemap: {sitemap}",
            "",
        ]
    )
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
