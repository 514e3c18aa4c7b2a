"""The few queries the pages make, each bounded and served by an index.

Lists select only the columns they show, as plain rows rather than model instances (a page of rows is read
once and formatted once); shows keep `episode_count`, so nothing counts on request; show pages page with
LIMIT/OFFSET over `(show, -published_at)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Q, QuerySet

from lytt.catalog.models import Category, Episode, Show, ShowCategory
from lytt.catalog.newest import newest_episode_ids

SHOW_LIST_FIELDS = ("id", "slug", "title", "author", "image_url", "latest_episode_at", "episode_count")
# What an episode page shows, of the episode and of its show: a page query compiles and converts only these.
EPISODE_PAGE_FIELDS = (
    "id",
    "slug",
    "title",
    "published_at",
    "duration_seconds",
    "episode_number",
    "enclosure_url",
    "enclosure_type",
    "image_url",
    "description_html",
    "description_text",
    "chapters",
    "chapters_url",
    "transcripts",
    "show",
    "show__id",
    "show__slug",
    "show__title",
    "show__image_url",
    "show__primary_category_id",
    "show__episode_count",
    "show__updated_at",
)
MAX_PAGE = 10_000
LINKS_SECONDS = 300


class EpisodeListRow(NamedTuple):
    id: int
    slug: str
    title: str
    published_at: datetime | None
    duration_seconds: int | None
    description_text: str
    enclosure_url: str
    image_url: str


class NewestRow(NamedTuple):
    id: int
    slug: str
    title: str
    published_at: datetime | None
    duration_seconds: int | None
    enclosure_url: str
    image_url: str
    show_slug: str
    show_title: str
    show_image_url: str


@dataclass(frozen=True, slots=True)
class EpisodePage:
    rows: list[EpisodeListRow]
    page: int
    has_next: bool


def parse_page(raw: str | None) -> int:
    """?page=N as a positive int; anything else is page 1 (a bad page number is not worth an error)."""
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


def episode_with_show(show_slug: str, episode_slug: str) -> Episode | None:
    """An episode and its show (`episode.show`) in one query over two unique indexes."""
    found = (
        Episode.objects.select_related("show")
        .only(*EPISODE_PAGE_FIELDS)
        .filter(show__slug=show_slug, slug=episode_slug)
        .order_by()[:1]  # unique: no ORDER BY to plan
    )
    return next(iter(found), None)


def show_episodes(show_id: int, page: int, per_page: int) -> EpisodePage:
    """One page of a show's episodes, newest first, fetching one extra row to know if there is more."""
    start = (page - 1) * per_page
    rows = [
        EpisodeListRow(*row)
        for row in Episode.objects.filter(show_id=show_id)
        .order_by("-published_at", "-id")
        .values_list(*EpisodeListRow._fields)[start : start + per_page + 1]
    ]
    return EpisodePage(rows[:per_page], page, len(rows) > per_page)


_NEWEST_COLUMNS = (
    "pk",
    "slug",
    "title",
    "published_at",
    "duration_seconds",
    "enclosure_url",
    "image_url",
    "show__slug",
    "show__title",
    "show__image_url",
)


def newest_episodes(limit: int, shows: QuerySet[Show] | None = None) -> list[NewestRow]:
    """The newest dated episodes of visible shows, or of `shows` (found show first: `lytt.catalog.newest`)."""
    ids = newest_episode_ids(Episode.objects.all(), limit, shows)
    rows = {
        row[0]: NewestRow(*row) for row in Episode.objects.filter(pk__in=ids).values_list(*_NEWEST_COLUMNS)
    }
    return [rows[pk] for pk in ids if pk in rows]


def category_shows(category: Category) -> QuerySet[Show]:
    """The shows listed in a category or its subcategories."""
    listed = ShowCategory.objects.filter(Q(category=category) | Q(category__parent=category))
    return Show.objects.filter(pk__in=listed.values("show_id"))


def visible_shows() -> QuerySet[Show]:
    return Show.objects.filter(hidden=False).only(*SHOW_LIST_FIELDS)


def featured_shows(limit: int) -> list[Show]:
    return list(visible_shows().filter(featured=True).order_by("-latest_episode_at")[:limit])


def show_category_id(show: Show) -> int | None:
    """The category a show's "Popular in" list uses: its primary one, else its first listed."""
    if show.primary_category_id:
        return int(show.primary_category_id)
    first = (
        ShowCategory.objects.filter(show_id=show.pk)
        .order_by("position", "category_id")
        .values_list("category_id", flat=True)
        .first()
    )
    return int(first) if first is not None else None


def show_links(show: Show) -> tuple[list[Category], str | None, bool]:
    """A show's categories, its oldest public feed URL, and whether it awaits its first crawl (no episodes,
    and none of its feeds read yet: a show listed from the Podcast Index dump), for its own page; cached
    with its episode list."""

    def read() -> tuple[list[Category], str | None, bool]:
        feeds = list(show.feeds.order_by("id").values_list("url", "private", "last_success_at"))
        feed_url = next((url for url, private, _ in feeds if not private), None)
        uncrawled = show.episode_count == 0 and not any(read_at for _, _, read_at in feeds)
        return list(show.categories.all()), feed_url, uncrawled

    key = f"lytt:show-links:{show.pk}:{show.updated_at.timestamp() if show.updated_at else 0}"
    links: tuple[list[Category], str | None, bool] | None = cache.get(key)
    if links is None:
        links = read()
        cache.set(key, links, LINKS_SECONDS)
    return links


def top_categories() -> list[Category]:
    return list(Category.objects.filter(parent__isnull=True).order_by("position", "name_en"))
