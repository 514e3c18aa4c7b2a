from __future__ import annotations

import io
import re
import wave
from typing import Any

import pytest
from django.test import Client, override_settings
from tests.api.conftest import signed_headers

from lytt.api.keys import create_key
from lytt.catalog.ingest import ingest_feed
from lytt.catalog.models import Episode, FeedCheck, FeedSource, Show
from lytt.charts.ranking import recompute_popularity
from lytt.crawl.worker import Worker, WorkerConfig
from lytt.feeds import parse_feed
from lytt.web.sample import FEEDS_DIR, load_sample_catalogue, sample_feed_paths

pytestmark = pytest.mark.django_db


def test_sample_loads_into_an_empty_catalogue_only_once() -> None:
    first = load_sample_catalogue()
    assert first.loaded
    assert len(first.shows) == len(sample_feed_paths()) == 7
    assert first.episodes == Episode.objects.count()
    again = load_sample_catalogue()
    assert not again.loaded
    assert "already" in again.reason
    assert Show.objects.count() == 7


def test_sample_does_not_touch_a_catalogue_with_shows() -> None:
    Show.objects.create(slug="mine", title="Mine")
    assert not load_sample_catalogue().loaded
    assert Show.objects.count() == 1


def test_reference_show_matches_the_reference_page() -> None:
    load_sample_catalogue()
    show = Show.objects.get(title="Insight Myanmar")
    assert show.episode_count == 9
    assert show.featured
    assert show.primary_category is not None
    assert show.primary_category.slug == "news-politics"
    great_escape = Episode.objects.get(show=show, episode_number=238)
    assert great_escape.title == "The Great Escape"
    assert great_escape.published_at is not None
    assert great_escape.published_at.date().isoformat() == "2024-05-21"
    assert "Helene Maria Kyed" in great_escape.description_html
    assert len(great_escape.chapters) == 4
    newest = Episode.objects.filter(show=show).order_by("-published_at").first()
    assert newest is not None
    assert (newest.title, newest.duration_seconds // 60) == ("Neither Free Nor Fair", 87)


def test_sample_feeds_are_never_crawled() -> None:
    load_sample_catalogue()
    sources = FeedSource.objects.all()
    assert sources.count() == 7
    assert {s.status for s in sources} == {FeedSource.Status.BUNDLED}
    summary = Worker(WorkerConfig(worker_id="sample-test")).crawl_once(all_feeds=True)
    assert summary.feeds == 0  # even a pass over every feed fetches none of them
    assert not FeedCheck.objects.exists()
    assert not FeedSource.objects.filter(last_checked_at__isnull=False).exists()


def test_sample_media_is_served_by_lytt(client: Client) -> None:
    load_sample_catalogue()
    recompute_popularity()
    episode = Episode.objects.select_related("show").get(show__title="Insight Myanmar", episode_number=238)
    html = client.get(f"/podcast/{episode.show.slug}/{episode.slug}/", HTTP_ACCEPT_LANGUAGE="en").content
    text = html.decode()
    assert "1h 15min" in text
    audio_url = "http://testserver/sample/audio/tone-a/4512.wav"  # 1:15:12, as the page says
    assert f'data-src="{audio_url}"' in text
    assert f'<audio controls preload="none" src="{audio_url}"' in text
    assert 'src="http://testserver/static/lytt/sample/insight-myanmar.png"' in text
    assert 'href="/static/lytt/sample/the-great-escape.vtt"' in text
    assert "sample.lytt.invalid" not in text.split("<body", 1)[1]
    show_page = client.get(f"/podcast/{episode.show.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "sample.lytt.invalid" not in show_page.split("<body", 1)[1]
    feed = f"http://testserver/sample/feeds/{episode.show.slug}.xml"  # served by Lytt (test_sample_feeds)
    assert f'"webFeed":"{feed}"' in show_page
    head = client.head("/sample/audio/tone-a/4512.wav")
    assert head.status_code == 200
    assert head["Content-Type"] == "audio/wav"
    assert int(head["Content-Length"]) == 44 + 8000 * 4512


def test_every_sample_enclosure_is_what_lytt_serves(client: Client) -> None:
    """The stored URL, length and type of each sample episode match the served file, whose header gives
    the feed's duration."""
    load_sample_catalogue()
    episodes = list(Episode.objects.all())
    assert len(episodes) == 27
    for episode in episodes:
        assert episode.enclosure_url.startswith("https://sample.lytt.invalid/audio/"), episode.title
        path = "/sample/audio/" + episode.enclosure_url.removeprefix("https://sample.lytt.invalid/audio/")
        head = client.head(path)
        assert head.status_code == 200, path
        assert int(head["Content-Length"]) == episode.enclosure_length, episode.title
        assert head["Content-Type"] == episode.enclosure_type == "audio/wav"
        header = _body(client.get(path, HTTP_RANGE="bytes=0-43"))
        with wave.open(io.BytesIO(header)) as reader:
            assert reader.getnframes() / reader.getframerate() == episode.duration_seconds, episode.title


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


def test_sample_audio_answers_ranges(client: Client) -> None:
    size = 44 + 8000 * 5232  # "Neither Free Nor Fair", 1:27:12
    url = "/sample/audio/tone-a/5232.wav"
    start = client.get(url, HTTP_RANGE="bytes=0-")
    assert start.status_code == 206
    assert start["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    assert start["Content-Length"] == str(size)
    assert start["Accept-Ranges"] == "bytes"
    assert start.streaming  # a whole hour is streamed, never built in memory
    tail = client.get(url, HTTP_RANGE="bytes=-100")
    assert (tail.status_code, tail["Content-Range"]) == (206, f"bytes {size - 100}-{size - 1}/{size}")
    assert len(_body(tail)) == 100
    middle = client.get(url, HTTP_RANGE="bytes=40-47")
    assert _body(middle) == (8000 * 5232).to_bytes(4, "little") + bytes([0x80]) * 4  # data size, silence
    beyond = client.get(url, HTTP_RANGE=f"bytes={size}-")
    assert (beyond.status_code, beyond["Content-Range"], _body(beyond)) == (416, f"bytes */{size}", b"")
    head = client.head(url, HTTP_RANGE="bytes=100-199")
    assert (head.status_code, head["Content-Length"], head.content) == (206, "100", b"")
    etag = start["ETag"]
    assert client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag).status_code == 206
    assert client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"').status_code == 200
    assert client.get(url, HTTP_RANGE="bytes=0-9,20-29").status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.post(url).status_code == 405


@pytest.mark.parametrize(
    "path", ["/sample/audio/tone-z/60.wav", "/sample/audio/tone-a/0.wav", "/sample/audio/tone-a/99999.wav"]
)
def test_sample_audio_lytt_does_not_make_is_not_found(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_apis_give_the_absolute_playable_url(client: Client) -> None:
    load_sample_catalogue()
    episode = Episode.objects.select_related("show").get(show__title="Insight Myanmar", episode_number=238)
    url = "http://testserver/sample/audio/tone-a/4512.wav"
    v1 = client.get(f"/api/v1/episodes/{episode.pk}").json()
    assert (v1["enclosure_url"], v1["enclosure_length"]) == (url, 44 + 8000 * 4512)
    assert v1["image_url"] == ""  # the episode has no artwork of its own
    assert v1["transcripts"][0]["url"] == "http://testserver/static/lytt/sample/the-great-escape.vtt"
    show = client.get(f"/api/v1/shows/{episode.show_id}").json()
    assert show["image_url"] == "http://testserver/static/lytt/sample/insight-myanmar.png"
    key, secret = create_key("sample test")
    headers = signed_headers(key.key, secret)
    byfeed = client.get(f"/api/1.0/episodes/byfeedid?id={episode.show_id}&max=20", **headers).json()
    pi = next(item for item in byfeed["items"] if item["id"] == episode.pk)
    assert (pi["enclosureUrl"], pi["enclosureLength"], pi["duration"]) == (url, 44 + 8000 * 4512, 4512)
    assert pi["feedImage"] == "http://testserver/static/lytt/sample/insight-myanmar.png"
    found = client.get(f"/api/1.0/episodes/byfeedid?id={episode.show_id}&enclosure={url}", **headers).json()
    assert [item["id"] for item in found["items"]] == [episode.pk]
    feed = FeedSource.objects.get(show=episode.show).url
    gpodder = client.get("/api/2/data/episode.json", {"podcast": feed, "url": url}).json()
    assert gpodder["url"] == url
    assert (
        "sample.lytt.invalid/audio"
        not in client.get(f"/api/v1/shows/{episode.show_id}/episodes").content.decode()
    )


@override_settings(LYTT_PUBLIC_ROOT="https://lytt.example.org/")
def test_the_public_url_names_the_host_of_sample_media(client: Client) -> None:
    load_sample_catalogue()
    episode = Episode.objects.get(show__title="Insight Myanmar", episode_number=238)
    v1 = client.get(f"/api/v1/episodes/{episode.pk}", HTTP_HOST="10.0.0.5:8000").json()
    assert v1["enclosure_url"] == "https://lytt.example.org/sample/audio/tone-a/4512.wav"


OLD_ENCLOSURE = '<enclosure url="https://sample.lytt.invalid/tone-a.wav" length="160044" type="audio/wav"/>'


def test_sample_shows_from_an_older_version_get_this_versions_media() -> None:
    """Before sample audio was generated, the feeds named a 20-second file; `lytt serve` on such a
    catalogue re-reads the bundled feeds, so the old URLs and lengths are replaced."""
    path = FEEDS_DIR / "kodekveld.xml"
    old = re.sub(r"<enclosure [^>]+/>", OLD_ENCLOSURE, path.read_text())
    source = FeedSource.objects.create(url="https://sample.lytt.invalid/feeds/kodekveld.xml")
    ingest_feed(source, parse_feed(old.encode(), url=source.url))
    assert set(Episode.objects.values_list("enclosure_url", flat=True)) == {
        "https://sample.lytt.invalid/tone-a.wav"
    }
    result = load_sample_catalogue()
    assert (result.loaded, result.refreshed) == (False, 1)
    assert Show.objects.count() == 1
    for episode in Episode.objects.all():
        assert episode.enclosure_url.endswith(f"/{episode.duration_seconds}.wav")
        assert episode.enclosure_length == 44 + 8000 * episode.duration_seconds
    assert FeedSource.objects.get().status == FeedSource.Status.BUNDLED
    Show.objects.all().delete()
    Show.objects.create(slug="mine", title="Mine")
    assert load_sample_catalogue().refreshed == 0  # a deleted sample show is not brought back
    assert list(Show.objects.values_list("slug", flat=True)) == ["mine"]
