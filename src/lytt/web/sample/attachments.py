"""The sample episodes' transcript and chapters files, read from the package at load time.

The sample loader does not crawl: the files its feeds link to under `SAMPLE_ORIGIN` are the package's
static files, parsed by the same `lytt.feeds` functions as fetched files and stored by the same catalogue
function, marked local so the crawler never fetches their `.invalid` URLs.
"""

from __future__ import annotations

import logging
from pathlib import Path

from lytt.catalog.media import SAMPLE_ORIGIN

log = logging.getLogger(__name__)

STATIC_SAMPLE_DIR = Path(__file__).resolve().parent.parent / "static" / "lytt" / "sample"


def _local_file(url: str) -> Path | None:
    if not url.startswith(SAMPLE_ORIGIN):
        return None
    path = (STATIC_SAMPLE_DIR / url[len(SAMPLE_ORIGIN) :]).resolve()
    return path if path.parent == STATIC_SAMPLE_DIR and path.is_file() else None


def load_sample_attachments(show_id: int) -> int:
    """Parse and store the bundled files a sample show's episodes link to; returns how many were stored."""
    from lytt.catalog import attachments
    from lytt.catalog.models import Episode
    from lytt.feeds import parse_chapters, parse_transcript

    stored = 0
    episodes = Episode.objects.filter(show_id=show_id).values_list(
        "pk", "chapters_url", "transcripts", "show__language"
    )
    for values in episodes:
        for wanted in attachments.wanted_for(*values):
            path = _local_file(wanted.url)
            if path is None:
                continue
            data = path.read_bytes()
            if wanted.kind == attachments.Kind.CHAPTERS:
                chapters = parse_chapters(data, url=wanted.url)
                attachments.store_local(wanted, chapters=chapters, data=data)
            else:
                parsed = parse_transcript(data, url=wanted.url, declared_type=wanted.declared_type or None)
                attachments.store_local(wanted, parsed=parsed, data=data)
            stored += 1
    return stored
