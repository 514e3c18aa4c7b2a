"""Podcasting 2.0 JSON chapters files (``application/json+chapters``) in, `Chapter`s out.

Pure: bytes in, no I/O. The format is podcast-namespace's chapters/jsonChapters.md: an object with
``version`` and ``chapters``, each chapter with a required ``startTime`` (seconds) and optional ``title``,
``img``, ``url``, ``toc`` and ``endTime``. Chapters with ``toc: false`` are not part of the table of
contents (they change artwork or links silently) and are left out; so are entries without a usable start.
Relative ``img``/``url`` values resolve against the file's own URL; only http(s) survives.
Inline Podlove Simple Chapters are read by the feed parser itself (`Episode.chapters.inline`).
"""

from __future__ import annotations

from lytt.feeds.errors import AttachmentError, AttachmentTooLarge
from lytt.feeds.feed_urls import resolve_url
from lytt.feeds.model import Chapter
from lytt.feeds.transcripts import decode_text, json_seconds, load_json_object, plain

MAX_BYTES = 2 * 1024 * 1024
MAX_CHAPTERS = 1_000
MAX_TITLE = 500


def parse_chapters(
    data: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_chapters: int = MAX_CHAPTERS,
) -> list[Chapter]:
    """The table of contents of a JSON chapters file, by start time. An empty ``chapters`` list is an
    empty table, not an error; anything that is not a chapters document raises `AttachmentError`."""
    source = url or "chapters"
    if len(data) > max_bytes:
        raise AttachmentTooLarge(f"{len(data):,} bytes is over the {max_bytes:,}-byte cap", source=source)
    document = load_json_object(
        decode_text(data, source=source, content_type=content_type), source=source, what="chapters file"
    )
    entries = document.get("chapters")
    if not isinstance(entries, list):
        raise AttachmentError('chapters file has no "chapters" list', source=source)
    if len(entries) > max_chapters:
        raise AttachmentTooLarge(f"more than {max_chapters:,} chapters", source=source)
    chapters: dict[float, Chapter] = {}
    for entry in entries:
        chapter = _chapter(entry, url)
        if chapter is not None:
            chapters.setdefault(chapter.start_seconds, chapter)  # the first of two at one time wins
    return sorted(chapters.values(), key=lambda chapter: chapter.start_seconds)


def _chapter(entry: object, base: str | None) -> Chapter | None:
    if not isinstance(entry, dict) or entry.get("toc") is False:
        return None
    start = json_seconds(entry.get("startTime"))
    if start is None:
        return None
    title = entry.get("title")
    return Chapter(
        start_seconds=start,
        title=(plain(title)[:MAX_TITLE] or None) if isinstance(title, str) else None,
        href=_link(entry.get("url"), base),
        image=_link(entry.get("img"), base),
    )


def _link(value: object, base: str | None) -> str | None:
    return resolve_url(value, base) if isinstance(value, str) else None
