"""Transcript search: stored transcripts cut into chunks of a few lines, indexed in their own table
(`TranscriptChunk`), and searched from the search page's "Transcripts" filter. A hit is the matching
stretch with its start time, linking to the episode at that moment.

Chunks keep a hit's time within a few lines of the words while a two-hour transcript stays a few hundred
rows. The index does not stem (the same on both backends); SQLite folds diacritics, PostgreSQL does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.safestring import SafeString

from lytt.catalog.models import Episode, EpisodeAttachment
from lytt.search.highlight import snippet
from lytt.search.models import TranscriptChunk
from lytt.search.query import Query, parse, to_fts5, to_tsquery

#: A chunk ends with the line that takes it to this many words, or before a line this many seconds on.
CHUNK_WORDS = 60
CHUNK_SECONDS = 45
MAX_LIMIT = 100
MAX_OFFSET = 1000


def chunks(items: Sequence[Sequence[Any]]) -> list[tuple[int, str]]:
    """(start second, text) for stored transcript lines (``[start, end, speaker, text]``), in order; a line
    is never split, and lines without text are skipped."""
    out: list[tuple[int, str]] = []
    start: float | None = None
    parts: list[str] = []
    words = 0
    for item in items:
        if len(item) < 4 or not isinstance(item[3], str) or not item[3].strip():
            continue
        at = float(item[0]) if isinstance(item[0], int | float) else 0.0
        if start is not None and at - start >= CHUNK_SECONDS:
            out.append((int(start), " ".join(parts)))
            start, parts, words = None, [], 0
        if start is None:
            start = at
        parts.append(item[3].strip())
        words += len(item[3].split())
        if words >= CHUNK_WORDS:
            out.append((int(start), " ".join(parts)))
            start, parts, words = None, [], 0
    if parts and start is not None:
        out.append((int(start), " ".join(parts)))
    return out


def index_transcript(attachment_id: int, items: Sequence[Sequence[Any]]) -> int:
    """Replace the attachment's chunks with those of `items`; how many were written."""
    found = (
        EpisodeAttachment.objects.filter(pk=attachment_id)
        .values_list("episode_id", "episode__show_id")
        .first()
    )
    with transaction.atomic():
        TranscriptChunk.objects.filter(attachment_id=attachment_id).delete()
        if found is None:
            return 0
        episode_id, show_id = found
        made = TranscriptChunk.objects.bulk_create(
            TranscriptChunk(
                attachment_id=attachment_id,
                episode_id=episode_id,
                show_id=show_id,
                start_seconds=at,
                text=text,
            )
            for at, text in chunks(items)
        )
    return len(made)


def reindex_transcripts() -> int:
    """Rebuild every stored transcript's chunks (`lytt reindex`); how many chunks."""
    total = 0
    stored = EpisodeAttachment.objects.filter(
        kind=EpisodeAttachment.Kind.TRANSCRIPT, fetched_at__isnull=False
    )
    for attachment_id, items in stored.values_list("pk", "items").iterator(chunk_size=200):
        total += index_transcript(attachment_id, items or [])
    return total


@dataclass(frozen=True, slots=True)
class TranscriptHit:
    episode: Episode
    start_seconds: int
    snippet_html: SafeString  # the stretch around the words, highlighted and escaped


@dataclass(frozen=True, slots=True)
class TranscriptResults:
    hits: list[TranscriptHit]
    has_previous: bool
    has_next: bool


def _chunk_ids(query: Query, limit: int, offset: int) -> list[int]:
    """Matching chunks of visible shows, newest indexed first."""
    if connection.vendor == "sqlite":
        match = to_fts5(query)
        sql = (
            "SELECT c.id FROM transcript_fts JOIN search_transcriptchunk c ON c.id = transcript_fts.rowid "
            "JOIN catalog_show s ON s.id = c.show_id WHERE transcript_fts MATCH %s AND NOT s.hidden "
            "ORDER BY c.id DESC LIMIT %s OFFSET %s"
        )
    else:
        match = to_tsquery(query)
        sql = (
            "SELECT c.id FROM search_transcriptchunk c JOIN catalog_show s ON s.id = c.show_id "
            "WHERE c.document @@ to_tsquery('simple', %s) AND NOT s.hidden "
            "ORDER BY c.id DESC LIMIT %s OFFSET %s"
        )
    if not match:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def search_transcripts(text: str, *, limit: int = 20, offset: int = 0) -> TranscriptResults:
    """Transcript stretches matching `text` (the search box's syntax: words, "phrases", -exclusions, OR)."""
    limit = min(max(limit, 1), MAX_LIMIT)
    offset = min(max(offset, 0), MAX_OFFSET)
    query = parse(text, prefix_last=True)
    ids = _chunk_ids(query, limit + 1, offset)
    found = TranscriptChunk.objects.filter(pk__in=ids[:limit]).select_related("episode__show")
    by_id = {chunk.pk: chunk for chunk in found}
    words = [
        (w, term.prefix) for group in query.groups for term in group if not term.negated for w in term.words
    ]
    hits = [
        TranscriptHit(chunk.episode, chunk.start_seconds, snippet(chunk.text, words))
        for chunk in (by_id.get(pk) for pk in ids[:limit])
        if chunk is not None
    ]
    return TranscriptResults(hits, offset > 0, len(ids) > limit)
