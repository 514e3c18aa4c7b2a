"""The crawler's SQLite connection settings (`lytt.crawl.tuning`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from tests.crawl.crawling import PATIENT, add, make_worker
from tests.feedserver import FeedServer, rss

from lytt.catalog.models import Episode
from lytt.crawl.checkpoints import BACKSTOP_PAGES
from lytt.crawl.tuning import tune_connection

pytestmark = pytest.mark.django_db


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
        tune_connection()
        assert _pragmas() == (0, -2000, 1000)
    tune_connection()
    assert _pragmas() == (2, -64 * 1024, BACKSTOP_PAGES)
    _reset_pragmas()


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
        tune_connection(crawler)
        with crawler.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size")
            assert cursor.fetchone()[0] == 1 << 30
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -64 * 1024
    finally:
        crawler.close()
