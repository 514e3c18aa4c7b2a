"""One writer at a time per process on SQLite.

SQLite has a single write lock. Threads that all start `BEGIN IMMEDIATE` at once wait in SQLite's busy
handler, which polls with growing sleeps and serves no one in order: under a burst (100 apps uploading at
once) some requests starve past the busy timeout and fail with "database is locked". Queueing writers on
a process-wide lock first makes them take turns promptly; the busy timeout is then only for other
processes (a crawler). On PostgreSQL, which has row locks, this is a no-op.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

_sqlite_writer = threading.Lock()


@contextmanager
def write_transaction() -> Iterator[None]:
    """`transaction.atomic()`, preceded on SQLite by this process's writer queue."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with _sqlite_writer, transaction.atomic():
        yield
