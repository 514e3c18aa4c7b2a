"""People on the search page: names that hold the query's words (as typed or as corrected), linked to
their pages; hidden shows' people stay out."""

from __future__ import annotations

import pytest
from django.test import Client

from lytt.catalog.models import Person
from lytt.search import rebuild
from lytt.search.people import matching_people

from .conftest import make_episode, make_show

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> None:
    show = make_show("Kodekveld", language="nb", people=["Ada Lovelace"])
    make_episode(show, "Om maskiner", people=["Charles Babbage"])
    make_episode(show, "Om kode", people=["Ada Lovelace", "Grace Hopper"])
    secret = make_show("Hemmelig", hidden=True)
    make_episode(secret, "Bak lukkede dører", people=["Hidden Hopper"])
    rebuild()


def _names(people: list[Person]) -> list[str]:
    return [p.name for p in people]


@pytest.mark.usefixtures("catalogue")
def test_every_word_must_be_in_the_name() -> None:
    assert _names(matching_people("lovelace")) == ["Ada Lovelace"]
    assert _names(matching_people("ADA love")) == ["Ada Lovelace"]
    assert _names(matching_people("ada babbage")) == []
    assert _names(matching_people("hopper")) == ["Grace Hopper"]  # not the hidden show's
    assert _names(matching_people("hopper -grace")) == ["Grace Hopper"]  # exclusions are not names
    assert matching_people("") == []
    assert matching_people("-ada") == []


@pytest.mark.usefixtures("catalogue")
def test_the_search_page_links_matching_people(client: Client) -> None:
    html = client.get("/search/?q=babbage", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<h2 id="search-people-heading">People</h2>' in html
    assert '<a href="/people/charles-babbage/"><span>Charles Babbage</span></a>' in html
    nb = client.get("/search/?q=babbage", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert '<h2 id="search-people-heading">Personer</h2>' in nb
    assert client.get("/people/charles-babbage/").status_code == 200
    only_episodes = client.get("/search/?q=babbage&kind=episodes").content.decode()
    assert "search-people-heading" not in only_episodes


@pytest.mark.usefixtures("catalogue")
def test_a_misspelled_name_finds_the_person_through_forgiving_search(client: Client) -> None:
    html = client.get("/search/?q=lovelase", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Showing results for <strong>lovelace</strong>" in html
    assert 'href="/people/ada-lovelace/"' in html
    exact = client.get("/search/?q=lovelase&exact=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "/people/ada-lovelace/" not in exact
