from __future__ import annotations

import pytest
from django.test import Client

from lytt.catalog.models import Episode, FeedSource, Show
from lytt.charts.ranking import recompute_popularity
from lytt.web.sample import load_sample_catalogue, sample_feed_paths

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
    assert {s.status for s in sources} == {FeedSource.Status.RETIRED}


def test_sample_media_is_served_by_lytt(client: Client) -> None:
    load_sample_catalogue()
    recompute_popularity()
    episode = Episode.objects.select_related("show").get(show__title="Insight Myanmar", episode_number=238)
    html = client.get(f"/podcast/{episode.show.slug}/{episode.slug}/", HTTP_ACCEPT_LANGUAGE="en").content
    text = html.decode()
    assert 'data-src="http://testserver/static/lytt/sample/tone-a.wav"' in text
    assert 'src="http://testserver/static/lytt/sample/insight-myanmar.png"' in text
    assert 'href="/static/lytt/sample/the-great-escape.vtt"' in text
    assert "sample.lytt.invalid" not in text.split("<body", 1)[1]
    show_page = client.get(f"/podcast/{episode.show.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "sample.lytt.invalid" not in show_page.split("<body", 1)[1]
    assert "webFeed" not in show_page  # the bundled feeds are not on the web
    audio = client.get("/static/lytt/sample/tone-a.wav")
    assert audio.status_code == 200
    assert audio["Content-Type"] in {"audio/wav", "audio/x-wav"}
