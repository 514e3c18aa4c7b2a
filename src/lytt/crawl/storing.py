"""Storing changed feeds: ingest parsed bodies through the catalogue's front door (`lytt.catalog`), apply
moved URLs (301/308, itunes:new-feed-url), and write their records, one transaction per chunk.

The transaction first locks the feeds this worker still holds (`lytt.crawl.claims.lock_held`); a feed
whose lease ran out is left to whoever holds it now. First ingests go together (`ingest_new_feeds`);
every other feed, and those if that fails, gets a savepoint, so one that the catalogue refuses is
recorded as an error without undoing the others. The feeds' search index rows are written in the same
transaction (`feeds_ingested`), so a crash loses the chunk as a whole: its claims run out and the feeds
are fetched again, nothing is half stored and the index never lags the catalogue.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, InterfaceError, OperationalError, transaction

from lytt.catalog import IngestResult, NewFeed, ingest_feed, ingest_new_feeds, signals
from lytt.catalog.models import FeedCheck, FeedSource
from lytt.crawl import decisions
from lytt.crawl.claims import lock_held
from lytt.crawl.decisions import Changed, Record
from lytt.crawl.errors import UnsafeURL
from lytt.crawl.parser_pool import Prepared
from lytt.crawl.records import Recorder, Summary
from lytt.crawl.safety import AddressPolicy, check_url
from lytt.crawl.schedule import Outcome
from lytt.feeds.feed_urls import is_private_feed_url
from lytt.feeds.feed_urls import redact_url as redact

log = logging.getLogger("lytt.crawl")

#: How many recent checks are looked at to count a feed's churn in a row.
_CHURN_WINDOW = 10


class Storer:
    """Stores chunks of changed feeds for `recorder`'s worker (`store`)."""

    def __init__(
        self,
        recorder: Recorder,
        *,
        policy: AddressPolicy,
        clock: Callable[[], datetime],
        rng: random.Random,
    ) -> None:
        self.recorder = recorder
        self.policy = policy
        self._clock = clock
        self._random = rng

    def store(self, items: list[Changed], summary: Summary) -> None:
        """Ingest parsed feeds (or apply permanent redirects) and record them, in one transaction."""
        if not items:
            return
        failed: list[Record] = []
        now = self._clock()
        with signals.collect() as ingested, transaction.atomic():
            held = set(lock_held(self.recorder.worker_id, [item.source.pk for item in items]))
            rows = FeedSource.objects.in_bulk(held)
            mine: list[tuple[Changed, FeedSource]] = []
            for item in items:
                current = rows.get(item.source.pk)
                if current is None:
                    self.recorder.lost(summary, item.source.pk, item.source.url)
                else:
                    mine.append((item, current))
            done = self._store_new(mine, now, ingested)
            for item, current in mine:
                if current.pk in done:
                    continue
                mark = len(ingested)
                try:
                    with transaction.atomic():
                        done[current.pk] = self._store_one(item, current, now)
                except (OperationalError, InterfaceError):
                    raise  # the database itself is unwell: not this feed's fault, let the loop deal with it
                except Exception as exc:
                    # Two feed URLs racing to become one show (IntegrityError), or data the catalogue
                    # refuses: the savepoint rolled back, so record the error for this feed alone.
                    del ingested[mark:]
                    failed.append(self._failure(item, exc, now))
            self.recorder.write_stored(list(done.values()), now, summary)
            signals.send_batch(ingested)
        self.recorder.committed()
        self.recorder.flush(failed, summary)

    def _store_new(
        self, mine: list[tuple[Changed, FeedSource]], now: datetime, ingested: list[signals.Ingested]
    ) -> dict[int, Record]:
        """Ingest the feeds among `mine` that are new shows together (`ingest_new_feeds`, in a savepoint
        that puts their rows back as they were if it fails); their records by feed id. The others, and all
        of them if that fails, are left to `store`'s loop, which ingests each in a savepoint of its own:
        the feed at fault is then recorded alone."""
        first = [
            (item, current, item.prepared)
            for item, current in mine
            if item.prepared is not None and decisions.is_first_ingest(item, current, item.prepared)
        ]
        if len(first) < 2:
            return {}
        mark = len(ingested)
        try:
            news = [NewFeed(current, prepared.feed, prepared.rows) for _, current, prepared in first]
            results = ingest_new_feeds(news, now=now)
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            log.warning(
                "crawl: %d new feeds could not be stored together; one at a time", len(first), exc_info=True
            )
            del ingested[mark:]
            return {}
        records: dict[int, Record] = {}
        for (item, current, prepared), result in zip(first, results, strict=True):
            if result is not None:
                records[current.pk] = self._record_ingest(current, item, prepared, result, now)
        return records

    def _store_one(self, item: Changed, current: FeedSource, now: datetime) -> Record:
        """Ingest one parsed feed (or apply a permanent redirect) into `current`, the feed's locked row, and
        return the outcome to record (written with the chunk). A URL change is written at once, inside the
        feed's savepoint, so a clash with another feed's URL fails this feed alone."""
        result, prepared = item.result, item.prepared
        url = current.url
        moved = self._follow_permanent_redirect(current, result.permanent_url)
        if moved is not None or prepared is None:
            outcome = moved or item.unparsed
            record = decisions.after_redirect(current, result, outcome, now, self._random.random())
        else:
            # `store` runs this feed in a savepoint of its own and rolls it back whole on an error.
            ingested = ingest_feed(
                current, prepared.feed, now=now, episode_rows=prepared.rows, savepoint=False
            )
            record = self._record_ingest(current, item, prepared, ingested, now)
        if current.url != url:
            current.save(update_fields=["url", "private"])
        return record

    def _record_ingest(
        self, source: FeedSource, item: Changed, prepared: Prepared, ingested: IngestResult, now: datetime
    ) -> Record:
        """The record of a feed ingest has stored, its row updated to match (body hash, change time)."""
        feed = prepared.feed
        if feed.locked:
            log.info("crawl feed=%s podcast:locked owner=%s", source.pk, feed.locked_owner or "-")
        outcome = decisions.ingest_outcome(ingested, bool(source.content_hash))
        churn = self._churn_count(source) if outcome is Outcome.CHURN else 0
        if outcome is not Outcome.DUPLICATE:
            decisions.learned_from(source, ingested)
        record = decisions.after_ingest(
            source, item.result, prepared, ingested, outcome, churn, now, self._random.random()
        )
        if outcome is Outcome.DUPLICATE:
            return record
        source.content_hash = item.digest
        if outcome is Outcome.UPDATED:
            source.last_changed_at = now
        self._follow_new_feed_url(record, source, feed.new_feed_url)
        return record

    def _failure(self, item: Changed, exc: Exception, now: datetime) -> Record:
        kind = "conflict" if isinstance(exc, IntegrityError) else "ingest"
        if kind == "ingest":
            log.error("crawl feed=%s ingest failed", item.source.pk, exc_info=exc)
        return decisions.after_store_error(item, exc, kind, now, self._random.random())

    def _churn_count(self, source: FeedSource) -> int:
        """CHURN outcomes in a row among the feed's latest checks."""
        recent = (
            FeedCheck.objects.filter(feed=source)
            .order_by("-checked_at", "-id")
            .values_list("outcome", flat=True)
        )
        count = 0
        for outcome in recent[:_CHURN_WINDOW]:
            if outcome != Outcome.CHURN.value:
                break
            count += 1
        return count

    def _follow_permanent_redirect(self, source: FeedSource, permanent_url: str | None) -> Outcome | None:
        """Apply a 301/308 to the stored URL; MOVED when the new URL is another feed's (a duplicate)."""
        target = decisions.move_target(permanent_url, source.url)
        if target is None:
            return None
        other = _feed_with_url(target, source)
        if other is not None:
            source.status = FeedSource.Status.DUPLICATE
            source.status_reason = f"moved permanently to {redact(target)}, already feed #{other}"[:300]
            return Outcome.MOVED
        log.info("crawl feed=%s moved permanently %s -> %s", source.pk, redact(source.url), redact(target))
        source.url = target
        source.private = source.private or is_private_feed_url(target)
        return None

    def _follow_new_feed_url(self, record: Record, source: FeedSource, new_feed_url: str | None) -> None:
        """Honour itunes:new-feed-url: move the source to the new URL (checked soon, validators dropped),
        or, when another source already has that URL, mark this one its duplicate."""
        target = decisions.move_target(new_feed_url, source.url)
        if target is None:
            return
        try:
            check_url(target, self.policy)
        except UnsafeURL as exc:
            log.warning("crawl feed=%s ignores itunes:new-feed-url: %s", source.pk, exc)
            return
        other = _feed_with_url(target, source)
        if other is not None:
            source.status = FeedSource.Status.DUPLICATE
            record.outcome = Outcome.DUPLICATE
            record.reason = f"itunes:new-feed-url points to feed #{other}"
            return
        log.info("crawl feed=%s itunes:new-feed-url %s -> %s", source.pk, redact(source.url), redact(target))
        record.reason = f"moved by itunes:new-feed-url from {redact(source.url)}"
        source.url = target
        source.private = source.private or is_private_feed_url(target)
        source.content_hash = ""
        record.keep_validators = False
        record.next_check_at = self._clock()


def _feed_with_url(url: str, source: FeedSource) -> int | None:
    """The id of another feed source with `url`, if there is one."""
    return FeedSource.objects.filter(url=url).exclude(pk=source.pk).values_list("pk", flat=True).first()
