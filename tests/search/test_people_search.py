"""People on the search page: people of the shows and episodes found whose names hold the query's words
(as typed or as corrected, Norwegian letters folded), linked to their pages; hidden shows' stay out."""

from __future__ import annotations

import pytest
from django.test import Client

from lytt.search import SearchResults, rebuild, search
from lytt.search.people import people_in_results

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


def _found(text: str) -> list[str]:
    results: list[SearchResults | None] = [search(text, kind="shows"), search(text, kind="episodes")]
    return [person.name for person in people_in_results(text, results)]


@pytest.mark.usefixtures("catalogue")
def test_every_word_must_be_in_the_name_of_someone_found() -> None:
    assert _found("lovelace") == ["Ada Lovelace"]
    assert _found("ADA love") == ["Ada Lovelace"]  # the last word completes, and is part of the name
    assert _found("ada lovelace") == ["Ada Lovelace"]
    assert _found("hopper") == ["Grace Hopper"]  # not the hidden show's
    assert _found("kode") == []  # found, but no one is named so
    assert _found("hopper -babbage") == ["Grace Hopper"]  # exclusions are not names
    assert _found("kode hopper") == []  # every word must be in the name
    assert people_in_results("", []) == []


@pytest.mark.usefixtures("catalogue")
def test_names_match_with_norwegian_letters_folded() -> None:
    make_episode(make_show("Fjelltur"), "Over fjellet", people=["Bjørn Ås"])
    rebuild()
    results: list[SearchResults | None] = [search("bjørn", kind="episodes")]
    assert [p.name for p in people_in_results("bjorn as", results)] == ["Bjørn Ås"]


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
