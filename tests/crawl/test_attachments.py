"""Transcripts and chapters files fetched by the crawler from another origin, stored parsed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tests.crawl.attachment_feeds import CHAPTERS, VTT, feed_with_files
from tests.feedserver import FeedServer

from lytt.catalog.models import EpisodeAttachment, FeedSource
from lytt.crawl.attachments import FIRST_RETRY, RECHECK, AttachmentCrawler, next_check
from lytt.crawl.fetch import FetchConfig
from lytt.crawl.safety import AddressPolicy
from lytt.crawl.worker import Worker, WorkerConfig

pytestmark = pytest.mark.django_db

FETCH = FetchConfig(connect_timeout=5, read_timeout=5, total_timeout=10, max_bytes=100_000, concurrency=4)


@pytest.fixture
def files() -> Iterator[FeedServer]:
    """A second origin for the files (the feed is on `feed_server`)."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


def crawl_feeds() -> None:
    config = WorkerConfig(worker_id="test", batch_size=10, fetch=FETCH)
    Worker(config, policy=AddressPolicy(allow_private=True)).crawl_once(all_feeds=True)


def crawl_files(clock: datetime | None = None) -> AttachmentCrawler:
    crawler = AttachmentCrawler(
        FETCH, policy=AddressPolicy(allow_private=True), clock=lambda: clock or datetime.now(UTC)
    )
    return crawler


def rows() -> dict[str, EpisodeAttachment]:
    return {row.kind: row for row in EpisodeAttachment.objects.all()}


def serve(feed_server: FeedServer, files: FeedServer, **options: str) -> FeedSource:
    transcript = files.add("/ep1/transcript.vtt", VTT, content_type="text/plain", etag='"t1"')
    files.add("/ep1/transcript.html", "<p>never fetched</p>", content_type="text/html")
    chapters = files.add("/ep1/chapters.json", CHAPTERS, content_type="application/json", etag='"c1"')
    url = feed_server.add(
        "/feed.xml", feed_with_files("Show", transcript_url=transcript, chapters_url=chapters)
    )
    return FeedSource.objects.create(url=url)


def test_files_on_another_origin_are_fetched_parsed_and_stored(
    feed_server: FeedServer, files: FeedServer
) -> None:
    serve(feed_server, files)
    crawl_feeds()
    assert {row.kind: row.fetched_at for row in rows().values()} == {"transcript": None, "chapters": None}
    summary = crawl_files().crawl_once()
    assert (summary.checked, summary.stored, summary.failed) == (2, 2, 0)
    stored = rows()
    transcript = stored["transcript"]
    assert transcript.url.endswith("/ep1/transcript.vtt")  # WebVTT preferred over the HTML one
    assert transcript.format == "vtt"
    assert transcript.items == [
        [0.0, 4.0, "Ada", "Welcome to the show about follow-along transcripts."],
        [4.0, 9.0, "Ada", "Today we fetch files from another origin."],
        [9.0, 15.0, "Ben", "And the crawler stores them parsed & safe."],
    ]
    assert "Today we fetch files from another origin." in transcript.text
    assert transcript.etag == '"t1"'
    assert transcript.error == ""
    assert stored["chapters"].items == [
        {"start_seconds": 0.0, "title": "Opening words", "href": None, "image": None},
        {
            "start_seconds": 5.0,
            "title": "Fetching on the server",
            "href": "https://example.com/more",
            "image": None,
        },
        {
            "start_seconds": 10.0,
            "title": "Storing it parsed",
            "href": None,
            "image": files.url("/ep1/art/ch3.png"),
        },
    ]
    assert files.hits["/ep1/transcript.html"] == 0
    # Nothing is due again before the slow re-check.
    assert crawl_files().crawl_once().checked == 0
    assert all(
        row.next_check_at > datetime.now(UTC) + RECHECK - timedelta(minutes=5) for row in rows().values()
    )


def test_a_recheck_is_conditional_and_keeps_the_content(feed_server: FeedServer, files: FeedServer) -> None:
    serve(feed_server, files)
    crawl_feeds()
    crawl_files().crawl_once()
    later = datetime.now(UTC) + RECHECK + timedelta(hours=1)
    summary = crawl_files(later).crawl_once()
    assert (summary.checked, summary.unchanged) == (2, 2)
    conditional = [r.headers.get("if-none-match") for r in files.requests if r.path == "/ep1/transcript.vtt"]
    assert conditional == [None, '"t1"']
    assert len(rows()["transcript"].items) == 3


def test_a_changed_url_in_the_feed_is_fetched_again(feed_server: FeedServer, files: FeedServer) -> None:
    source = serve(feed_server, files)
    crawl_feeds()
    crawl_files().crawl_once()
    moved = files.add(
        "/ep1/v2.srt", "1\n00:00:01,000 --> 00:00:02,000\nCara: Moved.\n", content_type="text/plain"
    )
    feed_server.add(
        "/feed.xml",
        feed_with_files(
            "Show",
            transcript_url=moved,
            chapters_url=files.url("/ep1/chapters.json"),
            transcript_type="application/x-subrip",
        ),
    )
    FeedSource.objects.filter(pk=source.pk).update(next_check_at=datetime.now(UTC) - timedelta(seconds=1))
    crawl_feeds()
    transcript = rows()["transcript"]
    assert transcript.url == moved
    assert transcript.etag == ""
    assert transcript.next_check_at <= datetime.now(UTC)
    crawl_files().crawl_once()
    assert rows()["transcript"].items == [[1.0, 2.0, "Cara", "Moved."]]


def test_failures_are_recorded_per_file_and_leave_the_feed_alone(
    feed_server: FeedServer, files: FeedServer
) -> None:
    chapters = files.add("/c.json", "{broken", content_type="application/json")
    url = feed_server.add(
        "/feed.xml", feed_with_files("Show", transcript_url=files.url("/gone.vtt"), chapters_url=chapters)
    )
    source = FeedSource.objects.create(url=url)
    crawl_feeds()
    before = datetime.now(UTC)
    summary = crawl_files().crawl_once()
    assert (summary.checked, summary.failed) == (2, 2)
    stored = rows()
    assert stored["transcript"].error == f"{files.url('/gone.vtt')}: HTTP 404 Not Found"
    assert stored["transcript"].status_code == 404
    assert stored["chapters"].error.startswith(f"{chapters}: chapters file is not valid JSON")
    assert all(row.fetched_at is None and row.error_count == 1 for row in stored.values())
    assert all(before + FIRST_RETRY - timedelta(minutes=1) < row.next_check_at for row in stored.values())
    source.refresh_from_db()
    assert source.status == FeedSource.Status.ACTIVE
    assert source.last_error == ""


def test_a_file_that_breaks_later_keeps_what_was_stored(feed_server: FeedServer, files: FeedServer) -> None:
    serve(feed_server, files)
    crawl_feeds()
    crawl_files().crawl_once()
    files.add("/ep1/transcript.vtt", b"\x00\x01binary", content_type="text/vtt")
    summary = crawl_files(datetime.now(UTC) + RECHECK + timedelta(hours=1)).crawl_once()
    assert summary.failed == 1
    transcript = rows()["transcript"]
    assert "binary data" in transcript.error
    assert len(transcript.items) == 3


def test_unsafe_and_oversized_files_are_refused(feed_server: FeedServer, files: FeedServer) -> None:
    huge = files.add("/huge.vtt", behaviour="endless")
    url = feed_server.add(
        "/feed.xml",
        feed_with_files("Show", transcript_url=huge, chapters_url="http://169.254.169.254/latest/meta-data"),
    )
    FeedSource.objects.create(url=url)
    crawl_feeds()
    crawl_files().crawl_once()
    stored = rows()
    assert "100,000-byte cap" in stored["transcript"].error
    assert "169.254.169.254" in stored["chapters"].error
    assert stored["chapters"].status_code is None


def test_next_check_backs_off_and_caps() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert next_check(now, ok=True) == now + RECHECK
    assert next_check(now, ok=False, error_count=0) == now + FIRST_RETRY
    assert next_check(now, ok=False, error_count=3) == now + FIRST_RETRY * 8
    assert next_check(now, ok=False, error_count=40) == now + RECHECK


class _OnePass(threading.Event):
    """A stop event that is set the first time the loop waits: `run_forever` makes exactly one pass."""

    def wait(self, timeout: float | None = None) -> bool:
        self.waited = timeout
        self.set()
        return True


def test_the_loop_beside_the_feed_crawl_passes_then_sleeps_until_due(
    feed_server: FeedServer, files: FeedServer
) -> None:
    serve(feed_server, files)
    crawl_feeds()
    stop = _OnePass()
    total = crawl_files().run_forever(stop, max_sleep=45)
    assert (total.checked, total.stored) == (2, 2)
    assert stop.waited == 45  # nothing due for 30 days: the longest sleep
