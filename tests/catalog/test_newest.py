"""The newest episodes across shows, found show first, against a plain sort of every episode."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Max, Q
from django.test.utils import CaptureQueriesContext

from lytt.catalog.models import Episode, Show
from lytt.catalog.newest import newest_episode_ids

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 1, tzinfo=UTC)


def catalogue(seed: int, shows: int = 30) -> None:
    """Shows with 0-12 episodes on few distinct days (many ties), some undated, some vanished, a few shows
    hidden; each show's `latest_episode_at` as ingest keeps it: its newest live, dated episode."""
    rng = random.Random(seed)
    for s in range(shows):
        show = Show.objects.create(slug=f"show-{s}", title=f"Show {s}", hidden=rng.random() < 0.15)
        for e in range(rng.randrange(13)):
            published = None if rng.random() < 0.1 else START + timedelta(days=rng.randrange(40))
            vanished = START if rng.random() < 0.15 else None
            title = f"{rng.choice(['News', 'Talk', 'Extra'])} {s}-{e}"
            Episode.objects.create(
                show=show,
                slug=f"e-{e}",
                match_key=f"{s}-{e}",
                title=title,
                published_at=published,
                vanished_at=vanished,
            )
        live = Episode.objects.filter(show=show, vanished_at__isnull=True)
        show.latest_episode_at = live.aggregate(latest=Max("published_at"))["latest"]
        show.save(update_fields=["latest_episode_at"])


def by_sorting(episodes: list[Episode], limit: int) -> list[int]:
    dated = [e for e in episodes if e.published_at and not e.vanished_at and not e.show.hidden]
    dated.sort(key=lambda e: (e.published_at, e.pk), reverse=True)
    return [e.pk for e in dated[:limit]]


@pytest.mark.parametrize("seed", range(6))
def test_the_same_episodes_as_sorting_them_all(seed: int) -> None:
    catalogue(seed)
    everything = list(Episode.objects.select_related("show"))
    for limit in (1, 3, 10, 25, 400):
        assert newest_episode_ids(Episode.objects.all(), limit) == by_sorting(everything, limit), limit
    talk = Episode.objects.exclude(Q(title__icontains="talk"))  # most of the newest shows' episodes gone
    older = Episode.objects.filter(pk__lt=everything[len(everything) // 2].pk)
    for limit in (1, 5, 40):
        kept = [e for e in everything if "Talk" not in e.title]
        assert newest_episode_ids(talk, limit) == by_sorting(kept, limit)
        below = [e for e in everything if e.pk < everything[len(everything) // 2].pk]
        assert newest_episode_ids(older, limit) == by_sorting(below, limit)


def test_two_queries_when_the_newest_shows_are_enough() -> None:
    catalogue(7, shows=60)
    with CaptureQueriesContext(connection) as captured:
        newest_episode_ids(Episode.objects.all(), 5)
    assert len(captured) == 2


def test_nothing_asked_or_nothing_there() -> None:
    assert newest_episode_ids(Episode.objects.all(), 10) == []
    catalogue(3)
    assert newest_episode_ids(Episode.objects.all(), 0) == []
    assert newest_episode_ids(Episode.objects.none(), 10) == []
