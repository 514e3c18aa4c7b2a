"""The worker loop against a real local feed server and a real database: batches, late fetches, the
parser and fetch sides failing, stop requests, checkpoints."""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from tests.crawl.crawling import FAST, PATIENT, TWO_AT_ONCE, Killed, add, latest_check, make_worker
from tests.feedserver import FeedServer, rss

from lytt.catalog import signals
from lytt.catalog.models import Episode, FeedCheck, FeedSource, Show
from lytt.crawl import worker as worker_module
from lytt.crawl.checkpoints import Checkpointer
from lytt.crawl.claims import claim_batch
from lytt.crawl.fetch import FetchConfig, Fetcher, FetchRequest, FetchResult
from lytt.crawl.pipeline import FetchThread
from lytt.crawl.safety import AddressPolicy
from lytt.crawl.worker import Worker, WorkerConfig

pytestmark = pytest.mark.django_db


def before_each_claim(monkeypatch: pytest.MonkeyPatch, hook: Callable[[int], object]) -> None:
    """Call `hook(n)` before the worker's claim number n (from 0); it may raise instead of letting it run."""
    real_claim = worker_module.claim_batch
    calls = itertools.count()

    def claim(*args: Any, **kwargs: Any) -> list[Any]:
        hook(next(calls))
        return real_claim(*args, **kwargs)

    monkeypatch.setattr(worker_module, "claim_batch", claim)


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


def test_a_parser_process_crash_is_that_feeds_error_and_loses_nothing(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from tests.crawl.parse_jobs import crash_on_poison

    from lytt.crawl.parser_pool import ParsePool

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


def test_a_parse_job_the_pool_loses_fails_the_batch_instead_of_hanging(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lytt.crawl.parser_pool import ParseJob, ParsePool

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
    assert not checkpoints.is_running()  # closed with the crawl


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
        monkeypatch.setattr(signals, "send_batch", lambda items: _raise_killed())
        with pytest.raises(Killed):
            worker.run_batch(claim_batch("test-worker", limit=4, lease=timedelta(minutes=5)), fetcher)
        monkeypatch.undo()
        assert worker.run_batch([], fetcher).feeds == 0  # nothing is in flight any more

    slow.refresh_from_db()
    assert slow.claimed_by == "test-worker"
    assert slow.show is None
    assert not FeedCheck.objects.filter(feed=slow).exists()


def _raise_killed() -> None:
    raise Killed


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
            raise Killed

    before_each_claim(monkeypatch, killed_after_the_first)
    with pytest.raises(Killed):
        worker.crawl_once()
    assert worker.in_flight == 0
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
    before_each_claim(monkeypatch, lambda n: kept.append(worker.fetch_batches))
    assert worker.crawl_once().feeds == 20

    assert len(kept) >= 10
    assert max(kept) <= 3  # at most the batches with a fetch still running, and the one just claimed
