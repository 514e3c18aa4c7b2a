"""The catalogue schema: it migrates, holds a show with an episode, and indexes what the crawler writes."""

import pytest
from django.apps import apps
from django.db import connection

from lytt.catalog.migration_ops import (
    drop_single_column_indexes,
    lz4_compression,
    server_has_lz4,
    single_column_index,
)
from lytt.catalog.models import Episode, FeedCheck, FeedSource, Show
from lytt.search.models import SearchEntry


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: c["columns"]
        for name, c in constraints.items()
        if (c["index"] or c["unique"]) and not c["primary_key"]
    }


@pytest.mark.django_db
def test_show_with_episode_round_trips() -> None:
    show = Show.objects.create(slug="insight-myanmar", title="Insight Myanmar")
    Episode.objects.create(show=show, slug="the-great-escape", match_key="g:1", title="The Great Escape")
    assert list(show.episodes.values_list("title", flat=True)) == ["The Great Escape"]


@pytest.mark.django_db
def test_a_feeds_checks_have_one_index_that_serves_every_lookup_by_feed() -> None:
    """Each recorded check writes to every index of FeedCheck at a random position; feed lookups (the admin,
    pruning, the cascade from FeedSource) need only feedcheck_recent, so no second index leads with feed."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, FeedCheck._meta.db_table)
    leading_feed = sorted(
        name
        for name, constraint in constraints.items()
        if constraint["index"] and constraint["columns"][:1] == ["feed_id"]
    )
    assert leading_feed == ["feedcheck_recent"]
    assert constraints["feedcheck_recent"]["columns"] == ["feed_id", "checked_at"]


@pytest.mark.django_db
def test_deleting_a_feed_deletes_its_checks() -> None:
    feed = FeedSource.objects.create(url="https://feeds.example.com/a.xml")
    other = FeedSource.objects.create(url="https://feeds.example.com/b.xml")
    FeedCheck.objects.bulk_create([FeedCheck(feed=feed, outcome="not_modified") for _ in range(3)])
    FeedCheck.objects.create(feed=other, outcome="error")
    feed.delete()
    assert list(FeedCheck.objects.values_list("feed_id", flat=True)) == [other.pk]


@pytest.mark.django_db
def test_episodes_and_search_rows_have_no_index_that_another_index_already_serves() -> None:
    """Every index is written on every episode ingested: show and slug lookups go through the indexes that
    lead with the show (a slug is only looked up within its show), and the episode key is only looked up
    within a show (across shows, ingest compares sketches), through the one unique index on both, show
    first so that a show's episodes are written next to each other."""
    episode = _indexes(Episode._meta.db_table)
    assert [columns for columns in episode.values() if columns in (["show_id"], ["slug"])] == []
    assert ["show_id", "slug"] in episode.values()
    assert ["show_id", "published_at"] in episode.values()
    assert [columns for columns in episode.values() if "match_key" in columns] == [["show_id", "match_key"]]
    search = _indexes(SearchEntry._meta.db_table)
    assert ["show_id"] not in search.values()
    assert ["show_id", "kind"] in search.values()


@pytest.mark.django_db(transaction=True)
def test_dropping_single_column_indexes_keeps_the_others() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE lytt_index_probe (a integer, b integer)")
        cursor.execute("CREATE INDEX probe_a ON lytt_index_probe (a)")
        cursor.execute("CREATE INDEX probe_a_again ON lytt_index_probe (a)")
        cursor.execute("CREATE INDEX probe_ab ON lytt_index_probe (a, b)")
        cursor.execute("CREATE UNIQUE INDEX probe_b_unique ON lytt_index_probe (b)")
    try:
        with connection.schema_editor() as editor:
            assert drop_single_column_indexes(editor, "lytt_index_probe", "a") == ["probe_a", "probe_a_again"]
        assert sorted(_indexes("lytt_index_probe")) == ["probe_ab", "probe_b_unique"]
        with connection.schema_editor() as editor:
            single_column_index(editor, "lytt_index_probe", "a")
        assert _indexes("lytt_index_probe")["lytt_index_probe_a_idx"] == ["a"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE lytt_index_probe")


def _compression(table: str) -> dict[str, str]:
    """Column → the compression PostgreSQL uses for it ('' the server's default, 'l' lz4, 'p' pglz)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
            [table],
        )
        return dict(cursor.fetchall())


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_long_text_that_ingest_writes_is_compressed_with_lz4_and_reads_back_whole() -> None:
    expected = "l" if server_has_lz4(connection) else ""
    episode_columns = _compression(Episode._meta.db_table)
    assert (episode_columns["description_html"], episode_columns["description_text"]) == (expected, expected)
    search_columns = _compression(SearchEntry._meta.db_table)
    assert (search_columns["body"], search_columns["document"]) == (expected, expected)
    assert search_columns["title"] == ""
    show = Show.objects.create(slug="notes", title="Notes")
    notes = " ".join(f"word{n} of the notes" for n in range(2000))
    episode = Episode.objects.create(show=show, slug="long", match_key="g:1", description_text=notes)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(description_text) FROM catalog_episode WHERE id = %s", [episode.pk]
        )
        assert cursor.fetchone()[0] == ("lz4" if expected else "pglz")
    assert Episode.objects.get(pk=episode.pk).description_text == notes


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_lz4_compression_is_set_on_the_columns_named_and_reversed_to_the_default() -> None:
    if not server_has_lz4(connection):
        pytest.skip("this PostgreSQL server was built without lz4")  # (the migration then does nothing)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE lytt_compression_probe (a text, b text)")
    step = lz4_compression("lytt_compression_probe", ["a"])
    try:
        with connection.schema_editor() as editor:
            step.code(apps, editor)
        assert _compression("lytt_compression_probe") == {"a": "l", "b": ""}
        with connection.schema_editor() as editor:
            assert step.reverse_code is not None
            step.reverse_code(apps, editor)
        assert _compression("lytt_compression_probe") == {"a": "", "b": ""}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE lytt_compression_probe")
