"""The crawl worker's loop: claim batches, fetch, parse, store, record, release.

Each job has its own module: the claim protocol (`claims`), what a check means for a feed (`decisions`,
pure), storing changed feeds through the catalogue (`storing`), writing outcomes and pruning old checks
(`records`), and process and SQLite tuning (`tuning`). This module runs them: fetches outside any
transaction, new bodies to the parser pool as they arrive, changed feeds stored in chunks of
`WorkerConfig.store_every`, everything else written in bulk, each write releasing its claims. Ingest is
an idempotent upsert, so a feed fetched twice (its lease ran out) never duplicates an episode.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, DatabaseError, close_old_connections, connection, connections

from lytt.crawl import claims, decisions
from lytt.crawl.checkpoints import Checkpointer
from lytt.crawl.claims import ClaimedFeed, claim_batch, next_claimable_at
from lytt.crawl.decisions import Changed, Record, ToParse
from lytt.crawl.fetch import FetchConfig, FetchRequest, FetchResult
from lytt.crawl.parser_pool import Parsed, ParseFailure, ParseJob, ParsePool
from lytt.crawl.pipeline import FetchThread
from lytt.crawl.records import OnFeed, Recorder, Summary
from lytt.crawl.safety import AddressPolicy
from lytt.crawl.storing import Storer
from lytt.crawl.transport import Resolver
from lytt.crawl.tuning import tune_connection

log = logging.getLogger("lytt.crawl")

#: Outcomes written in bulk (nothing to ingest).
_FLUSH_EVERY = 200
#: Checked feeds whose old FeedCheck rows are pruned in one statement.
_PRUNE_EVERY = 500
#: Checked feeds are written at the latest this many seconds after the first of them waits to be.
_WRITE_AFTER = 1.0
#: How often a worker waiting for fetch results looks at what else there is to do.
_TICK = 0.1
#: How often a worker waiting for fetch results checks that the fetch side is still working on them.
_CHECK_SECONDS = 1.0


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """How one worker process crawls. The lease must comfortably outlast a batch (see `lease_needed`).

    `parse_processes`: 0 parses in the worker's own thread; n > 0 parses in n processes beside it
    (`lytt.crawl.parser_pool`; `lytt crawl` sizes it from the machine's cores).
    """

    worker_id: str = field(default_factory=claims.worker_id)
    batch_size: int = 100
    lease: timedelta = timedelta(minutes=15)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    keep_checks: int = 50
    parse_processes: int = 0
    #: A batch stops waiting for its last few fetches (`late_fetches`) once none has completed for this
    #: many seconds; later batches record them (see `Worker.run_batch`).
    late_after: float = 5.0
    #: Changed feeds ingested per transaction (and indexed for search in one go). A commit writes every
    #: page the chunk touched, and new episodes land all over the indexes by date, so fewer, larger
    #: commits write less; past a point the transaction's pages no longer fit the page cache
    #: (docs/benchmarks.md, "crawl", has the measurements behind the default).
    store_every: int = 150

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
class _Pending:
    """A run's checked feeds not yet written: bulk outcome records, and changes to store."""

    records: list[Record] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    since: float = 0.0  # (monotonic) when the oldest of them was added

    def add(self, item: Record | Changed) -> None:
        if not self.records and not self.changed:
            self.since = time.monotonic()
        if isinstance(item, Record):
            self.records.append(item)
        else:
            self.changed.append(item)

    def overdue(self) -> bool:
        """Something has waited `_WRITE_AFTER` seconds to be written."""
        return bool(self.records or self.changed) and time.monotonic() - self.since >= _WRITE_AFTER


class Worker:
    """Crawls claimed batches. `crawl_once` drains what is due; `crawl_forever` keeps going until `stop`."""

    def __init__(
        self,
        config: WorkerConfig | None = None,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], datetime] = _now,
        on_feed: OnFeed | None = None,
        rng: random.Random | None = None,
    ) -> None:
        """`clock` and `rng` (the schedule's jitter) are the worker's only sources of time and chance;
        `on_feed` is called for each feed recorded."""
        self.config = config or WorkerConfig()
        self.policy = policy or AddressPolicy.from_settings()
        self._resolver = resolver
        self._clock = clock
        self._random = rng or random.Random()
        self._recorder = Recorder(
            self.config.worker_id,
            clock=clock,
            keep_checks=self.config.keep_checks,
            on_feed=on_feed,
            committed=self._committed,
        )
        self._storer = Storer(self._recorder, policy=self.policy, clock=clock, rng=self._random)
        self.stop = threading.Event()
        # Fetches in flight, by feed id: the current batch's and any an earlier batch left running. Their
        # results come back through `_inbox`, put there by the fetch thread.
        self._fetching: dict[int, ClaimedFeed] = {}
        self._inbox: queue.SimpleQueue[FetchResult] = queue.SimpleQueue()
        self._fetches: list[Future[None]] = []
        # Copies what the crawl commits into the SQLite database file, during a crawl (`_checkpointing`).
        self._checkpoints: Checkpointer | None = None

    @property
    def in_flight(self) -> int:
        """Feeds being fetched: the current batch's and any an earlier batch left running."""
        return len(self._fetching)

    @property
    def fetch_batches(self) -> int:
        """Fetch batches kept until they end (forgotten once ended, at each claim and wait)."""
        return len(self._fetches)

    # -- running ---------------------------------------------------------------------------------

    def crawl_once(self, *, all_feeds: bool = False) -> Summary:
        """Check every due feed (or, with `all_feeds`, every crawlable feed) once; stop when none are left."""
        total = Summary(reclaimed=claims.reclaim_from_dead_workers(self._clock()))
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
        total.held, total.held_until = claims.held_by_others(
            self.config.worker_id, self._clock(), run_started=run_started
        )
        return total

    def crawl_forever(self, *, max_sleep: float = 60.0, min_sleep: float = 1.0) -> Summary:
        """Crawl due feeds, sleeping until the next one is due (within min_sleep..max_sleep), until `stop`.

        A stop request claims nothing more; the feeds already claimed are finished and recorded. Database
        errors (a restarted server, a dropped connection) are logged and retried with backoff rather than
        ending the process.
        """
        total = Summary(reclaimed=claims.reclaim_from_dead_workers(self._clock()))
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
        nxt = next_claimable_at()
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

    def _parse_pool(self) -> ParsePool[ToParse]:
        return ParsePool(self.config.parse_processes)

    def run_batch(
        self,
        batch: list[ClaimedFeed],
        fetcher: FetchThread,
        parser: ParsePool[ToParse] | None = None,
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
        waiting: set[ToParse] = set()
        try:
            self._start(batch, fetcher)
            for result in self._results(awaited, leave_late=bool(batch)):
                if result is not None:
                    source = self._fetching.pop(result.request.feed_id)
                    checked_ids.append(source.pk)
                    checked = self._check(source, result)
                    if isinstance(checked, ToParse):
                        waiting.add(checked)
                        parser.submit(checked, self._parse_job(checked))
                    else:
                        out.add(checked)
                self._collect(parser, waiting, out, block=False)
                self._write_due(out, summary)
                if more is not None and self._wants_more(awaited, waiting):
                    more = self._start_more(more, fetcher, awaited, summary)
                if len(checked_ids) >= _PRUNE_EVERY:
                    self._recorder.prune(checked_ids)
                    checked_ids = []
            while waiting:
                if not len(parser):  # a bug: fail the batch (its claims expire) rather than wait forever
                    raise RuntimeError(f"the parser pool lost {len(waiting)} jobs")
                self._collect(parser, waiting, out, block=True)
                self._write_due(out, summary)
            self._storer.store(out.changed, summary)
            self._recorder.flush(out.records, summary)
            self._recorder.prune(checked_ids)
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

    def _wants_more(self, awaited: set[int], waiting: set[ToParse]) -> bool:
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

    def _results(self, awaited: set[int], *, leave_late: bool) -> Iterator[FetchResult | None]:
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

    def _finish_late(self, fetcher: FetchThread, parser: ParsePool[ToParse], total: Summary) -> None:
        """Wait for the fetches earlier batches left running, and record them."""
        if self._fetching:
            total.add(self.run_batch([], fetcher, parser))

    def _collect(
        self, parser: ParsePool[ToParse], waiting: set[ToParse], out: _Pending, *, block: bool
    ) -> None:
        for item, parsed in parser.ready(block=block):
            if item in waiting:  # (a result from a batch given up on is dropped)
                waiting.discard(item)
                out.add(self._after_parse(item, parsed))

    def _write_due(self, out: _Pending, summary: Summary) -> None:
        """Store or flush whatever has reached its chunk size, and everything once something has waited
        `_WRITE_AFTER` seconds (fetches that trickle in would otherwise hold it back, up to the lease)."""
        overdue = out.overdue()
        if len(out.changed) >= self.config.store_every or (overdue and out.changed):
            self._storer.store(out.changed, summary)
            out.changed = []
        if len(out.records) >= _FLUSH_EVERY or (overdue and out.records):
            self._recorder.flush(out.records, summary)
            out.records = []

    # -- one feed --------------------------------------------------------------------------------

    def _check(self, source: ClaimedFeed, result: FetchResult) -> Record | Changed | ToParse:
        return decisions.after_fetch(source, result, self._clock(), self._random.random())

    def _parse_job(self, item: ToParse) -> ParseJob:
        result = item.result
        return ParseJob(
            body=result.body or b"",
            url=result.final_url,
            content_type=result.content_type or None,
            max_bytes=self.config.fetch.max_bytes,
        )

    def _after_parse(self, item: ToParse, parsed: Parsed) -> Changed | Record:
        if isinstance(parsed, ParseFailure) and not parsed.expected:
            # FeedError by contract; anything else is a parser bug (or a dead parser process), logged in
            # full and still recorded.
            log.error(
                "crawl feed=%s parser failed unexpectedly: %s", item.source.pk, parsed.details or parsed
            )
        return decisions.after_parse(item, parsed, self._clock(), self._random.random())
