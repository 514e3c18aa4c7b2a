"""Transcripts and chapters files of episodes, stored parsed (`EpisodeAttachment`).

What is wanted comes from ingest: after a feed's episodes change, `note_episodes` (connected to
``feed_ingested`` and ``feeds_ingested``) gives each episode one row per kind it links to: the transcript
`choose_transcript` prefers, and the podcast:chapters file. A new row, a changed URL or a changed episode
makes the row due now; the crawler (`lytt.crawl.attachments`) claims due rows, fetches them with the
feeds' safety and conditional requests, parses them with `lytt.feeds` and stores them here
(`store_transcript`, `store_chapters`, `record_unchanged`, `record_failure`). A failure keeps the content
stored before. Rows whose episode no longer links a file of that kind are deleted.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from lytt.catalog import signals
from lytt.catalog.models import Episode, EpisodeAttachment
from lytt.feeds import Chapter, Cue, ParsedTranscript, lines, transcript_text
from lytt.feeds.transcripts import preference

log = logging.getLogger(__name__)

Kind = EpisodeAttachment.Kind
_RUNS_PER_QUERY = 200
_MAX_ERROR = 1000


class Wanted(NamedTuple):
    """A file an episode links to: what a row should hold before fetching."""

    episode_id: int
    kind: str
    url: str
    declared_type: str
    language: str


class Claimed(NamedTuple):
    """A due row handed to the crawler."""

    id: int
    kind: str
    url: str
    declared_type: str
    etag: str
    last_modified: str
    content_hash: str
    error_count: int


def _primary(language: str | None) -> str:
    return (language or "").split("-", 1)[0].split("_", 1)[0].strip().lower()


def choose_transcript(
    transcripts: Sequence[dict[str, Any]], show_language: str | None
) -> dict[str, Any] | None:
    """The transcript to fetch among an episode's ``podcast:transcript`` entries: in the show's language
    when one is (or when none says its language), then JSON, WebVTT, SRT over HTML, then feed order.
    Captions (``rel="captions"``) are transcripts too; they only lose ties."""
    wanted = _primary(show_language)
    usable = [t for t in transcripts if isinstance(t, dict) and t.get("url")]

    def key(item: tuple[int, dict[str, Any]]) -> tuple[int, int, int, int]:
        position, transcript = item
        language = _primary(transcript.get("language"))
        mismatch = 0 if not wanted or not language or language == wanted else 1
        captions = 1 if (transcript.get("rel") or "").lower() == "captions" else 0
        return (mismatch, preference(transcript.get("type")), captions, position)

    return min(enumerate(usable), key=key)[1] if usable else None


def wanted_for(episode_id: int, chapters_url: str, transcripts: Any, show_language: str) -> list[Wanted]:
    """The rows an episode should have (pure)."""
    wanted: list[Wanted] = []
    chosen = choose_transcript(transcripts if isinstance(transcripts, list) else [], show_language)
    if chosen is not None:
        wanted.append(
            Wanted(
                episode_id,
                Kind.TRANSCRIPT,
                str(chosen["url"]),
                str(chosen.get("type") or "")[:100],
                str(chosen.get("language") or "")[:35],
            )
        )
    if chapters_url:
        wanted.append(Wanted(episode_id, Kind.CHAPTERS, chapters_url, "", ""))
    return wanted


def note_episodes(episode_ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Bring the attachment rows of these (new or changed) episodes in step with what they link to.

    New rows, and rows whose URL changed or whose episode changed, are due now (a changed episode is
    checked again, conditionally); rows loaded from the package keep their content unless their URL
    changed. Returns the number of rows made due. Episodes without files cost a read, by runs of ids.
    """
    now = now or timezone.now()
    runs = id_runs(episode_ids)
    due = 0
    for start in range(0, len(runs), _RUNS_PER_QUERY):
        within = Q()
        for first, last in runs[start : start + _RUNS_PER_QUERY]:
            within |= Q(pk=first) if first == last else Q(pk__range=(first, last))
        # Episodes that link a file now, or had a row before (it may have to go): usually none.
        linked = list(
            Episode.objects.filter(within)
            .filter(~Q(chapters_url="") | ~Q(transcripts=[]) | Q(attachments__isnull=False))
            .values_list("pk", "chapters_url", "transcripts", "show__language")
            .distinct()
        )
        if linked:
            wanted = [row for values in linked for row in wanted_for(*values)]
            due += _apply([values[0] for values in linked], wanted, now)
    return due


def id_runs(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted ids as runs of consecutive ids, (first, last) each (pure). Ingest inserts a feed's new
    episodes in one statement, so a first ingest's ids are a run per feed: a range per run is a few
    parameters where a list of ids was one per episode, which Django compiles one by one."""
    runs: list[tuple[int, int]] = []
    for episode_id in sorted(set(ids)):
        if runs and runs[-1][1] == episode_id - 1:
            runs[-1] = (runs[-1][0], episode_id)
        else:
            runs.append((episode_id, episode_id))
    return runs


def _apply(episode_ids: list[int], wanted: list[Wanted], now: datetime) -> int:
    existing = {
        (row.episode_id, row.kind): row
        for row in EpisodeAttachment.objects.filter(episode_id__in=episode_ids).only(
            "id", "episode_id", "kind", "url", "local"
        )
    }
    keep = {(w.episode_id, w.kind) for w in wanted}
    stale = [row.pk for key, row in existing.items() if key not in keep]
    if stale:
        EpisodeAttachment.objects.filter(pk__in=stale).delete()
    new: list[EpisodeAttachment] = []
    due = 0
    for item in wanted:
        row = existing.get((item.episode_id, item.kind))
        fields = {"declared_type": item.declared_type, "language": item.language}
        if row is None:
            new.append(EpisodeAttachment(**item._asdict(), next_check_at=now))
        elif row.url != item.url:
            EpisodeAttachment.objects.filter(pk=row.pk).update(
                url=item.url,
                local=False,
                etag="",
                last_modified="",
                content_hash="",
                next_check_at=now,
                error="",
                error_count=0,
                **fields,
            )
        elif not row.local:
            EpisodeAttachment.objects.filter(pk=row.pk).update(next_check_at=now, **fields)
        else:
            continue
        due += 1
    if new:
        EpisodeAttachment.objects.bulk_create(new, ignore_conflicts=True)
    return due


def on_feed_ingested(sender: Any, episode_ids: Iterable[int] = (), **kwargs: Any) -> None:
    """A single ingest committed (`lytt add`, the sample catalogue): note its episodes."""
    try:
        with transaction.atomic():
            note_episodes(episode_ids)
    except Exception:
        log.exception("catalog: noting transcripts and chapters files failed")


def on_feeds_ingested(sender: Any, items: Iterable[Any], **kwargs: Any) -> None:
    """A crawl chunk (inside the crawler's transaction): note every changed episode, in a savepoint, so a
    failure here is logged and never undoes the feeds."""
    ids = [episode_id for item in items for episode_id in item.episode_ids]
    try:
        with transaction.atomic():
            note_episodes(ids)
    except Exception:
        log.exception("catalog: noting transcripts and chapters files of %d episodes failed", len(ids))


# -- the crawler's side ----------------------------------------------------------------------------------


def claim_due(limit: int, *, now: datetime, lease: timedelta) -> list[Claimed]:
    """Up to `limit` due rows, moved past `lease` so no other worker takes them meanwhile (a worker that
    dies leaves them due again when the lease runs out). PostgreSQL skips rows another worker is claiming."""
    with transaction.atomic():
        rows = list(
            EpisodeAttachment.objects.select_for_update(skip_locked=True)
            .filter(next_check_at__lte=now, local=False)
            .order_by("next_check_at")
            .values_list(*Claimed._fields)[:limit]
        )
        if rows:
            EpisodeAttachment.objects.filter(pk__in=[row[0] for row in rows]).update(
                next_check_at=now + lease
            )
    return [Claimed(*row) for row in rows]


def seconds_until_due(now: datetime, max_seconds: float) -> float:
    """How long until some row is due (0..max_seconds)."""
    nxt = (
        EpisodeAttachment.objects.filter(local=False)
        .order_by("next_check_at")
        .values_list("next_check_at", flat=True)
        .first()
    )
    if nxt is None:
        return max_seconds
    return max(0.0, min(max_seconds, (nxt - now).total_seconds()))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def transcript_items(cues: Sequence[Cue]) -> list[list[Any]]:
    """Stored form of transcript lines: compact lists, cheap to load and to render."""
    return [[cue.start, cue.end, cue.speaker, cue.text] for cue in cues]


def chapter_items(chapters: Sequence[Chapter]) -> list[dict[str, Any]]:
    """Stored form of chapters: the shape of `Episode.chapters` (inline ones), so pages read both alike."""
    return [asdict(chapter) for chapter in chapters]


def _stored(
    attachment_id: int, kind: str, now: datetime, next_check_at: datetime, items: list[Any], **fields: Any
) -> None:
    """New content: the HTML rendered from the old goes in the same statement (a page then renders the
    new items itself until a receiver of `attachment_stored` has stored theirs)."""
    EpisodeAttachment.objects.filter(pk=attachment_id).update(
        checked_at=now,
        fetched_at=now,
        next_check_at=next_check_at,
        error="",
        error_count=0,
        items=items,
        html="",
        html_renderer="",
        **fields,
    )
    for receiver, outcome in signals.attachment_stored.send_robust(
        sender=EpisodeAttachment, attachment_id=attachment_id, kind=kind, items=items, version=now
    ):
        if isinstance(outcome, Exception):
            log.error(
                "catalog: %s failed on %s %d", getattr(receiver, "__name__", receiver), kind, attachment_id,
                exc_info=outcome,
            )  # fmt: skip


def store_html(attachment_id: int, version: datetime, html: str, renderer: str) -> bool:
    """Keep a stored file's content rendered as HTML, if the content is still that of `version` (its
    `fetched_at`); `renderer` names the rendering, so that a page can tell an outdated one."""
    with transaction.atomic():  # a savepoint: a failure here never breaks the storing transaction
        updated = EpisodeAttachment.objects.filter(pk=attachment_id, fetched_at=version).update(
            html=html, html_renderer=renderer
        )
    return bool(updated)


def store_transcript(
    attachment_id: int, parsed: ParsedTranscript, *, now: datetime, next_check_at: datetime, **validators: Any
) -> None:
    """Store a parsed transcript as lines (`lytt.feeds.lines`) with its plain text. `validators`: etag,
    last_modified, content_hash and status_code from the fetch."""
    merged = lines(parsed.cues)
    _stored(
        attachment_id,
        Kind.TRANSCRIPT,
        now,
        next_check_at,
        transcript_items(merged),
        format=parsed.format,
        text=transcript_text(merged),
        **validators,
    )


def store_chapters(
    attachment_id: int,
    chapters: Sequence[Chapter],
    *,
    now: datetime,
    next_check_at: datetime,
    **validators: Any,
) -> None:
    _stored(
        attachment_id, Kind.CHAPTERS, now, next_check_at, chapter_items(chapters), format="json", text="",
        **validators,
    )  # fmt: skip


def record_unchanged(
    attachment_id: int, *, now: datetime, next_check_at: datetime, status_code: int | None, **validators: str
) -> None:
    """A 304, or the same bytes as stored: nothing to parse."""
    fields = {key: value for key, value in validators.items() if value}
    EpisodeAttachment.objects.filter(pk=attachment_id).update(
        checked_at=now,
        next_check_at=next_check_at,
        status_code=status_code,
        error="",
        error_count=0,
        **fields,
    )


def record_failure(
    attachment_id: int, error: str, *, now: datetime, next_check_at: datetime, status_code: int | None
) -> None:
    """A fetch or parse failure: the reason (it names the URL) is kept, the stored content stays."""
    EpisodeAttachment.objects.filter(pk=attachment_id).update(
        checked_at=now,
        next_check_at=next_check_at,
        status_code=status_code,
        error=error[:_MAX_ERROR],
        error_count=F("error_count") + 1,
    )


def store_local(
    wanted: Wanted,
    *,
    parsed: ParsedTranscript | None = None,
    chapters: Sequence[Chapter] = (),
    data: bytes = b"",
) -> None:
    """Store a file read from the package (the sample catalogue) for an episode: parsed by the same
    functions as fetched files, marked local so the crawler never fetches its URL."""
    now = timezone.now()
    row, _ = EpisodeAttachment.objects.update_or_create(
        episode_id=wanted.episode_id,
        kind=wanted.kind,
        defaults={"url": wanted.url, "declared_type": wanted.declared_type, "language": wanted.language},
    )
    fields: dict[str, Any] = {"local": True, "content_hash": content_hash(data), "status_code": None}
    if parsed is not None:
        store_transcript(row.pk, parsed, now=now, next_check_at=now, **fields)
    else:
        store_chapters(row.pk, chapters, now=now, next_check_at=now, **fields)


class Stored(NamedTuple):
    """A stored file of an episode with its rendered HTML, not its items: `version` changes whenever the
    content does; `html` is '' until rendered, and `html_renderer` names what rendered it."""

    id: int
    kind: str
    version: str
    language: str
    url: str
    html: str
    html_renderer: str


def stored_for_episode(episode_id: int) -> dict[str, Stored]:
    """The stored (fetched at least once) files of an episode, by kind: one query that reads the rendered
    HTML (text) and decodes no JSON."""
    rows = EpisodeAttachment.objects.filter(episode_id=episode_id, fetched_at__isnull=False).values_list(
        "pk", "kind", "fetched_at", "language", "url", "html", "html_renderer"
    )
    return {
        kind: Stored(pk, kind, fetched.isoformat() if fetched else "", language, url, html, renderer)
        for pk, kind, fetched, language, url, html, renderer in rows
    }


def items_of(attachment_id: int) -> list[Any]:
    """A stored file's content (transcript lines or chapters)."""
    found = EpisodeAttachment.objects.filter(pk=attachment_id).values_list("items", flat=True).first()
    return found if isinstance(found, list) else []
