"""Adding feed URLs to the catalogue: normalised, validated one by one, deduplicated, inserted in batches.

Each URL is checked on its own, so one bad line in a list of 100,000 loses nothing else: valid URLs become
`FeedSource` rows due now (the crawler picks them up), URLs already known are reported as such, and invalid
ones are reported with the reason. URLs that carry a token (`lytt.feeds.feed_urls.is_private_feed_url`) are
marked private and only ever shown redacted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from lytt.catalog import bulk
from lytt.catalog.models import FeedSource
from lytt.feeds.feed_urls import (
    InvalidFeedURL,
    is_private_feed_url,
    normalise_feed_url,
    redact_url,
    shown_url,
)

BATCH = 1000


@dataclass(frozen=True, slots=True)
class Rejected:
    url: str  # as given, redacted when it carries a token
    reason: str


@dataclass(slots=True)
class AddResult:
    added: list[str] = field(default_factory=list)  # normalised URLs of new FeedSource rows
    known: list[str] = field(default_factory=list)  # normalised URLs that were already in the catalogue
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


def add_feed_urls(
    urls: Iterable[str],
    *,
    now: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> AddResult:
    """Add feed URLs to the catalogue (see the module docstring); `on_progress(n)` after each batch of n."""
    now = now or timezone.now()
    result = AddResult()
    wanted: dict[str, None] = {}  # insertion-ordered set
    for raw in urls:
        try:
            wanted[normalise_feed_url(raw)] = None
        except InvalidFeedURL as error:
            result.rejected.append(Rejected(shown_url(raw), str(error)))
    ordered = list(wanted)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        existing = set(FeedSource.objects.filter(url__in=chunk).values_list("url", flat=True))
        new = [url for url in chunk if url not in existing]
        # Another process may add the same URL meanwhile: then it is known, not lost, and not an error.
        bulk.insert_values(
            FeedSource,
            [
                {"url": url, "private": is_private_feed_url(url), "next_check_at": now, "added_at": now}
                for url in new
            ],
            ignore_conflicts=True,
        )
        result.added += new
        result.known += [url for url in chunk if url in existing]
        if on_progress is not None:
            on_progress(len(chunk))
    return result


def display_url(source: FeedSource) -> str:
    """The URL as operators may see it: private feeds redacted."""
    return redact_url(source.url) if source.private else source.url
