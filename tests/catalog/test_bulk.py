"""The plain bulk INSERT/UPDATE ingest uses: same values as the ORM would write, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from lytt.catalog import bulk
from lytt.catalog.models import Episode, Show

pytestmark = pytest.mark.django_db
WHEN = datetime(2024, 5, 21, 6, 30, tzinfo=UTC)


def _episode(show: Show, n: int) -> Episode:
    return Episode(
        show=show,
        slug=f"e{n}",
        match_key=f"k{n}",
        title=f"Tittel «{n}» ø",
        published_at=WHEN,
        chapters=[{"start_seconds": 1.5, "title": "Intro"}],
        extra={"keywords": ["a", "b"]},
        explicit=None,
        season=n,
    )


def test_insert_returns_ids_in_order_and_round_trips_values() -> None:
    show = Show.objects.create(slug="s", title="S")
    objs = [_episode(show, n) for n in range(70)]  # more than one batch on SQLite
    ids = bulk.insert(Episode, objs)
    assert ids == [obj.pk for obj in objs]
    assert len(set(ids)) == 70
    stored = Episode.objects.get(pk=ids[42])
    assert (stored.slug, stored.title, stored.season) == ("e42", "Tittel «42» ø", 42)
    assert stored.published_at == WHEN
    assert stored.chapters == [{"start_seconds": 1.5, "title": "Intro"}]
    assert stored.extra == {"keywords": ["a", "b"]}
    assert stored.explicit is None


def test_update_writes_only_named_fields() -> None:
    show = Show.objects.create(slug="s", title="S")
    objs = [_episode(show, n) for n in range(3)]
    bulk.insert(Episode, objs)
    for obj in objs:
        obj.title = "changed"
        obj.extra = {"new": True}
        obj.slug = "not-written"
    bulk.update(Episode, objs, ["title", "extra"])
    assert set(Episode.objects.values_list("title", "slug")) == {("changed", f"e{n}") for n in range(3)}
    assert all(e.extra == {"new": True} for e in Episode.objects.all())


def test_update_values_writes_plain_rows_by_key() -> None:
    show = Show.objects.create(slug="s", title="S")
    objs = [_episode(show, n) for n in range(3)]
    bulk.insert(Episode, objs)
    later = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    bulk.update_values(
        Episode,
        ["title", "published_at", "extra", "season"],
        [("one", later, {"k": [1]}, None, objs[0].pk), ("two", None, [], 7, objs[2].pk)],
    )
    stored = {e.pk: e for e in Episode.objects.all()}
    first, middle, last = (stored[obj.pk] for obj in objs)
    assert (first.title, first.published_at, first.extra, first.season) == ("one", later, {"k": [1]}, None)
    assert (last.title, last.published_at, last.extra, last.season) == ("two", None, [], 7)
    assert (middle.title, middle.published_at, middle.season) == ("Tittel «1» ø", WHEN, 1)
    assert (first.slug, last.slug) == ("e0", "e2")


def test_empty_input_does_nothing() -> None:
    assert bulk.insert(Episode, []) == []
    bulk.update(Episode, [], ["title"])
    bulk.update_values(Episode, ["title"], [])


def test_insert_values_fills_defaults() -> None:
    show = Show.objects.create(slug="s", title="S")
    [new_id] = bulk.insert_values(
        Episode, [{"show_id": show.pk, "slug": "x", "match_key": "k", "title": "T", "updated_at": WHEN}]
    )
    stored = Episode.objects.get(pk=new_id)
    assert (stored.title, stored.guid, stored.chapters, stored.episode_type) == ("T", "", [], "full")
    assert stored.created_at is not None


@pytest.mark.parametrize("write", [bulk.insert_values, bulk.copy_values])
def test_rows_with_the_same_keys_get_every_missing_default_and_keep_their_own_values(write: Any) -> None:
    show = Show.objects.create(slug="s", title="S")
    rows = [
        {"show_id": show.pk, "slug": f"e{n}", "match_key": f"k{n}", "title": f"T{n}", "chapters": chapters}
        for n, chapters in enumerate([[], [{"title": "x"}], []])
    ]
    write(Episode, rows)
    stored = {e.slug: e for e in Episode.objects.filter(show=show)}
    assert [stored[f"e{n}"].chapters for n in range(3)] == [[], [{"title": "x"}], []]
    assert [stored[f"e{n}"].episode_type for n in range(3)] == ["full"] * 3
    assert all(stored[f"e{n}"].created_at is not None for n in range(3))


def test_insert_values_can_skip_conflicting_rows() -> None:
    show = Show.objects.create(slug="s", title="S")
    row = {"show_id": show.pk, "slug": "x", "match_key": "k", "title": "T"}
    bulk.insert_values(Episode, [row])
    assert (
        bulk.insert_values(Episode, [row, {**row, "slug": "y", "match_key": "k2"}], ignore_conflicts=True)
        == []
    )
    assert sorted(Episode.objects.values_list("slug", flat=True)) == ["x", "y"]


def test_insert_values_fills_defaults_only_where_a_row_lacks_the_field() -> None:
    show = Show.objects.create(slug="s", title="S")
    base = {"show_id": show.pk, "match_key": "k", "title": "T"}
    ids = bulk.insert_values(
        Episode,
        [
            {**base, "slug": "a", "guid": "g-a", "published_at": WHEN},
            {**base, "slug": "b", "match_key": "k2"},
            {**base, "slug": "c", "match_key": "k3", "guid": "g-c", "chapters": [{"title": "x"}]},
        ],
    )
    stored = {e.slug: e for e in Episode.objects.filter(pk__in=ids)}
    assert [stored[s].guid for s in "abc"] == ["g-a", "", "g-c"]
    assert [stored[s].published_at for s in "abc"] == [WHEN, None, None]
    assert [stored[s].chapters for s in "abc"] == [[], [], [{"title": "x"}]]


def test_insert_values_splits_large_inserts_and_keeps_the_order() -> None:
    show = Show.objects.create(slug="s", title="S")
    rows = [
        {"show_id": show.pk, "slug": f"e{n}", "match_key": f"k{n}", "title": f"T{n}", "published_at": WHEN}
        for n in range(1_100)
    ]
    ids = bulk.insert_values(Episode, rows)
    assert ids == sorted(ids)
    assert len(set(ids)) == 1_100
    assert dict(Episode.objects.values_list("id", "slug")) == {i: f"e{n}" for n, i in enumerate(ids)}


@pytest.mark.parametrize("logged", [False, True])
def test_insert_values_writes_the_same_whether_queries_are_logged_or_not(logged: bool) -> None:
    # On SQLite an unlogged insert takes the driver's own cursor with "?" placeholders.
    show = Show.objects.create(slug="s", title="S")
    objs = [_episode(show, n) for n in range(3)]
    fields = ["slug", "match_key", "title", "published_at", "chapters", "extra", "explicit", "season"]
    rows = [{"show_id": show.pk, **{name: getattr(obj, name) for name in fields}} for obj in objs]
    if logged:
        with CaptureQueriesContext(connection) as queries:
            ids = bulk.insert_values(Episode, rows)
        assert len(queries) == 1
    else:
        ids = bulk.insert_values(Episode, rows)
    stored = list(Episode.objects.filter(pk__in=ids).order_by("pk").values_list(*fields))
    assert stored == [tuple(row[name] for name in fields) for row in rows]


def _all_fields() -> list[str]:
    return [f.attname for f in Episode._meta.concrete_fields if not f.primary_key]


def test_insert_rows_writes_column_ordered_lists_like_insert() -> None:
    show = Show.objects.create(slug="s", title="S")
    objs = [_episode(show, n) for n in range(70)]
    for obj in objs:
        obj.created_at = obj.updated_at = WHEN
    names = list(reversed(_all_fields()))  # any order: the caller's
    ids = bulk.insert_rows(Episode, names, [[getattr(obj, name) for name in names] for obj in objs])
    assert len(set(ids)) == 70
    stored = list(Episode.objects.filter(pk__in=ids).order_by("pk").values_list(*names))
    assert stored == [tuple(getattr(obj, name) for name in names) for obj in objs]
    assert Episode.objects.get(pk=ids[5]).chapters == [{"start_seconds": 1.5, "title": "Intro"}]


def test_insert_rows_refuses_columns_that_are_not_every_field() -> None:
    names = _all_fields()
    with pytest.raises(ValueError, match="season"):
        bulk.insert_rows(Episode, [name for name in names if name != "season"], [[None] * (len(names) - 1)])
    with pytest.raises(ValueError, match="title"):
        bulk.insert_rows(Episode, [*names, "title"], [[None] * (len(names) + 1)])
    assert not Episode.objects.exists()


def test_insert_values_raises_django_integrity_errors() -> None:
    show = Show.objects.create(slug="s", title="S")
    row = {"show_id": show.pk, "slug": "x", "match_key": "k", "title": "T"}
    bulk.insert_values(Episode, [row])
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_values(Episode, [row])


def test_adapted_values_are_remembered_by_type_and_value() -> None:
    import json

    calls: list[object] = []

    def adapt(value: object) -> str:
        calls.append(value)
        return json.dumps(value)

    cells: list[object] = [True, 1, 1.0, [], {}, [], {}, [1], [1], True, None]
    rows = [[value] for value in cells]
    bulk._adapt_in_place([(0, adapt)], rows)
    answers = [row[0] for row in rows]
    assert answers == ["true", "1", "1.0", "[]", "{}", "[]", "{}", "[1]", "[1]", "true", None]
    assert calls == [True, 1, 1.0, [], {}, [1], [1]]  # non-empty lists cannot be remembered
