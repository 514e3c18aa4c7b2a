"""Parse fetched feed bodies in worker processes while the crawler's main thread writes to the database.

Parsing (`lytt.feeds.parse_feed`) is pure CPU work and needs no database, so it can run beside the main
thread's ingest instead of taking turns with it under one interpreter lock.

- `ParsePool(0)` parses in the calling thread, at `submit` (tests, `lytt serve`'s crawler, small runs: no
  process start-up, no pickling).
- `ParsePool(n)` runs up to n processes, started when the first body arrives (an unchanged pass starts
  none). They are spawned, not forked: the crawler has threads and open database connections. The body
  goes to a process; what comes back (pickled) is `Prepared`: the feed's channel, and its items already
  turned into ingest's rows (match keys and content hashes are pure CPU work too), so the main thread
  only loads them (a tenth of what parsing and hashing cost) and writes.
- Bodies go to the processes several at a time (up to `BATCH_JOBS` per task): the pool's own work in the
  crawler's process (queueing a task, loading its result, its threads' turns at the interpreter lock)
  cost as much per task as the writes of a few episodes. A task is sent at once while
  fewer than two per process are in flight, so the processes never wait for a batch to fill.
- A process that dies (a crash in C code, the OOM killer) breaks the whole pool. Every job that was in it
  is then run again alone in a fresh pool, so only a feed that kills a process a second time fails, as a
  `ParseFailure` with `crashed=True`; the worker records it as that feed's error, retried on the usual
  backoff. Nothing is lost and no other feed is blamed.
- Processes ignore SIGINT and SIGTERM (the crawler finishes the feeds it has claimed, then shuts the pool
  down) and exit by themselves when the crawler is gone, even after SIGKILL: a watchdog thread checks the
  parent's pid.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime
from types import TracebackType
from typing import Generic, TypeVar

from lytt.catalog.rows import EpisodeRow, episode_rows
from lytt.feeds import Feed, FeedError, parse_feed

K = TypeVar("K")

#: How often a pool process checks that the crawler that started it is still alive.
WATCHDOG_SECONDS = 0.5
#: The most bodies sent to a pool process in one task.
BATCH_JOBS = 8


def default_processes() -> int:
    """Parser processes for this machine: one core stays with the crawler's own process (fetching and the
    database), the others parse; at least one, at most 8 (past that the single writer is the limit)."""
    return max(1, min(8, (os.cpu_count() or 1) - 1))


@dataclass(frozen=True, slots=True)
class ParseJob:
    body: bytes
    url: str
    content_type: str | None
    max_bytes: int


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """Why a body gave no feed: a `FeedError` (`expected`), a parser bug (with its traceback), or a
    parser process that died (`crashed`)."""

    message: str
    expected: bool = True
    crashed: bool = False
    details: str = ""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed body ready for ingest: the feed without its items (`episodes` is empty), the items as
    `lytt.catalog.rows.episode_rows` gives them, and the items' publication dates (for scheduling)."""

    feed: Feed
    rows: list[EpisodeRow]
    published: list[datetime]


Parsed = Prepared | ParseFailure


def prepare(feed: Feed) -> Prepared:
    published = [episode.published for episode in feed.episodes if episode.published is not None]
    return Prepared(replace(feed, episodes=[]), episode_rows(feed), published)


def parse_job(job: ParseJob) -> Parsed:
    """Parse one body; never raises (what went wrong comes back as a `ParseFailure`)."""
    try:
        return prepare(
            parse_feed(job.body, url=job.url, content_type=job.content_type, max_bytes=job.max_bytes)
        )
    except FeedError as exc:
        return ParseFailure(str(exc))
    except Exception as exc:  # a parser bug: reported with its traceback, still recorded for the feed
        return ParseFailure(str(exc), expected=False, details=traceback.format_exc())


def run_jobs(job: Callable[[ParseJob], Parsed], jobs: list[ParseJob]) -> list[Parsed]:
    """One pool task: `job` on each of `jobs`, in order."""
    return [job(each) for each in jobs]


def _child_init(parent: int) -> None:
    """In each pool process: leave signals to the crawler, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), name="lytt-parse-watchdog", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(0)


class ParsePool(Generic[K]):
    """Parse bodies, keyed by the caller's `K`; collect results with `ready`. Use as a context manager.

    `job` is the function run on each `ParseJob` (in a pool process it must be importable by name).
    """

    def __init__(
        self, processes: int, *, job: Callable[[ParseJob], Parsed] = parse_job, batch: int = BATCH_JOBS
    ) -> None:
        self.processes = max(0, processes)
        self.batch = max(1, batch)
        self._job = job
        self._executor: ProcessPoolExecutor | None = None
        # Tasks sent, each with the jobs it carries, until collected.
        self._running: dict[Future[list[Parsed]], list[tuple[K, ParseJob]]] = {}
        # Futures put here by their done callback, so collecting costs per finished task, not a look at
        # every running one (a batch has hundreds in flight). Futures of dropped jobs are skipped.
        self._finished: queue.SimpleQueue[Future[list[Parsed]]] = queue.SimpleQueue()
        self._waiting: list[tuple[K, ParseJob]] = []  # jobs not sent yet: the next task
        self._done: deque[tuple[K, Parsed]] = deque()

    def __enter__(self) -> ParsePool[K]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the processes (jobs not yet collected are dropped: their feeds stay claimed and are
        fetched again when the lease runs out)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self._running.clear()
        self._waiting.clear()

    def __len__(self) -> int:
        """Jobs submitted and not yet collected."""
        return sum(map(len, self._running.values())) + len(self._waiting) + len(self._done)

    def submit(self, key: K, job: ParseJob) -> None:
        if not self.processes:
            self._done.append((key, self._job(job)))
            return
        self._waiting.append((key, job))
        if len(self._waiting) >= self.batch or self._starving():
            self._send()

    def _starving(self) -> bool:
        """Fewer than two tasks per process in flight: a process may soon have nothing to do."""
        return len(self._running) - self._finished.qsize() < 2 * self.processes

    def _send(self) -> None:
        """Send the waiting jobs as one task."""
        jobs, self._waiting = self._waiting, []
        bodies = [job for _, job in jobs]
        try:
            future = self._pool().submit(run_jobs, self._job, bodies)
        except BrokenProcessPool:  # it broke since the last `ready`; its jobs are collected there
            self._restart()
            future = self._pool().submit(run_jobs, self._job, bodies)
        self._running[future] = jobs
        future.add_done_callback(self._finished.put)  # after the line above: it may run at once

    def drop(self) -> None:
        """Forget every outstanding job (the caller gave up on its batch)."""
        for future in self._running:
            future.cancel()
        self._running.clear()
        self._waiting.clear()
        self._done.clear()

    def ready(self, *, block: bool = False) -> Iterator[tuple[K, Parsed]]:
        """Results of finished jobs, in no particular order; with `block`, wait for at least one (when any
        job is outstanding). Waiting jobs are sent first when a process may run out of work, or before
        blocking."""
        if self._waiting and (block or self._starving()):
            self._send()
        broken: list[tuple[K, ParseJob]] = []
        while block and not self._done and not broken and self._running:
            self._take(self._finished.get(), broken)
        while True:
            try:
                future = self._finished.get_nowait()
            except queue.Empty:
                break
            self._take(future, broken)
        if broken:
            self._done.extend(self._run_alone(broken))
        while self._done:
            yield self._done.popleft()

    def _take(self, future: Future[list[Parsed]], broken: list[tuple[K, ParseJob]]) -> None:
        """Collect one finished task, unless its jobs were dropped."""
        jobs = self._running.pop(future, None)
        if jobs is None:
            return
        try:
            results = future.result()
        except (BrokenProcessPool, CancelledError):  # the pool went down before it ran the task
            broken.extend(jobs)
            return
        self._done.extend((key, result) for (key, _), result in zip(jobs, results, strict=True))

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_child_init,
                initargs=(os.getpid(),),
            )
        return self._executor

    def _restart(self) -> None:
        """Replace a broken pool. Jobs still running in it fail with it and are collected as broken."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def _run_alone(self, broken: list[tuple[K, ParseJob]]) -> Iterator[tuple[K, Parsed]]:
        """Jobs that were in a pool when it broke, each run again alone in a fresh pool."""
        self._restart()
        for future in [future for future in self._running if future.done()]:
            broken.extend(self._running.pop(future))
        for key, job in broken:
            try:
                result = self._pool().submit(self._job, job).result()
            except BrokenProcessPool as exc:
                self._restart()
                result = ParseFailure(f"the parser process died ({exc})", expected=False, crashed=True)
            yield key, result
