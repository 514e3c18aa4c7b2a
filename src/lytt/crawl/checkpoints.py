"""WAL checkpoints of the crawler's SQLite database, on a thread of their own.

Every commit appends the pages it changed to the write-ahead log; a checkpoint copies them into the
database file and, with ``synchronous=NORMAL``, syncs the log before and the file after. SQLite runs one
in the committing thread when a commit leaves the log over ``wal_autocheckpoint`` pages (1,000 by
default). A first ingest commits ~24 MB of log per chunk of feeds, so the crawler's writing thread, the
one the whole crawl waits for, would copy and sync after every commit while everything else waited.

`Checkpointer` runs them on a thread with a connection of its own, woken after each of the crawler's
commits (`poke`): a PASSIVE checkpoint copies and syncs what is committed while the crawler writes its
next chunk (SQLite lets one checkpoint run beside the one writer), with the same syncs as before, so
durability is unchanged.

A checkpoint beside a busy writer never empties the log, though, and SQLite starts the log over only when
a write begins with every frame copied. So the crawler's connection keeps a higher ``wal_autocheckpoint``
(`BACKSTOP_PAGES`): once the log passes it, the crawler's commit completes the checkpoint itself (by then
only its last chunk is left to copy), and its next write starts the log over. The log stays under
~100 MB, and the web processes' own commits rarely find much to copy.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from urllib.request import pathname2url

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

log = logging.getLogger("lytt.crawl")

#: The crawler connection's ``wal_autocheckpoint`` while a `Checkpointer` copies beside it (64 MB of log
#: with 8 KB pages).
BACKSTOP_PAGES = 8000


class Checkpointer:
    """A thread that checkpoints the SQLite database at `path` each time it is poked, until `close`.

    Failures are logged, never raised: the crawler's own connection still checkpoints at `BACKSTOP_PAGES`.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        #: Checkpoints that ran without an error so far.
        self.runs = 0
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="lytt-checkpoints", daemon=True)
        self._thread.start()

    @classmethod
    def of(cls, target: BaseDatabaseWrapper) -> Checkpointer | None:
        """A checkpointer for `target`'s database, or None when it is not an SQLite file (PostgreSQL has no
        such log to copy, and an in-memory database no file)."""
        if target.vendor != "sqlite":
            return None
        assert isinstance(target, SQLiteDatabaseWrapper)
        if target.is_in_memory_db():
            return None
        return cls(str(target.settings_dict["NAME"]))

    def is_running(self) -> bool:
        """Whether the thread still runs (until `close`, or until it could not open the database)."""
        return self._thread.is_alive()

    def poke(self) -> None:
        """Something was committed: copy it into the database file (at once, or after the current run)."""
        self._wake.set()

    def close(self) -> None:
        """Run a last checkpoint, then stop the thread."""
        self._closing = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:  # read-write, not create: a database that is not there is not made empty here
            uri = f"file:{pathname2url(self.path)}?mode=rw"
            database = sqlite3.connect(uri, uri=True, timeout=20, isolation_level=None)
        except sqlite3.Error as exc:
            log.warning("crawl checkpoints cannot open %s (left to the crawler): %s", self.path, exc)
            return
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                closing = self._closing  # read first: what was committed before `close` is copied now
                self._checkpoint(database)
                if closing:
                    return
        finally:
            database.close()

    def _checkpoint(self, database: sqlite3.Connection) -> None:
        try:
            database.execute("PRAGMA synchronous=NORMAL")  # what the checkpoint's syncs follow
            database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            log.warning("crawl checkpoint of %s failed: %s", self.path, exc)
            return
        self.runs += 1
