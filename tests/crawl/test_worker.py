"""The worker against a real local feed server and a real database: outcomes, state, claims, moves."""

from __future__ import annotations

import itertools
import random
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from tests.feedserver import FeedServer, rss

from lytt.catalog.ingest import NewFeed
from lytt.catalog.models import Episode, FeedCheck, FeedSource, Show
from lytt.crawl import worker as worker_module
from lytt.crawl.checkpoints import BACKSTOP_PAGES, Checkpointer
from lytt.crawl.fetch import FetchConfig, Fetcher, FetchRequest, FetchResult
from lytt.crawl.pipeline import FetchThread
from lytt.crawl.safety import AddressPolicy
from lytt.crawl.schedule import backoff
from lytt.crawl.worker import Worker, WorkerConfig, claim_batch
from lytt.search import search

pytestmark = pytest.mark.django_db

FAST = FetchConfig(connect_timeout=1, read_timeout=0.5, total_timeout=2, max_bytes=300_000, concurrency=8)
#: For tests whose feeds are all healthy: timeouts that a loaded test machine cannot trip.
PATIENT = FetchConfig(connect_timeout=10, read_timeout=10, total_timeout=20, concurrency=8)
#: Two fetches at once: a run with small batches claims the next one while a fetch or two are left.
TWO_AT_ONCE = replace(PATIENT, concurrency=2)


def make_worker(**options: object) -> Worker:
    defaults: dict[str, object] = {"worker_id": "test-worker", "batch_size": 50, "fetch": FAST}
    config = WorkerConfig(**{**defaults, **options})  # type: ignore[arg-type]
    return Worker(config, policy=AddressPolicy(allow_private=True))


def add(url: str) -> FeedSource:
    return FeedSource.objects.create(url=url)


def before_each_claim(monkeypatch: pytest.MonkeyPatch, hook: Callable[[int], object]) -> None:
    """Call `hook(n)` before the worker's claim number n (from 0); it may raise instead of letting it run."""
    real_claim = worker_module.claim_batch
    calls = itertools.count()

    def claim(*args: Any, **kwargs: Any) -> list[Any]:
        hook(next(calls))
        return real_claim(*args, **kwargs)

    monkeypatch.setattr(worker_module, "claim_batch", claim)


def latest_check(source: FeedSource) -> FeedCheck:
    check = FeedCheck.objects.filter(feed=source).order_by("-checked_at", "-id").first()
    assert check is not None
    return check


def test_healthy_and_broken_feeds_side_by_side(feed_server: FeedServer) -> None:
    good = [add(feed_server.add(f"/good{n}.xml", rss(f"Good {n}", episodes=4))) for n in range(3)]
    zipped = add(feed_server.add("/zipped.xml", rss("Zipped", episodes=5), gzip=True))
    as_html = add(feed_server.add("/typed.xml", rss("Mistyped", episodes=2), content_type="text/html"))
    broken = {
        "http_500": add(feed_server.add("/500.xml", "oops", status=500)),
        "http_503": add(feed_server.add("/503.xml", "busy", status=503, headers={"Retry-After": "3600"})),
        "http_404": add(feed_server.url("/missing.xml")),
        "timeout": add(feed_server.add("/slow.xml", rss("Slow"), delay=1.5)),
        "reset": add(feed_server.add("/reset.xml", behaviour="reset")),
        "truncated": add(feed_server.add("/trunc.xml", rss("Cut", episodes=30), behaviour="truncate")),
        "too_large": add(feed_server.add("/huge.xml", behaviour="endless")),
        "redirects": add(feed_server.add("/loop.xml", status=302, location="/loop.xml?again")),
        "parse": add(
            feed_server.add("/page.html", "<html><body>Not a feed</body></html>", content_type="text/html")
        ),
    }
    feed_server.add("/loop.xml?again", status=302, location="/loop.xml")
    gone = add(feed_server.add("/gone.xml", "", status=410))

    summary = make_worker().crawl_once()

    assert summary.feeds == 15
    for n, source in enumerate(good):
        source.refresh_from_db()
        assert source.status == FeedSource.Status.ACTIVE
        assert source.show is not None
        assert source.show.title == f"Good {n}"
        assert source.show.episodes.count() == 4
        assert (source.error_count, source.last_error, source.claimed_by) == (0, "", "")
        assert source.next_check_at > datetime.now(UTC)
        check = latest_check(source)
        assert (check.outcome, check.status_code, check.new_episodes) == ("updated", 200, 4)
    zipped.refresh_from_db()
    assert zipped.show is not None
    assert zipped.show.episodes.count() == 5
    as_html.refresh_from_db()
    assert as_html.status == FeedSource.Status.ACTIVE
    for kind, source in broken.items():
        source.refresh_from_db()
        assert source.status == FeedSource.Status.ERROR, kind
        assert source.show is None, kind
        assert source.error_count == 1, kind
        assert source.last_error, kind
        assert source.claimed_by == "", kind
        assert source.next_check_at > datetime.now(UTC) + timedelta(minutes=14), kind
        assert latest_check(source).outcome == "error", kind
    assert summary.errors == {**{kind: 1 for kind in broken}, "http_410": 1}
    assert "HTTP 500" in FeedSource.objects.get(pk=broken["http_500"].pk).last_error
    assert "cannot parse the feed" in FeedSource.objects.get(pk=broken["parse"].pk).last_error
    busy = FeedSource.objects.get(pk=broken["http_503"].pk)
    assert busy.not_before is not None
    assert busy.next_check_at >= busy.not_before > datetime.now(UTC) + timedelta(minutes=59)
    gone.refresh_from_db()
    assert gone.status == FeedSource.Status.RETIRED
    assert gone.status_reason == "410 Gone"
    assert latest_check(gone).outcome == "gone"
    assert Show.objects.count() == 5


def test_second_pass_is_conditional_and_changes_nothing(feed_server: FeedServer) -> None:
    tagged = add(feed_server.add("/tagged.xml", rss("Tagged", episodes=3), etag='"t1"'))
    dated = add(
        feed_server.add("/dated.xml", rss("Dated", episodes=3), last_modified="Mon, 01 Jan 2024 10:00:00 GMT")
    )
    plain = add(feed_server.add("/plain.xml", rss("Plain", episodes=3)))
    worker = make_worker()
    worker.crawl_once()
    episodes = Episode.objects.count()

    assert worker.crawl_once().feeds == 0  # nothing is due
    summary = worker.crawl_once(all_feeds=True)

    assert summary.feeds == 3
    assert summary.outcomes == {"not_modified": 2, "same_hash": 1}
    assert Episode.objects.count() == episodes
    assert latest_check(tagged).outcome == "not_modified"
    assert latest_check(dated).outcome == "not_modified"
    assert latest_check(plain).outcome == "same_hash"
    assert all("if-none-match" not in r.headers for r in feed_server.requests if r.path == "/plain.xml")
    sent = [r.headers for r in feed_server.requests if r.path == "/tagged.xml"]
    assert sent[-1]["if-none-match"] == '"t1"'
    tagged.refresh_from_db()
    assert tagged.etag == '"t1"'


def test_changed_feed_adds_episodes_once(feed_server: FeedServer) -> None:
    source = add(feed_server.add("/growing.xml", rss("Growing", episodes=3)))
    worker = make_worker()
    worker.crawl_once()
    feed_server.add("/growing.xml", rss("Growing", episodes=5))
    summary = worker.crawl_once(all_feeds=True)
    assert summary.new_episodes == 2
    source.refresh_from_db()
    assert source.show is not None
    assert source.show.episodes.count() == 5
    assert source.last_changed_at is not None
    assert latest_check(source).new_episodes == 2
    worker.crawl_once(all_feeds=True)
    assert source.show.episodes.count() == 5


def test_permanent_redirect_updates_the_url_temporary_does_not(feed_server: FeedServer) -> None:
    final = feed_server.add("/new-home.xml", rss("Moved Show"))
    feed_server.add("/old-2.xml", status=308, location=final)
    moved = add(feed_server.add("/old-1.xml", status=301, location="/old-2.xml"))
    temp_target = feed_server.add("/temp-target.xml", rss("Temp Show"))
    temporary = add(feed_server.add("/temp.xml", status=302, location=temp_target))
    make_worker().crawl_once()
    moved.refresh_from_db()
    temporary.refresh_from_db()
    assert moved.url == final
    assert moved.status == FeedSource.Status.ACTIVE
    assert temporary.url == feed_server.url("/temp.xml")
    assert temporary.show is not None


def test_permanent_redirect_to_a_known_url_marks_a_duplicate(feed_server: FeedServer) -> None:
    home = feed_server.add("/home.xml", rss("Home Show"))
    original = add(home)
    alias = add(feed_server.add("/alias.xml", status=301, location=home))
    make_worker().crawl_once()
    alias.refresh_from_db()
    assert alias.status == FeedSource.Status.DUPLICATE
    assert f"feed #{original.pk}" in alias.status_reason
    assert latest_check(alias).outcome == "moved"
    assert Show.objects.count() == 1


def test_itunes_new_feed_url_moves_the_feed(feed_server: FeedServer) -> None:
    new_url = feed_server.add("/v2.xml", rss("Relocated", episodes=3))
    extra = f"<itunes:new-feed-url>{new_url}</itunes:new-feed-url>"
    source = add(feed_server.add("/v1.xml", rss("Relocated", episodes=3, extra=extra), etag='"old"'))
    worker = make_worker()
    summary = worker.crawl_once()
    # Moved, and checked again at once (in the same run) at the new URL, without the old validators.
    assert summary.feeds == 2
    source.refresh_from_db()
    assert source.url == new_url
    assert source.status == FeedSource.Status.ACTIVE
    assert feed_server.hits["/v1.xml"] == feed_server.hits["/v2.xml"] == 1
    assert "if-none-match" not in feed_server.requests[-1].headers
    assert FeedCheck.objects.filter(feed=source).count() == 2
    worker.crawl_once()
    assert feed_server.hits["/v2.xml"] == 1
    assert Show.objects.count() == 1
    assert Episode.objects.count() == 3


def test_itunes_new_feed_url_to_a_known_feed_marks_a_duplicate(feed_server: FeedServer) -> None:
    target = add(feed_server.add("/target.xml", rss("Target")))
    extra = f"<itunes:new-feed-url>{target.url}</itunes:new-feed-url>"
    old = add(feed_server.add("/old.xml", rss("Old", extra=extra)))
    make_worker().crawl_once()
    old.refresh_from_db()
    assert old.status == FeedSource.Status.DUPLICATE
    assert f"feed #{target.pk}" in old.status_reason
    assert latest_check(old).outcome == "duplicate"


def test_claims_skip_leased_feeds_and_expired_leases_return(feed_server: FeedServer) -> None:
    sources = [add(feed_server.add(f"/c{n}.xml", rss(f"C{n}"))) for n in range(4)]
    now = datetime.now(UTC)
    first = claim_batch("a", limit=3, lease=timedelta(minutes=5), now=now)
    second = claim_batch("b", limit=3, lease=timedelta(minutes=5), now=now)
    assert len(first) == 3
    assert [s.pk for s in second] == [sources[3].pk]
    assert claim_batch("c", limit=3, lease=timedelta(minutes=5), now=now) == []
    later = claim_batch("c", limit=10, lease=timedelta(minutes=5), now=now + timedelta(minutes=6))
    assert {s.pk for s in later} == {s.pk for s in sources}
    assert FeedSource.objects.filter(claimed_by="c").count() == 4


def test_a_claim_reads_plain_rows_with_the_models_values() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    show = Show.objects.create(slug="s", title="S")
    later = FeedSource.objects.create(
        url="https://feeds.example.com/later.xml",
        next_check_at=now - timedelta(minutes=1),
        show=show,
        etag='"e"',
        last_modified="Mon, 01 Jan 2024 10:00:00 GMT",
        content_hash="ab" * 32,
        check_interval_seconds=7200,
        error_count=2,
        last_success_at=now - timedelta(days=3, microseconds=5),
    )
    sooner = FeedSource.objects.create(
        url="https://feeds.example.com/sooner.xml", next_check_at=now - timedelta(hours=1)
    )
    claimed = claim_batch("w", limit=10, lease=timedelta(minutes=5), now=now)
    assert [feed.pk for feed in claimed] == [sooner.pk, later.pk]  # next check first
    for feed in claimed:
        model = FeedSource.objects.get(pk=feed.pk)
        assert (model.claimed_by, model.claimed_until) == ("w", now + timedelta(minutes=5))
        assert feed._asdict() == {name: getattr(model, name) for name in feed._fields}
    assert claimed[1].last_success_at == now - timedelta(days=3, microseconds=5)
    assert claimed[1].last_success_at.tzinfo is not None


def test_lost_lease_records_nothing(feed_server: FeedServer) -> None:
    source = add(feed_server.add("/stolen.xml", rss("Stolen")))
    worker = make_worker()

    def steal(feed: FeedSource, outcome: object) -> None:
        raise AssertionError("nothing should be recorded")

    stolen: list[int] = []

    def thief() -> Callable[[], datetime]:
        # After the worker claims, another worker takes the feed over (as if the lease had expired).
        def clock() -> datetime:
            claimed = FeedSource.objects.filter(pk=source.pk, claimed_by="test-worker").update(
                claimed_by="other"
            )
            stolen.append(claimed)
            return datetime.now(UTC)

        return clock

    worker._clock = thief()
    worker._on_feed = steal
    summary = worker.crawl_once()
    assert summary.lost_leases == 1
    assert sum(stolen) == 1
    source.refresh_from_db()
    assert source.show is None
    assert source.claimed_by == "other"
    assert not FeedCheck.objects.filter(feed=source).exists()


def test_old_checks_are_pruned(feed_server: FeedServer) -> None:
    source = add(feed_server.add("/pruned.xml", rss("Pruned")))
    other = add(feed_server.add("/other.xml", rss("Other")))
    worker = make_worker(keep_checks=3)
    start = datetime.now(UTC) + timedelta(minutes=1)
    for n in range(6):
        worker._clock = lambda n=n: start + timedelta(hours=n)
        worker.crawl_once(all_feeds=True)
    for feed in (source, other):
        kept = FeedCheck.objects.filter(feed=feed).order_by("checked_at")
        assert [check.checked_at for check in kept] == [start + timedelta(hours=n) for n in (3, 4, 5)]


def test_private_addresses_refused_unless_allowed(feed_server: FeedServer, settings: object) -> None:
    source = add(feed_server.add("/local.xml", rss("Local")))
    Worker(WorkerConfig(worker_id="w", fetch=FAST)).crawl_once()
    source.refresh_from_db()
    assert source.status == FeedSource.Status.ERROR
    assert "loopback" in source.last_error
    assert feed_server.hits["/local.xml"] == 0
    settings.ALLOW_PRIVATE_FEEDS = True  # type: ignore[attr-defined]
    Worker(WorkerConfig(worker_id="w", fetch=FAST)).crawl_once(all_feeds=True)
    source.refresh_from_db()
    assert source.status == FeedSource.Status.ACTIVE


RECENT = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=10)


def churning(minute: int) -> str:
    """A feed published every four hours whose lastBuildDate changes on every fetch."""
    stamp = f"<lastBuildDate>Mon, 01 Jan 2024 00:{minute:02d}:00 GMT</lastBuildDate>"
    return rss("Churn", episodes=3, extra=stamp, first=RECENT, gap=timedelta(hours=4))


def test_feed_that_changes_on_every_fetch_is_polled_less(feed_server: FeedServer) -> None:
    source = add(feed_server.add("/churn.xml", churning(0)))
    worker = make_worker()
    worker.crawl_once()
    intervals = []
    for minute in range(1, 6):
        feed_server.add("/churn.xml", churning(minute))
        worker.crawl_once(all_feeds=True)
        source.refresh_from_db()
        intervals.append(source.check_interval_seconds)
    outcomes = list(
        FeedCheck.objects.filter(feed=source).order_by("checked_at", "id").values_list("outcome", flat=True)
    )
    assert outcomes == ["updated"] + ["churn"] * 5
    assert intervals[0] == intervals[1]
    assert intervals[2] > intervals[1]
    assert intervals[4] > intervals[3] > intervals[2]
    assert source.status_reason == "changes on every fetch; polled less"


def test_private_feed_urls_are_redacted_in_logs_and_errors(
    feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    good = add(feed_server.add("/private.xml?token=s3cr3t-subscriber", rss("Private")))
    bad = add(feed_server.url("/gone.xml?token=s3cr3t-subscriber"))
    caplog.set_level("DEBUG", logger="lytt.crawl")
    make_worker().crawl_once()
    assert "s3cr3t" not in caplog.text
    assert f"feed={good.pk}" in caplog.text
    bad.refresh_from_db()
    assert "HTTP 404" in bad.last_error
    assert "s3cr3t" not in bad.last_error
    assert "s3cr3t" not in FeedCheck.objects.get(feed=bad).error


def test_a_crawl_batch_indexes_its_feeds_for_search(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_module, "_STORE_EVERY", 2)  # two chunks: each indexes its own feeds
    for n in range(3):
        add(feed_server.add(f"/indexed{n}.xml", rss(f"Zebrafinch {n}", episodes=4, prefix=f"z{n}")))
    make_worker(fetch=PATIENT).crawl_once()
    episodes = search("zebrafinch", kind="episodes", limit=50).hits
    assert sorted(hit.id for hit in episodes) == sorted(Episode.objects.values_list("id", flat=True))
    assert len(episodes) == 12
    shows = search("zebrafinch", kind="shows", limit=50).hits
    assert sorted(hit.id for hit in shows) == sorted(Show.objects.values_list("id", flat=True))


def test_a_refused_feed_does_not_undo_the_rest_of_its_chunk(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [add(feed_server.add(f"/chunk{n}.xml", rss(f"Chunk {n}", episodes=2))) for n in range(4)]
    real_ingest, real_together = worker_module.ingest_feed, worker_module.ingest_new_feeds

    def refuse_one(source: FeedSource, feed: object, **options: object) -> object:
        result = real_ingest(source, feed, **options)  # type: ignore[arg-type]
        if source.url.endswith("/chunk2.xml"):
            raise ValueError("refused after writing")
        return result

    def refuse_together(feeds: list[NewFeed], **options: Any) -> object:
        results = real_together(feeds, **options)
        if any(item.source.url.endswith("/chunk2.xml") for item in feeds):
            raise ValueError("refused after writing")
        return results

    monkeypatch.setattr(worker_module, "ingest_feed", refuse_one)
    monkeypatch.setattr(worker_module, "ingest_new_feeds", refuse_together)
    summary = make_worker(fetch=PATIENT).crawl_once()
    assert summary.outcomes == {"updated": 3, "error": 1}
    assert summary.errors == {"ingest": 1}
    assert Show.objects.count() == 3
    assert not Show.objects.filter(title="Chunk 2").exists()
    assert len(search("chunk", kind="shows", limit=50).hits) == 3
    refused = FeedSource.objects.get(pk=sources[2].pk)
    assert (refused.status, refused.show_id, refused.claimed_by) == (FeedSource.Status.ERROR, None, "")


def test_new_feeds_of_one_chunk_that_are_one_show_make_one_show(feed_server: FeedServer) -> None:
    # Stored together (`ingest_new_feeds`) but for the feeds that may be another URL of a show: those go
    # one at a time after the others, in order, and are found to be duplicates.
    guid = "<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>"
    urls = [
        feed_server.add("/one-a.xml", rss("One", episodes=3)),
        feed_server.add("/one-b.xml", rss("One", episodes=3)),  # the same episodes
        feed_server.add("/two-a.xml", rss("Two", episodes=2, extra=guid)),
        feed_server.add("/two-b.xml", rss("Two", episodes=2, prefix="x", extra=guid)),  # other guids
        feed_server.add("/three.xml", rss("Three", episodes=2)),
    ]
    sources = [add(url) for url in urls]
    summary = make_worker(fetch=PATIENT).crawl_once()
    assert summary.outcomes == {"updated": 3, "duplicate": 2}
    for source in sources:
        source.refresh_from_db()
    for pair in (sources[0:2], sources[2:4]):  # (which of two comes first is the fetches' order)
        assert sorted(source.status for source in pair) == ["active", "duplicate"]
        assert pair[0].show_id == pair[1].show_id
    assert sources[4].status == "active"
    assert sorted(Show.objects.values_list("title", "episode_count")) == [
        ("One", 3),
        ("Three", 2),
        ("Two", 2),
    ]
    assert Episode.objects.count() == 7
    assert len(search("three", kind="episodes", limit=50).hits) == 2


class _Killed(BaseException):
    """The process dying between the fetches and the batch's write (SIGKILL cannot be caught in-process)."""


def test_a_crash_before_the_batch_write_loses_nothing(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [add(feed_server.add(f"/crash{n}.xml", rss(f"Crash {n}", episodes=3))) for n in range(3)]

    def die(items: object) -> None:
        raise _Killed

    monkeypatch.setattr(worker_module.signals, "send_batch", die)
    with pytest.raises(_Killed):
        make_worker(fetch=PATIENT).crawl_once()
    assert not Show.objects.exists()
    assert not Episode.objects.exists()
    assert not FeedCheck.objects.exists()
    assert set(FeedSource.objects.values_list("claimed_by", flat=True)) == {"test-worker"}

    monkeypatch.undo()
    later = make_worker(fetch=PATIENT)
    later.config = WorkerConfig(worker_id="next-worker", batch_size=50, fetch=PATIENT)
    assert later.crawl_once().feeds == 0  # the dead worker's claims hold until its lease runs out
    later._clock = lambda: datetime.now(UTC) + WorkerConfig().lease + timedelta(seconds=1)
    summary = later.crawl_once()
    assert summary.outcomes == {"updated": 3}
    assert Episode.objects.count() == 9
    assert len(search("crash", kind="episodes", limit=50).hits) == 9
    for source in sources:
        source.refresh_from_db()
        assert source.show is not None
        assert source.claimed_by == ""
        assert latest_check(source).outcome == "updated"


def test_a_parser_process_crash_is_that_feeds_error_and_loses_nothing(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from tests.crawl.parse_jobs import crash_on_poison

    from lytt.crawl.parsing import ParsePool

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))  # pool processes import the job

    class CrashingPool(ParsePool[object]):
        def __init__(self, processes: int) -> None:
            super().__init__(processes, job=crash_on_poison)

    monkeypatch.setattr(worker_module, "ParsePool", CrashingPool)
    good = [add(feed_server.add(f"/fine{n}.xml", rss(f"Fine {n}", episodes=3))) for n in range(4)]
    poison = add(feed_server.add("/poison.xml", rss("Poison", episodes=3)))
    summary = make_worker(fetch=PATIENT, parse_processes=2).crawl_once()
    assert summary.outcomes == {"updated": 4, "error": 1}
    assert summary.errors == {"parse": 1}
    for source in good:
        source.refresh_from_db()
        assert source.show is not None
        assert source.show.episodes.count() == 3
    poison.refresh_from_db()
    assert (poison.status, poison.show_id, poison.claimed_by) == (FeedSource.Status.ERROR, None, "")
    assert "parser process died" in poison.last_error
    assert latest_check(poison).outcome == "error"

    monkeypatch.setattr(worker_module, "ParsePool", ParsePool)  # the crash was the process, not the feed
    FeedSource.objects.filter(pk=poison.pk).update(next_check_at=datetime.now(UTC))
    assert make_worker(fetch=PATIENT, parse_processes=1).crawl_once().outcomes == {"updated": 1}
    poison.refresh_from_db()
    assert poison.show is not None
    assert Episode.objects.count() == 15


def test_two_feeds_of_one_chunk_moving_to_one_new_url(feed_server: FeedServer) -> None:
    target = feed_server.add("/merged.xml", rss("Merged Show", episodes=2))
    first = add(feed_server.add("/left.xml", status=301, location=target))
    second = add(feed_server.add("/right.xml", status=301, location=target))
    summary = make_worker(fetch=PATIENT).crawl_once()
    assert summary.feeds == 2
    assert sorted(summary.outcomes.elements()) == ["moved", "updated"]
    first.refresh_from_db()
    second.refresh_from_db()
    mover, duplicate = (first, second) if first.url == target else (second, first)
    assert (mover.url, mover.status) == (target, FeedSource.Status.ACTIVE)
    assert mover.show is not None
    assert duplicate.status == FeedSource.Status.DUPLICATE
    assert f"already feed #{mover.pk}" in duplicate.status_reason
    assert Show.objects.count() == 1
    assert not FeedSource.objects.exclude(claimed_by="").exists()


def test_a_parse_job_the_pool_loses_fails_the_batch_instead_of_hanging(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lytt.crawl.parsing import ParseJob, ParsePool

    class LosingPool(ParsePool[object]):
        def submit(self, key: object, job: ParseJob) -> None:
            """Accept the job and never run it."""

    monkeypatch.setattr(worker_module, "ParsePool", LosingPool)
    source = add(feed_server.add("/lost.xml", rss("Lost", episodes=2)))
    with pytest.raises(RuntimeError, match="lost 1 jobs"):
        make_worker(fetch=PATIENT).crawl_once()
    source.refresh_from_db()
    assert source.claimed_by == "test-worker"  # claimed until the lease runs out, then fetched again
    assert not FeedCheck.objects.filter(feed=source).exists()


class _MidJitter(random.Random):
    """Jitter fixed at 0.5, so next-check times can be asserted exactly."""

    def random(self) -> float:
        return 0.5


def _feed_row(source: FeedSource) -> dict[str, Any]:
    row = FeedSource.objects.filter(pk=source.pk).values().get()
    assert isinstance(row, dict)
    return row


def _checks_at(source: FeedSource, when: datetime) -> list[dict[str, Any]]:
    rows = FeedCheck.objects.filter(feed=source, checked_at=when).values()
    return [{k: v for k, v in row.items() if k not in ("id", "duration_ms")} for row in rows]


def test_an_unchanged_pass_writes_exactly_the_outcome_columns(feed_server: FeedServer) -> None:
    """Every column of each feed and its FeedCheck row after a 304, same-hash and error check, against the
    row the first pass left: what changed is what the outcome says, and nothing else moved."""
    body = rss("Tagged", episodes=3)
    tagged = add(feed_server.add("/tagged.xml", body, etag='"t1"'))
    dated = add(
        feed_server.add("/dated.xml", rss("Dated", episodes=3), last_modified="Mon, 01 Jan 2024 10:00:00 GMT")
    )
    plain = add(feed_server.add("/plain.xml", rss("Plain", episodes=3)))
    failing = add(feed_server.add("/failing.xml", "oops", status=500))
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    second = first + timedelta(days=2)
    worker = make_worker(fetch=PATIENT)
    worker._random = _MidJitter()
    worker._clock = lambda: first
    worker.crawl_once()
    before = {source.pk: _feed_row(source) for source in (tagged, dated, plain, failing)}
    assert before[failing.pk]["error_count"] == 1

    worker._clock = lambda: second
    summary = worker.crawl_once(all_feeds=True)

    assert summary.outcomes == {"not_modified": 2, "same_hash": 1, "error": 1}
    for source, code in ((tagged, 304), (dated, 304), (plain, 200)):
        old = before[source.pk]
        interval = timedelta(seconds=old["check_interval_seconds"])
        assert _feed_row(source) == {
            **old,
            "status_reason": "unchanged since last parse",
            "next_check_at": second + interval * 1.05,
            "last_checked_at": second,
            "last_success_at": second,
            "last_status_code": code,
        }, source.url
    old = before[failing.pk]
    interval = timedelta(seconds=old["check_interval_seconds"])
    assert _feed_row(failing) == {
        **old,
        "status_reason": "backing off after 2 errors",
        "next_check_at": second + backoff(2, interval, 0.5),
        "last_checked_at": second,
        "error_count": 2,
    }
    assert old["last_success_at"] is None
    assert old["last_error"].startswith(f"{failing.url}: HTTP 500")
    expected_checks = {
        tagged.pk: ("not_modified", 304, "", 0),
        dated.pk: ("not_modified", 304, "", 0),
        plain.pk: ("same_hash", 200, "", len(rss("Plain", episodes=3).encode())),
        failing.pk: ("error", 500, old["last_error"], 0),  # an error page is drained, not counted
    }
    for source in (tagged, dated, plain, failing):
        outcome, code, error, size = expected_checks[source.pk]
        assert _checks_at(source, second) == [
            {
                "feed_id": source.pk,
                "checked_at": second,
                "outcome": outcome,
                "status_code": code,
                "error": error,
                "bytes_received": size,
                "new_episodes": 0,
            }
        ], source.url


def _pragmas() -> tuple[int, int, int]:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA temp_store")
        temp_store = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint")
        return temp_store, cache_size, cursor.fetchone()[0]


def _reset_pragmas() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA temp_store = 0")
        cursor.execute("PRAGMA cache_size = -2000")
        cursor.execute("PRAGMA wal_autocheckpoint = 1000")


@pytest.mark.django_db(transaction=True)
def test_the_crawler_keeps_sqlite_journals_in_memory_with_a_page_cache_for_a_chunk(
    feed_server: FeedServer,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own connection settings (the PostgreSQL pass has nothing to tune)")
    _reset_pragmas()
    source = add(feed_server.add("/tuned.xml", rss("Tuned", episodes=2)))

    assert make_worker(fetch=PATIENT).crawl_once().feeds == 1

    assert _pragmas() == (2, -64 * 1024, BACKSTOP_PAGES)
    assert Episode.objects.filter(show__feeds=source).count() == 2
    _reset_pragmas()  # the connection outlives the test


@pytest.mark.django_db(transaction=True)
def test_tuning_leaves_a_connection_inside_a_transaction_alone() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own connection settings (the PostgreSQL pass has nothing to tune)")
    _reset_pragmas()
    with transaction.atomic():
        worker_module.tune_connection()
        assert _pragmas() == (0, -2000, 1000)
    worker_module.tune_connection()
    assert _pragmas() == (2, -64 * 1024, BACKSTOP_PAGES)
    _reset_pragmas()


def test_a_crawl_pokes_its_checkpoint_thread_after_each_commit(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The test database has no file to checkpoint: the crawl gets a checkpointer of a scratch one."""

    class Counting(Checkpointer):
        pokes = 0

        def poke(self) -> None:
            self.pokes += 1
            super().poke()

    scratch = tmp_path / "scratch.sqlite3"
    sqlite3.connect(scratch).close()
    made: list[Counting] = []

    def of(target: object) -> Counting:
        made.append(Counting(str(scratch)))
        return made[-1]

    monkeypatch.setattr(worker_module.Checkpointer, "of", of)
    add(feed_server.add("/new.xml", rss("New", episodes=2)))
    add(feed_server.add("/gone.xml", "", status=410))

    worker = make_worker(fetch=PATIENT)
    assert worker.crawl_once().outcomes == {"updated": 1, "gone": 1}

    [checkpoints] = made
    assert checkpoints.pokes >= 2  # the ingest's commit, and the outcome records'
    assert checkpoints.runs >= 1
    assert not checkpoints._thread.is_alive()  # closed with the crawl
    assert worker._checkpoints is None


def test_the_crawler_reads_a_database_file_through_a_memory_map(tmp_path: Path) -> None:
    """A memory map needs a file (the test database lives in memory): a connection of its own to one."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own connection settings (the PostgreSQL pass has nothing to tune)")
    settings = {**connection.settings_dict, "NAME": str(tmp_path / "crawl.sqlite3")}
    crawler = SQLiteDatabaseWrapper(settings, alias="crawler")
    try:
        with crawler.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size")
            assert cursor.fetchone()[0] == 0
        worker_module.tune_connection(crawler)
        with crawler.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size")
            assert cursor.fetchone()[0] == 1 << 30
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -64 * 1024
    finally:
        crawler.close()


def _slow_and_fast(feed_server: FeedServer, fast: int) -> tuple[FeedSource, list[FeedSource]]:
    """A feed whose server answers after 1.5 s, claimed first, and `fast` feeds that answer at once."""
    slow = add(feed_server.add("/slow-server.xml", rss("Slow server", episodes=3), delay=1.5))
    quick = [add(feed_server.add(f"/quick{n}.xml", rss(f"Quick {n}", episodes=2))) for n in range(fast)]
    return slow, quick


def test_a_batch_leaves_its_last_slow_fetch_to_the_batches_after_it(feed_server: FeedServer) -> None:
    slow, quick = _slow_and_fast(feed_server, 7)
    worker = make_worker(fetch=PATIENT, batch_size=4, late_after=0.2)

    with FetchThread(worker.config.fetch, policy=worker.policy) as fetcher:
        first = worker.run_batch(claim_batch("test-worker", limit=4, lease=timedelta(minutes=5)), fetcher)
        slow.refresh_from_db()
        assert (first.feeds, first.outcomes) == (3, {"updated": 3})
        assert slow.claimed_by == "test-worker"  # still claimed, its fetch still running
        assert not FeedCheck.objects.filter(feed=slow).exists()

        second = worker.run_batch(claim_batch("test-worker", limit=4, lease=timedelta(minutes=5)), fetcher)
        last = worker.run_batch([], fetcher)  # what `crawl_once` does when nothing is left to claim

    assert second.feeds + last.feeds == 5
    slow.refresh_from_db()
    assert slow.show is not None
    assert slow.show.episodes.count() == 3
    assert (slow.claimed_by, slow.status) == ("", FeedSource.Status.ACTIVE)
    assert latest_check(slow).outcome == "updated"
    for source in quick:
        source.refresh_from_db()
        assert source.show is not None
        assert source.claimed_by == ""


def test_crawl_once_records_feeds_claimed_after_a_slow_one_before_it(feed_server: FeedServer) -> None:
    slow, quick = _slow_and_fast(feed_server, 7)
    order: list[int] = []
    worker = Worker(
        WorkerConfig(worker_id="test-worker", batch_size=4, fetch=PATIENT, late_after=0.2),
        policy=AddressPolicy(allow_private=True),
        on_feed=lambda source, outcome: order.append(source.pk),
    )

    summary = worker.crawl_once()

    assert (summary.feeds, summary.outcomes) == (8, {"updated": 8})
    assert sorted(order) == sorted([slow.pk, *(source.pk for source in quick)])
    assert order[-1] == slow.pk  # the batch it was claimed in did not wait for it
    assert FeedSource.objects.filter(claimed_by="test-worker").count() == 0


def test_a_batch_waits_for_fetches_that_keep_completing(feed_server: FeedServer) -> None:
    """Only the last few fetches, and only after a quiet spell, are left: with `late_after` longer than
    the slow server's delay, the batch records every feed itself."""
    slow, _ = _slow_and_fast(feed_server, 3)
    worker = make_worker(fetch=PATIENT, batch_size=4, late_after=5.0)

    with FetchThread(worker.config.fetch, policy=worker.policy) as fetcher:
        summary = worker.run_batch(claim_batch("test-worker", limit=4, lease=timedelta(minutes=5)), fetcher)

    assert (summary.feeds, summary.outcomes) == (4, {"updated": 4})
    assert latest_check(slow).outcome == "updated"


def test_a_batch_that_fails_drops_the_late_fetches_it_inherited(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch the worker gives up on takes the fetches in flight with it, an earlier batch's late ones
    too: they stay claimed until the lease runs out, and no later batch records their results."""
    slow, _ = _slow_and_fast(feed_server, 7)
    worker = make_worker(fetch=PATIENT, batch_size=4, late_after=0.2)

    with FetchThread(worker.config.fetch, policy=worker.policy) as fetcher:
        worker.run_batch(claim_batch("test-worker", limit=4, lease=timedelta(minutes=5)), fetcher)
        monkeypatch.setattr(worker_module.signals, "send_batch", lambda items: _raise_killed())
        with pytest.raises(_Killed):
            worker.run_batch(claim_batch("test-worker", limit=4, lease=timedelta(minutes=5)), fetcher)
        monkeypatch.undo()
        assert worker.run_batch([], fetcher).feeds == 0  # nothing is in flight any more

    slow.refresh_from_db()
    assert slow.claimed_by == "test-worker"
    assert slow.show is None
    assert not FeedCheck.objects.filter(feed=slow).exists()


def _raise_killed() -> None:
    raise _Killed


def test_a_crawl_that_fails_leaves_nothing_in_flight_for_the_next_one(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl that ends with an error (here: its second claim, made while the first batch is in flight)
    forgets the fetches it left running: they ran on the crawl's own fetch thread, and the next crawl must
    not wait for them."""
    _slow_and_fast(feed_server, 7)
    worker = make_worker(fetch=PATIENT, batch_size=4, late_after=0.2)

    def killed_after_the_first(n: int) -> None:
        if n:
            raise _Killed

    before_each_claim(monkeypatch, killed_after_the_first)
    with pytest.raises(_Killed):
        worker.crawl_once()
    assert worker._fetching == {}
    monkeypatch.undo()

    assert worker.crawl_once().feeds == 4  # the rest; the first batch stays claimed until its lease ends


@pytest.mark.parametrize(
    ("bug", "message"),
    [(RuntimeError("fetch side bug"), "fetch side bug"), (None, "finished with 2 results missing")],
)
def test_a_broken_fetch_side_fails_the_batch_instead_of_hanging(
    monkeypatch: pytest.MonkeyPatch, bug: Exception | None, message: str
) -> None:
    """The fetch side delivers one result, then ends with a bug or without the rest: the batch fails (its
    feeds stay claimed until the lease runs out) instead of waiting forever."""

    async def broken(
        self: Fetcher, requests: Iterable[FetchRequest], deliver: Callable[[FetchResult], object]
    ) -> None:
        first = next(iter(requests))
        deliver(FetchResult(request=first, final_url=first.url, status_code=304))
        if bug is not None:
            raise bug

    monkeypatch.setattr(Fetcher, "fetch_each", broken)
    sources = [add(f"http://feeds.test/{n}.xml") for n in range(3)]
    started = time.monotonic()
    with pytest.raises(RuntimeError, match=message):
        make_worker().crawl_once()
    assert time.monotonic() - started < 10
    assert not FeedCheck.objects.exists()
    for source in sources:
        source.refresh_from_db()
        assert source.claimed_by == "test-worker"


def test_the_next_batch_is_claimed_and_fetched_before_the_current_one_is_stored(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetcher does not stand idle while a batch's last feeds are parsed and stored: the next batch
    is claimed once fewer fetches than `concurrency` are left."""
    sources = [add(feed_server.add(f"/flow{n}.xml", rss(f"Flow {n}", episodes=2))) for n in range(12)]
    recorded_at_claim: list[int] = []
    before_each_claim(monkeypatch, lambda n: recorded_at_claim.append(FeedCheck.objects.count()))
    summary = make_worker(fetch=TWO_AT_ONCE, batch_size=4).crawl_once()

    assert (summary.feeds, summary.outcomes) == (12, {"updated": 12})
    assert recorded_at_claim[:3] == [0, 0, 0]  # every batch claimed before the first was stored
    for source in sources:
        source.refresh_from_db()
        assert source.show is not None
        assert source.show.episodes.count() == 2
        assert source.claimed_by == ""
    assert FeedCheck.objects.count() == 12


def test_a_stop_request_ends_the_run_after_the_batches_already_claimed(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stop` (SIGTERM) claims nothing more: the batches already claimed are fetched and recorded."""
    sources = [add(feed_server.add(f"/stop{n}.xml", rss(f"Stop {n}", episodes=1))) for n in range(12)]
    worker = make_worker(fetch=TWO_AT_ONCE, batch_size=4)
    before_each_claim(monkeypatch, lambda n: worker.stop.set())
    summary = worker.crawl_once()

    assert (summary.feeds, summary.outcomes) == (4, {"updated": 4})
    assert FeedSource.objects.filter(claimed_by="test-worker").count() == 0
    checked = [source for source in sources if FeedCheck.objects.filter(feed=source).exists()]
    assert len(checked) == 4
    assert FeedSource.objects.filter(last_checked_at__isnull=True).count() == 8


def test_feeds_done_early_are_written_while_a_slow_fetch_is_still_running(feed_server: FeedServer) -> None:
    """Checked feeds wait at most `_WRITE_AFTER` seconds to be written, not for the rest of the run (which
    lasts as long as feeds are due): what waited past the lease would be thrown away as lost."""
    slow = add(feed_server.add("/slow-answer.xml", rss("Slow answer", episodes=2), delay=4.0))
    quick = [add(feed_server.add(f"/early{n}.xml", rss(f"Early {n}", episodes=2))) for n in range(4)]
    written: dict[int, float] = {}
    worker = Worker(
        WorkerConfig(worker_id="test-worker", batch_size=8, fetch=PATIENT, late_after=10.0),
        policy=AddressPolicy(allow_private=True),
        on_feed=lambda source, outcome: written.setdefault(source.pk, time.monotonic()),
    )

    summary = worker.crawl_once()

    assert (summary.feeds, summary.outcomes) == (5, {"updated": 5})
    # Written about a second after they were checked, not with the slow one (all at once, as before).
    assert max(written[source.pk] for source in quick) < written[slow.pk] - 1.5


def test_the_lease_needed_counts_the_fetches_a_batch_may_wait_behind() -> None:
    """100 feeds at 32 at once is four waves of fetches, each up to the total timeout, and a batch may
    first wait for up to 31 fetches of the batch claimed before it: five waves in the worst case."""
    config = WorkerConfig(batch_size=100, fetch=FetchConfig(concurrency=32, total_timeout=90))
    assert config.lease_needed() == timedelta(seconds=5 * 90)
    one_wave = WorkerConfig(batch_size=32, fetch=FetchConfig(concurrency=32, total_timeout=10))
    assert one_wave.lease_needed() == timedelta(seconds=20)


def test_a_failed_claim_in_a_run_finishes_the_feeds_in_hand(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A claim made while a batch is still in flight fails (the database is locked, or restarting): the
    claimed feeds are still fetched once and recorded, and the next claim picks up the rest."""
    sources = [add(feed_server.add(f"/busy{n}.xml", rss(f"Busy {n}", episodes=1))) for n in range(8)]

    def locked_once(n: int) -> None:
        if n == 1:
            raise OperationalError("database is locked")

    before_each_claim(monkeypatch, locked_once)
    summary = make_worker(fetch=TWO_AT_ONCE, batch_size=4).crawl_once()

    assert (summary.feeds, summary.outcomes) == (8, {"updated": 8})
    assert "could not claim more feeds, finishing the" in caplog.text
    assert all(feed_server.hits[f"/busy{n}.xml"] == 1 for n in range(8))
    assert FeedSource.objects.filter(claimed_by="test-worker").count() == 0
    assert FeedCheck.objects.filter(feed__in=sources).count() == 8


def test_a_long_run_keeps_only_the_fetch_batches_still_running(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that never waits (feeds due all the time) forgets each fetch batch once it has ended, instead
    of keeping one for every batch it ever claimed."""
    for n in range(20):
        add(feed_server.add(f"/long{n}.xml", rss(f"Long {n}", episodes=1)))
    worker = make_worker(fetch=TWO_AT_ONCE, batch_size=2)
    kept: list[int] = []
    before_each_claim(monkeypatch, lambda n: kept.append(len(worker._fetches)))
    assert worker.crawl_once().feeds == 20

    assert len(kept) >= 10
    assert max(kept) <= 3  # at most the batches with a fetch still running, and the one just claimed
