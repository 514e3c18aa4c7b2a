"""WAL checkpoints on their own thread: the WAL stays bounded while a writer that never checkpoints keeps
committing, nothing is lost, and Django's connection gets its own checkpoints back afterwards."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler

from lytt.crawl.checkpoint import DEFAULT_AUTOCHECKPOINT, WalCheckpointer, django_wal_checkpoints

COMMITS = 150
ROW = b"x" * 64_000  # ~16 pages a commit, ~9.6 MB over the run


def _writer(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, data BLOB)")
    return db


def _write(db: sqlite3.Connection) -> None:
    for _ in range(COMMITS):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t (data) VALUES (?)", (ROW,))
        db.execute("COMMIT")
        time.sleep(0.002)


def _wal_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_the_wal_stays_bounded_and_nothing_is_lost(tmp_path: Path) -> None:
    unchecked, checked = tmp_path / "unchecked.sqlite3", tmp_path / "checked.sqlite3"
    _write(_writer(unchecked))  # the control: a writer that never checkpoints, alone
    grown = _wal_bytes(unchecked)
    assert grown > COMMITS * len(ROW)

    writer = _writer(checked)
    with WalCheckpointer(checked, interval=0.01) as checkpointer:
        _write(writer)
    assert checkpointer.checkpoints > 0
    assert _wal_bytes(checked) < grown / 3
    writer.close()
    reader = sqlite3.connect(checked)
    assert reader.execute("SELECT count(*), sum(length(data)) FROM t").fetchone() == (
        COMMITS,
        COMMITS * len(ROW),
    )
    assert reader.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_an_unopenable_database_leaves_checkpoints_to_the_writer(tmp_path: Path) -> None:
    with WalCheckpointer(tmp_path / "missing" / "db.sqlite3", interval=0.01) as checkpointer:
        time.sleep(0.05)
    assert checkpointer.checkpoints == 0


@pytest.fixture
def unblocked(django_db_blocker: Any) -> Iterator[None]:
    """Django connections of the tests' own, to SQLite files (not the test database)."""
    with django_db_blocker.unblock():
        yield


def _django_db(tmp_path: Path, init: str) -> ConnectionHandler:
    return ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": tmp_path / "lytt.sqlite3",
                "OPTIONS": {"init_command": init},
            }
        }
    )


def _autocheckpoint(db: object) -> int:
    return int(db.connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0])  # type: ignore[attr-defined]


def test_django_s_connection_leaves_checkpoints_to_the_thread(tmp_path: Path, unblocked: None) -> None:
    db = _django_db(tmp_path, "PRAGMA journal_mode=WAL")["default"]
    try:
        with django_wal_checkpoints(db, interval=0.01) as checkpointer:
            assert _autocheckpoint(db) == 0
            with db.cursor() as cursor:
                cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            time.sleep(0.05)
        assert checkpointer is not None
        assert checkpointer.checkpoints > 0
        assert _autocheckpoint(db) == DEFAULT_AUTOCHECKPOINT
    finally:
        db.close()


def test_a_connection_opened_meanwhile_leaves_its_checkpoints_to_the_thread_too(
    tmp_path: Path, unblocked: None
) -> None:
    db = _django_db(tmp_path, "PRAGMA journal_mode=WAL")["default"]
    other = _django_db(tmp_path, "PRAGMA journal_mode=WAL")["default"]  # another thread's, say
    try:
        with django_wal_checkpoints(db, interval=0.01):
            db.close()
            db.ensure_connection()  # what close_old_connections does between batches of `lytt crawl`
            other.ensure_connection()
            assert _autocheckpoint(db) == 0
            assert _autocheckpoint(other) == DEFAULT_AUTOCHECKPOINT
        assert _autocheckpoint(db) == DEFAULT_AUTOCHECKPOINT
        db.close()
        db.ensure_connection()
        assert _autocheckpoint(db) == DEFAULT_AUTOCHECKPOINT
    finally:
        db.close()
        other.close()


@pytest.mark.parametrize("init", ["PRAGMA journal_mode=DELETE", ""])
def test_nothing_happens_without_a_wal(tmp_path: Path, unblocked: None, init: str) -> None:
    db = _django_db(tmp_path, init)["default"]
    try:
        with django_wal_checkpoints(db) as checkpointer:
            assert checkpointer is None
            assert _autocheckpoint(db) == DEFAULT_AUTOCHECKPOINT
    finally:
        db.close()
