"""Random episodes without ORDER BY random(): only live, dated episodes of visible (selected) shows, each
about as likely as the others."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lytt.catalog import draws
from lytt.catalog.models import Episode, Show

pytestmark = pytest.mark.django_db
START = datetime(2025, 6, 1, tzinfo=UTC)


def _show(slug: str, episodes: int, **fields: object) -> tuple[Show, list[int]]:
    show = Show.objects.create(slug=slug, title=slug, episode_count=episodes, **fields)
    made = Episode.objects.bulk_create(
        Episode(show=show, slug=f"e{n}", match_key=f"{slug}{n}", title=f"{slug} {n}",
                published_at=START + timedelta(days=n))
        for n in range(episodes)
    )  # fmt: skip
    return show, [e.pk for e in made]


@pytest.fixture
def catalogue() -> dict[str, list[int]]:
    _, a = _show("a", 6, language="nb")
    _, b = _show("b", 10, language="en")
    _, hidden = _show("hidden", 4, hidden=True)
    _, c = _show("c", 4, language="nb")
    undated = Episode.objects.create(
        show_id=Show.objects.get(slug="c").pk, slug="u", match_key="u", title="u"
    )
    gone = Episode.objects.get(pk=c[0])
    gone.vanished_at = START
    gone.save()
    return {"a": a, "b": b, "c": c[1:], "never": [*hidden, undated.pk, c[0]]}


def test_every_listable_episode_is_drawn_about_as_often(catalogue: dict[str, list[int]]) -> None:
    rng = random.Random(7)
    drawn = Counter(pk for _ in range(2000) for pk in draws.random_episode_ids(1, rng=rng))
    listable = catalogue["a"] + catalogue["b"] + catalogue["c"]
    assert set(drawn) == set(listable)
    expected = 2000 / len(listable)  # about 105 (a standard deviation of about 10)
    assert all(0.6 * expected < drawn[pk] < 1.5 * expected for pk in listable), drawn


@pytest.mark.parametrize("few_shows", [5000, 0], ids=["chosen-among-few", "probed-by-id"])
def test_a_selection_draws_each_of_its_shows_about_as_often(
    catalogue: dict[str, list[int]], monkeypatch: pytest.MonkeyPatch, few_shows: int
) -> None:
    monkeypatch.setattr(draws, "FEW_SHOWS", few_shows)
    rng = random.Random(11)
    selection = Show.objects.filter(language="nb")
    drawn = Counter(pk for _ in range(600) for pk in draws.random_episode_ids(1, selection, rng=rng))
    assert set(drawn) <= set(catalogue["a"] + catalogue["c"])
    from_a = sum(drawn[pk] for pk in catalogue["a"])
    if few_shows:
        assert 240 < from_a < 360  # half the draws for each show, whatever its number of episodes
    assert set(catalogue["a"]) <= set(drawn)


def test_a_large_max_gets_every_listable_episode_once(catalogue: dict[str, list[int]]) -> None:
    ids = draws.random_episode_ids(100, rng=random.Random(3))
    assert sorted(ids) == sorted(catalogue["a"] + catalogue["b"] + catalogue["c"])
    selected = draws.random_episode_ids(100, Show.objects.filter(language="nb"), rng=random.Random(3))
    assert sorted(selected) == sorted(catalogue["a"] + catalogue["c"])


def test_nothing_to_draw() -> None:
    assert draws.random_episode_ids(5) == []
    assert draws.random_episode_ids(5, Show.objects.none()) == []


def test_a_draw_reads_a_bounded_number_of_rows(catalogue: dict[str, list[int]]) -> None:
    """Each probe is a LIMIT 1 walk of the primary key from a random id (no ORDER BY random())."""
    with CaptureQueriesContext(connection) as queries:
        draws.random_episode_ids(3, rng=random.Random(5))
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "RANDOM()" not in sql
    assert len(queries.captured_queries) <= 2 + 2 * (2 * 3 + draws._EXTRA_PROBES)
