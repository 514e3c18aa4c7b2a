from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client

from lytt.catalog.models import Category, Episode, Show, ShowCategory
from lytt.charts.models import PlayCount, ShowPopularity
from lytt.charts.ranking import popular_shows, recompute_popularity, record_play

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def catalogue(db: None) -> dict[str, object]:
    news = Category.objects.create(slug="t-news", apple_name="News", name_en="News", name_nb="Nyheter")
    politics = Category.objects.create(
        slug="t-politics", apple_name="Politics", name_en="Politics", name_nb="Politikk", parent=news
    )
    comedy = Category.objects.create(slug="t-comedy", apple_name="Comedy", name_en="Comedy", name_nb="Humor")
    shows = {}
    for n, (slug, category) in enumerate([("a", politics), ("b", politics), ("c", comedy), ("d", news)]):
        show = Show.objects.create(slug=slug, title=slug.upper(), latest_episode_at=NOW - timedelta(days=n))
        ShowCategory.objects.create(show=show, category=category)
        shows[slug] = show
        Episode.objects.create(show=show, slug="e1", match_key=f"{slug}1", title="E1", published_at=NOW)
    return {"news": news, "politics": politics, "comedy": comedy, **shows}


def test_record_play_counts_per_episode_per_day(catalogue: dict[str, object]) -> None:
    episode = Episode.objects.get(show__slug="b")
    record_play(episode, NOW)
    record_play(episode, NOW)
    record_play(episode, NOW + timedelta(days=1))
    counts = sorted(PlayCount.objects.values_list("day", "count"))
    assert counts == [(NOW.date(), 2), ((NOW + timedelta(days=1)).date(), 1)]
    assert PlayCount.objects.filter(show__slug="b").count() == 2


def test_without_plays_lists_fall_back_to_episode_activity(catalogue: dict[str, object]) -> None:
    # Before any computation: live fallback, newest episode first.
    assert [s.slug for s in popular_shows(None)] == ["a", "b", "c", "d"]
    assert [s.slug for s in popular_shows(catalogue["news"])] == ["a", "b", "d"]  # type: ignore[arg-type]
    recompute_popularity(NOW)
    assert [s.slug for s in popular_shows(None)] == ["a", "b", "c", "d"]
    assert [s.slug for s in popular_shows(catalogue["politics"])] == ["a", "b"]  # type: ignore[arg-type]


def test_plays_reorder_the_lists(catalogue: dict[str, object]) -> None:
    for _ in range(3):
        record_play(Episode.objects.get(show__slug="b"), NOW)
    record_play(Episode.objects.get(show__slug="d"), NOW)
    recompute_popularity(NOW)
    assert [s.slug for s in popular_shows(None)] == ["b", "d", "a", "c"]
    assert [s.slug for s in popular_shows(catalogue["news"], limit=2)] == ["b", "d"]  # type: ignore[arg-type]
    assert [s.slug for s in popular_shows(catalogue["comedy"])] == ["c"]  # type: ignore[arg-type]
    top = ShowPopularity.objects.get(category=None, rank=1)
    assert top.score == pytest.approx(3.0)


def test_hidden_shows_are_not_ranked(catalogue: dict[str, object]) -> None:
    Show.objects.filter(slug="a").update(hidden=True)
    recompute_popularity(NOW)
    assert "a" not in [s.slug for s in popular_shows(None)]
    assert [s.slug for s in popular_shows(catalogue["politics"])] == ["b"]  # type: ignore[arg-type]


def test_recompute_replaces_the_previous_lists(catalogue: dict[str, object]) -> None:
    first = recompute_popularity(NOW)
    second = recompute_popularity(NOW)
    assert first == second == ShowPopularity.objects.count()


def test_empty_category_after_computation_is_empty(catalogue: dict[str, object]) -> None:
    empty = Category.objects.create(slug="t-empty", apple_name="Empty", name_en="Empty", name_nb="Tom")
    recompute_popularity(NOW)
    assert popular_shows(empty) == []


@pytest.mark.postgres_only  # in-memory SQLite test databases cannot be shared between threads
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_plays_are_all_counted() -> None:
    show = Show.objects.create(slug="x", title="X")
    episode = Episode.objects.create(show=show, slug="e", match_key="e", title="E")
    errors: list[BaseException] = []

    def play() -> None:
        try:
            record_play(episode, NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=play) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert PlayCount.objects.get(episode=episode).count == 4


def test_play_endpoint(client: Client, catalogue: dict[str, object]) -> None:
    episode = Episode.objects.get(show__slug="a")
    origin = {"HTTP_ORIGIN": "http://testserver"}
    assert client.post("/charts/play/", {"episode": episode.pk}, **origin).status_code == 204
    # the same client reporting the same episode again soon is accepted but not counted twice
    assert client.post("/charts/play/", {"episode": episode.pk}, **origin).status_code == 204
    assert PlayCount.objects.get(episode=episode).count == 1
    json_body = client.post(
        "/charts/play/", {"episode": Episode.objects.get(show__slug="b").pk}, "application/json", **origin
    )
    assert json_body.status_code == 204
    assert PlayCount.objects.count() == 2


def test_play_endpoint_refuses_bad_requests(client: Client, catalogue: dict[str, object]) -> None:
    episode = Episode.objects.get(show__slug="a")
    assert client.post("/charts/play/", {"episode": episode.pk}).status_code == 403  # no origin at all
    evil = client.post("/charts/play/", {"episode": episode.pk}, HTTP_ORIGIN="https://evil.example")
    assert evil.status_code == 403
    same = {"HTTP_ORIGIN": "http://testserver"}
    bad = client.post("/charts/play/", {"episode": "x"}, **same)
    assert bad.status_code == 400
    assert "episode" in bad.json()["error"]
    assert client.post("/charts/play/", {"episode": 999999}, **same).status_code == 404
    assert client.get("/charts/play/").status_code == 405
    assert PlayCount.objects.count() == 0
