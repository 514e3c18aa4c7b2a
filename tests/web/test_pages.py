from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lytt.catalog.models import Category, Episode, Show
from lytt.charts.ranking import recompute_popularity

from .conftest import MakeShow

pytestmark = pytest.mark.django_db


def _get(client: Client, url: str, language: str = "en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_episode_page_has_everything_in_english(client: Client, make_show: MakeShow, news: Category) -> None:
    show = make_show("insight", episodes=12, category=news, title="Insight Myanmar")
    make_show("other", episodes=1, category=news, title="Other Politics Show")
    recompute_popularity()
    html = _get(client, "/podcast/insight/episode-3/")
    assert '<h1 id="episode-title">Episode 3 of insight</h1>' in html
    assert "Insight Myanmar" in html
    assert "3 December 2025" in html
    assert "1h 27min" in html
    assert "<b>markup</b>" in html  # show notes rendered as (already sanitised) HTML
    assert "Episodes (12)" in html
    # newest first, 8 on the page, then "show more"
    titles = re.findall(r'<h3><a href="/podcast/insight/(episode-\d+)/">', html)
    assert titles == [f"episode-{n}" for n in range(12, 4, -1)]
    assert 'href="?page=2#episodes-heading"' in html
    assert "…" in html
    assert "Popular in Politics" in html
    assert "Other Politics Show" in html
    assert 'data-src="https://audio.example/insight/3.mp3"' in html
    assert '<audio controls preload="none" src="https://audio.example/insight/3.mp3"' in html
    assert f'data-episode="{Episode.objects.get(show=show, slug="episode-3").pk}"' in html


def test_episode_page_in_norwegian(client: Client, make_show: MakeShow, news: Category) -> None:
    make_show("insight", episodes=2, category=news)
    make_show("other", episodes=1, category=news)
    recompute_popularity()
    html = _get(client, "/podcast/insight/episode-1/", "nb")
    assert '<html lang="nb">' in html
    assert "1. desember 2025" in html
    assert "1 t 27 min" in html
    assert "Episoder (2)" in html
    assert "Populært innen Politikk" in html
    assert "Spill av" in html or "Hopp til innholdet" in html


def test_episode_page_second_page_and_last_page(client: Client, make_show: MakeShow) -> None:
    make_show("insight", episodes=10)
    html = _get(client, "/podcast/insight/episode-1/?page=2")
    titles = re.findall(r'<h3><a href="/podcast/insight/(episode-\d+)/">', html)
    assert titles == ["episode-2", "episode-1"]
    assert "?page=3" not in html
    assert _get(client, "/podcast/insight/episode-1/?page=banana")  # a bad page number is page 1


def test_episode_page_structured_data_and_social(client: Client, make_show: MakeShow) -> None:
    make_show("insight", episodes=1, title="Insight </script> Myanmar")
    html = _get(client, "/podcast/insight/episode-1/")
    assert '<link rel="canonical" href="http://testserver/podcast/insight/episode-1/">' in html
    assert 'property="og:audio" content="https://audio.example/insight/1.mp3"' in html
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match is not None
    data = json.loads(match.group(1))
    assert data["@type"] == "PodcastEpisode"
    assert data["partOfSeries"]["name"] == "Insight </script> Myanmar"
    assert data["timeRequired"] == "PT1H27M1S"
    assert data["associatedMedia"]["contentUrl"] == "https://audio.example/insight/1.mp3"


def test_timestamp_query_sets_start(client: Client, make_show: MakeShow) -> None:
    make_show("insight", episodes=1)
    html = _get(client, "/podcast/insight/episode-1/?t=1h2m3s")
    assert 'data-start="3723"' in html
    assert 'src="https://audio.example/insight/1.mp3#t=3723"' in html


@pytest.mark.parametrize(("language", "label"), [("nb", "Fortsett fra 20:00"), ("en", "Resume at 20:00")])
def test_signed_in_episode_page_says_where_play_resumes(
    client: Client, make_show: MakeShow, language: str, label: str
) -> None:
    from datetime import UTC, datetime

    from django.contrib.auth import get_user_model

    from lytt.accounts.models import PlayProgress

    show = make_show("insight", episodes=2)
    episode = show.episodes.get(slug="episode-1")
    user = get_user_model().objects.create_user("reader", password="x" * 12)
    when = datetime(2026, 12, 1, 9, 30, 15, 250000, tzinfo=UTC)
    PlayProgress.objects.create(user=user, episode=episode, position=1200, total=5221, timestamp=when)
    assert label not in _get(client, "/podcast/insight/episode-1/", language)  # signed out: unknown
    client.force_login(user)
    html = _get(client, "/podcast/insight/episode-1/", language)
    # Without JavaScript the plain player starts there too (a media fragment), and says so.
    assert 'src="https://audio.example/insight/1.mp3#t=1200"' in html
    assert f'<p class="episode-player__resume">{label}</p>' in html
    assert 'data-known-position="1200" data-known-at="2026-12-01T09:30:15.250Z"' in html
    assert 'data-known-finished="false"' in html
    # A time in the link wins; another episode knows nothing; a finished one starts from the beginning.
    assert label not in _get(client, "/podcast/insight/episode-1/?t=5", language)
    other = _get(client, "/podcast/insight/episode-2/", language)
    assert (
        "data-known-position" not in other.partition('class="episode-player"')[2].partition("</section>")[0]
    )
    PlayProgress.objects.filter(user=user).update(position=5200, finished=True)
    finished = _get(client, "/podcast/insight/episode-1/", language)
    assert "#t=" not in finished
    assert "episode-player__resume" not in finished
    assert 'data-known-finished="true"' in finished


def test_chapters_and_transcripts_are_listed(client: Client, make_show: MakeShow) -> None:
    show = make_show("insight", episodes=1)
    Episode.objects.filter(show=show).update(
        chapters=[{"start_seconds": 0, "title": "Intro"}, {"start_seconds": 754.5, "title": "Defections"}],
        chapters_url="https://example.org/chapters.json",
        transcripts=[{"url": "https://example.org/t.vtt", "type": "text/vtt", "language": "en"}],
    )
    html = _get(client, "/podcast/insight/episode-1/")
    assert (
        '<a class="chapter__seek" data-seek="754.5" href="?t=754"><span class="timestamp">12:34</span> '
        '<span class="chapter__title">Defections</span></a>'
    ) in html
    assert 'href="https://example.org/chapters.json"' in html
    assert 'href="https://example.org/t.vtt"' in html
    # Not fetched yet: no transcript section, and the browser may still try the chapters file itself.
    assert 'class="transcript"' not in html
    assert "follow-along.js" in html


def test_unknown_show_and_episode_are_404(client: Client, make_show: MakeShow) -> None:
    make_show("insight", episodes=1)
    for url in ("/podcast/nope/", "/podcast/insight/nope/", "/podcast/nope/episode-1/", "/category/nope/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert "We could not find that page" in response.content.decode()


def test_show_page(client: Client, make_show: MakeShow, news: Category) -> None:
    make_show("insight", episodes=25, category=news, title="Insight Myanmar", description_text="About it.")
    html = _get(client, "/podcast/insight/")
    assert "<h1>Insight Myanmar</h1>" in html
    assert "Episodes (25)" in html
    assert len(re.findall(r'<h3><a href="/podcast/insight/episode-', html)) == 20
    assert 'href="/category/t-news-politics/">Politics</a>' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert data["@type"] == "PodcastSeries"


def test_home_lists_popular_new_and_featured(client: Client, make_show: MakeShow, news: Category) -> None:
    make_show("insight", episodes=2, category=news, featured=True, title="Insight Myanmar")
    make_show("hidden-show", episodes=2, hidden=True, title="Secret Show")
    recompute_popularity()
    html = _get(client, "/")
    assert "Featured" in html
    assert "Insight Myanmar" in html
    assert "New episodes" in html
    assert "Secret Show" not in html
    assert 'href="/category/t-news/">News</a>' in html


def test_category_pages(client: Client, make_show: MakeShow, news: Category) -> None:
    make_show("insight", episodes=2, category=news, title="Insight Myanmar")
    recompute_popularity()
    parent_html = _get(client, "/category/t-news/", "nb")
    assert "<h1>Nyheter</h1>" in parent_html
    assert 'href="/category/t-news-politics/">Politikk</a>' in parent_html
    assert "Insight Myanmar" in parent_html  # a subcategory's shows count for the parent
    child_html = _get(client, "/category/t-news-politics/")
    assert "Shows in Politics" in child_html
    assert "Insight Myanmar" in child_html
    index = _get(client, "/category/")
    assert 'href="/category/t-news-politics/">Politics</a>' in index


def test_caching_headers_for_anonymous_readers(client: Client, make_show: MakeShow) -> None:
    make_show("insight", episodes=1)
    response = client.get("/podcast/insight/episode-1/")
    assert "public" in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" in response["Vary"]
    etag = response["ETag"]
    again = client.get("/podcast/insight/episode-1/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_caching_is_private_for_signed_in_users(client: Client, make_show: MakeShow) -> None:
    from django.contrib.auth import get_user_model

    make_show("insight", episodes=1)
    user = get_user_model().objects.create_user("reader", password="x" * 12)
    client.force_login(user)
    response = client.get("/podcast/insight/episode-1/")
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_language_switch(client: Client, make_show: MakeShow) -> None:
    make_show("insight", episodes=1)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/podcast/insight/"})
    assert response.status_code == 302
    assert response["Location"] == "/podcast/insight/"
    html = _get(client, "/podcast/insight/", "nb")  # the cookie wins over the browser
    assert '<html lang="en">' in html


def test_robots_and_sitemaps(client: Client, make_show: MakeShow, news: Category) -> None:
    make_show("insight", episodes=2, category=news)
    make_show("hidden-show", episodes=1, hidden=True)
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-episodes.xml" in index
    episodes = client.get("/sitemap-episodes.xml").content.decode()
    assert "http://testserver/podcast/insight/episode-2/" in episodes
    assert "hidden-show" not in episodes
    shows = client.get("/sitemap-shows.xml").content.decode()
    assert "http://testserver/podcast/insight/" in shows


def test_episode_page_query_count_does_not_grow_with_the_lists(
    client: Client, make_show: MakeShow, news: Category
) -> None:
    for n in range(6):
        make_show(f"show-{n}", episodes=12, category=news)
    recompute_popularity()
    with CaptureQueriesContext(connection) as queries:
        _get(client, "/podcast/show-0/episode-1/")
    assert len(queries) <= 8, [q["sql"] for q in queries]
    assert Show.objects.count() == 6


def test_error_page_renders_without_a_request_in_both_languages() -> None:
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Noe gikk galt" in html
    assert "Something went wrong" in html


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Season 2, episode 1"), ("nb", "Sesong 2, episode 1")]
)
def test_a_serial_show_is_told_from_its_first_episode_with_numbers(
    client: Client, make_show: MakeShow, language: str, label: str
) -> None:
    show = make_show("serial", episodes=25, show_type="serial")
    for episode in Episode.objects.filter(show=show):
        episode.episode_number = int(episode.slug.removeprefix("episode-"))
        episode.season = 2
        episode.save()
    html = _get(client, "/podcast/serial/", language)
    titles = re.findall(r'<h3><a href="/podcast/serial/(episode-\d+)/">', html)
    assert titles[:3] == ["episode-1", "episode-2", "episode-3"]
    assert html.index(label) < html.index("/podcast/serial/episode-1/")
    page_two = _get(client, "/podcast/serial/?page=2", language)
    later = re.findall(r'<h3><a href="/podcast/serial/(episode-\d+)/">', page_two)
    assert later
    assert int(later[0].split("-")[1]) > int(titles[-1].split("-")[1])


def test_an_episodic_show_stays_newest_first_without_numbers(client: Client, make_show: MakeShow) -> None:
    show = make_show("weekly", episodes=3)
    Episode.objects.filter(show=show).update(episode_number=7)
    html = _get(client, "/podcast/weekly/")
    assert re.findall(r'<h3><a href="/podcast/weekly/(episode-\d+)/">', html) == [
        "episode-3",
        "episode-2",
        "episode-1",
    ]
    assert "episode-row__number" not in html
