"""How `lytt crawl` sets up its process and its SQLite connection for a long run of writes."""

from __future__ import annotations

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from lytt.crawl.checkpoints import BACKSTOP_PAGES
from lytt.heap import GC_YOUNG_THRESHOLD as GC_YOUNG_THRESHOLD  # (lytt.heap owns them; re-exported)
from lytt.heap import settle_heap as settle_heap

#: SQLite settings of the crawler's own connection: savepoint and statement journals in memory instead of
#: temporary files (SQLite writes every page a feed's savepoint touches to one before changing it); a
#: page cache big enough to hold a chunk's transaction until commit instead of spilling pages to the WAL
#: part-way, or reading evicted ones back; and the first GB of the database file read through a memory
#: map, not a system call per page missing from that cache (a large catalogue's index pages, FTS5's
#: segments while merging). Checkpoints are left to a thread of their own (`lytt.crawl.checkpoints`),
#: this connection running one only past a backstop.
CRAWLER_SQLITE_PRAGMAS = {
    "temp_store": 2,
    "cache_size": -64 * 1024,
    "mmap_size": 1 << 30,
    "wal_autocheckpoint": BACKSTOP_PAGES,
}


def tune_connection(target: BaseDatabaseWrapper = connection) -> None:
    """Apply `CRAWLER_SQLITE_PRAGMAS` to `target` (this thread's default connection; SQLite only). Called
    before each claim, so a connection opened again after an error gets them too. Inside a transaction it
    does nothing: SQLite refuses to change where temporary storage lives within one."""
    if target.vendor != "sqlite" or target.in_atomic_block:
        return
    with target.cursor() as cursor:
        for name, value in CRAWLER_SQLITE_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name} = {value}")  # (the value it has already: nothing to do)
