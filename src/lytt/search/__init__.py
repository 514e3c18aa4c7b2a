"""Search shows and episodes: one interface over SQLite FTS5 and PostgreSQL full-text search.

    from lytt.search import search, suggest, Filters
    results = search("fotball", kind="episodes", filters=Filters(language="nb"), limit=20)

The functions import the engine on first use, so importing this package never touches the app registry.
"""

from __future__ import annotations

from lytt.search.types import Field, Filters, Hit, Kind, SearchError, SearchResults, Suggestion

__all__ = [
    "Field",
    "Filters",
    "Hit",
    "Kind",
    "SearchError",
    "SearchResults",
    "Suggestion",
    "index_show",
    "rebuild",
    "search",
    "suggest",
]


def search(
    query: str,
    *,
    kind: Kind = "episodes",
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
    prefix: bool = False,
    field: Field = "all",
    exact: bool = False,
) -> SearchResults:
    """Search shows or episodes, best first. Raises SearchError for bad filters or paging.

    ``prefix`` treats the last word as a prefix (search as you type); ``field`` limits matching to the
    title or to people's names. Any user text is safe: it is sanitised, never passed to a parser raw.
    When the words as typed do not fill the page, the search is widened (completions of the last word,
    Norwegian letters folded, stems, then typos corrected) and those results follow the exact ones;
    ``exact`` searches only as typed. ``SearchResults.corrected`` is the corrected query when nothing
    matched as typed.
    """
    from lytt.search.engine import run_search

    return run_search(
        query, kind=kind, filters=filters, limit=limit, offset=offset, prefix=prefix, field=field, exact=exact
    )


def suggest(prefix: str, limit: int = 8) -> list[Suggestion]:
    """Show titles, then episode titles, for what has been typed so far."""
    from lytt.search.engine import run_suggest

    return run_suggest(prefix, limit=limit)


def index_show(show_id: int, episode_ids: list[int] | None = None) -> int:
    """Bring the index in step with one show (and the given episodes, or all of them)."""
    from lytt.search.index import index_show as _index_show

    return _index_show(show_id, episode_ids)


def rebuild() -> int:
    """Re-create the whole index; returns the number of rows written."""
    from lytt.search.index import rebuild as _rebuild

    return _rebuild()
