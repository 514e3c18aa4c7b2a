"""Shared fixtures.

The suite runs twice in CI: on SQLite, and with LYTT_TEST_BACKEND=postgres (LYTT_DATABASE_URL set) on
PostgreSQL. The PostgreSQL run keeps only the tests that touch the database; pure tests ran already.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import settings
from tests.feedserver import FeedServer

# Property tests check behaviour, not speed: on a loaded CI machine one example may take longer than
# hypothesis's default 200 ms deadline, which would fail a test for nothing it asserts.
settings.register_profile("lytt", deadline=None)
settings.load_profile("lytt")

ON_POSTGRES = os.environ.get("LYTT_TEST_BACKEND") == "postgres"
SANITIZED = os.environ.get("LYTT_SANITIZED") == "1"
"""The test command's sanitizer pass (dev.sh): the C modules built with ASan and UBSan, many times slower."""
if SANITIZED:
    settings.register_profile("sanitized", deadline=None)
    settings.load_profile("sanitized")


def examples(count: int) -> int:
    """How many examples a hypothesis test of the C modules tries: `count`, a tenth of it in the sanitizer
    pass (the full count ran in the SQLite pass already)."""
    return max(20, count // 10) if SANITIZED else count


def seconds(limit: float) -> float:
    """A time limit a test holds the parser to: `limit`, twenty times it in the sanitizer pass."""
    return limit * 20 if SANITIZED else limit


#: Fixtures through which a test reaches the database. Not `django_db_blocker` or `django_db_setup`:
#: pytest-django's autouse fixtures put those in every test's closure, database or not.
DB_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def _uses_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres_only"):
        return True
    return bool(DB_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        keep = [item for item in items if _uses_database(item)]
        dropped = [item for item in items if not _uses_database(item)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        return
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL; runs in the PostgreSQL pass")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip_pg)


@pytest.fixture(autouse=True)
def _fresh_chart_positions() -> None:
    """Search indexing keeps the chart positions for a minute (`lytt.search.index.chart_positions`). Each
    test's database starts again from id 1, so positions an earlier test cached would name this test's
    shows: start every test without them."""
    from lytt.search.index import reset_chart_cache

    reset_chart_cache()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A real HTTP server on 127.0.0.1 serving good and misbehaving feeds (see tests/feedserver.py)."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On PostgreSQL, the test databases' sessions commit without waiting for the WAL to reach the disk.

    A transactional test (live server, browser) commits every statement, its flush and the taxonomy put
    back after it; each waited for a disk flush that a throwaway database does not need. Only durability
    after a crash differs: what a transaction sees and when constraints are checked stay as they were.
    """
    from django.db import connections

    for connection in connections.all():
        if connection.vendor == "postgresql":
            options = connection.settings_dict.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(scope="session", autouse=True)
def _flush_postgres_by_delete() -> Iterator[None]:
    """On PostgreSQL, a transactional test's flush empties the tables with DELETE rather than TRUNCATE.

    TRUNCATE gives every table a new file, which costs seconds for the few rows a test leaves; DELETE of
    those rows costs milliseconds. Both leave the tables empty and the sequences where they were. Django's
    foreign keys are deferrable, so the rows may go in any order within the flush's one transaction.
    """
    if not ON_POSTGRES:
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: Sequence[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or not tables:  # RESTART IDENTITY is TRUNCATE's alone
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        delete = style.SQL_KEYWORD("DELETE FROM")
        names = [style.SQL_FIELD(self.quote_name(table)) for table in tables]
        return ["SET CONSTRAINTS ALL DEFERRED;", *(f"{delete} {name};" for name in names)]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test database, with any session still open on it ended before it is dropped.

    On PostgreSQL connections live for CONN_MAX_AGE, so one opened in a thread a test started (a live
    server's request threads) can outlast the run; the drop then failed with "being accessed by other
    users" and left the database behind, one per CI run.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
