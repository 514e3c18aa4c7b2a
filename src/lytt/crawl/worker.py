"""The crawl worker: claim due feeds with a lease, fetch, parse, ingest, record, release.

The claim/lease protocol (see docs/architecture.md, "crawl"):

1. In one short transaction, pick up to `batch_size` due feeds whose lease is free or expired and stamp them
   `claimed_by = <worker id>`, `claimed_until = now + lease`. On PostgreSQL the pick is
   `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent workers never pick the same rows and never wait for
   each other. SQLite has no row locks; its `BEGIN IMMEDIATE` transactions serialise claims, which is
   right for the single worker SQLite is meant for.
2. Fetch outside any transaction; parse and ingest each changed feed in its own transaction, which first
   re-reads the feed row (locked) and checks that this worker still holds the claim. A worker whose lease
   ran out (it was stalled, or killed) records nothing for that feed: whoever claimed it next does.
3. Outcomes that change no episodes (304, same body hash, errors) are written in bulk per chunk; each
   write releases the claim and sets the next check. A worker killed with SIGKILL loses only uncommitted
   work; its claims expire and the feeds are fetched again. Ingest is an idempotent upsert, so a feed
   fetched twice never duplicates an episode.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import queue
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Field, Q
from django.db.models.functions import Coalesce, Greatest

from lytt.catalog import bulk, signals
from lytt.catalog.ingest import (
    SOURCE_STATE,
    IngestResult,
    NewFeed,
    ingest_feed,
    ingest_new_feeds,
    restored_on_error,
)
from lytt.catalog.models import FeedCheck, FeedSource
from lytt.catalog.sources import InvalidFeedURL, normalise_feed_url
from lytt.crawl.checkpoints import BACKSTOP_PAGES, Checkpointer
from lytt.crawl.errors import UnsafeURL
from lytt.crawl.fetch import FetchConfig, FetchRequest, FetchResult
from lytt.crawl.parsing import Parsed, ParseFailure, ParseJob, ParsePool, Prepared
from lytt.crawl.pipeline import FetchThread
from lytt.crawl.safety import AddressPolicy, check_url
from lytt.crawl.schedule import FeedState, Hints, Observation, Outcome, Plan, plan_next
from lytt.crawl.transport import Resolver
from lytt.feeds import Feed
from lytt.feeds.feed_urls import is_private_feed_url
from lytt.feeds.feed_urls import redact_url as redact

log = logging.getLogger("lytt.crawl")

CRAWLABLE = (FeedSource.Status.NEW, FeedSource.Status.ACTIVE, FeedSource.Status.ERROR)
#: Outcomes written in bulk (nothing to ingest).
_FLUSH_EVERY = 200
#: Changed feeds ingested per transaction (and indexed for search in one go). A commit writes every page
#: the chunk touched, and new episodes land all over the indexes by date: 150 feeds per commit instead of
#: 50 wrote 26% less to SQLite's WAL and database file at 10,000 feeds, and a first ingest of 3,000 ran
#: 278-328 feeds/s instead of 252-269 (250 per commit was slower again: docs/benchmarks.md, "crawl").
_STORE_EVERY = 150
#: Checked feeds whose old FeedCheck rows are pruned in one statement.
_PRUNE_EVERY = 500
#: Checked feeds are written at the latest this many seconds after the first of them waits to be.
_WRITE_AFTER = 1.0
#: How often a worker waiting for fetch results looks at what else there is to do.
_TICK = 0.1
#: How often a worker waiting for fetch results checks that the fetch side is still working on them.
_CHECK_SECONDS = 1.0


#: Allocations between collections of the youngest generation in `lytt crawl` (`settle_heap`).
GC_YOUNG_THRESHOLD = 50_000


def settle_heap() -> None:
    """Keep what the process holds so far (Django, the apps, the libraries, which live as long as the
    process) out of the garbage collector's full passes, which otherwise walk all of it again and again
    while a crawl allocates (`gc.freeze`). `lytt crawl` calls it once before crawling (a first ingest of
    1,000 feeds: 204-210 -> 206-215 feeds/s, a few per cent at most; docs/benchmarks.md, "crawl").

    It also collects the youngest generation every `GC_YOUNG_THRESHOLD` allocations instead of 700: the
    rows each parsed feed brings (a few hundred containers) set off a collection every other feed, each
    walking every row still waiting to be written. The crawler makes few reference cycles."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


#: SQLite settings of the crawler's own connection: savepoint and statement journals in memory instead of
#: temporary files (SQLite writes every page a feed's savepoint touches to one before changing it); a
#: page cache big enough to hold a chunk's transaction until commit instead of spilling pages to the WAL
#: part-way, or reading evicted ones back; and the first GB of the database file read through a memory
#: map, not a system call per page missing from that cache (a large catalogue's index pages, FTS5's
#: segments while merging). docs/benchmarks.md, "crawl", has the figures. Checkpoints are left to a
#: thread of their own (`lytt.crawl.checkpoints`), this connection running one only past a backstop.
CRAWLER_SQLITE_PRAGMAS = {
    "temp_store": 2,
    "cache_size": -64 * 1024,
    "mmap_size": 1 << 30,
    "wal_autocheckpoint": BACKSTOP_PAGES,
}


def tune_connection(target: BaseDatabaseWrapper = connection) -> None:
    """Apply `CRAWLER_SQLITE_PRAGMAS` to `target` (this thread's default connection; SQLite only). Called
    before each claim, so a connection opened again after an error gets them too. Inside a transaction it
    does nothing: SQLite refuses to change where temporary storage lives within one."""
    if target.vendor != "sqlite" or target.in_atomic_block:
        return
    with target.cursor() as cursor:
        for name, value in CRAWLER_SQLITE_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name} = {value}")  # (the value it has already: nothing to do)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """How one worker process crawls. The lease must comfortably outlast a batch (see `lease_needed`).

    `parse_processes`: 0 parses in the worker's own thread; n > 0 parses in n processes beside it
    (`lytt.crawl.parsing`; `lytt crawl` sizes it from the machine's cores).
    """

    worker_id: str = field(default_factory=default_worker_id)
    batch_size: int = 100
    lease: timedelta = timedelta(minutes=15)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    keep_checks: int = 50
    parse_processes: int = 0
    #: A batch stops waiting for its last few fetches (`late_fetches`) once none has completed for this
    #: many seconds; later batches record them (see `Worker.run_batch`).
    late_after: float = 5.0

    @property
    def late_fetches(self) -> int:
        """How many of a batch's fetches may be left running when it ends: a quarter of the concurrency."""
        return max(1, self.fetch.concurrency // 4)

    def lease_needed(self) -> timedelta:
        """The worst case for one batch: every fetch in it hitting the total timeout, in waves, after one
        more wave for the fetches of the batch before it (a batch is claimed while fewer than
        `concurrency` of those are left, `Worker.run_batch`)."""
        waves = -(-self.batch_size // max(self.fetch.concurrency, 1))
        return timedelta(seconds=(waves + 1) * self.fetch.total_timeout)


@dataclass(slots=True)
class Summary:
    """Counts for a batch or a whole run."""

    feeds: int = 0
    new_episodes: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    lost_leases: int = 0
    seconds: float = 0.0

    def add(self, other: Summary) -> None:
        self.feeds += other.feeds
        self.new_episodes += other.new_episodes
        self.outcomes.update(other.outcomes)
        self.errors.update(other.errors)
        self.lost_leases += other.lost_leases
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
        return text


def _now() -> datetime:
    return datetime.now(UTC)


def due_filter(now: datetime, *, run_started: datetime | None = None) -> Q:
    """Feeds a worker may claim now. With `run_started` (crawl --all): every feed not yet checked this run."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    polite = Q(not_before__isnull=True) | Q(not_before__lte=now)
    due = Q(status__in=CRAWLABLE) & free & polite
    if run_started is not None:
        return due & (Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=run_started))
    return due & Q(next_check_at__lte=now)


class ClaimedFeed(NamedTuple):
    """A claimed feed as the crawler reads it: what the request, the change check and the schedule need.

    A plain row, not a `FeedSource`: building model instances was the largest Python cost of an unchanged
    pass. A feed with something to store is read again, locked, as a `FeedSource` (`Worker._held`).
    """

    pk: int
    url: str
    etag: str
    last_modified: str
    content_hash: str
    show_id: int | None
    check_interval_seconds: int
    error_count: int
    added_at: datetime
    last_success_at: datetime | None


#: `ClaimedFeed`'s columns, in its order (the model's attnames: `id` is `pk`).
_CLAIMED = ("id", *ClaimedFeed._fields[1:])


def claim_batch(
    worker_id: str,
    *,
    limit: int,
    lease: timedelta,
    now: datetime | None = None,
    run_started: datetime | None = None,
) -> list[ClaimedFeed]:
    """Claim up to `limit` due feeds for `worker_id` until now + lease, and return them (next check first)."""
    now = now or _now()
    with transaction.atomic():
        candidates = FeedSource.objects.filter(due_filter(now, run_started=run_started))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.order_by("next_check_at", "id").values_list("id", flat=True)[:limit])
        if not ids:
            return []
        claimed = {feed.pk: feed for feed in _stamp_claims(ids, worker_id, now + lease)}
    return [claimed[pk] for pk in ids if pk in claimed]


def _params(values: list[Any]) -> str:
    """The placeholders of `values` in an IN list."""
    return ", ".join(["%s"] * len(values))


def _stamp_claims(ids: list[int], worker_id: str, until: datetime) -> list[ClaimedFeed]:
    """Stamp the claim on `ids` and read them back in the same statement (UPDATE ... RETURNING, which
    SQLite 3.35+ and PostgreSQL both have): one statement instead of an UPDATE and a SELECT through the
    ORM, and plain rows. Dates go through the backend's own converters, as the ORM would read them."""
    ops = connection.ops
    quote = ops.quote_name
    columns = []
    dates = []
    for index, name in enumerate(_CLAIMED):
        field = FeedSource._meta.get_field(name)
        assert isinstance(field, Field)
        columns.append(quote(str(field.column)))
        if field.get_internal_type() == "DateTimeField":
            col = field.cached_col
            dates += [(index, convert, col) for convert in ops.get_db_converters(col)]
    sql = (
        f"UPDATE {quote(FeedSource._meta.db_table)}"
        f" SET {quote('claimed_by')} = %s, {quote('claimed_until')} = %s"
        f" WHERE {quote('id')} IN ({_params(ids)}) RETURNING {', '.join(columns)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [worker_id, ops.adapt_datetimefield_value(until), *ids])
        rows = cursor.fetchall()
    if not dates:
        return [ClaimedFeed._make(row) for row in rows]
    feeds = []
    for row in rows:
        values = list(row)
        for index, convert, col in dates:
            values[index] = convert(values[index], col, connection)
        feeds.append(ClaimedFeed._make(values))
    return feeds


def release_claims(worker_id: str, ids: Iterable[int]) -> int:
    """Give back claims without recording a check (a worker stopping early)."""
    return FeedSource.objects.filter(id__in=list(ids), claimed_by=worker_id).update(
        claimed_by="", claimed_until=None
    )


def _normalised(url: str | None) -> str | None:
    """A moved-to URL in the catalogue's canonical form (so it matches stored URLs), None if unusable."""
    if not url:
        return None
    try:
        return normalise_feed_url(url)
    except InvalidFeedURL:
        return None


def _hints(feed: Feed) -> Hints:
    return Hints.from_values(
        ttl_minutes=feed.ttl_minutes,
        update_period=feed.update_period,
        update_frequency=feed.update_frequency,
        skip_hours=feed.skip_hours,
        skip_days=feed.skip_days,
    )


@dataclass(slots=True)
class _Record:
    """Everything to write for one checked feed."""

    source: FeedSource | ClaimedFeed  # the locked row of a stored feed, the claimed row of the others
    outcome: Outcome
    result: FetchResult
    plan: Plan
    error: str = ""
    error_kind: str = ""
    new_episodes: int = 0
    reason: str = ""  # overrides the plan's reason in status_reason (a MOVED feed's names the other feed)
    next_check_at: datetime | None = None  # overrides the plan's time (a moved feed is checked soon)
    keep_validators: bool = True


@dataclass(eq=False, slots=True)
class _ToParse:
    """A fetched feed whose new body is being parsed (the pool's key for it)."""

    source: ClaimedFeed
    result: FetchResult
    digest: str


@dataclass(slots=True)
class _Changed:
    """A fetched feed that needs a transaction of its own kind: a new body to ingest, or a moved URL."""

    source: ClaimedFeed
    result: FetchResult
    prepared: Prepared | None = None
    digest: str = ""
    unparsed: Outcome = Outcome.NOT_MODIFIED  # the outcome of a moved feed that was not parsed


@dataclass(slots=True)
class _Pending:
    """A run's checked feeds not yet written: bulk outcome records, and changes to store."""

    records: list[_Record] = field(default_factory=list)
    changed: list[_Changed] = field(default_factory=list)
    since: float = 0.0  # (monotonic) when the oldest of them was added

    def add(self, item: _Record | _Changed) -> None:
        if not self.records and not self.changed:
            self.since = time.monotonic()
        if isinstance(item, _Record):
            self.records.append(item)
        else:
            self.changed.append(item)

    def overdue(self) -> bool:
        """Something has waited `_WRITE_AFTER` seconds to be written."""
        return bool(self.records or self.changed) and time.monotonic() - self.since >= _WRITE_AFTER


#: What ingesting a feed and working out its record may change on its `FeedSource`.
_STORED_STATE = (*SOURCE_STATE, "content_hash", "last_changed_at")


def _first_ingest(item: _Changed, source: FeedSource, prepared: Prepared) -> bool:
    """Whether a feed may go with the first ingests `Worker._store_new` stores together: its source has no
    show yet, and neither a permanent redirect nor itunes:new-feed-url moves it (those take the
    one-at-a-time path, which writes the new URL inside the feed's own savepoint)."""
    return (
        source.show_id is None
        and source.status != FeedSource.Status.DUPLICATE
        and not item.result.permanent_url
        and not prepared.feed.new_feed_url
    )


class Worker:
    """Crawls claimed batches. `crawl_once` drains what is due; `crawl_forever` keeps going until `stop`."""

    def __init__(
        self,
        config: WorkerConfig | None = None,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], datetime] = _now,
        on_feed: Callable[[FeedSource | ClaimedFeed, Outcome], None] | None = None,
    ) -> None:
        self.config = config or WorkerConfig()
        self.policy = policy or AddressPolicy.from_settings()
        self._resolver = resolver
        self._clock = clock
        self._on_feed = on_feed
        self._random = random.Random()
        self.stop = threading.Event()
        # Fetches in flight, by feed id: the current batch's and any an earlier batch left running. Their
        # results come back through `_inbox`, put there by the fetch thread.
        self._fetching: dict[int, ClaimedFeed] = {}
        self._inbox: queue.SimpleQueue[FetchResult] = queue.SimpleQueue()
        self._fetches: list[Future[None]] = []
        # Copies what the crawl commits into the SQLite database file, during a crawl (`_checkpointing`).
        self._checkpoints: Checkpointer | None = None

    # -- running ---------------------------------------------------------------------------------

    def crawl_once(self, *, all_feeds: bool = False) -> Summary:
        """Check every due feed (or, with `all_feeds`, every crawlable feed) once; stop when none are left."""
        total = Summary()
        run_started = self._clock() if all_feeds else None
        with (
            FetchThread(self.config.fetch, policy=self.policy, resolver=self._resolver) as fetcher,
            self._parse_pool() as parser,
            self._forgetting_fetches(),
            self._checkpointing(),
        ):

            def claim() -> list[ClaimedFeed]:
                return self._claim(run_started=run_started)

            while batch := claim():
                total.add(self.run_batch(batch, fetcher, parser, more=claim))
            self._finish_late(fetcher, parser, total)
        return total

    def crawl_forever(self, *, max_sleep: float = 60.0, min_sleep: float = 1.0) -> Summary:
        """Crawl due feeds, sleeping until the next one is due (within min_sleep..max_sleep), until `stop`.

        A stop request claims nothing more; the feeds already claimed are finished and recorded. Database
        errors (a restarted server, a dropped connection) are logged and retried with backoff rather than
        ending the process.
        """
        total = Summary()
        failures = 0
        with (
            FetchThread(self.config.fetch, policy=self.policy, resolver=self._resolver) as fetcher,
            self._parse_pool() as parser,
            self._forgetting_fetches(),
            self._checkpointing(),
        ):
            while not self.stop.is_set():
                try:
                    if not connection.in_atomic_block:  # (tests run inside one)
                        close_old_connections()
                    batch = self._claim()
                    if batch:
                        total.add(self.run_batch(batch, fetcher, parser, more=self._claim))
                        failures = 0
                        continue
                    self._finish_late(fetcher, parser, total)
                    pause = self.seconds_until_due(max_sleep)
                    failures = 0
                except DatabaseError as exc:
                    failures += 1
                    pause = min(max_sleep, min_sleep * 2 ** min(failures, 6))
                    log.error("crawl database error (retrying in %.0fs): %s", pause, exc)
                    connection.close()
                self.stop.wait(max(min_sleep, pause))
            self._finish_late(fetcher, parser, total)
        return total

    def seconds_until_due(self, max_sleep: float) -> float:
        """How long until some feed becomes claimable (0..max_sleep): due, allowed, and not leased."""
        claimable_at = Greatest(
            F("next_check_at"),
            Coalesce(F("not_before"), F("next_check_at")),
            Coalesce(F("claimed_until"), F("next_check_at")),
        )
        nxt = (
            FeedSource.objects.filter(status__in=CRAWLABLE)
            .annotate(claimable_at=claimable_at)
            .order_by("claimable_at")
            .values_list("claimable_at", flat=True)
            .first()
        )
        if nxt is None:
            return max_sleep
        return max(0.0, min(max_sleep, (nxt - self._clock()).total_seconds()))

    def _claim(self, *, run_started: datetime | None = None) -> list[ClaimedFeed]:
        """Claim the next batch; none once `stop` is set."""
        if self.stop.is_set():
            return []
        tune_connection()
        return claim_batch(
            self.config.worker_id,
            limit=self.config.batch_size,
            lease=self.config.lease,
            now=self._clock(),
            run_started=run_started,
        )

    def _parse_pool(self) -> ParsePool[_ToParse]:
        return ParsePool(self.config.parse_processes)

    def run_batch(
        self,
        batch: list[ClaimedFeed],
        fetcher: FetchThread,
        parser: ParsePool[_ToParse] | None = None,
        *,
        more: Callable[[], list[ClaimedFeed]] | None = None,
    ) -> Summary:
        """Fetch, parse, ingest and record one claimed batch, and the batches `more` claims after it.

        New bodies go to `parser` as they arrive; parsed feeds are stored as they come back, so the
        database writes of one chunk overlap the fetching and parsing of the next.

        With `more`, the next batch is claimed and its fetches started once fewer fetches than
        `--concurrency` are left (`_wants_more`), while this one's last results are still being parsed and
        stored: the fetcher and the parser never stand idle at a batch's end. The run ends when `more`
        claims nothing.

        A batch does not wait for its last few fetches (`WorkerConfig.late_fetches`) once none has
        completed for `late_after` seconds: one slow server would otherwise hold the whole worker for up to
        the fetch timeout. Those feeds stay claimed and their fetches keep running; the batches after it
        record them as they complete, and an empty `batch` waits for all of them (`_finish_late`).
        """
        started = time.monotonic()
        summary = Summary()
        parser = parser if parser is not None else ParsePool(0)
        awaited = {source.pk for source in batch} if batch else set(self._fetching)
        checked_ids: list[int] = []
        out = _Pending()
        waiting: set[_ToParse] = set()
        try:
            self._start(batch, fetcher)
            for result in self._fetched(awaited, leave_late=bool(batch)):
                if result is not None:
                    source = self._fetching.pop(result.request.feed_id)
                    checked_ids.append(source.pk)
                    checked = self._check(source, result)
                    if isinstance(checked, _ToParse):
                        waiting.add(checked)
                        parser.submit(checked, self._parse_job(checked))
                    else:
                        out.add(checked)
                self._collect(parser, waiting, out, block=False)
                self._write_due(out, summary)
                if more is not None and self._wants_more(awaited, waiting):
                    more = self._start_more(more, fetcher, awaited, summary)
                if len(checked_ids) >= _PRUNE_EVERY:
                    self._prune(checked_ids)
                    checked_ids = []
            while waiting:
                if not len(parser):  # a bug: fail the batch (its claims expire) rather than wait forever
                    raise RuntimeError(f"the parser pool lost {len(waiting)} jobs")
                self._collect(parser, waiting, out, block=True)
                self._write_due(out, summary)
            self._store(out.changed, summary)
            self._flush(out.records, summary)
            self._prune(checked_ids)
        except BaseException:
            parser.drop()
            self._drop_fetches()
            raise
        summary.seconds = time.monotonic() - started
        late = f" late={len(awaited)}" if awaited else ""
        log.info("crawl batch worker=%s %s%s", self.config.worker_id, summary.line(), late)
        return summary

    def _start(self, batch: list[ClaimedFeed], fetcher: FetchThread) -> None:
        """Start fetching a claimed batch; its results come back through `_inbox`."""
        if not batch:
            return
        requests = [
            FetchRequest(source.pk, source.url, source.etag, source.last_modified) for source in batch
        ]
        self._fetching.update((source.pk, source) for source in batch)
        self._forget_ended_fetches()
        self._fetches.append(fetcher.start(requests, self._inbox.put))

    def _wants_more(self, awaited: set[int], waiting: set[_ToParse]) -> bool:
        """Time to claim the next batch: fewer fetches left than the fetcher runs at once, and no more
        than a batch of bodies waiting for the parser (a parser slower than the fetcher holds claims back
        instead of piling up bodies)."""
        return len(awaited) < max(1, self.config.fetch.concurrency) and len(waiting) < self.config.batch_size

    def _start_more(
        self,
        more: Callable[[], list[ClaimedFeed]],
        fetcher: FetchThread,
        awaited: set[int],
        summary: Summary,
    ) -> Callable[[], list[ClaimedFeed]] | None:
        """Claim and start the next batch; `more` again while there was one, None once nothing is left, or
        when the claim failed: the feeds in hand are finished and recorded first (a database that is busy
        or restarting must not cost them), and the caller's next claim tries again.
        Logged with the run's count so far: a run lasts as long as feeds are due."""
        try:
            batch = more()
        except DatabaseError as exc:
            log.warning("crawl could not claim more feeds, finishing the %d in hand: %s", len(awaited), exc)
            return None
        if not batch:
            return None
        awaited.update(source.pk for source in batch)
        self._start(batch, fetcher)
        log.info(
            "crawl batch worker=%s claimed=%d recorded=%d", self.config.worker_id, len(batch), summary.feeds
        )
        return more

    def _fetched(self, awaited: set[int], *, leave_late: bool) -> Iterator[FetchResult | None]:
        """Results of the fetches in flight (the batch's and earlier batches' late ones), as they complete,
        until every feed in `awaited` has one (each is removed from it), or, with `leave_late`, until no
        more than `late_fetches` are left and none has completed for `late_after` seconds.

        None every `_TICK` seconds without a result: the caller collects parsed feeds and writes what has
        waited long enough in the meantime."""
        config = self.config
        last = checked = time.monotonic()
        while awaited:
            try:
                result = self._inbox.get(timeout=_TICK)
            except queue.Empty:
                now = time.monotonic()
                if now - checked >= _CHECK_SECONDS:
                    self._check_fetches(awaited)
                    checked = now
                if leave_late and len(awaited) <= config.late_fetches and now - last >= config.late_after:
                    return
                yield None
                continue
            if result.request.feed_id not in self._fetching:
                continue  # a fetch of a batch given up on (`_drop_fetches`)
            last = time.monotonic()
            awaited.discard(result.request.feed_id)
            yield result

    def _check_fetches(self, awaited: set[int]) -> None:
        """Forget fetch batches that have ended; fail (the feeds' claims expire) rather than wait forever
        if every one has ended with results still missing (a bug on the fetch side)."""
        self._forget_ended_fetches()
        if not self._fetches and self._inbox.empty():
            raise RuntimeError(f"the fetcher finished with {len(awaited)} results missing")

    def _forget_ended_fetches(self) -> None:
        """Drop the fetch batches that have ended, re-raising what ended one with an error (a bug on the
        fetch side). Also done at each claim: a run that never waits would otherwise keep them all."""
        running = []
        for future in self._fetches:
            if not future.done():
                running.append(future)
            elif not future.cancelled():
                future.result()  # re-raises what ended it
        self._fetches = running

    def _drop_fetches(self) -> None:
        """Stop every fetch in flight and forget it (its feeds stay claimed until the lease runs out)."""
        for future in self._fetches:
            future.cancel()
        self._fetches = []
        self._fetching.clear()

    @contextmanager
    def _checkpointing(self) -> Iterator[None]:
        """Checkpoint an SQLite database on a thread of its own while the crawl runs (see
        `lytt.crawl.checkpoints`)."""
        self._checkpoints = Checkpointer.of(connections[DEFAULT_DB_ALIAS])
        try:
            yield
        finally:
            if self._checkpoints is not None:
                self._checkpoints.close()
            self._checkpoints = None

    def _committed(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.poke()

    @contextmanager
    def _forgetting_fetches(self) -> Iterator[None]:
        """Forget fetches still in flight when a crawl ends (only an error leaves any): they ran on the loop
        of the crawl's fetch thread, which ends with it, so no later crawl could wait for them."""
        try:
            yield
        finally:
            self._drop_fetches()

    def _finish_late(self, fetcher: FetchThread, parser: ParsePool[_ToParse], total: Summary) -> None:
        """Wait for the fetches earlier batches left running, and record them."""
        if self._fetching:
            total.add(self.run_batch([], fetcher, parser))

    def _collect(
        self, parser: ParsePool[_ToParse], waiting: set[_ToParse], out: _Pending, *, block: bool
    ) -> None:
        for item, parsed in parser.ready(block=block):
            if item in waiting:  # (a result from a batch given up on is dropped)
                waiting.discard(item)
                out.add(self._parsed(item, parsed))

    def _write_due(self, out: _Pending, summary: Summary) -> None:
        """Store or flush whatever has reached its chunk size, and everything once something has waited
        `_WRITE_AFTER` seconds (fetches that trickle in would otherwise hold it back, up to the lease)."""
        overdue = out.overdue()
        if len(out.changed) >= _STORE_EVERY or (overdue and out.changed):
            self._store(out.changed, summary)
            out.changed = []
        if len(out.records) >= _FLUSH_EVERY or (overdue and out.records):
            self._flush(out.records, summary)
            out.records = []

    # -- one feed --------------------------------------------------------------------------------

    def _state(self, source: FeedSource | ClaimedFeed, churn: int = 0) -> FeedState:
        return FeedState(
            interval=timedelta(seconds=source.check_interval_seconds),
            error_count=source.error_count,
            added_at=source.added_at,
            last_success_at=source.last_success_at,
            churn_count=churn,
        )

    def _plan(self, source: FeedSource | ClaimedFeed, seen: Observation, churn: int = 0) -> Plan:
        return plan_next(self._state(source, churn), seen, self._clock(), self._random.random())

    def _check(self, source: ClaimedFeed, result: FetchResult) -> _Record | _Changed | _ToParse:
        """Decide what one fetch means: a record to write in bulk, a change to store (`_store`), or a new
        body to parse first."""
        if result.error is not None:
            seen = Observation(Outcome.ERROR, error_kind=result.error_kind, not_before=result.not_before)
            plan = self._plan(source, seen)
            outcome = Outcome.GONE if plan.retire else Outcome.ERROR
            return _Record(
                source, outcome, result, plan, error=str(result.error), error_kind=result.error_kind
            )
        if result.not_modified:
            outcome = Outcome.NOT_MODIFIED
        else:
            digest = hashlib.sha256(result.body or b"").hexdigest()
            if digest != source.content_hash or source.show_id is None:
                return _ToParse(source, result, digest)
            outcome = Outcome.SAME_HASH
        if result.permanent_url and result.permanent_url != source.url:
            return _Changed(source, result, unparsed=outcome)
        seen = Observation(outcome, not_before=result.not_before)
        return _Record(source, outcome, result, self._plan(source, seen))

    def _parse_job(self, item: _ToParse) -> ParseJob:
        result = item.result
        return ParseJob(
            body=result.body or b"",
            url=result.final_url,
            content_type=result.content_type or None,
            max_bytes=self.config.fetch.max_bytes,
        )

    def _parsed(self, item: _ToParse, parsed: Parsed) -> _Changed | _Record:
        """The change to store, or the error record saying why the body could not be parsed."""
        source, result = item.source, item.result
        if not isinstance(parsed, ParseFailure):
            return _Changed(source, result, prepared=parsed, digest=item.digest)
        if not parsed.expected:
            # FeedError by contract; anything else is a parser bug (or a dead parser process), logged in
            # full and still recorded.
            log.error("crawl feed=%s parser failed unexpectedly: %s", source.pk, parsed.details or parsed)
        seen = Observation(Outcome.ERROR, error_kind="parse", not_before=result.not_before)
        message = f"{redact(source.url)}: cannot parse the feed: {parsed.message}"
        plan = self._plan(source, seen)
        return _Record(source, Outcome.ERROR, result, plan, error=message, error_kind="parse")

    def _store(self, items: list[_Changed], summary: Summary) -> None:
        """Ingest parsed feeds (or apply permanent redirects) and record them, in one transaction.

        First ingests go together (`_store_new`); every other feed, and those if that fails, gets a
        savepoint, so one that the catalogue refuses is recorded as an error without undoing the others.
        The feeds' search index rows are written in the same transaction (`feeds_ingested`), so a crash
        loses the chunk as a whole: its claims run out and the feeds are fetched again, nothing is half
        stored and the index never lags the catalogue.
        """
        if not items:
            return
        failed: list[_Record] = []
        now = self._clock()
        with signals.collect() as ingested, transaction.atomic():
            held = self._held([item.source.pk for item in items])
            mine: list[tuple[_Changed, FeedSource]] = []
            for item in items:
                current = held.get(item.source.pk)
                if current is None:
                    summary.lost_leases += 1
                    log.warning("crawl lease lost feed=%s url=%s", item.source.pk, redact(item.source.url))
                else:
                    mine.append((item, current))
            done = self._store_new(mine, now, ingested)
            for item, current in mine:
                if current.pk in done:
                    continue
                mark = len(ingested)
                try:
                    with transaction.atomic():
                        done[current.pk] = self._record_single(item, current, now)
                except (OperationalError, InterfaceError):
                    raise  # the database itself is unwell: not this feed's fault, let the loop deal with it
                except Exception as exc:
                    # Two feed URLs racing to become one show (IntegrityError), or data the catalogue
                    # refuses: the savepoint rolled back, so record the error for this feed alone.
                    del ingested[mark:]
                    failed.append(self._failure(item, exc))
            self._write_all(list(done.values()), now, summary)
            signals.send_batch(ingested)
        self._committed()
        self._flush(failed, summary)

    def _store_new(
        self, mine: list[tuple[_Changed, FeedSource]], now: datetime, ingested: list[signals.Ingested]
    ) -> dict[int, _Record]:
        """Ingest the feeds among `mine` that are new shows together (`ingest_new_feeds`), in one savepoint;
        their records by feed id. The others, and all of them if that fails, are left to `_store`'s loop,
        which ingests each in a savepoint of its own: the feed at fault is then recorded alone."""
        first = [
            (item, current, item.prepared)
            for item, current in mine
            if item.prepared is not None and _first_ingest(item, current, item.prepared)
        ]
        if len(first) < 2:
            return {}
        mark = len(ingested)
        sources = [current for _, current, _ in first]
        records: dict[int, _Record] = {}
        try:
            # (rolled back, the sources are put back as `_store`'s loop is to find them)
            with restored_on_error(sources, _STORED_STATE), transaction.atomic():
                news = [NewFeed(current, prepared.feed, prepared.rows) for _, current, prepared in first]
                results = ingest_new_feeds(news, now=now, savepoint=False)
                for (item, current, prepared), result in zip(first, results, strict=True):
                    if result is not None:
                        records[current.pk] = self._ingested(current, item, prepared, result, now)
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            log.warning(
                "crawl: %d new feeds could not be stored together; one at a time", len(first), exc_info=True
            )
            del ingested[mark:]
            return {}
        return records

    def _held(self, ids: list[int]) -> dict[int, FeedSource]:
        """The feeds among `ids` this worker still holds, read again and row-locked (in id order, so two
        workers never wait on each other crosswise) until the caller's transaction ends."""
        rows = FeedSource.objects.select_for_update().filter(pk__in=ids, claimed_by=self.config.worker_id)
        return {source.pk: source for source in rows.order_by("pk")}

    def _failure(self, item: _Changed, exc: Exception) -> _Record:
        source, result = item.source, item.result
        kind = "conflict" if isinstance(exc, IntegrityError) else "ingest"
        if kind == "ingest":
            log.error("crawl feed=%s ingest failed", source.pk, exc_info=exc)
        seen = Observation(Outcome.ERROR, error_kind=kind, not_before=result.not_before)
        message = f"{redact(source.url)}: could not store the feed: {type(exc).__name__}: {exc}"
        plan = self._plan(source, seen)
        return _Record(source, Outcome.ERROR, result, plan, error=message, error_kind=kind)

    def _record_single(self, item: _Changed, current: FeedSource, now: datetime) -> _Record:
        """Ingest one parsed feed (or apply a permanent redirect) into `current`, the feed's locked row, and
        return the outcome to record (`_write_all`, in the same transaction). A URL change is written at
        once, inside the feed's savepoint, so a clash with another feed's URL fails this feed alone.
        """
        result, prepared = item.result, item.prepared
        url = current.url
        moved = self._follow_permanent_redirect(current, result)
        if moved is not None or prepared is None:
            outcome = moved or item.unparsed
            seen = Observation(outcome, not_before=result.not_before)
            reason = current.status_reason if outcome is Outcome.MOVED else ""
            record = _Record(current, outcome, result, self._plan(current, seen), reason=reason)
        else:
            # `_store` runs this feed in a savepoint of its own and rolls it back whole on an error.
            ingested = ingest_feed(
                current, prepared.feed, now=now, episode_rows=prepared.rows, savepoint=False
            )
            record = self._ingested(current, item, prepared, ingested, now)
        if current.url != url:
            current.save(update_fields=["url", "private"])
        return record

    def _ingested(
        self, source: FeedSource, item: _Changed, prepared: Prepared, ingested: IngestResult, now: datetime
    ) -> _Record:
        """The outcome and next check of a feed ingest has stored (`ingested`)."""
        feed, result = prepared.feed, item.result
        if feed.locked:
            log.info("crawl feed=%s podcast:locked owner=%s", source.pk, feed.locked_owner or "-")
        new = ingested.new_episodes
        if ingested.duplicate:
            # Ingest found the show under a live URL already; it set the status and says which.
            seen = Observation(Outcome.DUPLICATE, not_before=result.not_before)
            return _Record(
                source, Outcome.DUPLICATE, result, self._plan(source, seen), reason=source.status_reason
            )
        if ingested.created or not ingested.unchanged:
            outcome = Outcome.UPDATED
        elif source.content_hash:
            outcome = Outcome.CHURN
        else:
            outcome = Outcome.UNCHANGED
        churn = self._churn_count(source) if outcome is Outcome.CHURN else 0
        seen = Observation(
            outcome, published=prepared.published, hints=_hints(feed), not_before=result.not_before
        )
        source.content_hash = item.digest
        if outcome is Outcome.UPDATED:
            source.last_changed_at = now
        record = _Record(source, outcome, result, self._plan(source, seen, churn), new_episodes=new)
        self._follow_new_feed_url(record, source, feed)
        return record

    def _churn_count(self, source: FeedSource) -> int:
        recent = (
            FeedCheck.objects.filter(feed=source)
            .order_by("-checked_at", "-id")
            .values_list("outcome", flat=True)
        )
        count = 0
        for outcome in recent[:10]:
            if outcome != Outcome.CHURN.value:
                break
            count += 1
        return count

    def _follow_permanent_redirect(self, source: FeedSource, result: FetchResult) -> Outcome | None:
        """Apply a 301/308 to the stored URL; MOVED when the new URL is another feed's (a duplicate)."""
        target = _normalised(result.permanent_url)
        if not target or target == source.url:
            return None
        other = (
            FeedSource.objects.filter(url=target).exclude(pk=source.pk).values_list("pk", flat=True).first()
        )
        if other is not None:
            source.status = FeedSource.Status.DUPLICATE
            source.status_reason = f"moved permanently to {redact(target)}, already feed #{other}"[:300]
            return Outcome.MOVED
        log.info("crawl feed=%s moved permanently %s -> %s", source.pk, redact(source.url), redact(target))
        source.url = target
        source.private = source.private or is_private_feed_url(target)
        return None

    def _follow_new_feed_url(self, record: _Record, source: FeedSource, feed: Feed) -> None:
        """Honour itunes:new-feed-url: move the source to the new URL (checked soon, validators dropped),
        or, when another source already has that URL, mark this one its duplicate.
        """
        target = _normalised(feed.new_feed_url)
        if not target or target == source.url:
            return
        try:
            check_url(target, self.policy)
        except UnsafeURL as exc:
            log.warning("crawl feed=%s ignores itunes:new-feed-url: %s", source.pk, exc)
            return
        other = (
            FeedSource.objects.filter(url=target).exclude(pk=source.pk).values_list("pk", flat=True).first()
        )
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

    # -- writing ---------------------------------------------------------------------------------

    def _outcome(self, record: _Record, now: datetime) -> tuple[list[Any], dict[str, Any]]:
        """The feed's new values for this outcome (`_OUTCOME_FIELDS`, in order) and its FeedCheck row."""
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

    #: What every outcome writes, in `_outcome`'s order.
    _OUTCOME_FIELDS = (
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
    )
    #: What a stored feed's outcome writes besides: ingest or a moved URL may have changed these on its row.
    _STORED_FIELDS = ("url", "private", "content_hash", "last_changed_at")

    def _write_all(self, records: list[_Record], now: datetime, summary: Summary) -> None:
        """Write the records of stored feeds (inside the caller's transaction, which holds their row
        locks): one prepared UPDATE and one INSERT for the whole chunk."""
        rows: list[list[Any]] = []
        checks: list[dict[str, Any]] = []
        for record in records:
            source = record.source
            assert isinstance(source, FeedSource)  # `_held`'s row
            values, check = self._outcome(record, now)
            stored = [source.url, source.private, source.content_hash, source.last_changed_at]
            rows.append([*stored, *values, source.pk])
            checks.append(check)
        bulk.update_values(FeedSource, (*self._STORED_FIELDS, *self._OUTCOME_FIELDS), rows)
        bulk.insert_values(FeedCheck, checks)
        for record in records:
            self._log(record)
            self._count(summary, record.source, record.outcome, record.new_episodes, "")

    def _flush(self, records: list[_Record], summary: Summary) -> None:
        """Write outcomes that need no ingest, in one transaction, for feeds this worker still holds.

        Plain rows both ways (`bulk.update_values`, `bulk.insert_values`): a 304 costs no model instance.
        Only the outcome's own columns are written; nothing else of these feeds changed since the claim.
        """
        if not records:
            return
        now = self._clock()
        with transaction.atomic():
            still_mine = self._still_claimed([record.source.pk for record in records])
            rows: list[list[Any]] = []
            checks: list[dict[str, Any]] = []
            for record in records:
                source = record.source
                if source.pk not in still_mine:
                    summary.lost_leases += 1
                    log.warning("crawl lease lost feed=%s url=%s", source.pk, redact(source.url))
                    continue
                values, check = self._outcome(record, now)
                values.append(source.pk)
                rows.append(values)
                checks.append(check)
                self._count(summary, source, record.outcome, 0, record.error_kind)
                self._log(record)
            bulk.update_values(FeedSource, self._OUTCOME_FIELDS, rows)
            bulk.insert_values(FeedCheck, checks)
        self._committed()

    def _still_claimed(self, ids: list[int]) -> set[int]:
        """The feeds among `ids` this worker still holds, row-locked where the database has row locks."""
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {quote('id')} FROM {quote(FeedSource._meta.db_table)}"
            f" WHERE {quote('claimed_by')} = %s AND {quote('id')} IN ({_params(ids)})"
        )
        if connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.config.worker_id, *ids])
            return {pk for (pk,) in cursor.fetchall()}

    def _count(
        self, summary: Summary, source: FeedSource | ClaimedFeed, outcome: Outcome, new: int, error_kind: str
    ) -> None:
        summary.feeds += 1
        summary.new_episodes += new
        summary.outcomes[outcome.value] += 1
        if error_kind:
            summary.errors[error_kind] += 1
        if self._on_feed is not None:
            self._on_feed(source, outcome)

    def _log(self, record: _Record) -> None:
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

    def _prune(self, feed_ids: list[int]) -> None:
        """Keep only the newest `keep_checks` FeedCheck rows of each feed in the batch.

        One DELETE in plain SQL (window functions: SQLite 3.25+, PostgreSQL): compiling the ORM's version,
        a 500-id IN list and then the DELETE of what it found, cost more than running it.
        """
        if not feed_ids:
            return
        quote = connection.ops.quote_name
        table, pk, feed = quote(FeedCheck._meta.db_table), quote("id"), quote("feed_id")
        ranked = (
            f"SELECT {pk}, ROW_NUMBER() OVER (PARTITION BY {feed} ORDER BY {quote('checked_at')} DESC,"
            f" {pk} DESC) AS {quote('rank')} FROM {table} WHERE {feed} IN ({_params(feed_ids)})"
        )
        sql = (
            f"DELETE FROM {table} WHERE {pk} IN"
            f" (SELECT {pk} FROM ({ranked}) {quote('ranked')} WHERE {quote('rank')} > %s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*feed_ids, self.config.keep_checks])
