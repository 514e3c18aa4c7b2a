"""Pure translation of a parsed `Feed` into catalogue rows: field values, match keys, content hashes, slugs.

Nothing here touches the database, so ingest's rules can be tested (and property-tested) without one.

Match keys (`Episode.match_key`, unique per show) say which stored episode an incoming item is:

- ``sha256("g\\0" + guid)`` when the item has a guid (whitespace trimmed);
- else ``sha256("e\\0" + enclosure URL)``;
- else ``sha256("t\\0" + title + "\\0" + published date)`` (the ISO date, else the raw date text);
- an item with none of guid, enclosure, title or date cannot be told apart from others and is skipped.

The hash keeps the key at 64 characters whatever the guid's length. Ingest also matches by enclosure URL
when the key misses (see `lytt.catalog.ingest`), so a feed that starts giving guids to old episodes does not
duplicate them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

import orjson

from lytt.catalog import publisher_rules
from lytt.catalog.collation import sort_key
from lytt.feeds.model import Episode as FeedEpisode
from lytt.feeds.model import Feed

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
SHOW_SLUG_MAX = 100  # leaves room for a suffix within Show.slug's 120
EPISODE_SLUG_MAX = 120  # within Episode.slug's 140

# Letters NFKD does not decompose to ASCII, common in Nordic and European titles.
_TRANSLIT = str.maketrans(
    {"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ß": "ss", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L"}
    | {"þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "œ": "oe", "Œ": "Oe"}
)

_SEPARATORS = re.compile(r"[./:_&+@]")


def clean(value: str | None, max_length: int) -> str:
    """A string safe for a CharField: NULs removed (PostgreSQL rejects them), trimmed, cut to length."""
    if not value:
        return ""
    return value.replace("\x00", "").strip()[:max_length]


def clean_url(value: str | None, max_length: int = 2000) -> str:
    """A URL for a URLField, or "" when it is longer than the column: a cut URL would point elsewhere."""
    text = clean(value, max_length + 1)
    return "" if len(text) > max_length else text


def clean_text(value: str | None) -> str:
    return value.replace("\x00", "") if value else ""


def bounded_int(value: int | None, low: int, high: int) -> int | None:
    """`value` if it fits the column, else None (a nonsense number is no better than none)."""
    if value is None or value < low or value > high:
        return None
    return value


def slug_base(text: str | None, max_length: int, fallback: str) -> str:
    """An ASCII slug of `text` (Nordic letters transliterated), cut at a word boundary, or `fallback`."""
    slug = (_slugify_ascii(text) if text and text.isascii() else _slugify_any(text))[:max_length]
    if len(slug) == max_length and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug.strip("-") or fallback


def _slugify_any(text: str | None) -> str:
    # Imported here: the crawler's parser processes import this module, and django.utils.text brings in
    # Django's translation machinery (a sixth of their start-up) for the few titles that are not ASCII.
    from django.utils.text import slugify

    return slugify(_SEPARATORS.sub(" ", unicodedata.normalize("NFKC", text or "").translate(_TRANSLIT)))


def _ascii_slug_tables() -> tuple[bytes, bytes]:
    """What the general path does to each ASCII character, as a `bytes.translate` table and the characters
    it deletes: `_SEPARATORS` to a space, then slugify's lower-casing and removal of what is not a word
    character, space or "-" (NFKC, the transliteration and slugify's NFKD leave ASCII as it is). "-" maps
    to a space too, so that splitting on whitespace finds slugify's runs of dashes and spaces."""
    table, deleted = bytearray(range(256)), bytearray()
    for code in range(128):
        char = _SLUG_DROP.sub("", _SEPARATORS.sub(" ", chr(code)).lower())
        if char:
            table[code] = ord(" " if char == "-" else char)
        else:
            deleted.append(code)
    return bytes(table), bytes(deleted)


_SLUG_DROP = re.compile(r"[^\w\s-]")
_ASCII_SLUG, _ASCII_DROPPED = _ascii_slug_tables()


def _slugify_ascii(text: str) -> str:
    """`_slugify_any(text)` for ASCII text: one `bytes.translate`, then each run of whitespace and dashes
    joined as one "-" (the general path normalises twice and runs four regex passes; most titles are
    ASCII, and this is a third of the time of a translate and a regex pass)."""
    kept = text.encode("ascii").translate(_ASCII_SLUG, _ASCII_DROPPED).decode("ascii")
    return "-".join(kept.split()).strip("-_")


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is not in `taken`."""
    if base not in taken:
        return base
    for number in range(2, 100_000):
        candidate = f"{base}-{number}"
        if candidate not in taken:
            return candidate
    raise RuntimeError(f"no free slug for {base!r}")  # pragma: no cover - 100,000 namesakes in one show


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def match_key(episode: FeedEpisode) -> str | None:
    """The identity of an item within its show (see the module docstring), or None if it has none."""
    guid = (episode.guid or "").strip()
    if guid:
        return _hash("g", guid)
    if episode.enclosure and episode.enclosure.url.strip():
        return _hash("e", episode.enclosure.url.strip())
    title = (episode.title or "").strip()
    date = episode.published.isoformat() if episode.published else (episode.published_raw or "").strip()
    if title or date:
        return _hash("t", title, date)
    return None


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


#: Values a dataclass's field is left out of its JSON object for (`_jsonable`), and an `_extra` field for
#: (these and everything equal to False: 0 too). Constants, not literals in the loops: a list or dict
#: literal is built anew at every comparison, for every field of every item of every feed.
_EMPTY: tuple[Any, ...] = ("", [], {})
_UNSET: tuple[Any, ...] = (None, *_EMPTY, False)


def _jsonable(value: Any) -> Any:
    """Dataclasses, datetimes and lists as JSON values; None and empty values dropped from objects."""
    kind = type(value)
    if kind is str:
        return value.replace("\x00", "") if "\x00" in value else value
    if value is None or kind is int or kind is float or kind is bool:
        return value
    if kind is list or kind is tuple:
        return [_jsonable(item) for item in value]
    if kind is dict:
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for name in _field_names(kind):
            item = getattr(value, name)
            if item is not None and item not in _EMPTY:
                out[name] = _jsonable(item)
        return out
    return value


def _extra(source: object, names: Iterable[str]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for name in names:
        value = getattr(source, name)
        if value not in _UNSET:
            extra[name] = _jsonable(value)
    return extra


_HASH_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def content_hash(fields: dict[str, Any]) -> str:
    """A stable hash of row values, so that ingest can skip unchanged rows without comparing fields.

    The text hashed is orjson's, keys sorted: a seventh of the standard library's cost, and the crawler's
    parser processes hash every item of every changed feed. Values orjson refuses (integers beyond 64
    bits, strings with lone surrogates) are hashed from the standard library's text instead, so the
    same values always give the same hash."""
    try:
        text = orjson.dumps(fields, option=_HASH_OPTIONS, default=_json_default)
    except orjson.JSONEncodeError:
        plain = json.dumps(fields, sort_keys=True, default=_json_default, ensure_ascii=False)
        text = plain.encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()


def _json_default(value: Any) -> Any:
    """What the JSON encoders cannot write themselves: datetimes and dataclasses (PersonRow; orjson writes
    both itself), anything else as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class PersonRow:
    """A podcast:person as a feed names them. Who they are is decided at ingest, from name, href and image
    (`lytt.catalog.people`); `slug` is kept for the episodes' content hashes, which include it."""

    slug: str
    name: str
    href: str
    img: str
    role: str
    group: str


def person_rows(persons: Iterable[Any]) -> list[PersonRow]:
    """People of a show or episode, deduplicated by (name, href, image, role)."""
    rows: dict[tuple[str, str, str, str], PersonRow] = {}
    for person in persons:
        name = clean(person.name, 300)
        if not name:
            continue
        href = clean_url(person.href)
        base = slug_base(name, 280, "person")
        slug = f"{base}-{_hash('p', href)[:8]}" if href else base
        role = clean(person.role, 100).lower() or "host"
        group = clean(person.group, 100).lower() or "cast"
        img = clean_url(person.img)
        rows.setdefault((name, href, img, role), PersonRow(slug, name, href, img, role, group))
    return list(rows.values())


@dataclass(slots=True)
class EpisodeRow:
    """One incoming item, ready to compare with and write to `Episode`."""

    match_key: str
    # Episode field values in `EPISODE_FIELDS` order (not show, slug, key, hash or timestamps): a tuple,
    # not a dict, because the crawler's parser processes send rows to its writing thread, and what that
    # thread loads and turns into INSERT parameters is on every feed's path.
    values: tuple[Any, ...]
    people: list[PersonRow]
    content_hash: str
    # The slug the title gives, before a suffix that keeps it unique within the show (ingest adds that):
    # computed with the rest of the row, in the crawler's parser processes, not its writing thread.
    slug_base: str

    def __reduce__(self) -> tuple[type[EpisodeRow], tuple[Any, ...]]:
        """Pickled as the constructor's arguments: a slotted dataclass otherwise pickles a dict of its
        fields per row, and the crawler's parser processes send every row of every changed feed (a sixth
        less time to pickle and to load them)."""
        return EpisodeRow, (self.match_key, self.values, self.people, self.content_hash, self.slug_base)

    @property
    def fields(self) -> dict[str, Any]:
        """The values by field name."""
        return dict(zip(EPISODE_FIELDS, self.values, strict=True))

    @property
    def guid(self) -> str:
        return str(self.values[_GUID])

    @property
    def title(self) -> str:
        return str(self.values[_TITLE])

    @property
    def published_at(self) -> datetime | None:
        published: datetime | None = self.values[_PUBLISHED_AT]
        return published

    @property
    def enclosure_url(self) -> str:
        return str(self.values[_ENCLOSURE_URL])

    @property
    def sort_key(self) -> tuple[str, str]:
        published = self.published_at
        return (published.isoformat() if published else "", self.match_key)


EPISODE_FIELDS = (
    "guid",
    "title",
    "link",
    "published_at",
    "published_raw",
    "duration_seconds",
    "enclosure_url",
    "enclosure_type",
    "enclosure_length",
    "episode_number",
    "season",
    "episode_type",
    "explicit",
    "image_url",
    "description_html",
    "description_text",
    "chapters_url",
    "chapters_type",
    "chapters",
    "transcripts",
    "soundbites",
    "extra",
)

_episode_values = itemgetter(*EPISODE_FIELDS)
_GUID, _TITLE, _PUBLISHED_AT, _ENCLOSURE_URL = (
    EPISODE_FIELDS.index(name) for name in ("guid", "title", "published_at", "enclosure_url")
)

_EPISODE_EXTRA = (
    "alternate_enclosures",
    "value",
    "location",
    "license",
    "keywords",
    "author",
    "subtitle",
    "episode_display",
    "season_name",
    "images",
    "txt",
    "block",
)


def episode_row(episode: FeedEpisode) -> EpisodeRow | None:
    """The row for one item, or None when it has nothing to identify it by."""
    key = match_key(episode)
    if key is None:
        return None
    enclosure = episode.enclosure
    chapters = episode.chapters
    title = clean(episode.title, 1000) or clean(episode.published_raw, 200) or "Untitled episode"
    fields: dict[str, Any] = {
        "guid": clean(episode.guid, 2000),
        "title": title,
        "link": clean_url(episode.link),
        "published_at": episode.published,
        "published_raw": clean(episode.published_raw, 200),
        "duration_seconds": bounded_int(episode.duration_seconds, 0, INT32_MAX),
        "enclosure_url": clean_url(enclosure.url if enclosure else None),
        "enclosure_type": clean(enclosure.type if enclosure else None, 100),
        "enclosure_length": bounded_int(enclosure.length if enclosure else None, 0, INT64_MAX),
        "episode_number": bounded_int(episode.episode_number, -INT32_MAX, INT32_MAX),
        "season": bounded_int(episode.season, -INT32_MAX, INT32_MAX),
        "episode_type": episode.episode_type or "full",
        "explicit": episode.explicit,
        "image_url": clean_url(episode.image),
        "description_html": clean_text(episode.description_html),
        "description_text": clean_text(episode.description_text),
        "chapters_url": clean_url(chapters.url if chapters else None),
        "chapters_type": clean(chapters.type if chapters else None, 100),
        "chapters": _jsonable(chapters.inline) if chapters else [],
        "transcripts": _jsonable(episode.transcripts),
        "soundbites": _jsonable(episode.soundbites),
        "extra": _extra(episode, _EPISODE_EXTRA),
    }
    people = person_rows(episode.persons)
    digest = content_hash({**fields, "people": people})
    slug = slug_base(title, EPISODE_SLUG_MAX, "episode")
    return EpisodeRow(key, _episode_values(fields), people, digest, slug)


def episode_rows(feed: Feed) -> list[EpisodeRow]:
    """The feed's listed items (`publisher_rules.listed`) as rows, one per match key, in a canonical order
    (oldest first, then by key).

    When a feed repeats a key, the copy with the smallest content hash wins: the choice must not depend on
    the order of items, so that any permutation of a feed gives the same catalogue.
    """
    chosen: dict[str, EpisodeRow] = {}
    for episode in feed.episodes:
        if not publisher_rules.listed(episode):
            continue
        row = episode_row(episode)
        if row is None:
            continue
        current = chosen.get(row.match_key)
        if current is None or row.content_hash < current.content_hash:
            chosen[row.match_key] = row
    return sorted(chosen.values(), key=lambda r: r.sort_key)


#: How many of a show's episode keys its sketch keeps (`sketch`), and how much of each key.
SKETCH_SIZE = 16
SKETCH_KEY_LENGTH = 16


def sketch(keys: Iterable[str], size: int = SKETCH_SIZE) -> list[str]:
    """The `size` smallest of `keys` (match keys of items with a guid) cut to `SKETCH_KEY_LENGTH`, sorted;
    `keys` may hold a stored sketch too (keys already cut), so that a sketch grows with each new item.

    Match keys are SHA-256 digests, so the smallest ones are a random sample that two feeds with the same
    items share whatever their order (a bottom-k sketch). Kept per show (`ShowSketch`), it finds the known
    show a new URL may be another copy of without an index of every episode's key across shows, which
    every episode ingested would write at a random place. A feed that carries a part of a show's items
    shares the part of the show's sketch that falls in it: the smallest keys of a set stay the smallest
    of any subset they are in. The keys are a filter only; ingest then compares the episodes themselves.
    """
    return sorted({key[:SKETCH_KEY_LENGTH] for key in keys})[:size]


def guid_keys(incoming: Iterable[EpisodeRow]) -> list[str]:
    """Match keys of the rows that have a guid (the rows `sketch` samples)."""
    return [row.match_key for row in incoming if row.guid]


_SHOW_EXTRA = (
    "subtitle",
    "keywords",
    "copyright",
    "generator",
    "new_feed_url",
    "self_url",
    "hub_url",
    "locked_owner",
    "block",
    "location",
    "license",
    "trailers",
    "txt",
    "podroll",
    "value",
    "images",
)


def show_fields(
    feed: Feed, fallback_title: str, service_ids: Collection[str] = publisher_rules.DEFAULT_SERVICE_IDS
) -> dict[str, Any]:
    """`Show` field values from the feed (not slug, categories, people, counts or timestamps); `service_ids`
    are the ``podcast:block`` ids Lytt answers to."""
    owner = feed.owner
    title = clean(feed.title, 1000) or clean(fallback_title, 1000) or "Untitled podcast"
    return {
        "title": title,
        "sort_title": sort_key(title),
        "author": clean(feed.author, 1000),
        "owner_name": clean(owner.name if owner else None, 1000),
        "owner_email": clean(owner.email if owner else None, 320),
        "link": clean_url(feed.link),
        "description_html": clean_text(feed.description_html),
        "description_text": clean_text(feed.description_text),
        "image_url": clean_url(feed.image),
        "language": clean(feed.language, 35).lower(),
        "explicit": feed.explicit,
        "show_type": feed.type or "episodic",
        "complete": feed.complete,
        "podcast_guid": clean(feed.podcast_guid, 64).lower(),
        "locked": feed.locked,
        "blocked": publisher_rules.blocked(feed, service_ids),
        "medium": clean(feed.medium, 30).lower(),
        "funding": _jsonable(feed.funding),
        "extra": _extra(feed, _SHOW_EXTRA),
    }


_WS = re.compile(r"\s+")


def normalise_title(title: str) -> str:
    """Titles compared when deciding whether two feeds carry the same episodes."""
    return _WS.sub(" ", title).strip().casefold()
