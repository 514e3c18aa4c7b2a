"""How long-running commands set up the garbage collector for a long run of allocations."""

from __future__ import annotations

import gc

#: Allocations between collections of the youngest generation after `settle_heap`.
GC_YOUNG_THRESHOLD = 50_000


def settle_heap() -> None:
    """Keep what the process holds so far (Django, the apps, the libraries, which live as long as the
    process) out of the garbage collector's full passes, which otherwise walk all of it again and again
    while a long command allocates (`gc.freeze`). `lytt crawl` and `lytt import-podcastindex` call it
    once before their work.

    It also collects the youngest generation every `GC_YOUNG_THRESHOLD` allocations instead of 700: the
    rows each parsed feed (or batch of the dump) brings set off collection after collection, each walking
    every row still waiting to be written. These commands make few reference cycles."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
