"""Signals the catalogue sends.

``feed_ingested`` is sent after the ingest transaction commits, only when something changed, with
``show`` (the `Show`) and ``episode_ids`` (ids of new, changed, vanished or returned episodes). The search
app listens to keep its index fresh; the accounts app links listeners' episode actions to the show.

A caller that ingests many feeds (the crawler) can gather them instead: inside `collect()`, ingest
appends an `Ingested` per changed feed to the collector, and the caller sends them all at once with
`send_batch`, inside its own transaction, as ``feeds_ingested`` (``items``: list of `Ingested`). Search
indexes a whole batch, and accounts links a whole batch, in a few queries that way. Collected feeds get no
``feed_ingested`` of their own (those sends, which both listeners skipped, were 4% of the crawler's
writing thread on a first ingest): a listener that must see every ingest connects to both signals.

``attachment_stored`` is sent when a transcript's or chapters file's content has been stored (inside the
storing transaction), with ``attachment_id``, ``kind``, ``items`` (the stored content) and ``version``
(its `fetched_at`). The web app renders the content once there and keeps the HTML beside it
(`attachments.store_html`), so an episode page reads it instead of rendering thousands of lines.

``shows_listed`` is sent, inside the sender's transaction, with ``shows`` (objects with a ``pk``) that
were created or changed without any episodes of their own yet: the shows `lytt import-podcastindex`
lists before their feeds are crawled. Search indexes just their show rows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

feed_ingested = Signal()
feeds_ingested = Signal()
attachment_stored = Signal()
shows_listed = Signal()

_local = threading.local()


@dataclass(frozen=True, slots=True)
class Ingested:
    """One changed feed: its show and the ids of its new, changed, vanished or returned episodes."""

    show: Any  # lytt.catalog.models.Show (not imported: models import this module's signals' users)
    episode_ids: tuple[int, ...]


@contextmanager
def collect() -> Iterator[list[Ingested]]:
    """Gather the feeds ingested inside the block (in this thread) into the list it yields."""
    previous = getattr(_local, "collector", None)
    collector: list[Ingested] = []
    _local.collector = collector
    try:
        yield collector
    finally:
        _local.collector = previous


def collecting() -> list[Ingested] | None:
    """The active collector of this thread, if any."""
    collector: list[Ingested] | None = getattr(_local, "collector", None)
    return collector


def send_batch(items: list[Ingested]) -> None:
    """Send ``feeds_ingested`` for gathered feeds (nothing when there are none)."""
    if items:
        from lytt.catalog.models import Show

        feeds_ingested.send(sender=Show, items=list(items))
