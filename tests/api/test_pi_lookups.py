"""The Podcast Index endpoints apps call beyond search: by feed URL, by iTunes id, at random, new feeds,
value blocks and feeds by tag. Every answer is checked against the upstream spec (`pi_shapes.check`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.api.conftest import call, make_episode, make_show
from tests.api.pi_shapes import check

from lytt.catalog.models import FeedSource, Show
from lytt.charts.models import ShowPopularity

pytestmark = pytest.mark.django_db
Signed = Callable[..., dict[str, str]]
PYTHON_FEED = "https://example.com/python.xml"


def test_episodes_byfeedurl_lists_the_feeds_episodes_newest_first(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    status, body = call(client, "episodes/byfeedurl", signed(), url=PYTHON_FEED)
    assert status == 200
    check("/episodes/byfeedurl", body)
    assert [i["title"] for i in body["items"]] == ["Python packaging", "Django at scale", "Undated episode"]
    assert body["query"] == {"url": PYTHON_FEED}
    assert body["items"][0]["enclosureUrl"] == "https://example.com/1.mp3"
    assert call(client, "episodes/byfeedurl", signed(), url=PYTHON_FEED, max=1)[1]["count"] == 1
    since = int(catalogue["episodes"][0].published_at.timestamp())
    recent = call(client, "episodes/byfeedurl", signed(), url=PYTHON_FEED, since=since)[1]
    assert [i["title"] for i in recent["items"]] == ["Python packaging"]


@pytest.mark.parametrize("url", ["https://example.com/nothing.xml", "https://example.com/hidden.xml", ""])
def test_episodes_byfeedurl_of_an_unknown_or_hidden_feed_finds_nothing(
    client: Client, catalogue: dict[str, Any], signed: Signed, url: str
) -> None:
    status, body = call(client, "episodes/byfeedurl", signed(), url=url)
    assert (status, body["status"], body["items"], body["count"]) == (200, "true", [], 0)
    check("/episodes/byfeedurl", body)


def test_episodes_byfeedurl_needs_url(client: Client, catalogue: dict[str, Any], signed: Signed) -> None:
    status, body = call(client, "episodes/byfeedurl", signed())
    assert (status, body["status"]) == (400, "false")
    assert "'url'" in body["description"]


def test_episodes_byguid_by_feed_url_and_podcast_guid(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    first = catalogue["episodes"][0]
    by_url = call(client, "episodes/byguid", signed(), guid=first.guid, feedurl=PYTHON_FEED)[1]
    assert by_url["episode"]["id"] == first.pk
    check("/episodes/byguid", by_url)
    by_guid = call(
        client, "episodes/byguid", signed(), guid=first.guid, podcastguid=catalogue["python"].podcast_guid
    )[1]
    assert by_guid["episode"]["id"] == first.pk
    wrong_feed = call(
        client, "episodes/byguid", signed(), guid=first.guid, feedurl="https://example.com/valg.xml"
    )
    assert wrong_feed[1]["episode"] == {}
    status, body = call(client, "episodes/byguid", signed(), guid=first.guid)
    assert (status, body["status"]) == (400, "false")


def test_podcasts_byitunesid_answers_an_empty_feed_for_an_unknown_id(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    status, body = call(client, "podcasts/byitunesid", signed(), id=1441923632)
    assert (status, body["status"], body["feed"], body["query"]) == (200, "true", {}, {"id": "1441923632"})
    check("/podcasts/byitunesid", body)
    assert call(client, "podcasts/byitunesid", signed())[0] == 400
    assert call(client, "podcasts/byitunesid", signed(), id="apple")[0] == 400


def test_episodes_random_draws_dated_visible_episodes_within_the_filters(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    body = call(client, "episodes/random", signed())[1]
    assert (body["count"], body["max"]) == (1, 1)
    check("/episodes/random", body)
    every = call(client, "episodes/random", signed(), max=50)[1]
    titles = {e["title"] for e in every["episodes"]}
    assert titles == {"Python packaging", "Django at scale", "Partilederdebatten"}  # not undated, not hidden
    check("/episodes/random", every)
    valg = next(e for e in every["episodes"] if e["title"] == "Partilederdebatten")
    assert valg["categories"]
    assert valg["feedTitle"] == "Valgkamp"
    assert {
        e["title"] for e in call(client, "episodes/random", signed(), max=50, lang="nb")[1]["episodes"]
    } == {"Partilederdebatten"}
    news = call(client, "episodes/random", signed(), max=50, cat="News")[1]["episodes"]
    assert {e["title"] for e in news} == {"Partilederdebatten"}
    not_news = call(client, "episodes/random", signed(), max=50, notcat="news")[1]["episodes"]
    assert {e["title"] for e in not_news} == {"Python packaging", "Django at scale"}
    assert call(client, "episodes/random", signed(), max=1001)[0] == 400


def test_recent_newfeeds_lists_shows_first_seen_in_the_last_day(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    Show.objects.filter(pk=catalogue["valg"].pk).update(created_at=timezone.now() - timedelta(days=3))
    FeedSource.objects.create(url="https://example.com/pending.xml")
    body = call(client, "recent/newfeeds", signed())[1]
    check("/recent/newfeeds", body)
    assert [(f["url"], f["status"]) for f in body["feeds"]] == [
        ("https://example.com/pending.xml", "unconfirmed"),
        (PYTHON_FEED, "confirmed"),
    ]  # not the hidden show's feed, not the show first seen three days ago
    python = body["feeds"][1]
    assert (python["id"], python["language"]) == (catalogue["python"].pk, "en-us")
    week = call(client, "recent/newfeeds", signed(), since=-7 * 86400)[1]
    assert "https://example.com/valg.xml" in {f["url"] for f in week["feeds"]}
    up = call(client, "recent/newfeeds", signed(), feedid=catalogue["valg"].pk)[1]
    assert [f["id"] for f in up["feeds"]] == [catalogue["valg"].pk]
    down = call(client, "recent/newfeeds", signed(), feedid=catalogue["valg"].pk, desc="")[1]
    assert [f["id"] for f in down["feeds"]] == [catalogue["valg"].pk, catalogue["python"].pk]
    assert call(client, "recent/newfeeds", signed(), feedid="x")[0] == 400


def test_value_by_feed_id_and_url(client: Client, catalogue: dict[str, Any], signed: Signed) -> None:
    body = call(client, "value/byfeedid", signed(), id=catalogue["python"].pk)[1]
    check("/value/byfeedid", body)
    assert body["query"] == {"id": str(catalogue["python"].pk)}
    assert body["value"]["model"] == {"type": "lightning", "method": "keysend", "suggested": "0.00000005"}
    assert body["value"]["destinations"] == [{"name": "host", "address": "abc", "type": "node", "split": 100}]
    by_url = call(client, "value/byfeedurl", signed(), url=PYTHON_FEED)[1]
    check("/value/byfeedurl", by_url)
    assert by_url["value"] == body["value"]
    for path, params in [
        ("value/byfeedid", {"id": catalogue["valg"].pk}),  # a feed without a value block
        ("value/byfeedid", {"id": 999999}),
        ("value/byfeedid", {"id": catalogue["hidden"].pk}),
        ("value/byfeedurl", {"url": "https://example.com/nothing.xml"}),
    ]:
        status, missing = call(client, path, signed(), **params)
        assert (status, missing["status"], missing["value"]) == (200, "true", None)
    assert call(client, "value/byfeedid", signed())[0] == 400


def test_podcasts_bytag_lists_feeds_with_a_value_block(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    hive = make_show(
        "Hive show",
        feed_url="https://example.com/hive.xml",
        extra={"value": {"type": "hive", "method": "hive", "recipients": []}},
    )
    ShowPopularity.objects.create(show=hive, category=None, score=7.4, rank=1)
    body = call(client, "podcasts/bytag", signed(), **{"podcast-value": ""})[1]
    check("/podcasts/bytag", body, optional=frozenset({".nextStartAt"}))
    assert [f["title"] for f in body["feeds"]] == ["Hive show", "Talk Python To Me"]  # most popular first
    assert (body["count"], body["total"], body["feeds"][0]["popularity"]) == (2, 2, 7)
    assert "nextStartAt" not in body
    paged = call(client, "podcasts/bytag", signed(), max=1, start_at=1, **{"podcast-value": ""})[1]
    check("/podcasts/bytag", paged)
    assert [f["id"] for f in paged["feeds"]] == [catalogue["python"].pk]
    assert paged["nextStartAt"] == catalogue["python"].pk + 1
    rest = call(client, "podcasts/bytag", signed(), start_at=paged["nextStartAt"], **{"podcast-value": ""})[1]
    assert [f["id"] for f in rest["feeds"]] == [hive.pk]
    split = call(client, "podcasts/bytag", signed(), **{"podcast-valueTimeSplit": ""})[1]
    assert (split["status"], split["feeds"], split["total"]) == ("true", [], 0)


def test_podcasts_bytag_time_split_finds_feeds_with_a_split_in_any_block(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    block = {"type": "lightning", "method": "keysend", "recipients": []}
    split = {"start_time": 60.0, "duration": 30.0, "remote_percentage": 90, "remote_feed_guid": "g"}
    in_episode = make_show(
        "Split in an episode", feed_url="https://example.com/ep-split.xml", extra={"value": block}
    )
    make_episode(in_episode, "Music break", extra={"value": {**block, "time_splits": [split]}})
    on_feed = make_show("Split on the feed", extra={"value": {**block, "time_splits": [split]}})
    hidden = make_show("Hidden split", hidden=True, extra={"value": {**block, "time_splits": [split]}})
    body = call(client, "podcasts/bytag", signed(), **{"podcast-valueTimeSplit": ""})[1]
    check("/podcasts/bytag", body, optional=frozenset({".nextStartAt"}))
    assert {f["id"] for f in body["feeds"]} == {in_episode.pk, on_feed.pk}
    assert hidden.pk not in {f["id"] for f in body["feeds"]}
    # With both, the first one sent counts (the spec's rule).
    both = call(client, "podcasts/bytag", signed(), **{"podcast-valueTimeSplit": "", "podcast-value": ""})[1]
    assert both["total"] == 2
    value_first = call(
        client, "podcasts/bytag", signed(), **{"podcast-value": "", "podcast-valueTimeSplit": ""}
    )[1]
    assert value_first["total"] == 3  # every visible feed with a block: Talk Python and the two above
    assert call(client, "podcasts/bytag", signed())[0] == 400
    assert call(client, "podcasts/bytag", signed(), max=5001, **{"podcast-value": ""})[0] == 400


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/search/byterm", {"q": "python"}),
        ("/search/bytitle", {"q": "python"}),
        ("/search/byperson", {"q": "Brett Cannon"}),
        ("/podcasts/byfeedurl", {"url": PYTHON_FEED}),
        ("/podcasts/trending", {}),
        ("/episodes/byfeedid", {"id": "{python}"}),
        ("/episodes/byid", {"id": "{episode}"}),
        ("/recent/episodes", {}),
        ("/recent/feeds", {}),
        ("/categories/list", {}),
        ("/stats/current", {}),
    ],
)
def test_the_earlier_endpoints_hold_to_the_spec_too(
    client: Client, catalogue: dict[str, Any], signed: Signed, path: str, params: dict[str, str]
) -> None:
    values = {
        k: v.format(python=catalogue["python"].pk, episode=catalogue["episodes"][0].pk)
        for k, v in params.items()
    }
    status, body = call(client, path.lstrip("/"), signed(), **values)
    assert status == 200
    check(path, body)


def test_an_episode_of_a_new_show_is_found_by_its_feed_url(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    show = make_show("Fresh", feed_url="https://example.com/fresh.xml")
    make_episode(show, "First one")
    body = call(client, "episodes/byfeedurl", signed(), url="https://example.com/fresh.xml")[1]
    assert [i["title"] for i in body["items"]] == ["First one"]


def test_a_crawled_feed_with_an_episode_time_split_is_found_by_tag(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    from lytt.catalog.ingest import ingest_feed
    from lytt.feeds import parse_feed

    xml = (
        b"<?xml version='1.0'?><rss version='2.0' xmlns:podcast='https://podcastindex.org/namespace/1.0'>"
        b"<channel><title>Music hour</title><item><guid>m1</guid><title>Songs</title>"
        b"<enclosure url='https://example.com/songs.mp3' type='audio/mpeg' length='1'/>"
        b"<podcast:value type='lightning' method='keysend'>"
        b"<podcast:valueRecipient type='node' address='02ab' split='100'/>"
        b"<podcast:valueTimeSplit startTime='60' duration='200' remotePercentage='90'>"
        b"<podcast:remoteItem feedGuid='f' itemGuid='i'/></podcast:valueTimeSplit>"
        b"</podcast:value></item></channel></rss>"
    )
    source = FeedSource.objects.create(url="https://example.com/music.xml")
    ingest_feed(source, parse_feed(xml, url=source.url))
    source.refresh_from_db()
    body = call(client, "podcasts/bytag", signed(), **{"podcast-valueTimeSplit": ""})[1]
    assert [f["title"] for f in body["feeds"]] == ["Music hour"]
    assert body["feeds"][0]["id"] == source.show_id
