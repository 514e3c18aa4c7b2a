"""The index writer: plain-SQL rows equal to what Django's ORM writes, the backend index kept in step, and
a crawl chunk's batched indexing equal to a single ingest's."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from tests.feedserver import FeedServer, rss

from lytt.catalog.models import Episode, FeedSource, Show
from lytt.crawl.fetch import FetchConfig
from lytt.crawl.safety import AddressPolicy
from lytt.crawl.worker import Worker, WorkerConfig
from lytt.search import index, search, suggest
from lytt.search.models import SearchEntry
from lytt.search.ranking import EPISODE_BODY_MAX_CHARS
from lytt.search.signals import on_feed_ingested

from .conftest import category, make_episode, make_show

pytestmark = pytest.mark.django_db

COLUMNS = [f.attname for f in SearchEntry._meta.concrete_fields if not f.primary_key]


def stored() -> dict[tuple[str, int], dict[str, Any]]:
    """Every index row by (kind, object id), all columns but the id."""
    return {(row["kind"], row["object_id"]): row for row in SearchEntry.objects.values(*COLUMNS)}


def documents() -> dict[tuple[str, int], Any]:
    """PostgreSQL: each row's tsvector without its id-window markers (the ids differ between two writes);
    SQLite: each row's FTS5 entry, read back through the index (its tokens per column)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT kind, object_id, ts_delete(document, ARRAY["
                "' w9 ' || (id >> 9), ' w12 ' || (id >> 12), ' w15 ' || (id >> 15), ' w18 ' || (id >> 18)"
                "])::text FROM search_searchentry"
            )
        else:
            cursor.execute(
                "SELECT e.kind, e.object_id, f.title || '|' || f.author || '|' || f.people || '|' "
                "|| f.categories || '|' || f.body || '|' || f.kind || '|' || t.title || '|' || t.kind "
                "FROM search_fts f JOIN search_searchentry e ON e.id = f.rowid "
                "JOIN search_titles t ON t.rowid = f.rowid"
            )
        return {(kind, object_id): document for kind, object_id, document in cursor.fetchall()}


def assert_backend_index_in_step() -> None:
    """The full-text index agrees with the rows: FTS5's own check against its content table on SQLite,
    on PostgreSQL every stored document equals the one the trigger computes from the row now."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in ("search_fts", "search_titles"):
                cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
                cursor.execute(f"SELECT count(*) FROM {table}")
                assert cursor.fetchone()[0] == SearchEntry.objects.count()
        else:
            cursor.execute("CREATE TEMP TABLE before_docs AS SELECT id, document FROM search_searchentry")
            cursor.execute("UPDATE search_searchentry SET title = title")  # the trigger recomputes
            cursor.execute(
                "SELECT count(*) FROM search_searchentry e JOIN before_docs b USING (id) "
                "WHERE e.document IS DISTINCT FROM b.document"
            )
            assert cursor.fetchone()[0] == 0
            cursor.execute("DROP TABLE before_docs")


def tricky_rows() -> list[index.Row]:
    oslo = timezone(timedelta(hours=2))
    show = make_show("Kaffepraten", language="nb")
    base: index.Row = {
        "show_id": show.pk,
        "language": "nb",
        "config": "norwegian",
        "popularity": 0.0,
        "author": "",
        "people": "",
        "categories": "",
        "body": "",
    }
    return [
        {
            **base,
            "kind": "show",
            "object_id": show.pk,
            "explicit": False,
            "published_at": None,
            "title": "Kaffepraten",
            "popularity": 0.123456789012345,
        },
        {
            **base,
            "kind": "episode",
            "object_id": 10**12,
            "explicit": True,
            "published_at": datetime(2024, 5, 21, 10, 0, 0, 123456, tzinfo=oslo),
            "title": "Blåbærsyltetøy og æøå – «sitater» 🎙️",
            "author": "Kaffepraten Ola Nordmann",
            "people": "Kari Nordmann Ola",
            "categories": "News Nyheter",
            "body": "Notes with 'quotes', \"double\", %s and %(name)s, a backslash \\ and\nnewlines.",
        },
        {
            **base,
            "kind": "episode",
            "object_id": 7,
            "explicit": False,
            "published_at": datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
            "title": "",
            "config": "simple",
            "language": "",
        },
    ]


def test_plain_sql_rows_equal_what_bulk_create_writes() -> None:
    rows = tricky_rows()
    assert index._insert(rows) == 3
    plain, plain_documents = stored(), documents()
    assert_backend_index_in_step()
    SearchEntry.objects.all().delete()
    SearchEntry.objects.bulk_create([SearchEntry(**row) for row in rows])
    assert stored() == plain
    assert documents() == plain_documents
    assert_backend_index_in_step()


def test_plain_sql_rows_are_found_by_search() -> None:
    show = make_show("Kaffepraten", language="nb", author="Ola Nordmann")
    make_episode(show, "Blåbærsyltetøy og espresso", description_text="Om kaffe og bær.")
    index.index_show(show.pk)
    assert_backend_index_in_step()
    assert [hit.obj.title for hit in search("espresso").hits] == ["Blåbærsyltetøy og espresso"]
    assert [hit.obj.title for hit in search("kaffepraten", kind="shows").hits] == ["Kaffepraten"]
    assert [s.title for s in suggest("kaffe") if s.kind == "shows"] == ["Kaffepraten"]


def test_reindexing_replaces_rows_and_keeps_the_backend_index_in_step() -> None:
    show = make_show("Old name", language="en", categories=[category("technology")], people=["Ada"])
    episodes = [make_episode(show, f"Pilot {n}", people=["Grace"]) for n in range(3)]
    index.index_show(show.pk)
    Show.objects.filter(pk=show.pk).update(title="New name")
    Episode.objects.filter(pk=episodes[0].pk).update(title="Changed pilot")
    index.index_shows({show.pk: [episodes[0].pk]})
    rows = stored()
    assert len(rows) == 4
    assert rows[("show", show.pk)]["title"] == "New name"
    assert rows[("episode", episodes[0].pk)]["title"] == "Changed pilot"
    assert {row["author"] for key, row in rows.items() if key[0] == "episode"} == {"New name"}
    assert rows[("episode", episodes[1].pk)]["people"] == "Grace"
    assert rows[("show", show.pk)]["people"] == "Ada"
    assert "Technology" in rows[("show", show.pk)]["categories"]
    assert_backend_index_in_step()
    assert [hit.obj.title for hit in search("changed").hits] == ["Changed pilot"]
    assert search("old name", kind="shows").hits == []
    # The show unchanged: only the named episode's row is rewritten, people and all.
    Episode.objects.filter(pk=episodes[1].pk).update(title="Second changed")
    untouched = SearchEntry.objects.get(kind="episode", object_id=episodes[2].pk).pk
    assert index.index_shows({show.pk: [episodes[1].pk]}) == 2
    rows = stored()
    assert (rows[("episode", episodes[1].pk)]["title"], rows[("episode", episodes[1].pk)]["people"]) == (
        "Second changed",
        "Grace",
    )
    assert SearchEntry.objects.get(kind="episode", object_id=episodes[2].pk).pk == untouched
    assert_backend_index_in_step()


def _fts5_definitions() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE sql LIKE '%USING fts5%'")
        return dict(cursor.fetchall())


def test_only_titles_have_prefix_indexes_and_the_migration_rebuilds_both_ways() -> None:
    """SQLite: search migration 0008 takes the prefix indexes off the index of every column and gives
    them to an index of titles, both filled from the rows; backwards, one index holds them all again."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 tables (migration 0008 leaves PostgreSQL alone); runs in the SQLite pass")
    migration = importlib.import_module("lytt.search.migrations.0008_title_prefixes")
    show = make_show("Kaffepraten", language="nb")
    make_episode(show, "Espresso", description_text="Bønner fra Etiopia")
    index.index_show(show.pk)
    definitions = _fts5_definitions()
    later = {"search_spelling_grams", "transcript_fts"}  # migrations 0010 and 0011
    assert set(definitions) == {"search_fts", "search_titles", *later}
    assert "prefix" not in definitions["search_fts"]
    assert "prefix='2 3 4'" in definitions["search_titles"]
    for tables in (migration.ALL_PREFIXED, migration.TITLES_APART):
        with connection.cursor() as cursor:
            for statement in migration._statements(tables):
                cursor.execute(statement)
        assert set(_fts5_definitions()) == {*tables, *later}
        assert [hit.obj.title for hit in search("etiop", prefix=True).hits] == ["Espresso"]
    assert [s.title for s in suggest("kaf")] == ["Kaffepraten"]
    assert_backend_index_in_step()


def python_rows(shows: list[Show]) -> dict[tuple[str, int], dict[str, Any]]:
    """Every episode row of `shows` as `_episode_row` builds it in Python, by (kind, object id)."""
    categories, _ = index._show_context([show.pk for show in shows])
    positions = index.chart_positions()
    rows = {}
    for show in shows:
        base = index._episode_base(show, categories[show.pk], index._show_popularity(show, positions))
        people = index._episode_people(Q(episode__show_id=show.pk))
        for episode in Episode.objects.filter(show=show).values_list(*index._EPISODE_COLUMNS):
            row = index._episode_row(episode, base, show.explicit, people.get(episode[0], []))
            rows[("episode", episode[0])] = {name: row[name] for name in COLUMNS}
    return rows


def test_episode_rows_written_in_sql_equal_the_rows_built_in_python() -> None:
    """Episodes without people get their rows from one INSERT ... SELECT for all the shows; they must be
    the rows `_episode_row` builds (which episodes with people still take): explicit falling back to the
    show's, the notes cut at a word before EPISODE_BODY_MAX_CHARS characters (astral and combining
    characters before the cut, a line break as the last space, one word longer than the limit), NULL
    dates."""
    cut = EPISODE_BODY_MAX_CHARS
    kept = "é" * (cut - 30) + " and %s 'more' \" 🎙️e\u0301"
    long_notes = kept + "\n" + "x" * 50
    one_word = "🎙️" * (cut + 5)
    at_space = "a" * cut + " b"
    clean = make_show(
        "Rent", language="nb", explicit=None, categories=[category("technology")], people=["Ada"]
    )
    rough = make_show("Rått", language="en-GB", explicit=True, author="Kari")
    for show in (clean, rough):
        make_episode(show, "Unmarked", explicit=None, description_text=long_notes)
        make_episode(show, "Marked", explicit=True, published_at=None, description_text=one_word)
        make_episode(show, "Clean", explicit=False, description_text="Kort.")
        make_episode(show, "Spaced", explicit=False, description_text=at_space)
        make_episode(show, "With people", people=["Grace", "Ola"], description_text=long_notes)
    assert index.index_shows({clean.pk: None, rough.pk: None}) == 2 + 10
    rows = {key: row for key, row in stored().items() if key[0] == "episode"}
    expected = python_rows([clean, rough])
    assert rows == expected
    assert {row["body"] for row in rows.values()} == {
        kept,
        one_word[:cut],
        "Kort.",
        "a" * cut,
    }
    assert {row["explicit"] for key, row in rows.items()} == {True, False}
    assert_backend_index_in_step()
    # Index ids follow episode ids within each part (those without people, then those with), so a show's
    # newest episodes, inserted last, are the ones a search ranks first.
    episodes = SearchEntry.objects.filter(kind="episode").order_by("id")
    for part, count in ((episodes.filter(people=""), 8), (episodes.exclude(people=""), 2)):
        object_ids = list(part.values_list("object_id", flat=True))
        assert len(object_ids) == count
        assert object_ids == sorted(object_ids)
    SearchEntry.objects.all().delete()
    assert index.rebuild() == 2 + 10
    assert {key: row for key, row in stored().items() if key[0] == "episode"} == expected
    assert_backend_index_in_step()


PATIENT = FetchConfig(connect_timeout=10, read_timeout=10, total_timeout=20, concurrency=8)


def test_a_crawl_chunk_indexes_the_same_rows_as_single_ingests(feed_server: FeedServer) -> None:
    people = '<podcast:person href="https://example.com/kari">Kari Nordmann</podcast:person>'
    extra = f'<itunes:category text="Technology"/><itunes:explicit>yes</itunes:explicit>{people}'
    for n in range(3):
        url = feed_server.add(f"/batch{n}.xml", rss(f"Hummingbird {n}", episodes=5, extra=extra))
        FeedSource.objects.create(url=url)
    worker = Worker(
        WorkerConfig(worker_id="test-worker", batch_size=50, fetch=PATIENT),
        policy=AddressPolicy(allow_private=True),
    )
    assert worker.crawl_once().outcomes == {"updated": 3}
    batched, batched_documents = stored(), documents()
    assert len(batched) == 3 + 15
    assert_backend_index_in_step()
    hits = {hit.id: hit for hit in search("hummingbird", kind="episodes", limit=50).hits}
    assert sorted(hits) == sorted(Episode.objects.values_list("id", flat=True))

    SearchEntry.objects.all().delete()
    for show in Show.objects.all():
        # What a single ingest sends after commit (`lytt add`): the per-feed signal, not batched.
        on_feed_ingested(sender=Show, show=show, episode_ids=list(show.episodes.values_list("id", flat=True)))
    assert stored() == batched
    assert documents() == batched_documents
    assert_backend_index_in_step()
    single = {hit.id: hit for hit in search("hummingbird", kind="episodes", limit=50).hits}
    assert {i: (h.title_html, h.snippet_html, h.obj.title) for i, h in single.items()} == {
        i: (h.title_html, h.snippet_html, h.obj.title) for i, h in hits.items()
    }
    show_row = next(row for key, row in batched.items() if key[0] == "show")
    episode_row = next(row for key, row in batched.items() if key[0] == "episode")
    assert (show_row["people"], episode_row["explicit"], episode_row["language"]) == (
        "Kari Nordmann",
        True,
        "en",
    )
    assert "Technology" in episode_row["categories"]


def _automerge() -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    with connection.cursor() as cursor:
        for table in ("search_fts", "search_titles"):
            cursor.execute(f"SELECT v FROM {table}_config WHERE k = 'automerge'")
            row = cursor.fetchone()
            found[table] = None if row is None else int(row[0])
    return found


def test_fts5_merges_sixteen_segments_at_a_time_and_the_migration_undoes_it() -> None:
    """SQLite: search migration 0009 sets both FTS5 tables' ``automerge`` to 16; backwards, to FTS5's 4."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 tables (migration 0009 leaves PostgreSQL alone); runs in the SQLite pass")
    migration = importlib.import_module("lytt.search.migrations.0009_fewer_merges")
    assert _automerge() == {"search_fts": 16, "search_titles": 16}
    with connection.cursor() as cursor:  # (the schema editor refuses to run inside the test's transaction)
        migration._automerge(4)(None, SimpleNamespace(connection=connection, execute=cursor.execute))
    assert _automerge() == {"search_fts": 4, "search_titles": 4}
