"""A dead worker's leases come back at once, and `crawl --once` says which feeds others still hold."""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tests.feedserver import FeedServer, rss

from lytt.catalog.models import FeedSource
from lytt.cli import main
from lytt.crawl.claims import dead_workers, held_by_others, reclaim_from_dead_workers, worker_id
from lytt.crawl.records import Summary

HOST = socket.gethostname()


def gone_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_dead_workers_are_this_host_s_gone_processes() -> None:
    alive = {10, 11}.__contains__
    holders = ["h:10", "h:12", "other:12", "h:x", "h", "custom-id", "h:b:12", "h:13"]
    assert dead_workers(holders, "h", alive) == {"h:12", "h:13"}
    assert dead_workers(["h:b:12"], "h:b", alive) == {"h:b:12"}  # a host name with a colon


def test_worker_id_names_host_and_process() -> None:
    assert worker_id() == f"{HOST}:{os.getpid()}"
    assert worker_id("h" * 200, 5) == "h" * 100


def _leased(url: str, holder: str, now: datetime, minutes: int = 10) -> FeedSource:
    return FeedSource.objects.create(
        url=url, claimed_by=holder, claimed_until=now + timedelta(minutes=minutes), next_check_at=now
    )


@pytest.mark.django_db
def test_leases_of_gone_processes_on_this_host_are_taken_back() -> None:
    now = datetime.now(UTC)
    dead = _leased("https://a.example/f.xml", f"{HOST}:{gone_pid()}", now)
    mine = _leased("https://b.example/f.xml", worker_id(), now)
    elsewhere = _leased("https://c.example/f.xml", "another-host:1", now)
    named = _leased("https://d.example/f.xml", "worker-7", now)
    assert reclaim_from_dead_workers(now) == 1
    dead.refresh_from_db()
    assert (dead.claimed_by, dead.claimed_until) == ("", None)
    for kept in (mine, elsewhere, named):
        before = kept.claimed_by
        kept.refresh_from_db()
        assert kept.claimed_by == before


@pytest.mark.django_db
def test_held_by_others_counts_due_feeds_leased_elsewhere() -> None:
    now = datetime.now(UTC)
    _leased("https://a.example/f.xml", "other:1", now, minutes=5)
    _leased("https://b.example/f.xml", "other:2", now, minutes=12)
    _leased("https://c.example/f.xml", "me:1", now)
    expired = _leased("https://d.example/f.xml", "other:3", now)
    expired.claimed_until = now - timedelta(minutes=1)
    expired.save()
    later = _leased("https://e.example/f.xml", "other:4", now)
    later.next_check_at = now + timedelta(hours=1)
    later.save()
    held = held_by_others("me:1", now)
    assert held.feeds == 2
    assert held.until == now + timedelta(minutes=12)
    everything = held_by_others("me:1", now, run_started=now)  # --all: the later one is this run's too
    assert everything.feeds == 3


def test_summary_line_reports_reclaimed_and_held() -> None:
    summary = Summary(reclaimed=3, held=2, held_until=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    line = summary.line()
    assert "reclaimed_from_dead_workers=3" in line
    assert "held_by_other_workers=2 until 2026-01-02 03:04:05 UTC" in line
    assert "held_by" not in Summary().line()


@pytest.fixture
def thawed_heap() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.django_db
@pytest.mark.usefixtures("thawed_heap")
def test_crawl_once_checks_a_killed_worker_s_feeds_and_reports_live_ones(
    feed_server: FeedServer, settings: object, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.ALLOW_PRIVATE_FEEDS = True  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    orphan = _leased(feed_server.add("/orphan.xml", rss("Orphan", episodes=1)), f"{HOST}:{gone_pid()}", now)
    busy = _leased(feed_server.add("/busy.xml", rss("Busy", episodes=1)), "other-host:42", now)
    assert main(["crawl", "--once", "--no-progress", "--timeout", "5"]) == 0
    out = capsys.readouterr().out
    assert "feeds=1 " in out
    assert "reclaimed_from_dead_workers=1" in out
    assert "held_by_other_workers=1 until" in out
    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert orphan.show is not None
    assert orphan.claimed_by == ""
    assert busy.show is None
    assert busy.claimed_by == "other-host:42"
