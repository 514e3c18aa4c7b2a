"""The search page, through Django's test client with real templates and the real index."""

from __future__ import annotations

import pytest
from django.test import Client

from lytt.search import rebuild

from .conftest import category, days_ago, make_episode, make_show

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed() -> None:
    tech = category("technology")
    show = make_show(
        "Kodekveld", language="nb", author="Ada", categories=[tech], description_text="Om <koding>."
    )
    for n in range(25):
        make_episode(
            show,
            f"Kode episode {n}",
            description_text="Vi snakker om kode & data.",
            published_at=days_ago(n + 1),
        )
    old = make_show("Gamle kodere", language="en")
    make_episode(old, "Kode fra 1999", published_at=days_ago(3000))
    rebuild()


def test_empty_page_is_a_plain_form(client: Client) -> None:
    response = client.get("/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html
    assert 'action="/search/"' in html
    assert "lytt/search.js" in html


def test_results_are_highlighted_escaped_and_paged(client: Client, indexed: None) -> None:
    html = client.get("/search/?q=kode").content.decode()
    assert "26 episodes" in html or "26 episoder" in html
    assert "<mark>Kode</mark> episode 0" in html
    assert "&amp; data" in html
    assert 'rel="next" href="?q=kode&amp;page=2"' in html
    assert "Kodekveld" in html
    page2 = client.get("/search/?q=kode&page=2").content.decode()
    assert 'rel="prev"' in page2
    assert 'rel="next"' not in page2


def test_filters(client: Client, indexed: None) -> None:
    html = client.get(
        "/search/?q=kode&kind=episodes&period=year&language=nb&category=technology"
    ).content.decode()
    assert "25 episode" in html
    assert "Kode fra 1999" not in html
    shows = client.get("/search/?q=ada&kind=shows").content.decode()
    assert "Kodekveld" in shows
    assert "Kode episode" not in shows
    assert client.get("/search/?q=kode&kind=shows&exact=1").content.decode().count("search-hit--show") == 0
    # As typed "kode" names no show; completed, it finds both (exact results would come first).
    completed = client.get("/search/?q=kode&kind=shows").content.decode()
    assert completed.count("search-hit--show") == 2
    assert "<mark>Kodekveld</mark>" in completed


def test_bad_input_never_500(client: Client, indexed: None) -> None:
    for query in [
        '"',
        "*",
        "AND OR NOT",
        "kode&page=-3",
        "x&kind=bogus&period=ages&language=xx",
        "x&page=abc",
    ]:
        assert client.get(f"/search/?q={query}").status_code == 200
    for slug in ("no-such-category", "news%00", "a%20b"):
        response = client.get(f"/search/?q=kode&category={slug}")
        assert response.status_code == 400
        assert "unknown category" in response.content.decode()


def test_no_match_says_so(client: Client, indexed: None) -> None:
    html = client.get("/search/?q=zzzzqqq").content.decode()
    assert "zzzzqqq" in html
    assert "search-empty" in html


def test_page_speaks_bokmal_and_marks_a_capped_total(
    client: Client, indexed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lytt.search import engine

    html = client.get("/search/?q=kode&kind=episodes", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "26 episoder" in html
    assert "Søk i podkaster og episoder" in html
    monkeypatch.setattr(engine, "CANDIDATES", 10)
    english = client.get("/search/?q=kode&kind=episodes", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "10+ episodes" in english
