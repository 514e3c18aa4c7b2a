"""Category pages list every show with sort and page links (no JavaScript needed), in Bokmål and English;
the home page lists new and trending shows."""

from __future__ import annotations

import html as html_lib
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache.backends import locmem
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lytt.catalog.models import Category, Episode, Show
from lytt.charts.models import PlayCount
from lytt.charts.ranking import recompute_popularity
from lytt.web import browse, fragments

from .conftest import MakeShow

pytestmark = pytest.mark.django_db


def _get(client: Client, url: str, language: str = "en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _grid_titles(page: str) -> list[str]:
    grid = page.split('<ul class="show-grid">', 1)[1].split("</ul>", 1)[0]
    return [html_lib.unescape(t) for t in re.findall(r'<span class="title">([^<]*)</span>', grid)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return html_lib.unescape(found.group(1)) if found else None


@pytest.fixture
def many(make_show: MakeShow, news: Category, monkeypatch: pytest.MonkeyPatch) -> list[Show]:
    monkeypatch.setattr(browse, "PER_PAGE", 4)
    titles = ["Åpen post", "Zebra", "Ærlig talt", "Østlandet", "Bølger", "Alfa", "Kode"]
    return [make_show(f"show-{n}", episodes=n + 1, category=news, title=t) for n, t in enumerate(titles)]


def test_sorted_a_to_aa_and_paged_with_links_in_norwegian(client: Client, many: list[Show]) -> None:
    page = _get(client, "/category/t-news-politics/?sort=az", "nb")
    assert "Podkaster i Politikk" in page
    assert 'aria-current="true" class="is-current">A–Å</a>' in page
    assert ">Populære</a>" in page
    assert ">Nyeste episode</a>" in page
    assert _grid_titles(page) == ["Alfa", "Bølger", "Kode", "Zebra"]
    assert _link(page, "prev") is None
    next_url = _link(page, "next")
    assert next_url is not None
    assert next_url.startswith("?sort=az&after=")
    second = _get(client, "/category/t-news-politics/" + next_url, "nb")
    assert _grid_titles(second) == ["Ærlig talt", "Østlandet", "Åpen post"]
    assert _link(second, "next") is None
    assert "Forrige side" in second
    back = _get(client, "/category/t-news-politics/" + (_link(second, "prev") or ""), "nb")
    assert _grid_titles(back) == ["Alfa", "Bølger", "Kode", "Zebra"]


def test_newest_episode_and_popular_orders_in_english(client: Client, many: list[Show]) -> None:
    newest = _get(client, "/category/t-news-politics/?sort=newest")
    assert "Shows in Politics" in newest
    assert ">Newest episode</a>" in newest
    assert ">A–Z</a>" in newest
    assert _grid_titles(newest) == ["Kode", "Alfa", "Bølger", "Østlandet"]  # most episodes: newest date
    today = timezone.now().date()
    zebra = Episode.objects.filter(show__title="Zebra").first()
    assert zebra is not None
    PlayCount.objects.create(episode=zebra, show=zebra.show, day=today, count=40)
    recompute_popularity()
    popular = _get(client, "/category/t-news-politics/")  # popular is the default
    assert _grid_titles(popular)[:2] == ["Zebra", "Kode"]  # played first, then by newest episode


def test_category_page_lists_newest_episodes_with_play_buttons(client: Client, many: list[Show]) -> None:
    page = _get(client, "/category/t-news/")  # the parent lists its subcategory's shows and episodes
    assert len(_grid_titles(page)) == 4
    section = page.split('id="category-newest-heading"', 1)[1]
    assert 'class="play-button"' in section
    assert "<!--lytt-mark:" in section


def test_a_bad_page_position_starts_over(client: Client, many: list[Show]) -> None:
    page = _get(client, "/category/t-news-politics/?sort=az&after=nonsense~x")
    assert _grid_titles(page) == ["Alfa", "Bølger", "Kode", "Zebra"]


def test_empty_category_says_so(client: Client, news: Category) -> None:
    page = _get(client, "/category/t-news-politics/", "nb")
    assert "Ingen podkaster i denne kategorien ennå." in page
    assert 'rel="next"' not in page


def test_home_lists_new_and_trending_shows(client: Client, make_show: MakeShow) -> None:
    old = make_show("old-show", episodes=2, title="Gammel")
    Show.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=90))
    fresh = make_show("fresh-show", episodes=2, title="Fersk")
    make_show("empty-show", episodes=0, title="Tom")  # no episode yet: not listed as new
    episode = Episode.objects.filter(show=old).first()
    assert episode is not None
    today = timezone.now().date()
    PlayCount.objects.create(episode=episode, show=old, day=today, count=12)
    PlayCount.objects.create(episode=episode, show=old, day=today - timedelta(days=20), count=1)
    recompute_popularity()
    page = _get(client, "/", "nb")
    trending = page.split('id="trending-heading">På vei opp</h2>', 1)[1].split("</section>", 1)[0]
    assert "Gammel" in trending
    assert "Fersk" not in trending
    new = page.split('id="new-shows-heading">Nye podkaster</h2>', 1)[1].split("</section>", 1)[0]
    assert "Fersk" in new
    assert "Gammel" not in new
    assert "Tom" not in new
    english = _get(client, "/")
    assert ">Trending</h2>" in english
    assert ">New shows</h2>" in english
    assert Show.objects.get(pk=fresh.pk).popularity > 0  # the charts wrote every visible show's order


def test_home_has_no_trending_section_without_rising_shows(client: Client, make_show: MakeShow) -> None:
    make_show("quiet", episodes=1)
    recompute_popularity(datetime(2026, 1, 1, tzinfo=UTC))
    assert 'id="trending-heading"' not in _get(client, "/")


def _section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0] if heading_id in page else ""


class _Clock:
    """The clock the in-memory cache expires entries by, moved forward by the test."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def time(self) -> float:
        return time.time() + self.ahead


def test_home_new_and_trending_lists_are_cached_until_they_expire(
    client: Client, make_show: MakeShow, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _Clock()
    monkeypatch.setattr(locmem, "time", clock)
    first = make_show("first-show", episodes=2, title="Første")
    PlayCount.objects.create(
        episode=Episode.objects.filter(show=first).first(), show=first, day=timezone.now().date(), count=9
    )
    recompute_popularity()
    page = _get(client, "/", "nb")
    assert "Første" in _section(page, "trending-heading")
    assert "Første" in _section(page, "new-shows-heading")
    with CaptureQueriesContext(connection) as again:
        _get(client, "/", "nb")
    tables = " ".join(q["sql"] for q in again)
    assert "charts_trendingshow" not in tables  # both lists came from the fragment cache
    assert '"created_at" >=' not in tables

    second = make_show("second-show", episodes=2, title="Andre")
    PlayCount.objects.create(
        episode=Episode.objects.filter(show=second).first(), show=second, day=timezone.now().date(), count=30
    )
    recompute_popularity()
    page = _get(client, "/", "nb")
    assert "Andre" not in _section(page, "new-shows-heading")  # still the cached lists
    assert "Andre" not in _section(page, "trending-heading")
    clock.ahead = fragments.FRAGMENT_SECONDS + 1
    page = _get(client, "/", "nb")
    assert "Andre" in _section(page, "new-shows-heading")
    assert "Andre" in _section(page, "trending-heading")  # a new charts version, a new key
