"""Writing what checks found: each feed's outcome on its row (which releases its claim), a `FeedCheck`
row per check, the run's counts (`Summary`), a log line per feed, and pruning of old checks.

Plain rows both ways (`lytt.catalog.bulk`): a 304 costs no model instance. A feed whose lease ran out
before its outcome was written is counted as a lost lease and written nowhere (`lytt.crawl.claims`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from lytt.catalog import bulk
from lytt.catalog.models import FeedCheck, FeedSource
from lytt.crawl.claims import ClaimedFeed, lock_held
from lytt.crawl.decisions import Record
from lytt.crawl.schedule import Outcome
from lytt.feeds.feed_urls import redact_url as redact

log = logging.getLogger("lytt.crawl")

#: Called for each feed recorded (`lytt crawl`'s progress bar).
OnFeed = Callable[[FeedSource | ClaimedFeed, Outcome], None]


@dataclass(slots=True)
class Summary:
    """Counts for a batch or a whole run."""

    feeds: int = 0
    new_episodes: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    lost_leases: int = 0
    reclaimed: int = 0  # leases of dead workers taken back
    held: int = 0  # due feeds other workers still held at the end (`crawl --once`)
    held_until: datetime | None = None
    seconds: float = 0.0

    def add(self, other: Summary) -> None:
        self.feeds += other.feeds
        self.new_episodes += other.new_episodes
        self.outcomes.update(other.outcomes)
        self.errors.update(other.errors)
        self.lost_leases += other.lost_leases
        self.reclaimed += other.reclaimed
        self.seconds += other.seconds

    def line(self) -> str:
        outcomes = " ".join(f"{name}={count}" for name, count in sorted(self.outcomes.items()))
        errors = ",".join(f"{name}:{count}" for name, count in sorted(self.errors.items()))
        rate = self.feeds / self.seconds if self.seconds else 0.0
        text = f"feeds={self.feeds} {outcomes} new_episodes={self.new_episodes} seconds={self.seconds:.1f}"
        text += f" feeds_per_s={rate:.0f}"
        if errors:
            text += f" errors={errors}"
        if self.lost_leases:
            text += f" lost_leases={self.lost_leases}"
        if self.reclaimed:
            text += f" reclaimed_from_dead_workers={self.reclaimed}"
        if self.held:
            until = f" until {self.held_until:%Y-%m-%d %H:%M:%S %Z}" if self.held_until else ""
            text += f" held_by_other_workers={self.held}{until}"
        return text


#: What every outcome writes, in `outcome_values`' order.
OUTCOME_FIELDS = (
    "status",
    "status_reason",
    "etag",
    "last_modified",
    "next_check_at",
    "check_interval_seconds",
    "not_before",
    "last_checked_at",
    "last_success_at",
    "last_status_code",
    "last_error",
    "error_count",
    "claimed_by",
    "claimed_until",
    "tier",
    "tier_reason",
)
#: What a stored feed's outcome writes besides: ingest or a moved URL may have changed these on its row,
#: and what ingest learned for its tier (`decisions.learned_from`).
STORED_FIELDS = ("url", "private", "content_hash", "last_changed_at", "popularity", "newest_item_at")


def outcome_values(record: Record, now: datetime) -> tuple[list[Any], dict[str, Any]]:
    """The feed's new values for this outcome (`OUTCOME_FIELDS`, in order) and its FeedCheck row.

    Errors keep the validators and the last success; other outcomes take the response's validators
    (a 304's only where it sends fresher ones), unless the feed moved (`keep_validators`)."""
    source, result, plan, outcome = record.source, record.result, record.plan, record.outcome
    reason = (record.reason or plan.reason)[:300]
    if outcome in (Outcome.ERROR, Outcome.GONE):
        status = FeedSource.Status.RETIRED if plan.retire else FeedSource.Status.ERROR
        etag, last_modified = source.etag, source.last_modified
        error, last_success_at = record.error, source.last_success_at
    else:
        if outcome in (Outcome.MOVED, Outcome.DUPLICATE):
            status = FeedSource.Status.DUPLICATE
        else:
            status = FeedSource.Status.ACTIVE
        if not record.keep_validators:
            etag = last_modified = ""
        elif not result.not_modified:
            etag, last_modified = result.etag, result.last_modified
        else:  # a 304 may carry fresher validators; keep ours when it does not
            etag = result.etag or source.etag
            last_modified = result.last_modified or source.last_modified
        error, last_success_at = "", now
    values = [
        status,
        reason,
        etag,
        last_modified,
        record.next_check_at or plan.next_check_at,
        max(1, int(plan.interval.total_seconds())),
        result.not_before,
        now,
        last_success_at,
        result.status_code,
        error,
        plan.error_count,
        "",  # claimed_by: the claim is released
        None,  # claimed_until
        record.tier.tier.value if record.tier is not None else "",
        record.tier.reason[:200] if record.tier is not None else "",
    ]
    check = {
        "feed_id": source.pk,
        "checked_at": now,
        "outcome": outcome.value,
        "status_code": result.status_code,
        "error": record.error,
        "duration_ms": min(result.duration_ms, 2**31 - 1),
        "bytes_received": min(result.bytes_received, 2**31 - 1),
        "new_episodes": record.new_episodes,
    }
    return values, check


class Recorder:
    """Writes records for `worker_id`: in bulk for outcomes that need no ingest (`flush`), inside the
    storing transaction for stored feeds (`write_stored`). `committed` is called after each commit of its
    own (the checkpoint thread's cue)."""

    def __init__(
        self,
        worker_id: str,
        *,
        clock: Callable[[], datetime],
        keep_checks: int,
        on_feed: OnFeed | None = None,
        committed: Callable[[], None] = lambda: None,
    ) -> None:
        self.worker_id = worker_id
        self.keep_checks = keep_checks
        self.committed = committed
        self._clock = clock
        self._on_feed = on_feed

    def flush(self, records: list[Record], summary: Summary) -> None:
        """Write outcomes that need no ingest, in one transaction, for feeds this worker still holds.
        Only the outcome's own columns are written; nothing else of these feeds changed since the claim."""
        if not records:
            return
        now = self._clock()
        with transaction.atomic():
            held = set(lock_held(self.worker_id, [record.source.pk for record in records]))
            rows: list[list[Any]] = []
            checks: list[dict[str, Any]] = []
            for record in records:
                source = record.source
                if source.pk not in held:
                    self.lost(summary, source.pk, source.url)
                    continue
                values, check = outcome_values(record, now)
                values.append(source.pk)
                rows.append(values)
                checks.append(check)
                self._count(summary, record)
                self._log(record)
            bulk.update_values(FeedSource, OUTCOME_FIELDS, rows)
            bulk.insert_values(FeedCheck, checks)
        self.committed()

    def write_stored(self, records: list[Record], now: datetime, summary: Summary) -> None:
        """Write the records of stored feeds (inside the caller's transaction, which holds their row
        locks): one prepared UPDATE and one INSERT for the whole chunk."""
        rows: list[list[Any]] = []
        checks: list[dict[str, Any]] = []
        for record in records:
            source = record.source
            assert isinstance(source, FeedSource)  # the locked row
            values, check = outcome_values(record, now)
            stored = [
                source.url,
                source.private,
                source.content_hash,
                source.last_changed_at,
                source.popularity,
                source.newest_item_at,
            ]
            rows.append([*stored, *values, source.pk])
            checks.append(check)
        bulk.update_values(FeedSource, (*STORED_FIELDS, *OUTCOME_FIELDS), rows)
        bulk.insert_values(FeedCheck, checks)
        for record in records:
            self._log(record)
            self._count(summary, record)

    def lost(self, summary: Summary, pk: int, url: str) -> None:
        """Count a feed whose claim another worker took over before this one wrote it."""
        summary.lost_leases += 1
        log.warning("crawl lease lost feed=%s url=%s", pk, redact(url))

    def prune(self, feed_ids: list[int]) -> None:
        """Keep only the newest `keep_checks` FeedCheck rows of each of these feeds.

        One DELETE in plain SQL (window functions: SQLite 3.25+, PostgreSQL): compiling the ORM's version,
        a 500-id IN list and then the DELETE of what it found, cost more than running it.
        """
        if not feed_ids:
            return
        quote = connection.ops.quote_name
        table, pk, feed = quote(FeedCheck._meta.db_table), quote("id"), quote("feed_id")
        ids = bulk.placeholders(len(feed_ids))
        ranked = (
            f"SELECT {pk}, ROW_NUMBER() OVER (PARTITION BY {feed} ORDER BY {quote('checked_at')} DESC,"
            f" {pk} DESC) AS {quote('rank')} FROM {table} WHERE {feed} IN ({ids})"
        )
        sql = (
            f"DELETE FROM {table} WHERE {pk} IN"
            f" (SELECT {pk} FROM ({ranked}) {quote('ranked')} WHERE {quote('rank')} > %s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*feed_ids, self.keep_checks])

    def _count(self, summary: Summary, record: Record) -> None:
        summary.feeds += 1
        summary.new_episodes += record.new_episodes
        summary.outcomes[record.outcome.value] += 1
        if record.error_kind:
            summary.errors[record.error_kind] += 1
        if self._on_feed is not None:
            self._on_feed(record.source, record.outcome)

    def _log(self, record: Record) -> None:
        source, result = record.source, record.result
        level = logging.WARNING if record.outcome is Outcome.ERROR else logging.DEBUG
        if record.outcome in (Outcome.UPDATED, Outcome.DUPLICATE, Outcome.MOVED, Outcome.GONE):
            level = logging.INFO
        if log.isEnabledFor(level):
            log.log(
                level,
                "crawl feed=%s url=%s outcome=%s status=%s new=%s ms=%s next=%s%s",
                source.pk,
                redact(source.url),
                record.outcome.value,
                result.status_code if result.status_code is not None else "-",
                record.new_episodes,
                result.duration_ms,
                (record.next_check_at or record.plan.next_check_at).isoformat(timespec="seconds"),
                f" error={record.error!r}" if record.error else "",
            )
