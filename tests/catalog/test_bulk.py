"""The plain bulk INSERT/UPDATE ingest uses: same values as the ORM would write, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

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


def test_empty_input_does_nothing() -> None:
    assert bulk.insert(Episode, []) == []
    bulk.update(Episode, [], ["title"])


def test_insert_values_fills_defaults() -> None:
    show = Show.objects.create(slug="s", title="S")
    [new_id] = bulk.insert_values(
        Episode, [{"show_id": show.pk, "slug": "x", "match_key": "k", "title": "T", "updated_at": WHEN}]
    )
    stored = Episode.objects.get(pk=new_id)
    assert (stored.title, stored.guid, stored.chapters, stored.episode_type) == ("T", "", [], "full")
    assert stored.created_at is not None


def test_insert_values_can_skip_conflicting_rows() -> None:
    show = Show.objects.create(slug="s", title="S")
    row = {"show_id": show.pk, "slug": "x", "match_key": "k", "title": "T"}
    bulk.insert_values(Episode, [row])
    assert (
        bulk.insert_values(Episode, [row, {**row, "slug": "y", "match_key": "k2"}], ignore_conflicts=True)
        == []
    )
    assert sorted(Episode.objects.values_list("slug", flat=True)) == ["x", "y"]
