"""Directory endpoints: toplist, search, suggestions, tags, podcast and episode data, clientconfig."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lytt.accounts.services import follow_show
from lytt.catalog.models import Category, Show, ShowCategory

pytestmark = pytest.mark.django_db

Api = Callable[..., Any]
FEED = "https://feeds.example.org/dagens.xml"


@pytest.fixture
def shows(make_show: Callable[..., Show], make_user: Callable[..., User]) -> list[Show]:
    # The catalogue's migrations may seed Apple's taxonomy already.
    news, _ = Category.objects.get_or_create(
        slug="news", defaults={"apple_name": "News", "name_en": "News", "name_nb": "Nyheter"}
    )
    made = [make_show(slug) for slug in ("dagens", "popular", "quiet")]
    for s in made:
        ShowCategory.objects.create(show=s, category=news)
    for n in range(2):
        follow_show(make_user(f"fan{n}"), made[1])
    Show.objects.filter(slug="quiet").update(hidden=True)
    return made


def test_toplist_formats(shows: list[Show]) -> None:
    client = Client()
    data = client.get("/toplist/10.json").json()
    assert [p["url"] for p in data] == ["https://feeds.example.org/popular.xml", FEED]  # hidden left out
    assert data[0]["subscribers"] == 2
    assert set(data[0]) >= {
        "url",
        "title",
        "description",
        "website",
        "subscribers",
        "subscribers_last_week",
        "mygpo_link",
        "logo_url",
    }
    assert data[0]["mygpo_link"].endswith("/podcast/popular/")
    assert client.get("/toplist/1.txt").content == b"https://feeds.example.org/popular.xml\n"
    assert b'xmlUrl="https://feeds.example.org/popular.xml"' in client.get("/toplist/5.opml").content


def test_toplist_count_out_of_range(shows: list[Show]) -> None:
    response = Client().get("/toplist/0.json")
    assert response.status_code == 400
    assert "count" in response.json()["error"]


def test_search_needs_query() -> None:
    response = Client().get("/search.json")
    assert response.status_code == 400


def test_search_finds_shows(shows: list[Show]) -> None:
    from lytt.search import rebuild

    rebuild()
    data = Client().get("/search.json?q=popular").json()
    assert [p["url"] for p in data] == ["https://feeds.example.org/popular.xml"]


def test_tags(shows: list[Show]) -> None:
    client = Client()
    news = Category.objects.get(slug="news")
    assert client.get("/api/2/tags/5.json").json() == [{"tag": "news", "title": news.name_en, "usage": 2}]
    assert [p["url"] for p in client.get("/api/2/tag/news/5.json").json()] == [
        "https://feeds.example.org/popular.xml",
        FEED,
    ]


def test_suggestions_need_auth_and_skip_followed(shows: list[Show], api: Api, user: User) -> None:
    assert Client().get("/suggestions/5.json").status_code == 401
    follow_show(user, shows[0])
    data = api("GET", "/suggestions/5.json").json()
    assert [p["url"] for p in data] == ["https://feeds.example.org/popular.xml"]


def test_podcast_and_episode_data(shows: list[Show]) -> None:
    client = Client()
    assert client.get(f"/api/2/data/podcast.json?url={FEED}").json()["title"] == "Show dagens"
    assert client.get("/api/2/data/podcast.json?url=https://nope.org/f").status_code == 404
    assert client.get("/api/2/data/podcast.json").status_code == 400
    episode = client.get(
        f"/api/2/data/episode.json?podcast={FEED}&url=https://media.example.org/dagens/1.mp3"
    ).json()
    assert (episode["title"], episode["podcast_url"], episode["released"]) == (
        "Episode 1 of dagens",
        FEED,
        "2026-01-02T00:00:00",
    )
    assert client.get(f"/api/2/data/episode.json?podcast={FEED}&url=https://x.org/1").status_code == 404


def test_clientconfig() -> None:
    data = Client().get("/clientconfig.json").json()
    assert data["mygpo"]["baseurl"] == "http://testserver/"
    assert data["update_timeout"] > 0
