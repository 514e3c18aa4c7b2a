"""The Podcast Index-compatible endpoints: auth, shapes, GET and POST, and bad parameters."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from tests.api.conftest import call

pytestmark = pytest.mark.django_db
Signed = Callable[..., dict[str, str]]

FEED_FIELDS = {
    "id", "podcastGuid", "title", "url", "originalUrl", "link", "description", "author", "ownerName", "image",
    "artwork", "lastUpdateTime", "lastCrawlTime", "lastParseTime", "lastGoodHttpStatusTime", "lastHttpStatus",
    "contentType", "itunesId", "generator", "language", "explicit", "type", "medium", "dead", "episodeCount",
    "crawlErrors", "parseErrors", "categories", "locked", "imageUrlHash",
}  # fmt: skip
EPISODE_FIELDS = {
    "id", "title", "link", "description", "guid", "datePublished", "datePublishedPretty", "dateCrawled",
    "enclosureUrl", "enclosureType", "enclosureLength", "duration", "explicit", "episode", "episodeType",
    "season", "image", "feedImage", "feedId", "feedUrl", "feedTitle", "feedLanguage", "chaptersUrl",
    "transcriptUrl", "transcripts", "persons", "soundbites",
}  # fmt: skip


@pytest.mark.parametrize("post", [False, True])
def test_search_byterm_get_and_post(
    client: Client, catalogue: dict[str, Any], signed: Signed, post: bool
) -> None:
    status, body = call(client, "search/byterm", signed(), post=post, q="python")
    assert status == 200
    assert body["status"] == "true"
    assert body["count"] == 1
    assert body["query"] == "python"
    assert body["description"]
    feed = body["feeds"][0]
    assert set(feed) >= FEED_FIELDS
    assert feed["title"] == "Talk Python To Me"
    assert feed["url"] == "https://example.com/python.xml"
    assert feed["explicit"] is False
    assert feed["locked"] == 0
    assert feed["categories"] == {"77": "Society", "78": "Culture"}
    assert feed["funding"] == {"url": "https://example.com/support", "message": "Support us"}
    assert feed["value"]["model"] == {"type": "lightning", "method": "keysend", "suggested": "0.00000005"}
    assert feed["value"]["destinations"][0]["split"] == 100


def test_search_clean_bytitle_and_byperson(client: Client, catalogue: dict[str, Any], signed: Signed) -> None:
    assert call(client, "search/byterm", signed(), q="valg")[1]["count"] == 1
    assert call(client, "search/byterm", signed(), q="valg", clean="")[1]["count"] == 0  # explicit left out
    assert call(client, "search/bytitle", signed(), q="python")[1]["count"] == 1
    assert call(client, "search/bytitle", signed(), q="podcast")[1]["count"] == 0  # only in the description
    status, body = call(client, "search/byperson", signed(), q="Brett Cannon")
    assert status == 200
    assert [item["title"] for item in body["items"]] == ["Python packaging"]
    assert set(body["items"][0]) >= EPISODE_FIELDS


def test_podcasts_by_feedid_feedurl_guid(client: Client, catalogue: dict[str, Any], signed: Signed) -> None:
    show = catalogue["python"]
    status, body = call(client, "podcasts/byfeedid", signed(), id=show.pk)
    assert status == 200
    assert body["query"] == {"id": str(show.pk)}
    assert body["feed"]["id"] == show.pk
    assert (
        call(client, "podcasts/byfeedurl", signed(), url="https://example.com/python.xml")[1]["feed"]["id"]
        == show.pk
    )
    by_guid = call(client, "podcasts/byguid", signed(), guid=show.podcast_guid)[1]
    assert by_guid["feed"]["id"] == show.pk
    assert by_guid["query"] == {"guid": show.podcast_guid, "id": str(show.pk)}
    missing = call(client, "podcasts/byfeedid", signed(), id=999999)
    assert missing == (
        200,
        {"status": "true", "query": {"id": "999999"}, "feed": {}, "description": missing[1]["description"]},
    )
    hidden = catalogue["hidden"]
    assert call(client, "podcasts/byfeedid", signed(), id=hidden.pk)[1]["feed"] == {}


def test_trending_and_recent_feeds(client: Client, catalogue: dict[str, Any], signed: Signed) -> None:
    status, body = call(client, "podcasts/trending", signed(), max=5)
    assert status == 200
    assert body["max"] == 5
    assert body["feeds"]
    assert {"trendScore", "newestItemPublishTime", "categories"} <= set(body["feeds"][0])
    assert {f["title"] for f in call(client, "podcasts/trending", signed(), lang="nb")[1]["feeds"]} <= {
        "Valgkamp"
    }
    status, body = call(client, "recent/feeds", signed())
    assert [f["title"] for f in body["feeds"]] == ["Talk Python To Me", "Valgkamp"]
    assert body["feeds"][0]["oldestItemPublishTime"] <= body["feeds"][0]["newestItemPublishTime"]
    assert [f["title"] for f in call(client, "recent/feeds", signed(), cat="News")[1]["feeds"]] == [
        "Valgkamp"
    ]
    assert [f["title"] for f in call(client, "recent/feeds", signed(), notcat="77")[1]["feeds"]] == [
        "Valgkamp"
    ]
    since = int(time.time()) - 5 * 86400
    assert [f["title"] for f in call(client, "recent/feeds", signed(), since=since)[1]["feeds"]] == [
        "Talk Python To Me"
    ]
    assert [f["title"] for f in call(client, "recent/feeds", signed(), since=-5 * 86400)[1]["feeds"]] == [
        "Talk Python To Me"
    ]


def test_episodes_by_feedid_id_guid(client: Client, catalogue: dict[str, Any], signed: Signed) -> None:
    show = catalogue["python"]
    first = catalogue["episodes"][0]
    status, body = call(client, "episodes/byfeedid", signed(), id=show.pk, max=2)
    assert status == 200
    assert body["liveItems"] == []
    assert body["query"] == str(show.pk)
    assert [i["title"] for i in body["items"]] == ["Python packaging", "Django at scale"]
    item = body["items"][0]
    assert item["duration"] == 3600
    assert item["transcriptUrl"] == "https://example.com/1.vtt"
    assert item["soundbite"] == {"startTime": 10, "duration": 30, "title": "Best bit"}
    assert item["persons"][0]["name"] == "Brett Cannon"
    assert item["datePublishedPretty"]
    both = call(client, "episodes/byfeedid", signed(), id=f"{show.pk},{catalogue['valg'].pk}")[1]
    assert both["count"] == 4
    status, body = call(client, "episodes/byid", signed(), id=first.pk, fulltext="")
    assert body["episode"]["description"] == "<p>Wheels and pip.</p>"
    assert (
        call(client, "episodes/byid", signed(), id=first.pk)[1]["episode"]["description"] == "Wheels and pip."
    )
    assert call(client, "episodes/byid", signed(), id=999999)[1]["episode"] == {}
    status, body = call(client, "episodes/byguid", signed(), guid=first.guid, feedid=show.pk)
    assert body["episode"]["id"] == first.pk
    body = call(
        client, "episodes/byguid", signed(), guid=first.guid, feedurl="https://example.com/python.xml"
    )[1]
    assert body["episode"]["id"] == first.pk
    body = call(client, "episodes/byguid", signed(), guid=first.guid, podcastguid=show.podcast_guid)[1]
    assert body["episode"]["id"] == first.pk


def test_recent_episodes_categories_stats(client: Client, catalogue: dict[str, Any], signed: Signed) -> None:
    body = call(client, "recent/episodes", signed(), max=2)[1]
    assert body["max"] == 2
    assert [i["title"] for i in body["items"]] == ["Python packaging", "Django at scale"]
    assert [
        i["title"]
        for i in call(client, "recent/episodes", signed(), excludeString="packaging", max=1)[1]["items"]
    ] == ["Django at scale"]
    before = call(client, "recent/episodes", signed(), before=catalogue["episodes"][1].pk)[1]["items"]
    assert [i["title"] for i in before] == ["Python packaging"]
    categories = call(client, "categories/list", signed())[1]
    assert categories["count"] == 112
    assert categories["feeds"][103] == {"id": 104, "name": "Tv"}
    stats = call(client, "stats/current", signed())[1]["stats"]
    assert stats["feedCountTotal"] == 2
    assert stats["episodeCountTotal"] == 4
    assert stats["feedsWithNewEpisodes3days"] == 1
    assert stats["feedsWithNewEpisodes30days"] == 2
    assert stats["feedsWithValueBlocks"] == 1


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("search/byterm", {}, "'q' parameter is required"),
        ("search/byterm", {"q": "x", "max": "lots"}, "must be an integer"),
        ("search/byterm", {"q": "x", "max": "0"}, "between 1 and 1000"),
        ("search/byterm", {"q": "x", "max": "1001"}, "between 1 and 1000"),
        ("search/byperson", {}, "'q' parameter is required"),
        ("podcasts/byfeedid", {}, "'id' parameter is required"),
        ("podcasts/byfeedid", {"id": "abc"}, "must be an integer"),
        ("podcasts/byfeedurl", {}, "'url' parameter is required"),
        ("podcasts/byguid", {}, "'guid' parameter is required"),
        ("podcasts/trending", {"since": "soon"}, "must be an integer"),
        ("episodes/byfeedid", {"id": "1,x"}, "comma-separated"),
        ("episodes/byguid", {"guid": "g"}, "One of 'feedurl', 'feedid' or 'podcastguid'"),
        ("recent/episodes", {"max": "100000"}, "between 1 and 1000"),
        ("episodes/byfeedid", {"id": ",".join(["1"] * 201)}, "at most 200"),
        ("search/byterm", {"q": "x", "val": "bitcoin"}, "'val' parameter must be one of"),
        ("recent/feeds", {"pretty": "-58800"}, "'pretty' parameter is a flag"),
        ("search/byterm", {"q": "x", "clean": "maybe"}, "'clean' parameter is a flag"),
        # Text that cannot be stored: still a 400, never a 500.
        ("search/byterm", {"q": "py\x00thon"}, "NUL character"),
        ("podcasts/byfeedurl", {"url": "https://example.com/\x00"}, "NUL character"),
        ("podcasts/trending", {"lang": "\x00"}, "NUL character"),
    ],
)
def test_bad_parameters_are_400_in_podcast_index_style(
    client: Client, catalogue: dict[str, Any], signed: Signed, path: str, params: dict[str, str], message: str
) -> None:
    status, body = call(client, path, signed(), **params)
    assert status == 400
    assert body["status"] == "false"
    assert message in body["description"]


def test_auth_failures(client: Client, catalogue: dict[str, Any], signed: Signed) -> None:
    def status_of(headers: dict[str, str]) -> tuple[int, str]:
        """The spec documents a 401's body as a bare JSON string."""
        response = client.get("/api/1.0/categories/list", **headers)  # type: ignore[arg-type]
        body = response.json()
        assert isinstance(body, str)
        return response.status_code, body

    good = signed()
    assert status_of({"HTTP_USER_AGENT": "x"})[0] == 401
    assert status_of({k: v for k, v in good.items() if k != "HTTP_USER_AGENT"})[0] == 401
    assert status_of({k: v for k, v in good.items() if k != "HTTP_X_AUTH_DATE"}) == (
        401,
        "missing header(s): X-Auth-Date",
    )
    assert status_of({**good, "HTTP_AUTHORIZATION": "f" * 40})[0] == 401
    assert status_of(signed(date=str(int(time.time()) - 3600)))[0] == 401
    assert client.get("/api/1.0/categories/list", **signed(date=f"{time.time():.4f}")).status_code == 200  # type: ignore[arg-type]


def test_other_methods_are_405_and_post_needs_no_csrf(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    response = client.put("/api/1.0/stats/current", **signed())  # type: ignore[arg-type]
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/api/1.0/stats/current", **signed()).status_code == 200  # type: ignore[arg-type]


def test_key_rate_limit(client: Client, catalogue: dict[str, Any], signed: Signed) -> None:
    from lytt.api.models import ApiKey

    ApiKey.objects.update(rate_limit_per_minute=1)
    assert client.get("/api/1.0/stats/current", **signed()).status_code == 200  # type: ignore[arg-type]
    limited = client.get("/api/1.0/stats/current", **signed())  # type: ignore[arg-type]
    assert limited.status_code == 429
    assert limited.json()["status"] == "false"
    assert int(limited["Retry-After"]) >= 1
