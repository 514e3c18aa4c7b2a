"""The few queries the pages make, each bounded and served by an index.

Lists select only the columns they show, as plain rows rather than model instances (a page of rows is read
once and formatted once); shows keep `episode_count`, so nothing counts on request; show pages page with
LIMIT/OFFSET over `(show, -published_at)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import F, Q, QuerySet

from lytt.catalog.models import Category, Episode, EpisodePerson, Person, Show, ShowCategory, ShowPerson
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
    "show__show_type",
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
    episode_number: int | None
    season: int | None


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


def show_episodes(show_id: int, page: int, per_page: int, *, oldest_first: bool = False) -> EpisodePage:
    """One page of a show's episodes, newest first (or oldest first, as serial shows are told), fetching
    one extra row to know if there is more."""
    start = (page - 1) * per_page
    order = ("published_at", "id") if oldest_first else ("-published_at", "-id")
    rows = [
        EpisodeListRow(*row)
        for row in Episode.objects.filter(show_id=show_id)
        .order_by(*order)
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


class PersonLink(NamedTuple):
    """A person as an episode or show page links to them, with their roles there (as the feed wrote them)."""

    slug: str
    name: str
    img: str
    roles: tuple[str, ...]


def _person_links(rows: list[tuple[str, str, str, str]]) -> list[PersonLink]:
    roles: dict[str, list[str]] = {}
    people: dict[str, tuple[str, str]] = {}
    for slug, name, img, role in rows:
        people.setdefault(slug, (name, img))
        roles.setdefault(slug, [])
        if role not in roles[slug]:
            roles[slug].append(role)
    return [PersonLink(slug, name, img, tuple(roles[slug])) for slug, (name, img) in people.items()]


_LINK_COLUMNS = ("person__slug", "person__name", "person__img", "role")


def episode_people(episode: Episode) -> list[PersonLink]:
    """The people of an episode page, in feed order; cached with the show's episode list."""

    def read() -> list[PersonLink]:
        found = EpisodePerson.objects.filter(episode_id=episode.pk).order_by("pk").values_list(*_LINK_COLUMNS)
        return _person_links(list(found))

    show = episode.show
    stamp = show.updated_at.timestamp() if show.updated_at else 0
    return _cached(f"lytt:episode-people:{episode.pk}:{stamp}", read)


def show_people(show: Show) -> list[PersonLink]:
    """The people a show's feed names for the whole show, in feed order; cached with its episode list."""

    def read() -> list[PersonLink]:
        found = ShowPerson.objects.filter(show_id=show.pk).order_by("pk").values_list(*_LINK_COLUMNS)
        return _person_links(list(found))

    stamp = show.updated_at.timestamp() if show.updated_at else 0
    return _cached(f"lytt:show-people:{show.pk}:{stamp}", read)


def _cached(key: str, read: Callable[[], list[PersonLink]]) -> list[PersonLink]:
    found: list[PersonLink] | None = cache.get(key)
    if found is None:
        found = read()
        cache.set(key, found, LINKS_SECONDS)
    return found


@dataclass(frozen=True, slots=True)
class PersonEpisodes:
    """One page of a person's episodes across shows, newest first, and their roles in each."""

    rows: list[NewestRow]
    roles: dict[int, list[str]]
    page: int
    has_next: bool


def person_episodes(person: Person, page: int, per_page: int) -> PersonEpisodes:
    """Episodes of visible shows `person` appears in, newest first (undated last), a page at a time."""
    start = (page - 1) * per_page
    found = (
        Episode.objects.filter(episodeperson__person=person, show__hidden=False)
        .distinct()
        .order_by(F("published_at").desc(nulls_last=True), "-id")
        .values_list(*_NEWEST_COLUMNS)[start : start + per_page + 1]
    )
    rows = [NewestRow(*row) for row in found]
    ids = [row.id for row in rows[:per_page]]
    roles: dict[int, list[str]] = {}
    links = EpisodePerson.objects.filter(person=person, episode_id__in=ids).order_by("pk")
    for episode_id, role in links.values_list("episode_id", "role"):
        roles.setdefault(episode_id, []).append(role)
    return PersonEpisodes(rows[:per_page], roles, page, len(rows) > per_page)


def person_shows(person: Person) -> list[tuple[Show, list[str]]]:
    """The visible shows whose feeds name `person` for the whole show, with their roles, by title."""
    shows: dict[int, tuple[Show, list[str]]] = {}
    links = ShowPerson.objects.filter(person=person, show__hidden=False).select_related("show")
    for link in links.only("role", "show__slug", "show__title", "show__image_url").order_by(
        "show__title", "pk"
    ):
        shows.setdefault(link.show_id, (link.show, []))[1].append(link.role)
    return list(shows.values())
