"""API v1's new and trending shows, and the Podcast Index trending list built on the same definitions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.api.conftest import call
from tests.api.pi_shapes import check

from lytt.catalog.models import Episode, Show
from lytt.charts.models import PlayCount
from lytt.charts.ranking import recompute_popularity

pytestmark = pytest.mark.django_db
Signed = Callable[..., dict[str, str]]


def _get(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def _plays(show: Show, today: int, earlier: int) -> None:
    episode = Episode.objects.filter(show=show).first()
    assert episode is not None
    now = timezone.now().date()
    PlayCount.objects.create(episode=episode, show=show, day=now, count=today)
    if earlier:
        PlayCount.objects.create(episode=episode, show=show, day=now - timedelta(days=14), count=earlier)


def test_new_shows_newest_first_with_a_cursor(client: Client, catalogue: dict[str, Any]) -> None:
    python, valg = catalogue["python"], catalogue["valg"]
    Show.objects.filter(pk=python.pk).update(created_at=timezone.now() - timedelta(days=2))
    Show.objects.filter(pk=valg.pk).update(created_at=timezone.now() - timedelta(hours=1))
    first = _get(client, "/api/v1/shows/new?limit=1")
    assert [s["title"] for s in first["items"]] == ["Valgkamp"]
    assert first["items"][0]["first_seen_at"]
    second = _get(client, f"/api/v1/shows/new?limit=1&cursor={first['next_cursor']}")
    assert [s["title"] for s in second["items"]] == ["Talk Python To Me"]
    assert second["next_cursor"] is None  # the hidden show is never listed
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    recent = client.get("/api/v1/shows/new", {"since": since}).json()
    assert [s["title"] for s in recent["items"]] == ["Valgkamp"]
    Show.objects.filter(pk=python.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert [s["title"] for s in _get(client, "/api/v1/shows/new")["items"]] == ["Valgkamp"]  # 30 days


@pytest.mark.parametrize(
    ("since", "status"),
    [
        ("1176-04-15T20:08:44+18:20", 200),  # an offset ISO 8601 allows and PostgreSQL does not
        ("2026-01-01T00:00:00-23:59", 200),
        ("0001-01-01T00:30:00+01:00", 422),  # before year 1 once in UTC
        ("9999-12-31T23:30:00-01:00", 422),
    ],
)
def test_new_shows_since_any_offset(
    client: Client, catalogue: dict[str, Any], since: str, status: int
) -> None:
    response = client.get("/api/v1/shows/new", {"since": since})
    assert response.status_code == status, response.content
    if status == 422:
        assert "out of range once in UTC" in response.content.decode()


def test_new_shows_refuses_another_lists_cursor(client: Client, catalogue: dict[str, Any]) -> None:
    cursor = _get(client, "/api/v1/shows?limit=1")["next_cursor"]
    response = client.get(f"/api/v1/shows/new?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"


def test_trending_lists_rising_shows_with_scores(client: Client, catalogue: dict[str, Any]) -> None:
    assert _get(client, "/api/v1/shows/trending")["items"] == []  # no plays yet
    _plays(catalogue["valg"], today=30, earlier=0)
    _plays(catalogue["python"], today=10, earlier=200)  # many plays, but fewer than before
    recompute_popularity()
    body = _get(client, "/api/v1/shows/trending")
    assert [s["title"] for s in body["items"]] == ["Valgkamp"]
    assert body["items"][0]["trend_score"] > 0
    assert body["items"][0]["feed_url"] == "https://example.com/valg.xml"


def test_openapi_describes_new_and_trending(client: Client) -> None:
    schema = _get(client, "/api/v1/openapi.json")
    assert {"/api/v1/shows/new", "/api/v1/shows/trending"} <= set(schema["paths"])
    components = schema["components"]["schemas"]
    assert "first_seen_at" in components["NewShowOut"]["properties"]
    assert "trend_score" in components["TrendingShowOut"]["properties"]


def test_pi_trending_puts_rising_shows_first_then_popular_ones(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    _plays(catalogue["valg"], today=30, earlier=0)
    _plays(catalogue["python"], today=10, earlier=200)
    recompute_popularity()
    body = call(client, "podcasts/trending", signed(), max=5)[1]
    check("/podcasts/trending", body)
    assert [(f["title"], f["trendScore"] > 0) for f in body["feeds"]] == [
        ("Valgkamp", True),
        ("Talk Python To Me", False),  # popular (many plays), not rising
    ]
    assert _get(client, "/api/v1/shows/trending")["items"][0]["id"] == body["feeds"][0]["id"]
