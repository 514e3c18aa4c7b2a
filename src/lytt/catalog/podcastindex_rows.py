"""Rows of the Podcast Index dump (`podcastindex_feeds.db`, table `podcasts`) read into what Lytt stores.

Pure: a row's values in `COLUMNS` order in, a `DumpRow` out, or `BadRow` naming the column at fault.
The show's fields are what `lytt.catalog.rows.show_fields` makes of the row's `lytt.feeds.model.Feed`,
exactly as a crawl would shape them; they are computed from the row's cells directly (`_show_values`:
building a `Feed` of fifty fields for the dozen a row has, then reading them back, was a third of reading
a row), and the `Feed` only when asked for (`DumpRow.feed`). The dump's known quirks:

- ``podcastGuid`` is not unique (one GUID sits on thousands of rows): the caller passes the GUIDs seen
  on more than one row as `shared_guids`, and those, like anything that is not a UUID, are dropped;
- ``itunesId`` is an integer, empty, or text: only a positive integer (or all-digit text) is kept;
- ``language`` comes in any case, or blank: lower-cased as a feed's is, blank is none;
- ``description`` holds HTML: sanitised like show notes (`lytt.feeds.html.sanitize_with_text`);
- ``dead`` is 0 or 1, sometimes as text; ``explicit`` likewise;
- ``category1`` ... ``category10`` hold Podcast Index's one-word names, mapped back onto the taxonomy
  (`podcastindex_categories.apple_categories`);
- ``popularityScore`` and ``priority`` are integers, empty or text: counted as popularity points
  (`dump_popularity`), nothing when they are not integers; ``newestItemPubdate`` is Unix time, or 0 or
  empty when unknown. ``updateFrequency`` is not read: Lytt's own cadence replaces it at the first crawl.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from lytt.catalog import rows
from lytt.catalog.collation import sort_key
from lytt.catalog.podcastindex_categories import apple_categories
from lytt.feeds.feed_urls import InvalidFeedURL, normalise_feed_url, resolve_url
from lytt.feeds.html import sanitize_with_text
from lytt.feeds.model import Feed, Owner

TABLE = "podcasts"
CATEGORY_COLUMNS = tuple(f"category{n}" for n in range(1, 11))
#: The columns the import reads, in the order `read_row` takes their values.
COLUMNS = (
    "id",
    "url",
    "title",
    "link",
    "dead",
    "itunesId",
    "itunesAuthor",
    "itunesOwnerName",
    "explicit",
    "imageUrl",
    "itunesType",
    "language",
    "podcastGuid",
    "description",
    "popularityScore",
    "priority",
    "newestItemPubdate",
    *CATEGORY_COLUMNS,
)
_CATEGORIES = slice(COLUMNS.index("category1"), None)
#: Dates before this (1995) or after `_LATEST` are no dates: a dump's zeros and typos.
_EARLIEST = 788_918_400
_LATEST = 4_102_444_800  # 2100
MAX_ITUNES_ID = 2**63 - 1
MAX_DUMP_SCORE = 1000
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class BadRow(ValueError):
    """A row the import skips (and counts): the message names the row's id and the column at fault."""


#: The `Feed` fields a row sets, in the order `DumpRow.parts` holds them.
_FEED_PARTS = (
    "title", "link", "description_html", "description_text", "author", "owner", "image", "language",
    "explicit", "type", "podcast_guid",
)  # fmt: skip
#: `rows.show_fields` of a feed that sets none of `_FEED_PARTS`: what every dump row's show has alike.
_SHOW_ALIKE = {
    name: value
    for name, value in rows.show_fields(Feed(), fallback_title="x").items()
    if name not in ("title", "sort_title", "author", "owner_name", "link", "description_html")
    and name not in ("description_text", "image_url", "language", "explicit", "show_type", "podcast_guid")
}


@dataclass(frozen=True, slots=True)
class DumpRow:
    pi_id: int
    url: str  # normalised (`normalise_feed_url`)
    dead: bool
    itunes_id: int | None
    #: The show's field values: `rows.show_fields` of `feed` (the URL's host when it has no title), and
    #: ``itunes_id``. A fresh dict per row.
    show: dict[str, Any]
    categories: tuple[tuple[str, str | None], ...]  # (main, sub), as `feed.categories`
    popularity: float = 0.0  # popularity points (`dump_popularity`)
    newest_item_at: datetime | None = None
    parts: tuple[Any, ...] = ()  # the values of `_FEED_PARTS`, for `feed`

    @property
    def feed(self) -> Feed:
        """The row as a parsed feed would carry it (built on each call)."""
        return Feed(**dict(zip(_FEED_PARTS, self.parts, strict=True)), categories=list(self.categories))


def read_row(values: Sequence[Any], shared_guids: Collection[str] = ()) -> DumpRow:
    """One row of `COLUMNS` values as a `DumpRow`; `BadRow` for an id that is no integer or a URL that
    is no feed URL. Dead rows are read too (the import retires what it knows of them)."""
    (raw_id, raw_url, title, link, dead, itunes_cell, author, owner, explicit, image, show_type, language,
     guid, description, score, priority, newest) = values[: _CATEGORIES.start]  # fmt: skip
    pi_id = integer(raw_id)
    if pi_id is None or pi_id <= 0 or pi_id > MAX_ITUNES_ID:
        raise BadRow(f"row id {str(raw_id)[:40]!r}: column 'id' is not a positive integer")
    try:
        url = normalise_feed_url(text(raw_url))
    except InvalidFeedURL as error:
        raise BadRow(f"row {pi_id}: column 'url': {error}") from None
    html, plain = sanitize_with_text(text(description) or None)
    owner_name = text(owner)
    parts = (
        text(title) or None,
        resolve_url(text(link), None),
        html,
        plain,
        text(author) or None,
        Owner(name=owner_name) if owner_name else None,
        resolve_url(text(image), None),
        text(language) or None,
        flag(explicit),
        show_type_of(text(show_type)),
        podcast_guid(text(guid), shared_guids),
    )
    categories = apple_categories(tuple(text(c) for c in values[_CATEGORIES] if c))
    show = _show_values(parts, url, itunes(itunes_cell))
    popularity = dump_popularity(integer(score), integer(priority))
    newest_at = unix_time(newest)
    itunes_id = show["itunes_id"]
    return DumpRow(pi_id, url, bool(flag(dead)), itunes_id, show, categories, popularity, newest_at, parts)


def _show_values(parts: tuple[Any, ...], url: str, itunes_id: int | None) -> dict[str, Any]:
    """`rows.show_fields` of the feed of `parts` (the URL's host its fallback title), and the iTunes id:
    the same cleaning, on the dozen fields a row sets (tests/catalog/test_podcastindex_rows checks them
    against `rows.show_fields`)."""
    title, link, html, plain, author, owner, image, language, explicit, show_type, guid = parts
    clean = rows.clean
    fallback = "" if title else urlsplit(url).hostname or url
    name = clean(title, 1000) or clean(fallback, 1000) or "Untitled podcast"
    return {
        **_SHOW_ALIKE,
        "funding": [],
        "extra": {},
        "title": name,
        "sort_title": sort_key(name),
        "author": clean(author, 1000),
        "owner_name": clean(owner.name if owner else None, 1000),
        "link": rows.clean_url(link),
        "description_html": rows.clean_text(html),
        "description_text": rows.clean_text(plain),
        "image_url": rows.clean_url(image),
        "language": clean(language, 35).lower(),
        "explicit": explicit,
        "show_type": show_type or "episodic",
        "podcast_guid": clean(guid, 64).lower(),
        "itunes_id": itunes_id,
    }


def dump_popularity(score: int | None, priority: int | None) -> float:
    """The dump's popularity in points (`lytt.crawl.tiers` explains the scale): `popularityScore`, plus
    a tenth per step of its crawl `priority`, so that priority orders feeds of equal score. Missing or
    negative values count nothing; a value past `MAX_DUMP_SCORE` (or a priority past 9) counts as it."""
    points = min(max(score or 0, 0), MAX_DUMP_SCORE)
    return points + min(max(priority or 0, 0), 9) / 10


def unix_time(value: Any) -> datetime | None:
    """A Unix time cell as an aware datetime; None for 0, empty, text or a date outside 1995..2100."""
    seconds = integer(value)
    if seconds is None or not _EARLIEST <= seconds < _LATEST:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def text(value: Any) -> str:
    """A cell as text: None is "", numbers are written out, surrounding whitespace goes."""
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).strip()


def integer(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    cell = text(value)
    return int(cell) if cell.isascii() and cell.isdigit() else None


def flag(value: Any) -> bool | None:
    """0/1 as an integer or text ("yes"/"true" too); None when the cell says neither."""
    number = integer(value)
    if number is not None:
        return number != 0
    cell = text(value).lower()
    if cell in ("yes", "true", "explicit"):
        return True
    if cell in ("no", "false", "clean"):
        return False
    return None


def itunes(value: Any) -> int | None:
    """Apple's id when the cell holds one (a positive integer, or text of digits), else None."""
    number = integer(value)
    return number if number is not None and 0 < number <= MAX_ITUNES_ID else None


def podcast_guid(value: str, shared_guids: Collection[str]) -> str | None:
    """A podcast:guid worth keeping: a UUID (any case) that no other row of the dump carries."""
    guid = value.lower()
    if not _UUID.fullmatch(guid) or guid in shared_guids:
        return None
    return guid


def show_type_of(value: str) -> Any:
    kind = value.lower()
    return kind if kind in ("episodic", "serial") else None
