"""Load the sample feeds into an empty catalogue (see the package docstring)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from lytt.catalog.media import SAMPLE_ORIGIN
from lytt.web.sample.attachments import load_sample_attachments

if TYPE_CHECKING:
    from lytt.catalog.models import FeedSource

log = logging.getLogger(__name__)

FEEDS_DIR = Path(__file__).resolve().parent / "feeds"
FEATURED = ("insight-myanmar", "kodekveld", "the-sample-kitchen")  # feed file stems
# The sample feeds live in the package, not on the web: the crawler must never poll their URLs.
NOT_CRAWLED = "bundled sample feed (loaded from the package, never crawled)"


@dataclass(slots=True)
class SampleLoadResult:
    loaded: bool
    shows: list[str] = field(default_factory=list)
    episodes: int = 0
    reason: str = ""
    refreshed: int = 0  # sample feeds already in the catalogue, brought up to this version's files


def sample_feed_paths() -> list[Path]:
    return sorted(FEEDS_DIR.glob("*.xml"))


def sample_feed_url(path: Path) -> str:
    return f"{SAMPLE_ORIGIN}feeds/{path.name}"


def load_sample_catalogue(force: bool = False) -> SampleLoadResult:
    """Parse and ingest every bundled feed, but only into a catalogue without shows (unless `force`).

    A catalogue with shows gets no new sample shows, but the sample shows it already has are re-read from
    the bundled files, so that an upgrade's sample media (URLs, lengths, chapters, transcripts) replace the
    old ones. Returns what was done. A broken sample feed raises (it is a bug in Lytt, not bad outside
    input).
    """
    from lytt.catalog.models import FeedSource, Show

    if not force and Show.objects.exists():
        # Only sources that still have their show: a sample show the operator deleted stays deleted.
        sources = FeedSource.objects.filter(url__startswith=SAMPLE_ORIGIN, show__isnull=False)
        loaded = set(sources.values_list("url", flat=True))
        with transaction.atomic():
            present = [path for path in sample_feed_paths() if sample_feed_url(path) in loaded]
            for path in present:
                source = _ingest(path)
                if source.show is not None:  # chapters and transcripts may have moved with the audio
                    load_sample_attachments(source.show.pk)
        return SampleLoadResult(
            loaded=False, reason="the catalogue already has shows", refreshed=len(present)
        )
    result = SampleLoadResult(loaded=True)
    with transaction.atomic():
        for path in sample_feed_paths():
            source = _ingest(path)
            if source.show is not None:
                load_sample_attachments(source.show.pk)
                result.shows.append(source.show.slug)
                result.episodes += source.show.episodes.count()
                if path.stem in FEATURED:
                    Show.objects.filter(pk=source.show.pk).update(featured=True)
    log.info("sample catalogue loaded: %d shows, %d episodes", len(result.shows), result.episodes)
    return result


def _ingest(path: Path) -> FeedSource:
    """Parse one bundled feed, upsert it and mark its source bundled: listed like a live feed, but never
    crawled (the crawler claims only new, active and failing feeds)."""
    from lytt.catalog.ingest import ingest_feed
    from lytt.catalog.models import FeedSource
    from lytt.feeds import parse_feed

    url = sample_feed_url(path)
    feed = parse_feed(path.read_bytes(), url=url)
    source, _ = FeedSource.objects.get_or_create(url=url)
    ingest_feed(source, feed)
    source.refresh_from_db()
    FeedSource.objects.filter(pk=source.pk).update(
        status=FeedSource.Status.BUNDLED,
        status_reason=NOT_CRAWLED,
        next_check_at=timezone.now() + timedelta(days=365 * 100),
    )
    return source
