"""Run searches against the index: SQL for SQLite FTS5 and PostgreSQL full-text, then load the objects."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from django.db import connection, transaction

from lytt.catalog.bulk import placeholders
from lytt.catalog.models import MAX_ID, Category, Episode, Show
from lytt.search import pgplan
from lytt.search.forgiving import widen_rows
from lytt.search.highlight import highlight, snippet
from lytt.search.query import Query, normalise, parse, to_fts5
from lytt.search.ranking import COLUMN_WEIGHTS, TEXT_COLUMNS, TS_RANK_WEIGHTS, blend_sql, config_for_language
from lytt.search.types import Field, Filters, Hit, Kind, SearchError, SearchResults, Suggestion

MAX_LIMIT = 100
# Only the newest CANDIDATES matches of a query are ranked (see docs/architecture.md, "search"): ranking
# every match of a common word costs seconds on a million episodes, ranking 300 a few milliseconds.
CANDIDATES = 300
# Search as you type wants a few titles at once: it ranks the newest 50 title matches.
SUGGEST_CANDIDATES = 50
# Show rows carry this marker lexeme (migration 0005), so a search for shows narrows in the GIN index.
SHOW_MARKER = "' kind show'"
MAX_OFFSET = 10_000
PG_CONFIGS = ("english", "norwegian", "simple")
_KIND_VALUE = {"shows": "show", "episodes": "episode"}
_SLUG = re.compile(r"[-\w]{1,100}", re.ASCII)
_LANGUAGE = re.compile(r"[a-z]{2,8}(-[a-z0-9]{1,8})*")


@dataclass(frozen=True, slots=True)
class _Row:
    entry_id: int
    object_id: int
    score: float
    total: int


def _utc(moment: datetime | None, field: str) -> datetime | None:
    """`moment` in UTC (a naive one is taken as UTC). PostgreSQL refuses UTC offsets beyond 15:59 that
    ISO 8601 parsers accept (``+16:46``), and naive and aware moments cannot be compared."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 east of Greenwich, year 9999 west of it
        raise SearchError(f"{field} is out of range once in UTC: {moment.isoformat()}", field=field) from None


def _filter_sql(kind: Kind, filters: Filters) -> tuple[list[str], list[Any]]:
    clauses = ["e.kind = %s"]
    params: list[Any] = [_KIND_VALUE[kind]]
    if filters.show_id is not None:
        if not 1 <= filters.show_id <= MAX_ID:
            raise SearchError(f"no show with id {filters.show_id}", field="show")
        clauses.append("e.show_id = %s")
        params.append(filters.show_id)
    if filters.category:
        category = None
        if _SLUG.fullmatch(filters.category):  # anything else (a NUL byte…) is no slug at all
            category = Category.objects.filter(slug=filters.category).first()
        if category is None:
            raise SearchError(f"unknown category {filters.category!r}", field="category")
        ids = [category.pk, *Category.objects.filter(parent=category).values_list("pk", flat=True)]
        marks = placeholders(len(ids))
        clauses.append(
            f"e.show_id IN (SELECT sc.show_id FROM catalog_showcategory sc WHERE sc.category_id IN ({marks}))"
        )
        params.extend(ids)
    if filters.language:
        language = filters.language.strip().lower().replace("_", "-")
        if not _LANGUAGE.fullmatch(language):
            raise SearchError(
                f"{filters.language[:40]!r} is not a language tag such as 'nb' or 'en-us'", field="language"
            )
        clauses.append("(e.language = %s OR e.language LIKE %s)")
        params.extend([language, language + "-%"])
    since = _utc(filters.since, "since")
    until = _utc(filters.until, "until")
    if since is not None and until is not None and since >= until:
        raise SearchError("the date range is empty: 'since' must be before 'until'", field="since")
    if since is not None:
        clauses.append("e.published_at >= %s")
        params.append(connection.ops.adapt_datetimefield_value(since))
    if until is not None:
        clauses.append("e.published_at < %s")
        params.append(connection.ops.adapt_datetimefield_value(until))
    if filters.exclude_explicit:
        clauses.append("e.explicit = %s")
        params.append(False)
    return clauses, params


_KIND_TOKENS = ("show", "episode")


def _touches_kind(query: Query) -> bool:
    """Could a query word match the ``kind`` column ("show", "episode") of every row?"""
    for term in query.terms:
        for word in term.words:
            norm = normalise(word)
            if any(norm == token or (term.prefix and token.startswith(norm)) for token in _KIND_TOKENS):
                return True
    return False


def _sqlite_match(query: Query, kind: Kind, field: Field) -> str:
    """The FTS5 expression: user words in the text columns only, shows narrowed in the index itself.

    Shows are one row in a few hundred, so ``kind: show`` lets FTS5 skip straight to them instead of
    walking every matching episode; episodes are nearly every row and are checked in the join instead.
    """
    columns = {"all": (), "title": ("title",), "people": ("people",)}[field]
    if field == "all" and _touches_kind(query):
        columns = TEXT_COLUMNS  # a column filter costs FTS5 the position lists: only when needed
    match = to_fts5(query, columns=columns)
    if match and kind == "shows":
        return '{kind} : "show" AND ' + match
    return match


def _sqlite_rows(
    query: Query,
    kind: Kind,
    field: Field,
    clauses: list[str],
    params: list[Any],
    limit: int,
    offset: int,
    *,
    suggesting: bool = False,
) -> list[_Row]:
    match = _sqlite_match(query, kind, field)
    if not match:
        return []
    # Titles are searched in their own index, the one with prefix indexes (search migration 0008); a
    # title match has no hits in the other columns.
    table = "search_titles" if field == "title" else "search_fts"
    hits = ", ".join(
        f"length(highlight({table}, {i}, char(1), '')) - length(e.{column}) AS h{i}"
        if table == "search_fts" or column == "title"
        else f"0 AS h{i}"
        for i, column in enumerate(TEXT_COLUMNS)
    )
    relevance = " + ".join(f"{w} * e.h{i} / (1.0 + e.h{i})" for i, w in enumerate(COLUMN_WEIGHTS))
    age = "(julianday('now') - julianday(e.published_at))"
    score = blend_sql(relevance, age, "max")
    # The newest CANDIDATES matches: FTS5 walks its doclists by descending rowid and stops there. Hits
    # per column are counted from highlight() (one marker character per hit), only for those rows.
    sql = (
        "WITH e AS MATERIALIZED ("
        f"SELECT e.id, e.object_id, e.popularity, e.published_at, {hits} "
        f"FROM {table} JOIN search_searchentry e ON e.id = {table}.rowid "
        f"WHERE {table} MATCH %s AND {' AND '.join(clauses)} "
        f"ORDER BY {table}.rowid DESC LIMIT %s) "
        f"SELECT e.id, e.object_id, {score} AS score, count(*) OVER () AS total FROM e "
        "ORDER BY score DESC, e.id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        candidates = SUGGEST_CANDIDATES if suggesting else CANDIDATES
        cursor.execute(sql, [match, *params, candidates, limit, offset])
        return [_Row(int(r[0]), int(r[1]), float(r[2]), int(r[3])) for r in cursor.fetchall()]


@dataclass(frozen=True, slots=True)
class _Spelled:
    """A query in each configuration's spelling: ``index`` finds candidates, ``verify`` must also hold."""

    index: list[list[list[str]]]
    verify: list[list[list[str]]]
    negatives: list[list[str]]
    top: int = 0  # the index's highest id, when asked for


def _spellings(
    cursor: Any, query: Query, configs: tuple[str, ...], *, title_prefix: bool, top: bool = False
) -> _Spelled:
    """Every term of the query as each configuration spells it, in one round trip; with ``top``, also the
    index's highest id (where the windows of newest ids start).

    Only the last word of a single-group query is a prefix (with OR alternatives it is a plain word).
    With ``title_prefix`` (search as you type, in titles) the index looks that prefix up as the exact
    title-prefix lexeme of migration 0005, and the prefix match itself is left to the verification.
    """
    single_group = len(query.groups) == 1
    columns: list[str] = []
    params: list[Any] = []
    for term in query.terms:
        prefix = term.prefix and single_group
        for config in configs:
            if prefix:
                columns.append("to_tsquery(%s::regconfig, %s)::text")
                params.extend([config, "'" + term.words[0].replace("'", "''").replace("\\", "") + "':*"])
            else:
                columns.append("websearch_to_tsquery(%s::regconfig, %s)::text")
                params.extend([config, '"' + " ".join(term.words) + '"'])
        for alternative in term.alternatives:
            for config in configs:
                columns.append("websearch_to_tsquery(%s::regconfig, %s)::text")
                params.extend([config, '"' + alternative + '"'])
        if prefix and title_prefix:
            columns.append(
                "(SELECT w FROM unnest(tsvector_to_array(to_tsvector('simple', %s))) w "
                "ORDER BY length(w) DESC LIMIT 1)"
            )
            params.append(term.words[0])
    if top:
        columns.append("(SELECT max(id) FROM search_searchentry)")
    cursor.execute("SELECT " + ", ".join(columns), params)
    row = cursor.fetchone()
    spelled = iter(row)
    result = _Spelled([], [], [], int(row[-1] or 0) if top else 0)
    for group in query.groups:
        result.index.append([])
        result.verify.append([])
        for term in group:
            variants = [next(spelled) or "" for _ in configs]
            # An alternative that a configuration drops as a stop word ("på" for "paa") makes the term
            # one that constrains nothing, as the word itself would (`pgplan.combine`).
            variants += [next(spelled) or "" for _ in term.alternatives for _ in configs]
            if term.negated:
                result.negatives.append(variants)
                continue
            result.verify[-1].append(variants)
            if term.prefix and single_group and title_prefix:
                word = next(spelled)
                if word and len(word) >= pgplan.TITLE_PREFIX_MIN:
                    variants = [pgplan.title_prefix_lexeme(word)]
            result.index[-1].append(variants)
    return result


_stats_cache: tuple[float, pgplan.LexemeStats] | None = None
_STATS_TTL_SECONDS = 600.0


def _lexeme_stats(cursor: Any) -> pgplan.LexemeStats:
    """PostgreSQL's most common lexemes of the index (from ANALYZE), cached per process for a while."""
    global _stats_cache
    now = time.monotonic()
    if _stats_cache is not None and now - _stats_cache[0] < _STATS_TTL_SECONDS:
        return _stats_cache[1]
    cursor.execute(
        "SELECT attname, most_common_elems::text::text[], most_common_elem_freqs, most_common_freqs "
        "FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'search_searchentry' "
        "AND attname IN ('document', 'config')"
    )
    rows = {row[0]: row[1:] for row in cursor.fetchall()}
    words, shares, _ = rows.get("document", (None, None, None))
    config_shares = rows.get("config", (None, None, None))[2]
    language_share = float(max(config_shares)) if config_shares else 1.0
    if not words or not shares:
        stats = pgplan.LexemeStats({}, floor=1.0)  # never analysed: assume every word is common
    else:
        # After one share per element, PostgreSQL appends the lowest and highest share and the share of nulls.
        stats = pgplan.LexemeStats(
            dict(zip(words, shares, strict=False)),
            floor=float(shares[len(words)]),
            language_share=language_share,
        )
    _stats_cache = (now, stats)
    return stats


# One GIN index per configuration (migration 0006); a query asks each with its predicate spelled out.
_CONFIG_PREDICATES = {
    "english": "e.config = 'english'",
    "norwegian": "e.config = 'norwegian'",
    "simple": "e.config NOT IN ('english', 'norwegian')",
}


def _candidates_sql(configs: tuple[str, ...], filters: str) -> str:
    """The newest matches per configuration's index, merged: one statement, one GIN scan each."""
    parts = [
        f"(SELECT e.id FROM search_searchentry e WHERE {_CONFIG_PREDICATES[config]} "
        f"AND e.document @@ %s::tsquery AND {filters} ORDER BY e.id DESC LIMIT %s)"
        for config in configs
    ]
    return f"SELECT u.id FROM ({' UNION ALL '.join(parts)}) u ORDER BY u.id DESC LIMIT %s"


def _postgres_candidates(
    cursor: Any,
    tsquery: str,
    share: float,
    kind: Kind,
    configs: tuple[str, ...],
    filters: str,
    params: list[Any],
    wanted: int,
    top: int,
    *,
    suggesting: bool,
) -> list[int]:
    """Ids of the newest ``wanted`` matches, in the narrowest window expected to hold them, else all.

    Each step is one GIN index scan per configuration of the query ANDed with the window's marker
    lexemes, so the heap is read only for rows that match inside the window (see lytt.search.pgplan).
    A window that finds too few sizes the next from what it found. Search as you type stops at the
    widest window: a prefix common in show notes but rare in titles would have the whole index read row
    by row for its titles.
    """
    if kind != "episodes":  # shows are too few for windows of ids to narrow anything
        top = 0
    # `top` is the index's highest id, read with the query's spellings (`_spellings`).
    rows = pgplan.first_window_rows(share, wanted)  # no window at all when top is 0 (shows)
    sql = _candidates_sql(configs, filters)
    ids: list[int] = []
    tried = 0
    # SET LOCAL lasts until the outermost transaction ends: put back only when that is not this one.
    nested = connection.in_atomic_block
    with transaction.atomic():
        # Episodes: the planner would otherwise walk the id index backwards, testing every row, for a
        # word it believes common. Shows: walking the (kind, id) index is right for a common word.
        if kind == "episodes":
            cursor.execute("SET LOCAL enable_indexscan = off")
        while True:
            window = pgplan.window(top, rows)
            if window is None and suggesting and tried:
                break
            narrowed = tsquery
            if kind == "shows":
                narrowed = f"( {narrowed} ) & {SHOW_MARKER}"
            if window:
                narrowed = f"( {narrowed} ) & ( {window} )"
            cursor.execute(sql, [*([narrowed, *params, wanted] * len(configs)), wanted])
            ids = [int(r[0]) for r in cursor.fetchall()]
            if len(ids) >= wanted or window is None:
                break
            tried += 1
            rows = pgplan.next_window_rows(pgplan.window_span(top, rows), len(ids), wanted)
        if nested and kind == "episodes":
            cursor.execute("SET LOCAL enable_indexscan TO DEFAULT")
    return ids


def _postgres_rows(
    query: Query,
    kind: Kind,
    field: Field,
    language: str | None,
    clauses: list[str],
    params: list[Any],
    limit: int,
    offset: int,
    *,
    suggesting: bool = False,
) -> list[_Row]:
    configs = PG_CONFIGS if not language else (config_for_language(language),)
    with connection.cursor() as cursor:
        spelled = _spellings(cursor, query, configs, title_prefix=field == "title", top=kind == "episodes")
        tsquery = pgplan.combine(spelled.verify, spelled.negatives)
        if not tsquery:
            return []
        filters = " AND ".join(clauses)
        if field in ("title", "people"):
            filters += f" AND to_tsvector(e.config::regconfig, e.{field}) @@ %s::tsquery"
            params = [*params, tsquery]
        index_query = pgplan.combine(spelled.index, spelled.negatives)
        share = pgplan.estimate(spelled.index, _lexeme_stats(cursor))
        wanted = SUGGEST_CANDIDATES if suggesting else CANDIDATES
        ids = _postgres_candidates(
            cursor,
            index_query,
            share,
            kind,
            configs,
            filters,
            params,
            wanted,
            spelled.top,
            suggesting=suggesting,
        )
        if not ids:
            return []
        relevance = f"ts_rank_cd('{TS_RANK_WEIGHTS}', e.document, %s::tsquery, 1)"
        age = "(extract(epoch from (now() - e.published_at)) / 86400.0)"
        score = blend_sql(relevance, age, "greatest")
        cursor.execute(
            f"SELECT e.id, e.object_id, {score} AS score, count(*) OVER () AS total "
            "FROM search_searchentry e WHERE e.id = ANY(%s) ORDER BY score DESC, e.id LIMIT %s OFFSET %s",
            [tsquery, ids, limit, offset],
        )
        return [_Row(int(r[0]), int(r[1]), float(r[2]), int(r[3])) for r in cursor.fetchall()]


def _rows(
    query: Query,
    kind: Kind,
    filters: Filters,
    field: Field,
    limit: int,
    offset: int,
    *,
    suggesting: bool = False,
) -> list[_Row]:
    clauses, params = _filter_sql(kind, filters)
    if connection.vendor == "postgresql":
        return _postgres_rows(
            query, kind, field, filters.language, clauses, params, limit, offset, suggesting=suggesting
        )
    return _sqlite_rows(query, kind, field, clauses, params, limit, offset, suggesting=suggesting)


def _check_paging(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise SearchError(f"offset must be between 0 and {MAX_OFFSET}, not {offset}", field="offset")


def _load(kind: Kind, ids: list[int]) -> dict[int, Any]:
    if kind == "shows":
        return dict(Show.objects.in_bulk(ids))
    return dict(Episode.objects.select_related("show").in_bulk(ids))


def run_search(
    text: str,
    *,
    kind: Kind = "episodes",
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
    prefix: bool = False,
    field: Field = "all",
    exact: bool = False,
) -> SearchResults:
    if kind not in _KIND_VALUE:
        raise SearchError(f"kind must be 'shows' or 'episodes', not {kind!r}", field="kind")
    _check_paging(limit, offset)
    filters = filters or Filters()
    query = parse(text, prefix_last=prefix)
    results = SearchResults(query=text, kind=kind, total=0, limit=limit, offset=offset)
    if query.is_empty:
        _filter_sql(kind, filters)  # still report bad filters
        return results
    rows: Sequence[_Row] = _rows(query, kind, filters, field, limit, offset)
    if rows:
        results.total = rows[0].total
    elif offset:
        # Past the end: count without paging so that the caller still learns the total.
        results.total = _count(query, kind, filters, field)
    results.total_capped = results.total >= CANDIDATES
    words = query.positive_words()
    if not exact and len(rows) < limit and not results.total_capped:
        # The query as typed does not fill the page: widen it (lytt.search.forgiving).
        first = rows
        if offset:
            first = _rows(query, kind, filters, field, CANDIDATES, 0) if results.total else []

        def fetch(wider: Query, wanted: int) -> list[_Row]:
            return _rows(wider, kind, filters, field, wanted, 0)

        widening = widen_rows(text, query, first, offset + limit, fetch, CANDIDATES)
        if widening.query is not None:
            rows = cast(list[_Row], widening.rows[offset : offset + limit])
            results.total = len(widening.rows)
            results.total_capped = widening.capped
            results.corrected = widening.corrected
            words = widening.query.positive_words()
    objects = _load(kind, [r.object_id for r in rows])
    for row in rows:
        obj = objects.get(row.object_id)
        if obj is None:  # deleted after it was indexed; the next ingest or reindex drops the row
            continue
        results.hits.append(
            Hit(
                kind=kind,
                id=obj.pk,
                score=row.score,
                title_html=highlight(obj.title, words),
                snippet_html=snippet(obj.description_text, words),
                obj=obj,
            )
        )
    return results


def _count(query: Query, kind: Kind, filters: Filters, field: Field) -> int:
    rows = _rows(query, kind, filters, field, 1, 0)
    return rows[0].total if rows else 0


def show_path(show: Show) -> str:
    return f"/podcast/{show.slug}/"


def episode_path(episode: Episode) -> str:
    return f"/podcast/{episode.show.slug}/{episode.slug}/"


def run_suggest(text: str, *, limit: int = 8) -> list[Suggestion]:
    """Titles of shows, then episodes, matching what has been typed so far (last word as a prefix)."""
    if not 1 <= limit <= 20:
        raise SearchError(f"limit must be between 1 and 20, not {limit}", field="limit")
    query = parse(text, prefix_last=True)
    if query.is_empty:
        return []
    words = query.positive_words()
    out: list[Suggestion] = []
    # See SUGGEST_CANDIDATES: a title prefix is too rare a match for PostgreSQL's backwards walk to find
    # many soon, and its words too common for the GIN index to be quick.
    shows = _rows(query, "shows", Filters(), "title", limit, 0, suggesting=True)
    show_objects = _load("shows", [r.object_id for r in shows])
    for row in shows:
        show = show_objects.get(row.object_id)
        if show is not None:
            out.append(
                Suggestion("shows", show.pk, show.title, highlight(show.title, words), show_path(show))
            )
    remaining = limit - len(out)
    if remaining > 0:
        episodes = _rows(query, "episodes", Filters(), "title", remaining, 0, suggesting=True)
        episode_objects = _load("episodes", [r.object_id for r in episodes])
        for row in episodes:
            episode = episode_objects.get(row.object_id)
            if episode is not None:
                out.append(
                    Suggestion(
                        "episodes",
                        episode.pk,
                        episode.title,
                        highlight(episode.title, words),
                        episode_path(episode),
                    )
                )
    return out
