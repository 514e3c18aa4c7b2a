"""The crawler's checkpoint thread against real SQLite files: what it copies, and how it fails."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

from lytt.crawl.checkpoints import Checkpointer
from lytt.settings import sqlite_database


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a new WAL database file that never checkpoints by itself, as the crawler's does not
    below its backstop; 200 rows committed."""
    database = sqlite3.connect(tmp_path / "catalogue.sqlite3", isolation_level=None)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA wal_autocheckpoint=0")
    database.execute("CREATE TABLE episode (id INTEGER PRIMARY KEY, title TEXT)")
    database.execute("BEGIN")
    database.executemany("INSERT INTO episode (title) VALUES (?)", [(f"Episode {n}",) for n in range(200)])
    database.execute("COMMIT")
    yield database
    database.close()


def rows_in_the_file_alone(path: Path, scratch: Path) -> int | None:
    """How many episodes a copy of the database file holds without its log (None: not even the table)."""
    copy = scratch / "copy.sqlite3"
    shutil.copyfile(path, copy)
    database = sqlite3.connect(copy)
    try:
        return int(database.execute("SELECT count(*) FROM episode").fetchone()[0])
    except sqlite3.OperationalError:
        return None
    finally:
        database.close()
        copy.unlink()


def test_what_is_committed_reaches_the_database_file_when_poked(
    writer: sqlite3.Connection, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.sqlite3"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert rows_in_the_file_alone(path, scratch) is None  # all of it is still in the log

    with closing(Checkpointer(str(path))) as checkpoints:
        checkpoints.poke()
    assert checkpoints.runs >= 1
    assert rows_in_the_file_alone(path, scratch) == 200

    writer.execute("INSERT INTO episode (title) VALUES ('Later')")  # beside the writer, and again
    with closing(Checkpointer(str(path))) as checkpoints:
        writer.execute("INSERT INTO episode (title) VALUES ('Later still')")
        checkpoints.poke()
    assert rows_in_the_file_alone(path, scratch) == 202


def test_closing_copies_what_was_committed_before_it(writer: sqlite3.Connection, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.sqlite3"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    Checkpointer(str(path)).close()
    assert rows_in_the_file_alone(path, scratch) == 200


def test_a_database_that_cannot_be_opened_is_logged_and_not_created(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "gone" / "catalogue.sqlite3"
    with caplog.at_level(logging.WARNING, logger="lytt.crawl"):
        checkpoints = Checkpointer(str(missing))
        checkpoints.poke()
        checkpoints.close()  # returns: the thread ended at once
    assert checkpoints.runs == 0
    assert not missing.parent.exists()
    assert f"cannot open {missing}" in caplog.text


def test_a_failed_checkpoint_is_logged_and_the_thread_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "catalogue.sqlite3"
    path.write_bytes(b"not a database, though long enough to have a header of one " * 4)
    with (
        caplog.at_level(logging.WARNING, logger="lytt.crawl"),
        closing(Checkpointer(str(path))) as checkpoints,
    ):
        checkpoints.poke()
        _wait_for(lambda: caplog.text.count("failed: file is not") == 1)
        checkpoints.poke()
        _wait_for(lambda: caplog.text.count("failed: file is not") == 2)
    assert checkpoints.runs == 0
    assert f"checkpoint of {path} failed: file is not a database" in caplog.text


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the checkpoint thread did not get there"
        time.sleep(0.01)


@pytest.mark.django_db
def test_only_an_sqlite_file_gets_a_checkpointer(tmp_path: Path) -> None:
    # The test database: PostgreSQL, or SQLite in memory.
    assert Checkpointer.of(connections[DEFAULT_DB_ALIAS]) is None
    settings = {**connection.settings_dict, **sqlite_database(tmp_path / "c.db")}
    file_backed = SQLiteDatabaseWrapper(settings, alias="crawler")
    checkpoints = Checkpointer.of(file_backed)
    assert checkpoints is not None
    checkpoints.close()
    assert checkpoints.path == str(tmp_path / "c.db")
