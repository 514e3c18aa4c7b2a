"""The real `python-podcastindex` client (PyPI) against a live Lytt server.

The client's base URL is an instance attribute (``self.base_url``), so pointing it at the live server is
all an app needs to change. It POSTs form bodies, as the tests below exercise.
"""

from __future__ import annotations

from typing import Any

import podcastindex
import pytest
import requests

from lytt.api.keys import create_key


@pytest.fixture
def client(live_server: Any, catalogue: dict[str, Any]) -> Any:
    api_key, secret = create_key("python-podcastindex")
    index = podcastindex.init({"api_key": api_key.key, "api_secret": secret})
    index.base_url = f"{live_server.url}/api/1.0"
    return index


def test_search_and_lookups(client: Any, catalogue: dict[str, Any]) -> None:
    show = catalogue["python"]
    found = client.search("python")
    assert found["status"] == "true"
    assert [f["title"] for f in found["feeds"]] == ["Talk Python To Me"]
    assert client.search("valg", clean=True)["count"] == 0
    assert client.podcastByFeedId(show.pk)["feed"]["url"] == "https://example.com/python.xml"
    assert client.podcastByFeedUrl("https://example.com/python.xml")["feed"]["id"] == show.pk
    assert client.podcastByGuid(show.podcast_guid)["feed"]["id"] == show.pk


def test_episodes(client: Any, catalogue: dict[str, Any]) -> None:
    show = catalogue["python"]
    first = catalogue["episodes"][0]
    episodes = client.episodesByFeedId(show.pk, max_results=2)
    assert [e["title"] for e in episodes["items"]] == ["Python packaging", "Django at scale"]
    assert client.episodeById(first.pk, fulltext=True)["episode"]["description"] == "<p>Wheels and pip.</p>"
    assert client.episodeByGuid(first.guid, feedid=show.pk)["episode"]["id"] == first.pk
    assert client.episodesByPerson("Brett Cannon")["items"][0]["id"] == first.pk
    assert client.recentEpisodes(max=1)["items"][0]["id"] == first.pk


def test_feeds_lists(client: Any) -> None:
    assert client.trendingPodcasts(max=5)["status"] == "true"
    assert [f["title"] for f in client.recentFeeds(max=5, categories=["News"])["feeds"]] == ["Valgkamp"]
    assert [f["title"] for f in client.recentFeeds(max=5, lang=["en"])["feeds"]] == ["Talk Python To Me"]


def test_wrong_secret_is_an_http_error(live_server: Any, catalogue: dict[str, Any]) -> None:
    api_key, _secret = create_key("wrong")
    index = podcastindex.init({"api_key": api_key.key, "api_secret": "not the secret"})
    index.base_url = f"{live_server.url}/api/1.0"
    with pytest.raises(requests.exceptions.HTTPError) as info:
        index.search("python")
    assert info.value.response.status_code == 401


def test_lookups_by_feed_url_itunes_id_and_at_random(client: Any, catalogue: dict[str, Any]) -> None:
    first = catalogue["episodes"][0]
    by_url = client.episodesByFeedUrl("https://example.com/python.xml", max_results=2)
    assert [e["title"] for e in by_url["items"]] == ["Python packaging", "Django at scale"]
    assert (
        client.episodesByFeedUrl("https://example.com/python.xml", fulltext=True)["items"][0]["description"]
        == "<p>Wheels and pip.</p>"
    )
    assert (
        client.episodeByGuid(first.guid, feedurl="https://example.com/python.xml")["episode"]["id"]
        == first.pk
    )
    assert client.podcastByItunesId(1441923632)["feed"] == {}
    drawn = client.randomEpisodes(max=10, lang="nb")
    assert [e["feedTitle"] for e in drawn["episodes"]] == ["Valgkamp"]
    assert client.randomEpisodes(max=10, notcat="News")["count"] == 2
