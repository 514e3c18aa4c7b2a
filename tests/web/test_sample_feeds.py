"""The sample catalogue's feeds are served by Lytt at absolute URLs apps can subscribe to: every URL in
them (self link, artwork, audio) published under this site, readable by Lytt's own parser and by gPodder's
(podcastparser), and the APIs name them."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import podcastparser
import pytest
from django.test import Client, override_settings
from tests.api.conftest import api_credentials, call, signed  # noqa: F401 (fixtures)

from lytt.catalog.models import FeedSource, Show
from lytt.feeds import parse_feed
from lytt.web.sample import load_sample_catalogue
from lytt.web.sample.views import published_feed

pytestmark = pytest.mark.django_db
SITE = "http://testserver/"
Signed = Callable[..., dict[str, str]]


@pytest.fixture
def sample() -> None:
    assert load_sample_catalogue().loaded


def _feed(client: Client, name: str = "kodekveld") -> bytes:
    response = client.get(f"/sample/feeds/{name}.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    return response.content


def test_published_feed_rewrites_every_sample_url_and_escapes_it() -> None:
    data = b'<a href="https://sample.lytt.invalid/feeds/x.xml"/><u>https://sample.lytt.invalid/x.png</u>'
    out = published_feed(data, "https://lytt.example/?a=1&b=<2>/")
    assert out == (
        b'<a href="https://lytt.example/?a=1&amp;b=&lt;2&gt;/sample/feeds/x.xml"/>'
        b"<u>https://lytt.example/?a=1&amp;b=&lt;2&gt;/static/lytt/sample/x.png</u>"
    )


def test_every_sample_feed_is_served_with_its_urls_on_this_site(client: Client, sample: None) -> None:
    for source in FeedSource.objects.filter(status=FeedSource.Status.BUNDLED):
        name = source.url.rsplit("/", 1)[1].removesuffix(".xml")
        body = _feed(client, name)
        assert b"sample.lytt.invalid" not in body
        feed = parse_feed(body, url=f"{SITE}sample/feeds/{name}.xml")
        assert source.show is not None
        assert feed.title == source.show.title
        assert feed.episodes
        for episode in feed.episodes:
            assert episode.enclosure is not None
            assert episode.enclosure.url.startswith(f"{SITE}sample/audio/")


def test_gpodders_parser_reads_a_served_feed_and_its_audio_plays(client: Client, sample: None) -> None:
    url = f"{SITE}sample/feeds/kodekveld.xml"
    parsed: dict[str, Any] = podcastparser.parse(url, io.BytesIO(_feed(client)))
    assert parsed["title"] == "Kodekveld"
    assert parsed["cover_url"].startswith(f"{SITE}static/lytt/sample/")
    enclosure = parsed["episodes"][0]["enclosures"][0]
    assert enclosure["mime_type"] == "audio/wav"
    audio = client.get(enclosure["url"].removeprefix(SITE[:-1]), HTTP_RANGE="bytes=0-11")
    assert audio.status_code == 206
    assert b"".join(audio.streaming_content)[:4] == b"RIFF"


@override_settings(LYTT_PUBLIC_ROOT="https://lytt.example.org/")
def test_the_public_url_setting_names_the_site(client: Client, sample: None) -> None:
    body = _feed(client).decode()
    assert '<atom:link href="https://lytt.example.org/sample/feeds/kodekveld.xml"' in body
    shows = client.get("/api/v1/shows?limit=100").json()["items"]
    feeds = {s["title"]: s["feed_url"] for s in shows}
    assert feeds["Kodekveld"] == "https://lytt.example.org/sample/feeds/kodekveld.xml"


def test_unknown_or_odd_names_are_404(client: Client) -> None:
    assert client.get("/sample/feeds/nothing.xml").status_code == 404
    assert client.get("/sample/feeds/..%2Fsettings.xml").status_code == 404


def test_apis_and_pages_name_the_served_feed(
    client: Client,
    sample: None,
    signed: Signed,  # noqa: F811 (fixture)
    settings: Any,
) -> None:
    settings.LYTT_API_ANON_PER_MINUTE = 100_000
    url = f"{SITE}sample/feeds/kodekveld.xml"
    show = Show.objects.get(title="Kodekveld")
    found = call(client, "podcasts/byfeedurl", signed(), url=url)[1]["feed"]
    assert (found["id"], found["url"]) == (show.pk, url)
    episodes = call(client, "episodes/byfeedurl", signed(), url=url)[1]["items"]
    assert episodes
    assert all(e["feedUrl"] == url for e in episodes)
    toplist = client.get("/toplist/50.json").json()
    assert url in {p["url"] for p in toplist}
    assert client.get("/api/2/data/podcast.json", {"url": url}).json()["title"] == "Kodekveld"
    page = client.get(f"/podcast/{show.slug}/").content.decode()
    assert f'href="{url}"' in page


def test_an_app_syncing_a_served_sample_feed_follows_its_show(client: Client, sample: None) -> None:
    """gPodder subscribes to the URL it found and syncs that URL and its play actions: they belong to the
    bundled show, and nothing new goes to the catalogue for the crawler."""
    import base64

    from django.contrib.auth.models import User

    from lytt.accounts.models import EpisodeAction, Follow

    user = User.objects.create_user("kari", password="hemmelig-passord")
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"kari:hemmelig-passord").decode()}
    url = f"{SITE}sample/feeds/kodekveld.xml"
    sources = FeedSource.objects.count()
    response = client.post(
        "/api/2/subscriptions/kari/phone.json", data={"add": [url]}, content_type="application/json", **auth
    )
    assert response.status_code == 200
    show = Show.objects.get(title="Kodekveld")
    assert Follow.objects.filter(user=user, show=show).exists()
    assert FeedSource.objects.count() == sources
    episode = show.episodes.order_by("-published_at").first()
    assert episode is not None
    audio = SITE + episode.enclosure_url.removeprefix("https://sample.lytt.invalid/").replace(
        "audio/", "sample/audio/", 1
    )
    action = {"podcast": url, "episode": audio, "action": "play", "timestamp": "2026-12-01T10:00:00",
              "started": 0, "position": 60, "total": 600}  # fmt: skip
    posted = client.post("/api/2/episodes/kari.json", data=[action], content_type="application/json", **auth)
    assert posted.status_code == 200
    assert EpisodeAction.objects.get(user=user).episode_id == episode.pk
    listed = client.get("/api/2/subscriptions/kari/phone.json?since=0", **auth).json()
    assert listed["add"] == [url]  # the app keeps the URL it subscribed to
