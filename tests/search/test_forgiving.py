"""Forgiving search on the bundled sample catalogue (real parser, ingest and index), on both backends."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from lytt.search import rebuild, search
from lytt.search.forgiving import corrected_text
from lytt.search.models import SearchEntry, SpellingWord
from lytt.web.sample import load_sample_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(django_capture_on_commit_callbacks: Any) -> None:
    """The sample catalogue, indexed by ingest's own signal (sent once the ingest commits)."""
    with django_capture_on_commit_callbacks(execute=True):
        assert load_sample_catalogue().loaded


def _titles(text: str, kind: str = "episodes", **options: object) -> list[str]:
    return [hit.obj.title for hit in search(text, kind=kind, **options).hits]  # type: ignore[arg-type]


def test_ingest_fills_the_spelling_vocabulary(sample: None) -> None:
    words = set(SpellingWord.objects.values_list("word", flat=True))
    assert {"kodekveld", "myanmar", "snøfall", "fjellvett"} <= words
    snow = SpellingWord.objects.get(word="snøfall")
    assert (snow.fold, snow.frequency >= 1) == ("snofall", True)


@pytest.mark.parametrize(
    ("typed", "kind", "expected", "corrected"),
    [
        ("myanmer", "shows", "Insight Myanmar", "myanmar"),
        ("kodekvel", "shows", "Kodekveld", "kodekveld"),
        ("kode", "shows", "Kodekveld", ""),
        ("fjell", "shows", "Fjellvett (eksempel)", ""),
        ("snofall", "episodes", "Mandag: strømpriser og snøfall", "snøfall"),
        ("stromprisene", "episodes", "Mandag: strømpriser og snøfall", ""),
        ("sampel kitchen", "shows", "The Sample Kitchen", "sample kitchen"),
    ],
)
def test_queries_that_found_nothing_now_find_what_was_meant(
    sample: None, typed: str, kind: str, expected: str, corrected: str
) -> None:
    results = search(typed, kind=kind)  # type: ignore[arg-type]
    assert expected in [hit.obj.title for hit in results.hits][:5]
    if corrected:
        assert results.corrected == corrected


def test_strompriser_stemmed_in_norwegian(sample: None) -> None:
    assert "Mandag: strømpriser og snøfall" in _titles("strømprisene")


def test_exact_matches_rank_above_completions(sample: None) -> None:
    # "fjellvett" matches as typed; "fjell" as typed matches nothing in titles, but its completions do.
    exact = _titles("fjellvett", kind="shows")
    assert exact[0] == "Fjellvett (eksempel)"
    assert search("fjellvett", kind="shows").corrected == ""


@pytest.mark.parametrize("typed", ["myanmer", "kodekvel", "snofall", "sampel"])
def test_exact_searches_as_typed(sample: None, typed: str) -> None:
    assert search(typed, kind="shows", exact=True).total == 0
    assert search(typed, kind="episodes", exact=True).total == 0


def test_corrected_text_replaces_whole_words_only() -> None:
    assert corrected_text("Myanmer podcast", {"myanmer": "myanmar"}) == "myanmar podcast"
    assert corrected_text("myanmerx", {"myanmer": "myanmar"}) == ""
    assert corrected_text("podcast", {}) == ""


def test_reindex_recounts_the_vocabulary(sample: None) -> None:
    SpellingWord.objects.filter(word="kodekveld").update(frequency=999)
    SpellingWord.objects.create(word="stale", fold="stale", stem_nb="stal", stem_en="stale", frequency=1)
    rebuild()
    assert not SpellingWord.objects.filter(word="stale").exists()
    entries = SearchEntry.objects.values_list("title", "author", "people", "categories")
    expected = sum(" ".join(row).casefold().split().count("kodekveld") for row in entries)
    assert SpellingWord.objects.get(word="kodekveld").frequency == expected
    # the typo index followed the rows (SQLite's trigram table through its triggers)
    assert search("kodekvel", kind="shows").corrected == "kodekveld"


def test_migration_0010_counts_the_vocabulary_of_the_rows_there_are(sample: None) -> None:
    migration = importlib.import_module("lytt.search.migrations.0010_spelling_vocabulary")
    SpellingWord.objects.all().delete()
    migration._fill(None, None)
    assert {"myanmar", "kodekveld", "snøfall"} <= set(SpellingWord.objects.values_list("word", flat=True))
