"""Person pages: who they are, every episode across shows newest first with roles, paged, in Bokmål and
English, without JavaScript; episode and show pages link to them; a merged person's address leads on."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lytt.catalog.models import Episode, EpisodePerson, Person, Show, ShowPerson
from lytt.catalog.people_edit import merge_people
from lytt.web.people import EPISODES_PER_PAGE

from .conftest import MakeShow

pytestmark = pytest.mark.django_db


def _page(client: Client, url: str, language: str = "en") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Language"] == language
    return response.content.decode()


@pytest.fixture
def ada(make_show: MakeShow) -> Person:
    person = Person.objects.create(
        name="Ada Lovelace",
        slug="ada-lovelace",
        href="https://ada.example/",
        img="https://img.example/ada.jpg",
    )
    talk, tech = make_show("talk", episodes=3), make_show("tech", episodes=2)
    secret = make_show("secret", episodes=1, hidden=True)
    ShowPerson.objects.create(show=talk, person=person, role="host")
    for episode in Episode.objects.filter(show=talk):
        EpisodePerson.objects.create(episode=episode, person=person, role="host")
    tech_1 = Episode.objects.get(show=tech, slug="episode-1")
    EpisodePerson.objects.create(episode=tech_1, person=person, role="guest")
    EpisodePerson.objects.create(episode=tech_1, person=person, role="producer")
    EpisodePerson.objects.create(episode=Episode.objects.get(show=secret), person=person, role="guest")
    return person


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)


def test_a_person_page_lists_every_episode_across_shows_newest_first_with_roles(
    client: Client, ada: Person
) -> None:
    html = _page(client, "/people/ada-lovelace/")
    assert "<h1>Ada Lovelace</h1>" in html
    assert 'src="https://img.example/ada.jpg"' in html
    assert 'alt="Picture of Ada Lovelace"' in html
    assert 'href="https://ada.example/" rel="nofollow ugc"' in html
    assert _titles(html) == [
        "Episode 3 of talk",
        "Episode 2 of talk",
        "Episode 1 of tech",  # the same date as talk's first, stored later
        "Episode 1 of talk",
    ]
    assert "secret" not in html.lower()  # hidden shows stay hidden
    assert '<p class="episode-row__roles">Guest, Producer</p>' in html
    assert html.count('<p class="episode-row__roles">Host</p>') == 3
    assert '<a href="/podcast/talk/">Talk</a> <span class="muted">Host</span>' in html
    # the lists' own rows: a play link with the episode's data and a mark placeholder
    tech_1 = Episode.objects.get(show__slug="tech", slug="episode-1")
    assert f'data-episode-id="{tech_1.pk}"' in html
    assert f"<!--lytt-mark:{tech_1.pk}-->" in html
    assert 'data-src="https://audio.example/tech/1.mp3"' in html


def test_the_person_page_speaks_bokmal(client: Client, ada: Person) -> None:
    html = _page(client, "/people/ada-lovelace/", "nb")
    assert 'alt="Bilde av Ada Lovelace"' in html
    assert "Mer om Ada Lovelace" in html
    assert '<h2 id="episodes-heading">Episoder</h2>' in html
    assert '<p class="episode-row__roles">Gjest, Produsent</p>' in html


def test_many_episodes_are_paged_without_javascript(client: Client, make_show: MakeShow) -> None:
    person = Person.objects.create(name="Busy Guest", slug="busy-guest")
    make_show("daily", episodes=EPISODES_PER_PAGE + 5)
    for episode in Episode.objects.filter(show__slug="daily"):
        EpisodePerson.objects.create(episode=episode, person=person, role="guest")
    first = _page(client, "/people/busy-guest/")
    assert len(_titles(first)) == EPISODES_PER_PAGE
    assert _titles(first)[0] == f"Episode {EPISODES_PER_PAGE + 5} of daily"
    assert 'rel="next" data-more-into="#episode-list" href="?page=2#episodes-heading"' in first
    assert 'rel="prev"' not in first
    second = _page(client, "/people/busy-guest/?page=2")
    assert _titles(second) == [f"Episode {n} of daily" for n in range(5, 0, -1)]
    assert 'rel="next"' not in second
    assert '<a rel="prev" href="/people/busy-guest/#episodes-heading">Newer episodes</a>' in second
    assert _titles(_page(client, "/people/busy-guest/?page=99")) == []


def test_an_unknown_person_is_404_and_a_merged_one_leads_on(client: Client, ada: Person) -> None:
    assert client.get("/people/nobody/").status_code == 404
    twin = Person.objects.create(name="A. Lovelace", slug="a-lovelace")
    merge_people(ada, [twin])
    response = client.get("/people/a-lovelace/")
    assert response.status_code == 301
    assert response["Location"] == "/people/ada-lovelace/"


def test_episode_and_show_pages_link_their_people(client: Client, ada: Person) -> None:
    guest = Person.objects.create(name="Gus <Guest>", slug="gus-guest")
    episode = Episode.objects.get(show__slug="talk", slug="episode-2")
    EpisodePerson.objects.create(episode=episode, person=guest, role="guest")
    html = _page(client, "/podcast/talk/episode-2/")
    assert '<a href="/people/ada-lovelace/"><img src="https://img.example/ada.jpg"' in html
    assert (
        '<a href="/people/gus-guest/"><span>Gus &lt;Guest&gt;</span></a> <span class="muted">Guest</span>'
        in html
    )
    assert "Programleder" in _page(client, "/podcast/talk/episode-2/", "nb")
    show_html = _page(client, "/podcast/talk/")
    assert 'href="/people/ada-lovelace/"' in show_html
    assert "gus-guest" not in show_html


def test_a_show_page_reads_its_people_once_per_update(client: Client, ada: Person) -> None:
    _page(client, "/podcast/talk/")
    Person.objects.filter(pk=ada.pk).update(name="Renamed")
    assert "Ada Lovelace" in _page(client, "/podcast/talk/")  # cached with the show
    Show.objects.get(slug="talk").save()  # an update (ingest, a merge or split) moves updated_at
    assert "Renamed" in _page(client, "/podcast/talk/")


def test_people_are_in_the_sitemap(client: Client, ada: Person) -> None:
    assert "sitemap-people.xml" in client.get("/sitemap.xml").content.decode()
    assert (
        "<loc>http://testserver/people/ada-lovelace/</loc>"
        in client.get("/sitemap-people.xml").content.decode()
    )
