"""Keep the index in step with the catalogue: ingest's signals, and deletions of episodes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from lytt.search.index import index_show, index_show_rows, index_shows, remove_episode
from lytt.search.transcripts import index_transcript

log = logging.getLogger(__name__)


def on_feed_ingested(sender: Any, show: Any, episode_ids: Iterable[int] = (), **kwargs: Any) -> None:
    """Ingest committed a feed: index the show and its new or changed episodes (a crawl's feeds come
    through `on_feeds_ingested` instead).

    Indexing errors are logged, never raised into ingest: a stale index is better than a lost feed, and
    ``lytt reindex`` repairs it.
    """
    try:
        index_show(show.pk, list(episode_ids))
    except Exception:
        log.exception("search: indexing show %s failed; run `lytt reindex` to repair", show.pk)


def on_feeds_ingested(sender: Any, items: Iterable[Any], **kwargs: Any) -> None:
    """A batch of feeds was ingested (the crawler, inside its transaction): index them all in one go.

    The savepoint keeps a failed index write from breaking the caller's transaction; the error is logged.
    """
    wanted: dict[int, list[int] | None] = {}
    for item in items:
        ids = wanted.setdefault(item.show.pk, [])
        assert ids is not None
        ids.extend(item.episode_ids)
    try:
        with transaction.atomic():
            index_shows(wanted)
    except Exception:
        log.exception("search: indexing %d shows failed; run `lytt reindex` to repair", len(wanted))


def on_attachment_stored(sender: Any, attachment_id: int, kind: str, items: Any, **kwargs: Any) -> None:
    """A transcript's content was stored: index its chunks (inside the storing transaction, in a savepoint
    so that a failure here is logged and never loses the transcript)."""
    if kind != "transcript":
        return
    try:
        with transaction.atomic():
            index_transcript(attachment_id, items or [])
    except Exception:
        log.exception("search: indexing transcript %s failed; run `lytt reindex` to repair", attachment_id)


def on_shows_listed(sender: Any, shows: Iterable[Any], **kwargs: Any) -> None:
    """Shows without episodes were listed or changed (a directory import, inside its transaction): index
    their show rows. A failure is logged, as for a crawl's batch."""
    ids = [show.pk for show in shows]
    try:
        with transaction.atomic():
            index_show_rows(ids)
    except Exception:
        log.exception("search: indexing %d listed shows failed; run `lytt reindex` to repair", len(ids))


def on_episode_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    remove_episode(instance.pk)


def connect() -> None:
    from django.db.models.signals import post_delete

    from lytt.catalog.models import Episode

    post_delete.connect(on_episode_deleted, sender=Episode, dispatch_uid="lytt.search.episode_deleted")
    try:
        from lytt.catalog.signals import (  # type: ignore[import-not-found,unused-ignore]
            attachment_stored,
            feed_ingested,
            feeds_ingested,
            shows_listed,
        )
    except ImportError:  # the catalogue's ingest has not landed: nothing to listen to yet
        log.debug("search: lytt.catalog.signals not found; the index follows `lytt reindex` only")
        return
    feed_ingested.connect(on_feed_ingested, dispatch_uid="lytt.search.feed_ingested")
    feeds_ingested.connect(on_feeds_ingested, dispatch_uid="lytt.search.feeds_ingested")
    attachment_stored.connect(on_attachment_stored, dispatch_uid="lytt.search.attachment_stored")
    shows_listed.connect(on_shows_listed, dispatch_uid="lytt.search.shows_listed")
