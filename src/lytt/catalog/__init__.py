"""lytt.catalog: shows, episodes, categories, people and feed state, and the ingest that fills them.

The front door for other packages (the crawler, the sample loader): ingest a parsed feed with
`ingest_feed`, or many first ingests at once with `ingest_new_feeds`. Loaded on first use, since this
package is imported before Django's app registry is ready.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lytt.catalog.ingest import IngestResult, NewFeed, ingest_feed, ingest_new_feeds

__all__ = ["IngestResult", "NewFeed", "ingest_feed", "ingest_new_feeds"]

_HOMES = {name: "lytt.catalog.ingest" for name in __all__}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
