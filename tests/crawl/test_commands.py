"""`lytt crawl` end to end (in-process on the test database), and the forever loop's stop behaviour."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tests.feedserver import FeedServer, rss

from lytt.catalog.models import FeedSource
from lytt.cli import main
from lytt.crawl.fetch import FetchConfig
from lytt.crawl.safety import AddressPolicy
from lytt.crawl.schedule import Outcome
from lytt.crawl.tuning import GC_YOUNG_THRESHOLD
from lytt.crawl.worker import Worker, WorkerConfig

pytestmark = pytest.mark.django_db
FAST = FetchConfig(connect_timeout=1, read_timeout=1, total_timeout=2)


@pytest.fixture(autouse=True)
def thawed_heap() -> Iterator[None]:
    """`lytt crawl` freezes the heap it starts with and collects less often (`settle_heap`); each test
    starts and ends thawed, with the collector's thresholds as they were."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_crawl_once_prints_a_summary(
    feed_server: FeedServer, settings: object, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.ALLOW_PRIVATE_FEEDS = True  # type: ignore[attr-defined]
    FeedSource.objects.create(url=feed_server.add("/one.xml", rss("One", episodes=2)))
    FeedSource.objects.create(url=feed_server.add("/bad.xml", "no", status=500))
    assert main(["crawl", "--once", "--no-progress", "--timeout", "5"]) == 0
    assert gc.get_freeze_count() > 0  # what was loaded before crawling is out of the collector's way
    assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD
    out = capsys.readouterr().out
    assert "crawl summary: feeds=2 error=1 updated=1 new_episodes=2" in out
    assert "errors=http_500:1" in out
    assert main(["crawl", "--once", "--all", "--no-progress", "--timeout", "5"]) == 0
    assert "feeds=2 error=1 same_hash=1" in capsys.readouterr().out


def test_crawl_refuses_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawl", "--all"]) == 2
    assert "--all needs --once" in capsys.readouterr().err
    assert main(["crawl", "--once", "--concurrency", "0"]) == 2


def test_forever_finishes_the_batch_when_stopped(feed_server: FeedServer) -> None:
    for n in range(3):
        FeedSource.objects.create(url=feed_server.add(f"/f{n}.xml", rss(f"F{n}")))
    seen: list[Outcome] = []

    def stop_after_first(source: object, outcome: Outcome) -> None:
        seen.append(outcome)
        worker.stop.set()

    worker = Worker(
        WorkerConfig(worker_id="w", fetch=FAST),
        policy=AddressPolicy(allow_private=True),
        on_feed=stop_after_first,
    )
    summary = worker.crawl_forever(max_sleep=0.1)
    assert summary.feeds == 3  # the stop request came during the batch: the batch still finished
    assert not FeedSource.objects.exclude(claimed_by="").exists()


def test_forever_sleeps_until_stopped_when_nothing_is_due() -> None:
    FeedSource.objects.create(
        url="https://feeds.example.com/later.xml", next_check_at=datetime.now(UTC) + timedelta(hours=1)
    )
    worker = Worker(WorkerConfig(worker_id="w", fetch=FAST), policy=AddressPolicy())
    assert 3500 < worker.seconds_until_due(7200) <= 3600
    timer = threading.Timer(0.3, worker.stop.set)
    timer.start()
    assert worker.crawl_forever(max_sleep=30).feeds == 0
    timer.join()


def test_leased_and_parked_feeds_are_not_due_yet() -> None:
    now = datetime.now(UTC)
    FeedSource.objects.create(
        url="https://feeds.example.com/a.xml",
        next_check_at=now,
        claimed_by="x",
        claimed_until=now + timedelta(minutes=10),
    )
    FeedSource.objects.create(
        url="https://feeds.example.com/b.xml", next_check_at=now, not_before=now + timedelta(minutes=20)
    )
    worker = Worker(WorkerConfig(worker_id="w"), policy=AddressPolicy())
    assert 550 < worker.seconds_until_due(3600) <= 600
