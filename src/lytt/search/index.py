"""Keep the search index in step with the catalogue: build SearchEntry rows from shows and episodes.

Ingest sends ``lytt.catalog.signals.feed_ingested`` after commit; `signals.py` routes it to `index_show`,
and a crawl batch's ``feeds_ingested`` to `index_shows`.
`rebuild` re-creates everything (``lytt reindex``). Hidden shows and their episodes are not indexed.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, Field, Model, OuterRef, Q, QuerySet

from lytt.catalog import bulk
from lytt.catalog.models import Category, Episode, EpisodePerson, Person, Show, ShowCategory, ShowPerson
from lytt.search import vocabulary
from lytt.search.models import SearchEntry
from lytt.search.ranking import (
    EPISODE_BODY_MAX_CHARS,
    SHOW_BODY_MAX_CHARS,
    config_for_language,
    popularity,
)
from lytt.search.spelling import count_words

log = logging.getLogger(__name__)

BATCH = 1000
_CHART_TTL_SECONDS = 600.0
_chart_cache: tuple[float, dict[int, int]] | None = None


def chart_positions() -> dict[int, int]:
    """Show id → position in the overall chart (1 = most popular), when the charts app provides one."""
    global _chart_cache
    now = time.monotonic()
    if _chart_cache is not None and now - _chart_cache[0] < _CHART_TTL_SECONDS:
        return _chart_cache[1]
    positions: dict[int, int] = {}
    try:
        from lytt.charts.ranking import popular_shows  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        _chart_cache = (now, positions)
        return positions
    try:
        positions = {show.pk: index + 1 for index, show in enumerate(popular_shows(None, 1000))}
    except Exception:  # charts are an optional signal: never let them break indexing
        log.exception("search: could not read chart positions; indexing without them")
    _chart_cache = (now, positions)
    return positions


def reset_chart_cache() -> None:
    global _chart_cache
    _chart_cache = None


def _show_context(show_ids: Iterable[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Category names (both languages) and people names per show, read in plain SQL (`bulk.select_in`):
    the ORM compiled an IN list of a directory import's thousands of show ids value by value."""
    ids = list(show_ids)
    names = {
        c.pk: sorted(n for n in {c.name_en, c.name_nb, c.apple_name} if n) for c in Category.objects.all()
    }
    categories: dict[int, list[str]] = defaultdict(list)
    for show_id, category_id in bulk.select_in(ShowCategory, ("show_id", "category_id"), "show_id", ids):
        categories[show_id].extend(names.get(category_id, ()))
    people: dict[int, list[str]] = defaultdict(list)
    cast = bulk.select_in(ShowPerson, ("show_id", "person_id"), "show_id", ids)
    if cast:
        name_of = dict(bulk.select_in(Person, ("id", "name"), "id", list({person for _, person in cast})))
        for show_id, person_id in cast:
            people[show_id].append(name_of[person_id])
    return categories, people


class IndexedShow(NamedTuple):
    """The columns of a `Show` the index reads (building `Show` instances cost more than the writes)."""

    pk: int
    title: str
    author: str
    owner_name: str
    language: str
    explicit: bool | None
    latest_episode_at: datetime | None
    description_text: str
    episode_count: int
    featured: bool
    hidden: bool


def _read_shows(show_ids: list[int]) -> tuple[dict[int, IndexedShow], list[IndexedShow], list[int]]:
    """The shows with these ids (`bulk.select_in`), those of them that are visible, and the ids of the
    hidden or deleted ones (whose rows the index drops)."""
    columns = ["id" if name == "pk" else name for name in IndexedShow._fields]
    shows: dict[int, IndexedShow] = {}
    for values in bulk.select_in(Show, columns, "id", show_ids):
        show = IndexedShow(*values)
        latest = show.latest_episode_at
        if latest is not None and latest.tzinfo is None:  # SQLite's driver gives naive UTC times
            show = show._replace(latest_episode_at=latest.replace(tzinfo=UTC))
        shows[show.pk] = show
    visible = sorted((show for show in shows.values() if not show.hidden), key=lambda show: show.pk)
    gone = [show_id for show_id in show_ids if show_id not in shows or shows[show_id].hidden]
    return shows, visible, gone


#: The characters `cut_at_word` cuts at: the only whitespace stored notes' text keeps (`lytt.feeds.html_text`
#: collapses the rest into spaces).
_SPACES = " \n"


def cut_at_word(text: str, max_chars: int) -> str:
    """The first `max_chars` characters of `text`, less the word the limit falls inside and the whitespace
    before it; the first `max_chars` as they are when that leaves nothing (one very long word).

    Both databases compute the same cut for the rows written in SQL (`_cut_at_word_sql`), so a search
    matches the same text whichever path wrote the row, on either backend.
    """
    if len(text) <= max_chars:
        return text
    head = text[: max_chars + 1]
    end = max(head.rfind(space) for space in _SPACES)
    return (head[:end].rstrip(_SPACES) if end >= 0 else "") or text[:max_chars]


def _cut_at_word_sql(column: str, max_chars: int) -> str:
    """`cut_at_word` as an SQL expression that SQLite and PostgreSQL both run alike: ``RTRIM`` by the
    set of the head's own characters less whitespace drops the trailing partial word, then the whitespace
    before it. Characters are counted as Python counts them (code points) on both."""
    head = f"SUBSTR({column}, 1, {int(max_chars) + 1})"
    no_spaces = head
    for space in _SPACES:
        no_spaces = f"REPLACE({no_spaces}, '{space}', '')"
    cut = f"RTRIM(RTRIM({head}, {no_spaces}), '{_SPACES}')"
    return (
        f"CASE WHEN LENGTH({column}) <= {int(max_chars)} THEN {column}"
        f" ELSE COALESCE(NULLIF({cut}, ''), SUBSTR({column}, 1, {int(max_chars)})) END"
    )


#: A `SearchEntry` row as {attname: value}, written by `_insert` (every column but the id).
Row = dict[str, Any]

#: Episode columns the index reads, as tuples (model instances cost more than the index writes).
_EPISODE_COLUMNS = ("id", "show_id", "title", "explicit", "published_at", "description_text")
_EpisodeData = tuple[int, int, str, bool | None, datetime | None, str]


def _show_row(show: IndexedShow, categories: list[str], people: list[str], pop: float) -> Row:
    return {
        "kind": SearchEntry.Kind.SHOW.value,
        "object_id": show.pk,
        "show_id": show.pk,
        "language": (show.language or "").lower(),
        "config": config_for_language(show.language),
        "explicit": bool(show.explicit),
        "published_at": show.latest_episode_at,
        "popularity": pop,
        "title": show.title,
        "author": " ".join(dict.fromkeys(x for x in (show.author, show.owner_name) if x)),
        "people": " ".join(dict.fromkeys(people)),
        "categories": " ".join(dict.fromkeys(categories)),
        "body": cut_at_word(show.description_text, SHOW_BODY_MAX_CHARS),
    }


def _episode_base(show: IndexedShow, categories: list[str], pop: float) -> Row:
    """What every episode row of `show` shares (the show's columns), computed once per show."""
    return {
        "kind": SearchEntry.Kind.EPISODE.value,
        "show_id": show.pk,
        "language": (show.language or "").lower(),
        "config": config_for_language(show.language),
        "popularity": pop,
        "author": " ".join(dict.fromkeys(x for x in (show.title, show.author) if x)),
        "categories": " ".join(dict.fromkeys(categories)),
    }


def _episode_row(episode: _EpisodeData, base: Row, show_explicit: bool | None, people: list[str]) -> Row:
    """An episode's row: `base` (`_episode_base` of its show) and the episode's own columns."""
    episode_id, _, title, explicit, published_at, description_text = episode
    return {
        **base,
        "object_id": episode_id,
        "explicit": bool(explicit if explicit is not None else show_explicit),
        "published_at": published_at,
        "title": title,
        "people": " ".join(dict.fromkeys(people)) if people else "",
        "body": cut_at_word(description_text, EPISODE_BODY_MAX_CHARS),
    }


def _insert(rows: list[Row]) -> int:
    """INSERT the rows in plain SQL (`lytt.catalog.bulk`): multi-row statements, each distinct value
    adapted once. Django's `bulk_create` spent more time compiling every value of every row than the
    database spent storing them. The backend index follows by itself: on SQLite the AFTER INSERT trigger
    adds each row to the FTS5 table, on PostgreSQL the BEFORE INSERT trigger computes ``document``
    (text, id-window markers, kind marker, title prefixes) from the row and its new id (migrations 0002,
    0003, 0005). Rows are never upserted (``INSERT OR REPLACE`` deletes without SQLite's delete trigger
    and would leave stale FTS5 entries); callers delete first.
    """
    bulk.copy_values(SearchEntry, rows)  # on PostgreSQL a COPY, which fires the same row trigger
    return len(rows)


def _episode_people(where: Q) -> dict[int, list[str]]:
    """Episode id → names of its people (in the order they were stored), for the episodes `where` picks.

    Callers pick by show where they can: an ``IN`` of a handful of show ids costs Django far less to
    compile than one of a thousand episode ids.
    """
    people: dict[int, list[str]] = defaultdict(list)
    for episode_id, name in (
        EpisodePerson.objects.filter(where).order_by("pk").values_list("episode_id", "person__name")
    ):
        people[episode_id].append(name)
    return people


def _batches(episodes: QuerySet[Episode]) -> Iterator[list[_EpisodeData]]:
    """The episodes' indexed columns as tuples, `BATCH` at a time."""
    batch: list[_EpisodeData] = []
    for episode in episodes.values_list(*_EPISODE_COLUMNS).iterator(chunk_size=BATCH):
        batch.append(episode)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _show_popularity(show: IndexedShow, positions: dict[int, int]) -> float:
    return popularity(
        episode_count=show.episode_count, featured=show.featured, chart_position=positions.get(show.pk)
    )


def index_show(show_id: int, episode_ids: Iterable[int] | None = None) -> int:
    """(Re)index a show and some of its episodes (all when ``episode_ids`` is None).

    When the show's own searchable fields changed, all its episodes are re-indexed too, since their rows
    carry the show's title, language and categories. Returns the number of rows written.
    """
    return index_shows({show_id: None if episode_ids is None else list(episode_ids)})


def index_shows(wanted: dict[int, list[int] | None]) -> int:
    """`index_show` for many shows at once: show id → episode ids to index (None: all), in one transaction.

    The crawler calls it once per batch of ingested feeds: a fixed handful of queries for the whole
    batch (shows, their categories and people, their old show rows; for shows whose rows are rewritten
    whole, as on a first ingest, their episodes' old rows deleted and their people read by show id),
    the episodes read 1,000 at a time as tuples, and the rows written in plain SQL (`_insert`). The words
    of the rows written whole and of the episodes given are added to the spelling vocabulary (a show's
    own row, rewritten on every ingest, only when it changed). Returns the number of rows written.
    """
    shows, visible, gone = _read_shows(list(wanted))
    with transaction.atomic():
        if gone:
            SearchEntry.objects.filter(show_id__in=gone).delete()
        if not visible:
            return 0
        categories, pops, rows = _show_rows(visible)
        old = {
            entry.object_id: entry
            for entry in SearchEntry.objects.filter(kind=SearchEntry.Kind.SHOW, object_id__in=list(rows))
        }
        whole = [show_id for show_id, row in rows.items() if _show_changed(old.get(show_id), row)]
        some = [
            episode_id
            for show_id in rows
            if show_id not in whole and wanted[show_id] is not None
            for episode_id in wanted[show_id] or ()
        ]
        whole += [show_id for show_id in rows if show_id not in whole and wanted[show_id] is None]
        if old:
            SearchEntry.objects.filter(kind=SearchEntry.Kind.SHOW, object_id__in=list(old)).delete()
        written = _insert(list(rows.values()))
        texts: list[str] = []
        if whole:
            # Every episode row of these shows is rewritten: delete and write by show, not by episode id.
            SearchEntry.objects.filter(kind=SearchEntry.Kind.EPISODE, show_id__in=whole).delete()
            written += _insert_all_episodes([shows[show_id] for show_id in whole], categories, pops)
            entries = SearchEntry.objects.filter(show_id__in=whole).order_by()
            texts.extend(vocabulary.entry_texts(entries.values_list(*_VOCABULARY_COLUMNS)))
        if some:
            for batch in _batches(Episode.objects.filter(pk__in=some, show_id__in=list(rows)).order_by()):
                ids = [e[0] for e in batch]
                SearchEntry.objects.filter(kind=SearchEntry.Kind.EPISODE, object_id__in=ids).delete()
                people_of = _episode_people(Q(episode_id__in=ids))
                episode_rows = _episode_rows(batch, shows, categories, people_of, pops)
                written += _insert(episode_rows)
                texts.extend(
                    vocabulary.entry_texts([tuple(r[c] for c in _VOCABULARY_COLUMNS) for r in episode_rows])
                )
        vocabulary.add(count_words(texts))
    return written


def _show_rows(
    visible: list[IndexedShow],
) -> tuple[dict[int, list[str]], dict[int, float], dict[int, Row]]:
    """For these shows: their category names, their popularity, and their own index rows."""
    categories, people = _show_context([show.pk for show in visible])
    positions = chart_positions()
    pops = {show.pk: _show_popularity(show, positions) for show in visible}
    rows = {show.pk: _show_row(show, categories[show.pk], people[show.pk], pops[show.pk]) for show in visible}
    return categories, pops, rows


def index_show_rows(show_ids: list[int]) -> int:
    """Index the shows' own rows only, for shows that have no episodes yet (`lytt.catalog.signals`'
    ``shows_listed``): no episode is read or written. A hidden or deleted show loses its rows. The words
    of the rows written go to the spelling vocabulary. Returns the number of rows written."""
    _, visible, gone = _read_shows(show_ids)
    with transaction.atomic():
        if gone:
            SearchEntry.objects.filter(show_id__in=gone).delete()
        if not visible:
            return 0
        rows = list(_show_rows(visible)[2].values())
        ids = [show.pk for show in visible]
        for start in range(0, len(ids), bulk.BATCH):
            chunk = ids[start : start + bulk.BATCH]
            bulk.execute(
                f"DELETE FROM {bulk.table(SearchEntry)} WHERE {bulk.quote('kind')} = %s"
                f" AND {bulk.quote('object_id')} IN ({bulk.placeholders(len(chunk))})",
                [SearchEntry.Kind.SHOW.value, *chunk],
            )
        written = _insert(rows)
        vocabulary.add(
            count_words(vocabulary.entry_texts([tuple(row[c] for c in _VOCABULARY_COLUMNS) for row in rows]))
        )
    return written


#: The columns whose words make the spelling vocabulary (not the show notes).
_VOCABULARY_COLUMNS = ("title", "author", "people", "categories")


#: Episodes that have people: their rows are built in Python (`_episode_row`), the rest in SQL.
_HAS_PEOPLE = Exists(EpisodePerson.objects.filter(episode_id=OuterRef("pk")))

#: The `SearchEntry` columns `_insert_plain_episodes` writes and where each value comes from: ``s.`` is
#: the show's value (`_episode_base`), ``{name}`` the episode's column of that field.
_PLAIN_EPISODE_VALUES = (
    ("kind", "%s"),
    ("object_id", "{id}"),
    ("show_id", "{show}"),
    ("language", "s.language"),
    ("config", "s.config"),
    ("explicit", "COALESCE({explicit}, s.explicit)"),
    ("published_at", "{published_at}"),
    ("popularity", "s.popularity"),
    ("title", "{title}"),
    ("author", "s.author"),
    ("people", "''"),
    ("categories", "s.categories"),
    ("body", _cut_at_word_sql("{description_text}", EPISODE_BODY_MAX_CHARS)),
)
_SHOW_VALUES = ("id", "language", "config", "explicit", "popularity", "author", "categories")


def _plain_episodes_sql(shows: int) -> str:
    quote = connection.ops.quote_name

    def column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        return quote(str(field.column))

    episode = {
        name: "e." + column(Episode, name)
        for name in ("id", "show", "explicit", "published_at", "title", "description_text")
    }
    columns = ", ".join(column(SearchEntry, name) for name, _ in _PLAIN_EPISODE_VALUES)
    values = ", ".join(sql.format(**episode) for _, sql in _PLAIN_EPISODE_VALUES)
    show_rows = ", ".join([f"({bulk.placeholders(len(_SHOW_VALUES))})"] * shows)
    return (
        f"INSERT INTO {quote(SearchEntry._meta.db_table)} ({columns}) "
        f"WITH s ({', '.join(_SHOW_VALUES)}) AS (VALUES {show_rows}) "  # (INSERT first: sqlite3's rowcount)
        f"SELECT {values} FROM {quote(Episode._meta.db_table)} e JOIN s ON s.id = {episode['show']} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {quote(EpisodePerson._meta.db_table)} p "
        f"WHERE p.{column(EpisodePerson, 'episode')} = {episode['id']}) ORDER BY {episode['id']}"
    )


def _insert_plain_episodes(
    shows: list[IndexedShow], categories: dict[int, list[str]], pops: dict[int, float]
) -> int:
    """Write the rows of every episode of `shows` that has no people, in one ``INSERT ... SELECT``.

    Each row is what `_episode_row` makes, computed by the database from the episode and its show's
    shared values (`_episode_base`, given as a ``VALUES`` list): the episodes are not read back into
    Python, adapted and sent again, which was a third of a crawl chunk's indexing. One statement for all
    the shows, because each statement that fires the FTS5 trigger flushes FTS5's pending terms into a new
    segment. The notes are cut as `cut_at_word` cuts them (`_cut_at_word_sql`). Episodes with people
    take the Python path, which joins their names in stored order without repeats.
    """
    if not shows:
        return 0
    params: list[Any] = []  # in the order of the statement's placeholders: the shows, then kind
    for show in shows:
        base = _episode_base(show, categories[show.pk], pops[show.pk])
        params += [show.pk, base["language"], base["config"], bool(show.explicit), base["popularity"]]
        params += [base["author"], base["categories"]]
    params.append(SearchEntry.Kind.EPISODE.value)
    with connection.cursor() as cursor:
        cursor.execute(_plain_episodes_sql(len(shows)), params)
        return int(cursor.rowcount)


def _insert_all_episodes(
    shows: list[IndexedShow], categories: dict[int, list[str]], pops: dict[int, float]
) -> int:
    """Write the rows of every episode of `shows` (whose old rows are gone): those without people in SQL
    (`_insert_plain_episodes`), then the others, read and built in Python. Each part goes in episode id
    order, the order ingest inserts them (oldest first), so a show's newest episodes get the highest
    index ids: the ids a search ranks first (docs/architecture.md, "search")."""
    written = _insert_plain_episodes(shows, categories, pops)
    ids = [show.pk for show in shows]
    people_of = _episode_people(Q(episode__show_id__in=ids))
    by_id = {show.pk: show for show in shows}
    for batch in _batches(Episode.objects.filter(show_id__in=ids).filter(_HAS_PEOPLE).order_by("pk")):
        written += _insert(_episode_rows(batch, by_id, categories, people_of, pops))
    return written


def _episode_rows(
    batch: list[_EpisodeData],
    shows: dict[int, IndexedShow],
    categories: dict[int, list[str]],
    people: dict[int, list[str]],
    pops: dict[int, float],
) -> list[Row]:
    bases: dict[int, Row] = {}
    rows = []
    for episode in batch:
        show_id = episode[1]
        base = bases.get(show_id)
        if base is None:
            base = bases[show_id] = _episode_base(shows[show_id], categories[show_id], pops[show_id])
        rows.append(_episode_row(episode, base, shows[show_id].explicit, people.get(episode[0], [])))
    return rows


def _show_changed(old: SearchEntry | None, new: Row) -> bool:
    return old is None or any(
        getattr(old, name) != new[name]
        for name in ("title", "author", "language", "categories", "explicit", "popularity")
    )


def remove_episode(episode_id: int) -> None:
    SearchEntry.objects.filter(kind=SearchEntry.Kind.EPISODE, object_id=episode_id).delete()


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Drop and re-create the whole index, 200 shows per transaction. ``progress(done_shows, total_shows)``
    is called after each."""
    reset_chart_cache()
    positions = chart_positions()
    show_ids = list(Show.objects.filter(hidden=False).order_by("pk").values_list("pk", flat=True))
    total = len(show_ids)
    written = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
    done = 0
    for start in range(0, total, 200):
        chunk = show_ids[start : start + 200]
        shows = _read_shows(chunk)[1]
        categories, people = _show_context(chunk)
        pops = {show.pk: _show_popularity(show, positions) for show in shows}
        with transaction.atomic():
            written += _insert([_show_row(s, categories[s.pk], people[s.pk], pops[s.pk]) for s in shows])
            written += _insert_all_episodes(shows, categories, pops)
        done += len(shows)
        if progress is not None:
            progress(done, total)
    vocabulary.rebuild()
    optimize()
    return written


def optimize() -> None:
    """Merge FTS5 segments (SQLite) or refresh planner statistics (PostgreSQL) after bulk changes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in ("search_fts", "search_titles"):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        else:
            cursor.execute("ANALYZE search_searchentry")
