"""Rendered fragments shared by many pages, cached for a few minutes, and the rows they list.

The "Popular in …" list is the same on every page of a category, and a show's episode list is the same on
all of its episode pages; rendering them once per language and reusing the HTML keeps cold page renders
cheap. Keys carry what invalidates them (the charts' computation time, the show's last update). Rows are
formatted in Python before they reach a template: a template loop then only prints strings, without a
{% url %} or a filter call per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lytt.accounts.models import PlayProgress
from lytt.catalog.models import Category, Show
from lytt.catalog.newest import new_shows
from lytt.charts.models import ShowPopularity
from lytt.web import formatting, marks, queries
from lytt.web.media import playable_url

FRAGMENT_SECONDS = 300
_ITEMS = "\x00items\x00"  # stands for the list items while the popular block's frame is rendered
_SEP = "\x00"  # between items rendered together


@dataclass(frozen=True, slots=True)
class ListedEpisode:
    """An episode as lists print it: every value already a display string ('' when unknown); `actions`
    is the row's play button and mark placeholder (`lytt.web.marks`)."""

    url: str
    title: str
    excerpt: str
    published_iso: str
    published_day: str
    duration: str
    actions: SafeString
    show_url: str = ""
    show_title: str = ""
    number: str = ""  # "Episode 3" in a serial show's list
    roles: str = ""  # on a person's page: their roles in the episode


def cached_fragment(key: str, render: Callable[[], str], timeout: int = FRAGMENT_SECONDS) -> SafeString:
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout)
    return mark_safe(html)  # rendered by our own templates, autoescaped there


def _language() -> str:
    return get_language() or "nb"


def path_maker(view: str, *leading: str) -> Callable[[str], str]:
    """reverse(view, args=[*leading, slug]) for many slugs: one reverse, then string joins.

    The last URL argument is a slug (letters, digits, '-' and '_'), which URLs carry unquoted.
    """
    head, _, tail = reverse(view, args=[*leading, "slug-probe"]).rpartition("slug-probe")
    return lambda slug: f"{head}{slug}{tail}"


def _when(published_at: datetime | None, language: str) -> tuple[str, str]:
    """(ISO 8601 in the reader's time zone, as the `date:'c'` filter gives, and the localised day)."""
    if published_at is None:
        return "", ""
    local = timezone.localtime(published_at)
    return local.isoformat(), formatting.format_day(local, language)


def _episode_number(row: queries.EpisodeListRow) -> str:
    if row.episode_number is None:
        return ""
    if row.season is not None:
        return _("Season %(season)s, episode %(number)s") % {
            "season": row.season,
            "number": row.episode_number,
        }
    return _("Episode %(number)s") % {"number": row.episode_number}


def _listed(
    row: queries.EpisodeListRow | queries.NewestRow,
    path: str,
    show_title: str,
    show_artwork: str,
    language: str,
    *,
    excerpt: str = "",
    show_url: str = "",
    number: str = "",
) -> ListedEpisode:
    """One listed episode with its row actions (`marks.row_actions`); `show_url` names the show on the row."""
    actions = marks.row_actions(
        episode_id=row.id,
        url=path,
        src=playable_url(row.enclosure_url),
        title=row.title,
        show=show_title,
        artwork=playable_url(row.image_url) or show_artwork,
        duration=row.duration_seconds,
    )
    return ListedEpisode(
        path,
        row.title,
        excerpt,
        *_when(row.published_at, language),
        formatting.format_duration(row.duration_seconds, language) if row.duration_seconds else "",
        actions,
        show_url,
        show_title if show_url else "",
        number,
    )


def episode_rows(show: Show, rows: list[queries.EpisodeListRow]) -> list[ListedEpisode]:
    """A show's episode list; a serial show's rows say their episode number."""
    language = _language()
    serial = show.show_type == "serial"
    url = path_maker("web:episode", show.slug)
    show_artwork = playable_url(show.image_url)
    return [
        _listed(
            row,
            url(row.slug),
            show.title,
            show_artwork,
            language,
            excerpt=formatting.excerpt(row.description_text, 220),
            number=_episode_number(row) if serial else "",
        )
        for row in rows
    ]


def newest_rows(rows: list[queries.NewestRow]) -> list[ListedEpisode]:
    language = _language()
    show_path = path_maker("web:show")
    return [
        _listed(
            row,
            reverse("web:episode", args=[row.show_slug, row.slug]),
            row.show_title,
            playable_url(row.show_image_url),
            language,
            show_url=show_path(row.show_slug),
        )
        for row in rows
    ]


def resume_rows(progress: list[PlayProgress]) -> list[ListedEpisode]:
    """Continue listening: each row's button says where play resumes."""
    language = _language()
    listed = []
    for mark in progress:
        episode = mark.episode
        path = reverse("web:episode", args=[episode.show.slug, episode.slug])
        listed.append(
            ListedEpisode(
                path,
                episode.title,
                "",
                *_when(episode.published_at, language),
                formatting.format_duration(episode.duration_seconds, language)
                if episode.duration_seconds
                else "",
                marks.row_actions_for(episode, path, marks.resume_label(mark.position)),
                reverse("web:show", args=[episode.show.slug]),
                episode.show.title,
            )
        )
    return listed


def newest_block(category: Category, limit: int) -> SafeString:
    """A category's newest episodes, as its page lists them (cached like the other shared fragments)."""

    def render() -> str:
        rows = newest_rows(queries.newest_episodes(limit, queries.category_shows(category)))
        return render_to_string("lytt/_newest.html", {"newest": rows, "category": category})

    return cached_fragment(f"lytt:newest:{category.pk}:{limit}:{_language()}", render)


def _charts_version() -> str:
    version = cache.get("lytt:charts-version")
    if version is None:
        latest = ShowPopularity.objects.order_by("-computed_at").values_list("computed_at", flat=True).first()
        version = latest.isoformat() if latest else "none"
        cache.set("lytt:charts-version", version, 60)
    return str(version)


@dataclass(frozen=True, slots=True)
class _PopularParts:
    head: str
    items: tuple[tuple[int, str], ...]  # (show id, rendered <li>)
    tail: str
    empty: str


def _render_popular(category_id: int | None, limit: int) -> _PopularParts:
    from lytt.charts.ranking import popular_shows

    category = Category.objects.filter(pk=category_id).first() if category_id is not None else None
    shows = popular_shows(category, limit)
    show_path = path_maker("web:show")
    rows = [
        {
            "image_url": s.image_url,
            "image": playable_url(s.image_url),
            "url": show_path(s.slug),
            "title": s.title,
        }
        for s in shows
    ]
    # One render for all items, cut apart again: each page keeps all but the show it is about.
    rendered = render_to_string("lytt/_popular_items.html", {"items": rows, "sep": _SEP}).split(_SEP)
    items = tuple((show.pk, html) for show, html in zip(shows, rendered, strict=False))
    frame = render_to_string("lytt/_popular.html", {"items": mark_safe(_ITEMS), "category": category})
    head, _, tail = frame.partition(_ITEMS)
    empty = render_to_string("lytt/_popular.html", {"items": "", "category": category})
    return _PopularParts(head, items, tail, empty)


def popular_block(category_id: int | None, exclude_id: int | None, limit: int) -> SafeString:
    """The "Popular in <category>" section without the show being viewed (`exclude_id`).

    Cached per category and language as the section's frame plus its items, so a page only joins strings;
    the category itself is read from the database only when the block is rendered.
    """
    key = ":".join(
        ["lytt:popular-block", str(category_id or "all"), str(limit), _language(), _charts_version()]
    )
    parts = cache.get(key)
    if parts is None:
        parts = _render_popular(category_id, limit + 1)
        cache.set(key, parts, FRAGMENT_SECONDS)
    chosen = [html for show_id, html in parts.items if show_id != exclude_id][:limit]
    if not chosen:
        return mark_safe(parts.empty)
    return mark_safe(parts.head + "".join(chosen) + parts.tail)  # all rendered (and escaped) by templates


def trending_block(limit: int) -> SafeString:
    """Home's "Trending" section, or nothing while no show is rising. The charts compute trending with
    popularity, so the key carries the charts' version as "Popular"'s does."""
    from lytt.charts.ranking import trending_shows

    def render() -> str:
        shows = [show for show, _ in trending_shows(limit)]
        return render_to_string("lytt/_home_shows.html", {"shows": shows, "section": "trending"})

    return cached_fragment(f"lytt:trending:{limit}:{_language()}:{_charts_version()}", render)


def new_shows_block(limit: int) -> SafeString:
    """Home's "New shows" section, or nothing; a show first seen lately appears once the fragment expires,
    as a new episode does in the newest episodes' lists."""

    def render() -> str:
        shows = new_shows(limit, timezone.now())
        return render_to_string("lytt/_home_shows.html", {"shows": shows, "section": "new-shows"})

    return cached_fragment(f"lytt:new-shows:{limit}:{_language()}", render)


def episode_list_block(show: Show, page: int, per_page: int) -> SafeString:
    def render() -> str:
        listing = queries.show_episodes(show.pk, page, per_page, oldest_first=show.show_type == "serial")
        context = {"show": show, "listing": listing, "episodes": episode_rows(show, listing.rows)}
        return render_to_string("lytt/_episode_list.html", context)

    stamp = show.updated_at.timestamp() if show.updated_at else 0
    key = f"lytt:episodes:{show.pk}:{stamp}:{page}:{per_page}:{get_language()}"
    return cached_fragment(key, render)
