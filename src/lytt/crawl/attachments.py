"""Fetching episodes' transcripts and chapters files, server-side, beside the feed crawl.

Browsers cannot read most of these files (publishers' hosts send no CORS headers), so the crawler fetches
them and the catalogue keeps them parsed (`lytt.catalog.attachments`). A pass claims due rows, fetches
them with the feed fetcher (`Fetcher`: the same SSRF guard, redirects checked hop by hop, size cap on
decoded bytes, ETag/Last-Modified), parses them with `lytt.feeds` and stores the result. Failures are
recorded on the row (URL and reason) and never touch the feed's own crawl state.

Scheduling is slow on purpose (`next_check`): a file that was read is checked again, conditionally, after
`RECHECK`; ingest makes a row due at once when its URL or its episode changes. Failures back off from
`FIRST_RETRY`, doubling, up to `RECHECK`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.db import DatabaseError, close_old_connections, connection

from lytt.catalog import attachments as store
from lytt.crawl.fetch import FetchConfig, FetchRequest, FetchResult
from lytt.crawl.pipeline import FetchThread
from lytt.crawl.safety import AddressPolicy
from lytt.crawl.transport import Resolver
from lytt.feeds import AttachmentError, parse_chapters, parse_transcript
from lytt.feeds.chapterfile import MAX_BYTES as MAX_CHAPTERS_BYTES
from lytt.feeds.feed_urls import redact_url
from lytt.feeds.transcripts import MAX_BYTES as MAX_TRANSCRIPT_BYTES

log = logging.getLogger(__name__)

RECHECK = timedelta(days=30)
FIRST_RETRY = timedelta(hours=1)
LEASE = timedelta(minutes=10)
BATCH = 50
#: Attachment fetches are few and small; they must not crowd the feed crawl out of its connections.
DEFAULT_FETCH = FetchConfig(concurrency=8, per_host=2, total_timeout=60.0, max_bytes=MAX_TRANSCRIPT_BYTES)


@dataclass(slots=True)
class AttachmentSummary:
    checked: int = 0
    stored: int = 0
    unchanged: int = 0
    failed: int = 0

    def line(self) -> str:
        return f"checked={self.checked} stored={self.stored} unchanged={self.unchanged} failed={self.failed}"


def next_check(now: datetime, *, ok: bool, error_count: int = 0) -> datetime:
    """When to look at a file again (pure): `RECHECK` after a success; after the n-th failure in a row,
    `FIRST_RETRY` * 2^(n-1), at most `RECHECK`."""
    if ok:
        return now + RECHECK
    return now + min(RECHECK, FIRST_RETRY * 2 ** min(max(error_count, 0), 16))


def _now() -> datetime:
    return datetime.now(UTC)


def _fetch_all(fetcher: FetchThread, claimed: list[store.Claimed]) -> dict[int, FetchResult]:
    """Fetch the claimed rows concurrently on the fetch thread; results by row id."""
    results: dict[int, FetchResult] = {}
    requests = [FetchRequest(row.id, row.url, row.etag, row.last_modified) for row in claimed]
    fetcher.start(requests, lambda result: results.__setitem__(result.request.feed_id, result)).result()
    return results


class AttachmentCrawler:
    """Claims due transcript and chapters rows, fetches, parses and stores them."""

    def __init__(
        self,
        config: FetchConfig | None = None,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], datetime] = _now,
        batch: int = BATCH,
    ) -> None:
        self.config = config or DEFAULT_FETCH
        self.policy = policy or AddressPolicy.from_settings()
        self._resolver = resolver
        self._clock = clock
        self._batch = batch

    def crawl_once(self, stop: threading.Event | None = None) -> AttachmentSummary:
        """Fetch every due row, a batch at a time, until none is due (or `stop` is set)."""
        summary = AttachmentSummary()
        with FetchThread(self.config, policy=self.policy, resolver=self._resolver) as fetcher:
            while not (stop and stop.is_set()):
                claimed = store.claim_due(self._batch, now=self._clock(), lease=LEASE)
                if not claimed:
                    break
                results = _fetch_all(fetcher, claimed)
                for row in claimed:
                    self._record(row, results[row.id], summary)
        return summary

    def run_forever(self, stop: threading.Event, *, max_sleep: float = 60.0) -> AttachmentSummary:
        """Passes until `stop`, sleeping until the next row is due (at most `max_sleep`). Errors of a pass
        are logged and the next pass tries again; the feed crawl never sees them."""
        total = AttachmentSummary()
        own_connection = not connection.in_atomic_block  # (tests run inside one)
        while not stop.is_set():
            try:
                if own_connection:
                    close_old_connections()
                done = self.crawl_once(stop)
                for name in ("checked", "stored", "unchanged", "failed"):
                    setattr(total, name, getattr(total, name) + getattr(done, name))
                pause = store.seconds_until_due(self._clock(), max_sleep)
            except DatabaseError:
                log.exception("attachments: pass failed; trying again in %.0fs", max_sleep)
                if own_connection:
                    connection.close()
                pause = max_sleep
            stop.wait(max(1.0, pause))
        if own_connection:
            connection.close()
        return total

    def _record(self, row: store.Claimed, result: FetchResult, summary: AttachmentSummary) -> None:
        now = self._clock()
        summary.checked += 1
        validators = {"etag": result.etag, "last_modified": result.last_modified}
        try:
            if result.error is not None:
                raise AttachmentError(str(result.error))
            digest = store.content_hash(result.body) if result.body is not None else row.content_hash
            if result.not_modified or digest == row.content_hash:
                store.record_unchanged(
                    row.id,
                    now=now,
                    next_check_at=next_check(now, ok=True),
                    status_code=result.status_code,
                    **validators,
                )
                summary.unchanged += 1
                return
            self._store(
                row, result, now, {**validators, "content_hash": digest, "status_code": result.status_code}
            )
            summary.stored += 1
        except AttachmentError as exc:
            summary.failed += 1
            message = str(exc) if redact_url(row.url) in str(exc) else f"{redact_url(row.url)}: {exc}"
            store.record_failure(
                row.id,
                message,
                now=now,
                next_check_at=next_check(now, ok=False, error_count=row.error_count),
                status_code=result.status_code,
            )
            log.warning("attachment id=%d kind=%s failed: %s", row.id, row.kind, message)

    def _store(
        self, row: store.Claimed, result: FetchResult, now: datetime, fields: dict[str, object]
    ) -> None:
        body = result.body or b""
        url = redact_url(result.final_url)
        later = next_check(now, ok=True)
        if row.kind == store.Kind.CHAPTERS:
            chapters = parse_chapters(
                body, url=url, content_type=result.content_type, max_bytes=MAX_CHAPTERS_BYTES
            )
            store.store_chapters(row.id, chapters, now=now, next_check_at=later, **fields)
        else:
            parsed = parse_transcript(
                body, url=url, declared_type=row.declared_type or None, content_type=result.content_type
            )
            store.store_transcript(row.id, parsed, now=now, next_check_at=later, **fields)


def fetch_config_from(feed_config: FetchConfig) -> FetchConfig:
    """The attachment fetch limits for a crawl run with these feed limits (same timeouts and agent)."""
    return replace(
        DEFAULT_FETCH,
        user_agent=feed_config.user_agent,
        connect_timeout=feed_config.connect_timeout,
        read_timeout=feed_config.read_timeout,
        total_timeout=min(feed_config.total_timeout, DEFAULT_FETCH.total_timeout),
    )
