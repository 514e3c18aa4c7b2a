"""Ingest's identity rules: which show a source without one is (the same show under another URL).

A new source is another URL of a known show when its feed has that show's podcast:guid, or when most of
a sample of its guids match the show's episodes (by title or enclosure). The shows compared are those
whose sketches (`rows.sketch`, kept per show in `ShowSketch`) share keys with the feed's, so episode keys
are only ever looked up within a show. First ingests of one identity are serialised (`lock_identities`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence

from django.db import connection

from lytt.catalog import bulk, rows
from lytt.catalog.bulk import execute, placeholders, quote, table
from lytt.catalog.models import (
    Episode,
    FeedSource,
    Show,
    ShowSketch,
)

# How many of a new feed's guids are looked up to recognise a known show under a new URL.
SAME_EPISODES_SAMPLE = 50


# How many shows whose sketches share keys with a new feed's are compared with it, most shared first.
SKETCH_CANDIDATES = 20


def lock_identities(keys: Iterable[str]) -> None:
    """On PostgreSQL, serialise first ingests of each podcast:guid (else URL) in `keys` until commit, so
    that two workers fetching two URLs of one new show cannot both create it; one statement, the locks
    taken in the order of their ids (two workers then never wait for each other's locks crosswise).
    SQLite's write lock already serialises."""
    if connection.vendor != "postgresql":
        return
    ids = sorted({identity_lock_id(key) for key in keys})
    if ids:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(id) FROM unnest(%s::bigint[]) AS id", [ids])


def identity_lock_id(key: str) -> int:
    """A signed 64-bit advisory lock id for `key` (stable across processes, unlike hash())."""
    return int.from_bytes(hashlib.sha256(f"lytt.catalog:{key}".encode()).digest()[:8], "big", signed=True)


def locked_show(show_id: int) -> Show:
    """The show, row-locked on PostgreSQL so that two sources of one show are ingested one at a time."""
    return Show.objects.select_for_update().get(pk=show_id)


def live_source(show: Show, exclude: FeedSource) -> FeedSource | None:
    dead = [FeedSource.Status.DUPLICATE, FeedSource.Status.RETIRED]
    return (
        FeedSource.objects.filter(show=show)
        .exclude(pk=exclude.pk)
        .exclude(status__in=dead)
        .order_by("added_at", "pk")
        .first()
    )


def known_show(
    podcast_guid: str, title: str, incoming: Sequence[rows.EpisodeRow], drawn: list[str]
) -> tuple[Show, str] | None:
    """A show this new source is another URL of: same podcast:guid, else the same episodes (looked for
    among the shows whose sketches share keys with the feed's, `drawn`; the feed's show title `title`
    decides which come first)."""
    if podcast_guid:
        by_guid = Show.objects.filter(podcast_guid=podcast_guid).order_by("pk").first()
        if by_guid is not None:
            return by_guid, f"same podcast:guid {podcast_guid}"
    sample = [row for row in incoming if row.guid][:SAME_EPISODES_SAMPLE]
    if not sample:
        return None
    candidates = _sketch_candidates(drawn, title)
    if not candidates:
        return None
    wanted = {row.match_key: row for row in sample}
    hits: Counter[int] = Counter()
    stored = execute(
        f"SELECT {quote('show_id')}, {quote('match_key')}, {quote('title')}, {quote('enclosure_url')}"
        f" FROM {table(Episode)} WHERE {quote('show_id')} IN ({placeholders(len(candidates))})"
        f" AND {quote('match_key')} IN ({placeholders(len(wanted))})",
        [*candidates, *wanted],
    )
    for show_id, key, episode_title, enclosure_url in stored:
        row = wanted[key]
        same_title = rows.normalise_title(episode_title) == rows.normalise_title(row.title)
        if same_title or (enclosure_url and enclosure_url == row.enclosure_url):
            hits[show_id] += 1
    if not hits:
        return None
    show_id, count = min(hits.items(), key=lambda item: (-item[1], item[0]))
    # Most of the sample must match: generators that number guids "1", "2", ... must not merge shows.
    if count * 2 < len(sample) or (len(sample) > 1 and count < 2):
        return None
    return Show.objects.get(pk=show_id), f"same episodes ({count} of {len(sample)} guids)"


def _sketch_candidates(keys: list[str], title: str) -> list[int]:
    """Shows whose sketches share any of `keys`, at most `SKETCH_CANDIDATES`: those titled `title` first,
    then those sharing most keys. Shows whose generators number their guids "1", "2", ... share whole
    sketches, however many they are; a copy of one of them usually keeps its title."""
    if not keys:
        return []
    column = f"k.{quote('show_id')}"
    found = execute(
        f"SELECT {column} FROM {table(ShowSketch)} k JOIN {table(Show)} s ON s.{quote('id')} = {column}"
        f" WHERE k.{quote('key')} IN ({placeholders(len(keys))}) GROUP BY {column}"
        f" ORDER BY MAX(CASE WHEN s.{quote('title')} = %s THEN 1 ELSE 0 END) DESC, COUNT(*) DESC,"
        f" {column} LIMIT %s",
        [*keys, title, SKETCH_CANDIDATES],
    )
    return [show_id for (show_id,) in found]


def grow_sketch(show: Show, keys: list[str]) -> None:
    """Add the keys of a show's new or re-keyed episodes with a guid to its sketch, where they are among
    the smallest. Keys never leave a sketch but for smaller ones: it samples every episode the show has
    had, as the lookup across shows it replaces saw them all (vanished ones too)."""
    if not keys:
        return
    stored = list(ShowSketch.objects.filter(show=show).values_list("key", flat=True))
    grown = rows.sketch([*stored, *keys])
    dropped = set(stored) - set(grown)
    if dropped:
        ShowSketch.objects.filter(show=show, key__in=dropped).delete()
    insert_sketches([(show, [key for key in grown if key not in stored])])


def insert_sketches(sketches: Iterable[tuple[Show, Iterable[str]]]) -> None:
    """Add sketch keys: (show, its new keys), for one show or many, one INSERT."""
    values = [{"show_id": show.pk, "key": key} for show, keys in sketches for key in keys]
    bulk.insert_values(ShowSketch, values)
