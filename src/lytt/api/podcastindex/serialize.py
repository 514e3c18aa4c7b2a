"""Catalogue objects in Podcast Index's field names and types (see docs/pi_api.json upstream)."""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils.html import strip_tags

from lytt.api.serialize import feed_urls
from lytt.catalog.media import public_media_url
from lytt.catalog.models import Episode, EpisodePerson, FeedSource, Show, ShowCategory
from lytt.catalog.podcastindex_categories import NAME_BY_ID, pi_ids_with_parent

SHORT_DESCRIPTION_WORDS = 100  # without `fulltext`, Podcast Index cuts text fields to 100 words


def epoch(value: datetime | None) -> int:
    return int(value.timestamp()) if value else 0


def pretty_date(value: datetime | None) -> str:
    if value is None:
        return ""
    hour = value.hour % 12 or 12
    return f"{value.strftime('%B %d, %Y')} {hour}:{value.strftime('%M')}{'am' if value.hour < 12 else 'pm'}"


def url_hash(url: str) -> int:
    return zlib.crc32(url.encode()) if url else 0


def text(value: str, fulltext: bool) -> str:
    if fulltext:
        return value
    words = value.split()
    if len(words) <= SHORT_DESCRIPTION_WORDS:
        return value
    return " ".join(words[:SHORT_DESCRIPTION_WORDS]) + "..."


def categories_for(show_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = defaultdict(dict)
    rows = (
        ShowCategory.objects.filter(show_id__in=list(show_ids))
        .select_related("category__parent")
        .order_by("position")
    )
    for row in rows:
        parent = row.category.parent
        for pi_id in pi_ids_with_parent(row.category.apple_name, parent.apple_name if parent else None):
            out[row.show_id][str(pi_id)] = NAME_BY_ID[pi_id]
    return out


def original_urls(show_ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    rows = FeedSource.objects.filter(show_id__in=list(show_ids), private=False).order_by("-added_at", "-pk")
    for show_id, url in rows.values_list("show_id", "url"):
        if show_id is not None:
            out[show_id] = url  # the last write is the oldest source
    return out


def value_block(value: Any) -> dict[str, Any] | None:
    """podcast:value as `lytt.feeds` parses it (type, method, suggested, recipients) → model/destinations.

    None when there is none: the spec has `value` nullable, and it is sent as null rather than left out.
    """
    if not isinstance(value, dict) or not value.get("type"):
        return None
    destinations = []
    for recipient in value.get("recipients") or []:
        if not isinstance(recipient, dict):
            continue
        destination = {
            "name": recipient.get("name") or "",
            "address": recipient.get("address") or "",
            "type": recipient.get("type") or "",
            "split": int(recipient.get("split") or 0),
        }
        if recipient.get("fee"):
            destination["fee"] = True
        if recipient.get("custom_key"):
            destination["customKey"] = recipient["custom_key"]
        if recipient.get("custom_value"):
            destination["customValue"] = recipient["custom_value"]
        destinations.append(destination)
    return {
        "model": {
            "type": value.get("type") or "",
            "method": value.get("method") or "",
            "suggested": value.get("suggested") or "",
        },
        "destinations": destinations,
    }


def funding(items: Any) -> dict[str, str] | None:
    """The first podcast:funding tag; None (sent as null, which the spec allows) when there is none."""
    if isinstance(items, list) and items and isinstance(items[0], dict) and items[0].get("url"):
        return {"url": items[0]["url"], "message": items[0].get("text") or ""}
    return None


class FeedContext:
    """Everything the feed serialiser needs for a batch of shows, fetched in a few queries, and the site's
    root URL (`lytt.catalog.media.site_root`), under which the sample catalogue's media are published."""

    def __init__(self, shows: Sequence[Show], root: str) -> None:
        self.root = root
        ids = [s.pk for s in shows]
        self.sources: dict[int, FeedSource] = feed_urls(ids)
        self.original = original_urls(ids)
        self.categories = categories_for(ids)


def feed(show: Show, ctx: FeedContext, *, fulltext: bool = True) -> dict[str, Any]:
    source = ctx.sources.get(show.pk)
    out: dict[str, Any] = {
        "id": show.pk,
        "podcastGuid": show.podcast_guid,
        "title": show.title,
        "url": public_media_url(source.url, ctx.root) if source else "",
        "originalUrl": public_media_url(ctx.original.get(show.pk, source.url if source else ""), ctx.root),
        "link": show.link,
        "description": text(show.description_text, fulltext),
        "author": show.author,
        "ownerName": show.owner_name,
        "image": public_media_url(show.image_url, ctx.root),
        "artwork": public_media_url(show.image_url, ctx.root),
        "lastUpdateTime": epoch(show.updated_at),
        "lastCrawlTime": epoch(source.last_checked_at) if source else 0,
        "lastParseTime": epoch(source.last_success_at) if source else 0,
        "lastGoodHttpStatusTime": epoch(source.last_success_at) if source else 0,
        "lastHttpStatus": (source.last_status_code or 0) if source else 0,
        "contentType": "application/rss+xml",
        "itunesId": show.itunes_id,
        "itunesType": show.show_type or "episodic",
        "generator": "",
        "language": show.language,
        "explicit": bool(show.explicit),
        "type": 0,
        "medium": show.medium or "podcast",
        "dead": 1 if source is not None and source.status == FeedSource.Status.RETIRED else 0,
        "chash": "",
        "episodeCount": show.episode_count,
        "crawlErrors": source.error_count if source else 0,
        "parseErrors": 0,
        "categories": ctx.categories.get(show.pk, {}),
        "locked": 1 if show.locked else 0,
        "imageUrlHash": url_hash(show.image_url),
        "newestItemPubdate": epoch(show.latest_episode_at),
        "value": value_block((show.extra or {}).get("value")),
        "funding": funding(show.funding),
    }
    return out


def feeds(shows: Sequence[Show], root: str, *, fulltext: bool = True) -> list[dict[str, Any]]:
    ctx = FeedContext(shows, root)
    return [feed(s, ctx, fulltext=fulltext) for s in shows]


def _persons(episode_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in EpisodePerson.objects.filter(episode_id__in=list(episode_ids)).select_related("person"):
        out[row.episode_id].append(
            {
                "id": row.person_id,
                "name": row.person.name,
                "role": row.role,
                "group": row.group,
                "href": row.person.href,
                "img": row.person.img,
            }
        )
    return out


# The spec's enum of transcript types, and the other names feeds give the same formats.
TRANSCRIPT_TYPES = frozenset(
    {"application/json", "application/srt", "text/html", "text/plain", "text/srt", "text/vtt"}
)
_TRANSCRIPT_ALIASES = {
    "application/x-subrip": "application/srt",
    "text/x-srt": "text/srt",
    "text/x-vtt": "text/vtt",
    "application/vtt": "text/vtt",
}


def _transcripts(value: Any, root: str) -> list[dict[str, str]]:
    """Transcripts whose type the spec's enum can name (aliases mapped onto it); others are left out."""
    if not isinstance(value, list):
        return []
    out = []
    for t in value:
        if not isinstance(t, dict) or not t.get("url"):
            continue
        kind = str(t.get("type") or "").strip().lower()
        kind = _TRANSCRIPT_ALIASES.get(kind, kind)
        if kind in TRANSCRIPT_TYPES:
            out.append({"url": public_media_url(str(t["url"]), root), "type": kind})
    return out


def _first_transcript_url(value: Any, root: str) -> str | None:
    """`transcriptUrl` names the first transcript whatever its type."""
    for t in value if isinstance(value, list) else []:
        if isinstance(t, dict) and t.get("url"):
            return public_media_url(str(t["url"]), root)
    return None


def _soundbites(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    out = []
    for bite in value:
        if isinstance(bite, dict) and bite.get("start_seconds") is not None:
            out.append(
                {
                    "startTime": int(float(bite["start_seconds"])),
                    "duration": int(float(bite.get("duration_seconds") or 0)),
                    "title": bite.get("title") or "",
                }
            )
    return out


def episodes(items: Sequence[Episode], root: str, *, fulltext: bool = False) -> list[dict[str, Any]]:
    shows = list({e.show_id: e.show for e in items}.values())
    ctx = FeedContext(shows, root)
    persons = _persons(e.pk for e in items)
    return [episode(e, ctx, persons.get(e.pk, []), fulltext=fulltext) for e in items]


def episode(
    item: Episode, ctx: FeedContext, persons: list[dict[str, Any]], *, fulltext: bool
) -> dict[str, Any]:
    show = item.show
    source = ctx.sources.get(show.pk)
    description = item.description_html or item.description_text
    transcripts = _transcripts(item.transcripts, ctx.root)
    soundbites = _soundbites(item.soundbites)
    out: dict[str, Any] = {
        "id": item.pk,
        "title": item.title,
        "link": item.link,
        "description": description if fulltext else text(strip_tags(description), False),
        "guid": item.guid,
        "datePublished": epoch(item.published_at),
        "datePublishedPretty": pretty_date(item.published_at),
        "dateCrawled": epoch(item.created_at),
        "enclosureUrl": public_media_url(item.enclosure_url, ctx.root),
        "enclosureType": item.enclosure_type,
        "enclosureLength": item.enclosure_length or 0,
        "duration": item.duration_seconds,
        "explicit": 1 if (item.explicit if item.explicit is not None else show.explicit) else 0,
        "episode": item.episode_number,
        "episodeType": item.episode_type or "full",
        "season": item.season or 0,
        "image": public_media_url(item.image_url, ctx.root),
        "imageUrlHash": url_hash(item.image_url),
        "feedItunesId": show.itunes_id,
        "feedImage": public_media_url(show.image_url, ctx.root),
        "feedImageUrlHash": url_hash(show.image_url),
        "feedId": show.pk,
        "feedUrl": public_media_url(source.url, ctx.root) if source else "",
        "feedTitle": show.title,
        "feedAuthor": show.author,
        "feedLanguage": show.language,
        "feedDead": 1 if source is not None and source.status == FeedSource.Status.RETIRED else 0,
        "feedDuplicateOf": None,
        "podcastGuid": show.podcast_guid,
        "chaptersUrl": public_media_url(item.chapters_url, ctx.root) or None,
        "transcriptUrl": _first_transcript_url(item.transcripts, ctx.root),
        "transcripts": transcripts,
        "persons": persons,
        "soundbites": soundbites,
        "socialInteract": [],
        "soundbite": soundbites[0] if soundbites else None,
        "value": value_block((item.extra or {}).get("value")) or value_block((show.extra or {}).get("value")),
    }
    return out
