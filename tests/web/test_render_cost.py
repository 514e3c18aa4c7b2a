"""What an uncached page costs: queries per page, fragments reused, chrome rendered once per language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from lytt.catalog.models import Category
from lytt.charts.ranking import recompute_popularity
from lytt.web import fragments, queries

from .conftest import MakeShow

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in captured]


@pytest.fixture
def catalogue(make_show: MakeShow, news: Category) -> None:
    for n in range(25):
        make_show(f"show-{n}", episodes=30, category=news)
    recompute_popularity()


@pytest.mark.usefixtures("catalogue")
def test_episode_page_is_two_queries_once_its_shows_fragments_are_cached(client: Client) -> None:
    cold = _queries(client, "/podcast/show-3/episode-2/")
    # episode with its show, its people, the episode list, the charts' version, the category, the popular list
    assert len(cold) <= 6, cold
    warm = _queries(client, "/podcast/show-3/episode-7/")
    assert warm[0] == cold[0].replace("episode-2", "episode-7")
    assert len(warm) == 2
    assert "catalog_episodeperson" in warm[1]


@pytest.mark.usefixtures("catalogue")
def test_show_page_is_one_query_once_its_fragments_are_cached(client: Client) -> None:
    cold = _queries(client, "/podcast/show-4/")
    assert len(cold) <= 8, cold  # 7, and the show's people
    assert len(_queries(client, "/podcast/show-4/")) == 1


@pytest.mark.usefixtures("catalogue")
def test_page_queries_do_not_grow_with_list_lengths(client: Client) -> None:
    short = _queries(client, "/podcast/show-5/episode-1/?page=1")
    long = _queries(client, "/podcast/show-6/")  # 20 episodes and 20 popular shows listed
    assert len(long) <= len(short) + 2  # + the show's categories and feed, which episode pages do not list
    # One per list: popular, trending, new shows, featured, categories; the newest episodes three (the
    # newest shows, their newest episodes' ids, the rows).
    assert len(_queries(client, "/")) <= 8


def test_newest_episodes_look_past_a_batch_of_hidden_shows(make_show: MakeShow) -> None:
    make_show("quiet", episodes=2, start=datetime(2024, 1, 1, tzinfo=UTC))
    make_show("secret", episodes=40, hidden=True, start=datetime(2025, 1, 1, tzinfo=UTC))
    rows = queries.newest_episodes(3)
    assert [(row.show_slug, row.slug) for row in rows] == [("quiet", "episode-2"), ("quiet", "episode-1")]


def test_path_maker_gives_what_reverse_gives() -> None:
    episode_path = fragments.path_maker("web:episode", "a-show_1")
    for slug in ("episode-1", "x", "slug-probe", "a_b-C9"):
        assert episode_path(slug) == reverse("web:episode", args=["a-show_1", slug])


def test_constant_renders_once_per_language() -> None:
    page = Template('{% load i18n lytt_web %}{% constant %}{% translate "Search" %}{% endconstant %}')
    with translation.override("nb"):
        assert page.render(Context()) == "Søk"
    with translation.override("en"):
        assert page.render(Context()) == "Search"
    with translation.override("nb"):
        assert page.render(Context()) == "Søk"


@pytest.mark.parametrize(
    "body",
    [
        "{{ request.path }}",
        "{% if user %}x{% endif %}",
        "{% translate title %}",
        '{% translate "Search" as label %}',
        "{% url 'web:show' show.slug %}",
        "{% static path %}",
    ],
)
def test_constant_refuses_anything_that_can_vary_by_request(body: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        Template("{% load i18n static lytt_web %}{% constant %}" + body + "{% endconstant %}")


def test_route_is_the_url_or_empty_when_there_is_none() -> None:
    page = Template(
        "{% load lytt_web %}{% route 'web:categories' %}|{% route 'nowhere:at-all' as gone %}[{{ gone }}]"
    )
    assert page.render(Context()) == reverse("web:categories") + "|[]"
