"""Turn catalogue objects into API v1 dictionaries (shaped like `lytt.api.schemas`).

`root` is the site's absolute root URL (`lytt.catalog.media.site_root`): the sample catalogue's media are
published under it, so that every URL in a response is one a client can fetch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from lytt.catalog.media import public_media_url
from lytt.catalog.models import Category, Episode, EpisodePerson, FeedSource, Show, ShowCategory


def feed_urls(show_ids: Iterable[int]) -> dict[int, FeedSource]:
    """The canonical feed per show: the oldest source that is not a duplicate or retired, else the oldest."""
    best: dict[int, FeedSource] = {}
    rank: dict[str, int] = {"active": 0, "new": 1, "error": 2}
    for source in FeedSource.objects.filter(show_id__in=list(show_ids), private=False).order_by(
        "added_at", "pk"
    ):
        assert source.show_id is not None
        current = best.get(source.show_id)
        if current is None or rank.get(source.status, 9) < rank.get(current.status, 9):
            best[source.show_id] = source
    return best


def show_categories(show_ids: Iterable[int]) -> dict[int, list[Category]]:
    out: dict[int, list[Category]] = defaultdict(list)
    rows = (
        ShowCategory.objects.filter(show_id__in=list(show_ids))
        .select_related("category")
        .order_by("position")
    )
    for row in rows:
        out[row.show_id].append(row.category)
    return out


def shows(items: Sequence[Show], root: str) -> list[dict[str, Any]]:
    ids = [s.pk for s in items]
    feeds = feed_urls(ids)
    categories = show_categories(ids)
    return [show(s, feeds.get(s.pk), categories.get(s.pk, []), root) for s in items]


def show(item: Show, feed: FeedSource | None, categories: list[Category], root: str) -> dict[str, Any]:
    return {
        "id": item.pk,
        "slug": item.slug,
        "url": f"/podcast/{item.slug}/",
        "title": item.title,
        "author": item.author,
        "description": item.description_text,
        "image_url": public_media_url(item.image_url, root),
        "link": item.link,
        "language": item.language,
        "explicit": item.explicit,
        "feed_url": public_media_url(feed.url, root) if feed else None,
        "podcast_guid": item.podcast_guid,
        "episode_count": item.episode_count,
        "latest_episode_at": item.latest_episode_at,
        "categories": [{"slug": c.slug, "name_en": c.name_en, "name_nb": c.name_nb} for c in categories],
    }


def episode_people(episode_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in EpisodePerson.objects.filter(episode_id__in=list(episode_ids)).select_related("person"):
        out[row.episode_id].append(
            {"id": row.person_id, "name": row.person.name, "role": row.role, "group": row.group}
        )
    return out


def _transcripts(value: Any, root: str) -> list[dict[str, str | None]]:
    if not isinstance(value, list):
        return []
    out: list[dict[str, str | None]] = []
    for item in value:
        if isinstance(item, dict) and item.get("url"):
            out.append(
                {
                    k: (str(item[k]) if item.get(k) is not None else None)
                    for k in ("url", "type", "language", "rel")
                }
                | {"url": public_media_url(str(item["url"]), root)}
            )
    return out


def episodes(items: Sequence[Episode], root: str) -> list[dict[str, Any]]:
    people = episode_people(e.pk for e in items)
    return [episode(e, people.get(e.pk, []), root) for e in items]


def episode(item: Episode, people: list[dict[str, Any]], root: str) -> dict[str, Any]:
    return {
        "id": item.pk,
        "show_id": item.show_id,
        "show_title": item.show.title,
        "slug": item.slug,
        "url": f"/podcast/{item.show.slug}/{item.slug}/",
        "title": item.title,
        "description": item.description_text,
        "description_html": item.description_html,
        "published_at": item.published_at,
        "duration_seconds": item.duration_seconds,
        "enclosure_url": public_media_url(item.enclosure_url, root),
        "enclosure_type": item.enclosure_type,
        "enclosure_length": item.enclosure_length,
        "image_url": public_media_url(item.image_url, root),
        "link": item.link,
        "guid": item.guid,
        "episode_number": item.episode_number,
        "season": item.season,
        "episode_type": item.episode_type,
        "explicit": item.explicit,
        "chapters_url": public_media_url(item.chapters_url, root),
        "transcripts": _transcripts(item.transcripts, root),
        "people": people,
    }
