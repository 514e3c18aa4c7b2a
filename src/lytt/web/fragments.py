"""Rendered fragments shared by many pages, cached for a few minutes.

The "Popular in …" list is the same on every page of a category, and a show's episode list is the same on
all of its episode pages; rendering them once per language and reusing the HTML keeps cold page renders
cheap. Keys carry what invalidates them (the charts' computation time, the show's last update).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from lytt.catalog.models import Category, Show
from lytt.charts.models import ShowPopularity
from lytt.web import queries

FRAGMENT_SECONDS = 300


def cached_fragment(key: str, render: Callable[[], str], timeout: int = FRAGMENT_SECONDS) -> SafeString:
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout)
    return mark_safe(html)  # rendered by our own templates, autoescaped there


def _charts_version() -> str:
    version = cache.get("lytt:charts-version")
    if version is None:
        latest = ShowPopularity.objects.order_by("-computed_at").values_list("computed_at", flat=True).first()
        version = latest.isoformat() if latest else "none"
        cache.set("lytt:charts-version", version, 60)
    return str(version)


def _popular_items(category: Category | None, limit: int) -> list[tuple[int, str]]:
    """(show id, rendered <li>) for the top `limit` shows, cached per category and language."""
    from lytt.charts.ranking import popular_shows

    key = ":".join(
        [
            "lytt:popular",
            str(category.pk if category else "all"),
            str(limit),
            get_language() or "",
            _charts_version(),
        ]
    )
    items = cache.get(key)
    if items is None:
        items = [
            (show.pk, render_to_string("lytt/_popular_item.html", {"item": show}))
            for show in popular_shows(category, limit)
        ]
        cache.set(key, items, FRAGMENT_SECONDS)
    return list(items)


def popular_block(category: Category | None, exclude: Show | None, limit: int) -> SafeString:
    """The "Popular in <category>" section without `exclude` (the show being viewed)."""
    items = [
        html
        for show_id, html in _popular_items(category, limit + 1)
        if exclude is None or show_id != exclude.pk
    ]
    joined = mark_safe("".join(items[:limit]))  # each item rendered (and escaped) by its template
    return mark_safe(render_to_string("lytt/_popular.html", {"items": joined, "category": category}))


def episode_list_block(show: Show, page: int, per_page: int) -> SafeString:
    def render() -> str:
        listing = queries.show_episodes(show, page, per_page)
        return render_to_string("lytt/_episode_list.html", {"show": show, "listing": listing})

    stamp = show.updated_at.timestamp() if show.updated_at else 0
    key = f"lytt:episodes:{show.pk}:{stamp}:{page}:{per_page}:{get_language()}"
    return cached_fragment(key, render)
