"""The few queries the pages make, each bounded and served by an index.

Lists select only the columns they show (`LIST_FIELDS`), never count on request (shows keep
`episode_count`), and page with LIMIT/OFFSET over `(show, -published_at)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from lytt.catalog.models import Category, Episode, Show

EPISODE_LIST_FIELDS = (
    "id",
    "show_id",
    "slug",
    "title",
    "published_at",
    "duration_seconds",
    "description_text",
)
SHOW_LIST_FIELDS = ("id", "slug", "title", "author", "image_url", "latest_episode_at", "episode_count")
MAX_PAGE = 10_000


@dataclass(frozen=True, slots=True)
class EpisodePage:
    episodes: list[Episode]
    page: int
    has_next: bool


def parse_page(raw: str | None) -> int:
    """?page=N as a positive int; anything else is page 1 (a bad page number is not worth an error)."""
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


def show_episodes(show: Show, page: int, per_page: int) -> EpisodePage:
    """One page of a show's episodes, newest first, fetching one extra row to know if there is more."""
    start = (page - 1) * per_page
    rows = list(
        Episode.objects.filter(show=show)
        .only(*EPISODE_LIST_FIELDS)
        .order_by("-published_at", "-id")[start : start + per_page + 1]
    )
    return EpisodePage(rows[:per_page], page, len(rows) > per_page)


def newest_episodes(limit: int) -> list[Episode]:
    return list(
        Episode.objects.filter(show__hidden=False, published_at__isnull=False)
        .select_related("show")
        .only(*EPISODE_LIST_FIELDS, "show__slug", "show__title", "show__image_url")
        .order_by("-published_at")[:limit]
    )


def visible_shows() -> QuerySet[Show]:
    return Show.objects.filter(hidden=False).only(*SHOW_LIST_FIELDS)


def featured_shows(limit: int) -> list[Show]:
    return list(visible_shows().filter(featured=True).order_by("-latest_episode_at")[:limit])


def show_category(show: Show) -> Category | None:
    """The category a show's "Popular in" list uses: its primary one, else its first listed."""
    if show.primary_category_id:
        return Category.objects.filter(pk=show.primary_category_id).first()
    return show.categories.order_by("showcategory__position", "id").first()


def top_categories() -> list[Category]:
    return list(Category.objects.filter(parent__isnull=True).order_by("position", "name_en"))
