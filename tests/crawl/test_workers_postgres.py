"""`lytt crawl` processes on the test database: several workers with one killed by SIGKILL mid-batch, and
a forever worker stopped by SIGTERM mid-batch. PostgreSQL only: the subprocesses need a database they can
share with the test, which pytest-django's in-memory SQLite is not (the code path is the same on SQLite).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from tests.feedserver import FeedServer, rss

from lytt.catalog.models import Episode, FeedCheck, FeedSource, Show

FEEDS = 24
EPISODES = 5
LEASE_SECONDS = 3


def database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def worker_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LYTT_DATABASE_URL": database_url(),
        "LYTT_ALLOW_PRIVATE_FEEDS": "1",
        "LYTT_DATA_DIR": str(data_dir),
        "LYTT_LOG_LEVEL": "WARNING",
    }


def start_worker(name: str, data_dir: Path) -> subprocess.Popen[bytes]:
    env = worker_env(data_dir)
    command = [sys.executable, "-m", "lytt.cli", "crawl", "--once", "--no-progress", "--worker-id", name]
    command += ["--batch", "8", "--concurrency", "4", "--lease", str(LEASE_SECONDS), "--timeout", "10"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def finish(process: subprocess.Popen[bytes]) -> str:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    return out.decode()


@pytest.mark.postgres_only
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killed_worker_loses_nothing_and_duplicates_nothing(feed_server: FeedServer, tmp_path: Path) -> None:
    for n in range(FEEDS):
        slow = {"delay": 2.0} if n % 3 == 2 else {}
        url = feed_server.add(f"/feed{n}.xml", rss(f"Show {n}", episodes=EPISODES), **slow)
        FeedSource.objects.create(url=url)

    victim = start_worker("victim", tmp_path)
    try:
        # Mid-batch: it has recorded something and still holds claims on feeds it has not finished.
        wait_for(
            lambda: FeedCheck.objects.exists() and FeedSource.objects.filter(claimed_by="victim").exists()
        )
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
    held = set(FeedSource.objects.filter(claimed_by="victim").values_list("pk", flat=True))
    assert held, "the kill should land while the victim holds claims"

    first, second = start_worker("first", tmp_path), start_worker("second", tmp_path)
    summaries = finish(first) + finish(second)
    assert summaries.count("crawl summary:") == 2
    # The victim's feeds stay leased until the lease runs out; then one more pass picks them up.
    time.sleep(LEASE_SECONDS + 0.5)
    finish(start_worker("after-lease", tmp_path))

    assert Show.objects.count() == FEEDS
    assert Episode.objects.count() == FEEDS * EPISODES
    for source in FeedSource.objects.all():
        assert source.show is not None, source.url
        assert source.status == FeedSource.Status.ACTIVE, source.url
        assert source.claimed_by == "", source.url
        assert source.last_checked_at is not None, source.url
        assert Episode.objects.filter(show=source.show).count() == EPISODES
    assert set(FeedCheck.objects.values_list("feed_id", flat=True)) == set(
        FeedSource.objects.values_list("pk", flat=True)
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_the_batch_finish(feed_server: FeedServer, tmp_path: Path) -> None:
    for n in range(3):
        FeedSource.objects.create(url=feed_server.add(f"/quick{n}.xml", rss(f"Quick {n}", episodes=EPISODES)))
    FeedSource.objects.create(url=feed_server.add("/slow.xml", rss("Slow", episodes=EPISODES), delay=1.5))
    crawler = subprocess.Popen(
        [sys.executable, "-m", "lytt.cli", "crawl", "--timeout", "10", "--worker-id", "forever"],
        env=worker_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: feed_server.hits["/slow.xml"] == 1)
        crawler.send_signal(signal.SIGTERM)  # while the slow feed is still on the wire
        out = finish(crawler)
    finally:
        if crawler.poll() is None:
            crawler.kill()
    assert "crawl summary: feeds=4 updated=4" in out
    assert Episode.objects.count() == 4 * EPISODES
    assert not FeedSource.objects.exclude(status=FeedSource.Status.ACTIVE).exists()
    assert not FeedSource.objects.exclude(claimed_by="").exists()
