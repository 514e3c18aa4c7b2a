"""Search against the real index on SQLite (FTS5) and PostgreSQL (tsvector), via the public interface."""

from __future__ import annotations

import pytest
from django.db import connection

from lytt.catalog.models import Show
from lytt.search import Filters, SearchError, index_show, rebuild, search, suggest
from lytt.search.models import SearchEntry
from lytt.search.ranking import EPISODE_BODY_MAX_CHARS
from lytt.search.signals import on_feed_ingested

from .conftest import category, days_ago, make_episode, make_show

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> dict[str, Show]:
    politics = category("news-politics")  # a subcategory of News
    tech = category("technology")
    python = make_show(
        "Talk Python To Me",
        author="Michael Kennedy",
        language="en-us",
        description_text="A podcast about Python and the people who make it.",
        categories=[tech],
        episode_count=400,
    )
    gardening = make_show(
        "The Garden Hour",
        author="Jane Green",
        language="en",
        description_text="Plants, soil and the occasional python in the greenhouse.",
        categories=[],
    )
    valg = make_show(
        "Valgkamp og politikk",
        author="NRK",
        language="nb",
        description_text="Nyheter om stortingsvalget, partiene og fotballen i pausene.",
        categories=[politics],
        explicit=True,
    )
    make_episode(
        python,
        "Python packaging in 2024",
        description_text="We talk about wheels, pip and uv with the packaging authority.",
        people=["Brett Cannon"],
        published_at=days_ago(3),
    )
    make_episode(python, "Running Django in production", description_text="Deploying web apps.")
    make_episode(
        gardening,
        "Tomatoes and blåbær",
        description_text="Growing berries; <b>bold</b> claims & more",
        published_at=days_ago(400),
    )
    make_episode(valg, "Partilederdebatten", description_text="Debatt før valget om skatt og fotball.")
    rebuild()
    return {"python": python, "gardening": gardening, "valg": valg}


def titles(results: object) -> list[str]:
    return [hit.obj.title for hit in results.hits]  # type: ignore[attr-defined]


def test_title_match_ranks_above_a_mention_in_the_notes(catalogue: dict[str, Show]) -> None:
    results = search("python", kind="shows")
    assert titles(results) == ["Talk Python To Me", "The Garden Hour"]
    assert results.total == 2


def test_episodes_found_by_show_title_person_and_notes(catalogue: dict[str, Show]) -> None:
    assert titles(search("Brett Cannon")) == ["Python packaging in 2024"]
    assert titles(search("wheels pip")) == ["Python packaging in 2024"]
    assert "Running Django in production" in titles(search("talk python"))


def test_shows_found_by_category_name_in_both_languages(catalogue: dict[str, Show]) -> None:
    assert titles(search("teknologi", kind="shows")) == ["Talk Python To Me"]
    assert titles(search("technology", kind="shows")) == ["Talk Python To Me"]
    assert titles(search("politikk", kind="shows")) == ["Valgkamp og politikk"]


def test_highlight_is_escaped_then_marked(catalogue: dict[str, Show]) -> None:
    hit = search("berries").hits[0]
    assert hit.title_html == "Tomatoes and blåbær"
    assert hit.snippet_html == "Growing <mark>berries</mark>; &lt;b&gt;bold&lt;/b&gt; claims &amp; more"
    assert search("python", kind="shows").hits[0].title_html == "Talk <mark>Python</mark> To Me"


def test_only_the_opening_of_long_notes_is_searched_and_the_snippet_reads_the_whole_notes() -> None:
    """The index holds an episode's notes to EPISODE_BODY_MAX_CHARS characters, cut at a word, on both
    backends; the snippet is cut from the whole notes, as the page shows them, so it marks a word past
    the cut when the episode was found by its title."""
    opening = "Sourdough starters and rye. " + "Flour water salt. " * 82
    notes = opening + "Sponsored by Mattresses." + " Links and credits." * 200
    assert len(opening) - len("salt. ") < EPISODE_BODY_MAX_CHARS < len(opening)
    show = make_show("Bread Talk", language="en")
    make_episode(show, "Baking bread", description_text=notes)
    make_episode(show, "Sleep on mattresses", description_text=notes)
    rebuild()
    rye = search("rye")
    assert sorted(titles(rye)) == ["Baking bread", "Sleep on mattresses"]
    assert rye.hits[0].snippet_html.startswith("Sourdough starters and <mark>rye</mark>. Flour")
    assert titles(search("credits")) == []
    assert titles(search("sponsored")) == []
    mattresses = search("mattresses")
    assert titles(mattresses) == ["Sleep on mattresses"]
    snippet = mattresses.hits[0].snippet_html
    assert snippet.startswith("… ")
    assert "Sponsored by <mark>Mattresses</mark>. Links" in snippet


def test_diacritics_are_folded(catalogue: dict[str, Show]) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps diacritics (no unaccent dictionary); see docs/architecture.md")
    assert titles(search("blabær")) == ["Tomatoes and blåbær"]
    assert titles(search("BLÅBÆR")) == ["Tomatoes and blåbær"]


def test_prefix_matching_for_search_as_you_type(catalogue: dict[str, Show]) -> None:
    assert titles(search("packag", prefix=True)) == ["Python packaging in 2024"]
    assert titles(search("packagi", exact=True)) == []  # a whole word is wanted without prefix=True
    # ... but a query that finds nothing as typed is widened, its last word completed from the vocabulary
    assert titles(search("packagi")) == ["Python packaging in 2024"]
    suggestions = suggest("talk pyt")
    assert [s.title for s in suggestions][:1] == ["Talk Python To Me"]
    assert suggestions[0].url == f"/podcast/{catalogue['python'].slug}/"
    assert suggestions[0].title_html == "<mark>Talk</mark> <mark>Python</mark> To Me"
    assert suggest("partiled")[0].title == "Partilederdebatten"


def test_filters(catalogue: dict[str, Show]) -> None:
    assert titles(search("python", kind="shows", filters=Filters(language="en"))) == [
        "Talk Python To Me",
        "The Garden Hour",
    ]
    assert titles(search("python", kind="shows", filters=Filters(language="nb"))) == []
    assert titles(search("python", filters=Filters(show_id=catalogue["gardening"].pk))) == []
    assert titles(search("packaging", filters=Filters(show_id=catalogue["python"].pk))) == [
        "Python packaging in 2024"
    ]
    # A category includes its subcategories: the show is in Politics, a child of News.
    assert titles(search("debatt", filters=Filters(category="news"))) == ["Partilederdebatten"]
    assert titles(search("debatt", filters=Filters(category="technology"))) == []
    assert titles(search("debatt", filters=Filters(exclude_explicit=True))) == []
    assert titles(search("berries", filters=Filters(since=days_ago(30)))) == []
    assert titles(search("berries", filters=Filters(since=days_ago(500), until=days_ago(300)))) == [
        "Tomatoes and blåbær"
    ]


def test_bad_filters_and_paging_are_search_errors(catalogue: dict[str, Show]) -> None:
    with pytest.raises(SearchError, match="unknown category 'nope'") as info:
        search("python", filters=Filters(category="nope"))
    assert info.value.field == "category"
    with pytest.raises(SearchError, match="date range is empty"):
        search("x", filters=Filters(since=days_ago(1), until=days_ago(2)))
    with pytest.raises(SearchError, match="unknown category") as info:
        search("python", filters=Filters(category="news\x00"))  # PostgreSQL cannot even compare it
    with pytest.raises(SearchError, match="not a language tag") as info:
        search("python", filters=Filters(language="en\x00"))
    assert info.value.field == "language"
    with pytest.raises(SearchError, match="no show with id") as info:
        search("python", filters=Filters(show_id=2**63))
    assert info.value.field == "show"
    assert titles(search("python", kind="shows", filters=Filters(language="EN_us"))) == ["Talk Python To Me"]
    with pytest.raises(SearchError, match="limit"):
        search("x", limit=0)
    with pytest.raises(SearchError, match="offset"):
        search("x", offset=-1)


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        "AND",
        "NOT",
        "OR",
        "a OR",
        "(",
        ")",
        "title:x",
        "NEAR(a b)",
        "-",
        '"unclosed',
        "^x",
        "a & b | !c",
    ],
)
def test_syntax_in_user_text_never_raises(catalogue: dict[str, Show], text: str) -> None:
    search(text)
    search(text, prefix=True)
    suggest(text)


def test_exclusion_and_or(catalogue: dict[str, Show]) -> None:
    assert titles(search("python -garden", kind="shows")) == ["Talk Python To Me"]
    assert sorted(titles(search("tomatoes OR partilederdebatten"))) == [
        "Partilederdebatten",
        "Tomatoes and blåbær",
    ]


def test_paging(catalogue: dict[str, Show]) -> None:
    first = search("python", kind="shows", limit=1)
    second = search("python", kind="shows", limit=1, offset=1)
    beyond = search("python", kind="shows", limit=1, offset=5)
    assert titles(first) + titles(second) == ["Talk Python To Me", "The Garden Hour"]
    assert first.has_next
    assert not second.has_next
    assert second.has_previous
    assert beyond.hits == []
    assert beyond.total == 2


def test_recency_and_popularity_order_equal_text_matches() -> None:
    old = make_show("Weekly science", language="en", episode_count=1)
    popular = make_show("Daily science", language="en", featured=True)
    make_episode(old, "Science news", published_at=days_ago(2000))
    make_episode(old, "Science news", published_at=days_ago(1))
    rebuild()
    assert [h.obj.published_at > days_ago(10) for h in search("science news").hits] == [True, False]
    assert titles(search("science", kind="shows")) == [popular.title, old.title]


def test_index_follows_ingest_and_deletes() -> None:
    show = make_show("Kaffepraten", language="nb")
    episode = make_episode(show, "Espresso og ekte kaffe")
    on_feed_ingested(sender=None, show=show, episode_ids=[episode.pk])
    assert titles(search("espresso")) == ["Espresso og ekte kaffe"]
    episode.delete()
    assert titles(search("espresso")) == []
    Show.objects.filter(pk=show.pk).update(hidden=True)
    index_show(show.pk)
    assert titles(search("kaffepraten", kind="shows")) == []
    assert not SearchEntry.objects.filter(show_id=show.pk).exists()


def test_show_changes_reach_its_episodes_rows() -> None:
    show = make_show("Old name", language="en")
    episode = make_episode(show, "Pilot")
    index_show(show.pk)
    Show.objects.filter(pk=show.pk).update(title="Brand new name")
    index_show(show.pk, episode_ids=[])  # ingest saw no episode change, but the show title changed
    assert titles(search("brand new name")) == ["Pilot"]
    assert episode.pk == search("brand").hits[0].id


@pytest.mark.postgres_only
def test_postgres_stems_english_and_norwegian(catalogue: dict[str, Show]) -> None:
    assert connection.vendor == "postgresql"
    assert "Running Django in production" in titles(search("runs django"))
    # "fotballen" (the football) is stemmed with the Norwegian configuration.
    assert titles(search("fotball", kind="shows")) == ["Valgkamp og politikk"]
    assert titles(search("valget", filters=Filters(language="nb"))) == ["Partilederdebatten"]


def test_sqlite_matches_exact_words_and_prefixes_without_stemming(catalogue: dict[str, Show]) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite behaviour; PostgreSQL stems (see the test above)")
    assert titles(search("fotball", kind="shows")) == []
    assert titles(search("fotball", kind="shows", prefix=True)) == ["Valgkamp og politikk"]


def test_only_the_newest_matches_are_ranked_and_the_total_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from lytt.search import engine

    show = make_show("Kveldsmat", language="nb")
    for n in range(4):
        make_episode(show, f"Suppe nummer {n}", published_at=days_ago(10 - n))
    rebuild()
    newest_rows = SearchEntry.objects.filter(kind="episode").order_by("-id").values_list("title", flat=True)
    monkeypatch.setattr(engine, "CANDIDATES", 2)
    results = search("suppe")
    assert results.total == 2
    assert results.total_capped
    assert sorted(titles(results)) == sorted(newest_rows[:2])
    monkeypatch.setattr(engine, "CANDIDATES", 10)
    results = search("suppe")
    assert (results.total, results.total_capped) == (4, False)


def test_a_rare_word_outside_the_newest_rows_is_still_found(monkeypatch: pytest.MonkeyPatch) -> None:
    from lytt.search import engine

    show = make_show("Arkivet", language="nb")
    make_episode(show, "Sjelden ordbruk", published_at=days_ago(900))
    for n in range(5):
        make_episode(show, f"Vanlig episode {n}")
    rebuild()
    monkeypatch.setattr(engine, "CANDIDATES", 2)
    assert titles(search("ordbruk")) == ["Sjelden ordbruk"]


def _restart_index_ids(at: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('search_searchentry', 'id')")
        cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} RESTART WITH {at}")


@pytest.mark.postgres_only
def test_postgres_looks_in_the_newest_window_then_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    from lytt.search import engine, pgplan

    old = make_show("Arkivet", language="nb")
    make_episode(old, "Sjelden ordbruk om suppe", published_at=days_ago(900))
    index_show(old.pk)
    # Far enough above the old row that every window is newer than it (the widest spans 3 × 2**18 ids).
    _restart_index_ids(5_000_000)
    new = make_show("Kveldsmat", language="nb")
    for n in range(4):
        make_episode(new, f"Suppe nummer {n}")
    index_show(new.pk)
    top = max(SearchEntry.objects.values_list("id", flat=True))
    with connection.cursor() as cursor:  # the documents name their windows
        cursor.execute(
            "SELECT title FROM search_searchentry WHERE document @@ %s::tsquery",
            [pgplan.window(top, 1)],
        )
        assert sorted(r[0] for r in cursor.fetchall()) == ["Kveldsmat"] + [
            f"Suppe nummer {n}" for n in range(4)
        ]
    monkeypatch.setattr(engine, "CANDIDATES", 3)
    newest = SearchEntry.objects.filter(kind="episode", title__startswith="Suppe").order_by("-id")
    results = search("suppe")
    assert results.total_capped
    assert sorted(titles(results)) == sorted(e.title for e in newest[:3])
    assert titles(search("ordbruk")) == ["Sjelden ordbruk om suppe"]
    monkeypatch.setattr(engine, "CANDIDATES", 10)
    assert len(search("suppe").hits) == 5  # fewer than wanted in the windows: the whole index
    assert titles(search("arkivet", kind="shows")) == ["Arkivet"]


@pytest.mark.postgres_only
def test_window_markers_in_documents_match_no_user_text() -> None:
    _restart_index_ids(1_000_000)
    show = make_show("Kind words", language="en")
    make_episode(show, "Wonderful things")
    index_show(show.pk)
    for text in ("w12", "w15", "w18", "kind show", "244", "w"):
        assert titles(search(text)) == [], text
    assert titles(search("w", prefix=True)) == ["Wonderful things"]
    assert titles(search("kind", kind="shows")) == ["Kind words"]
    assert titles(search("show", kind="shows")) == []


def test_the_words_show_and_episode_match_text_not_every_row() -> None:
    talk = make_show("The Talk Show", language="en")
    make_episode(talk, "Pilot episode")
    make_episode(talk, "Finale")
    rebuild()
    assert titles(search("show", kind="shows")) == ["The Talk Show"]
    assert "Finale" not in titles(search("episode"))
    assert titles(search("pilot episode")) == ["Pilot episode"]


def test_a_prefix_of_show_or_episode_does_not_match_every_row() -> None:
    talk = make_show("Showtime", language="en")
    make_episode(talk, "Episodic memory")
    make_episode(talk, "Finale")
    rebuild()
    assert titles(search("sho", kind="shows", prefix=True)) == ["Showtime"]
    assert titles(search("epis", prefix=True)) == ["Episodic memory"]
