"""The pure part of forgiving search: folding, stems, edit distance (against a plain reference), trigrams."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lytt.search.spelling import (
    Known,
    allowed_edits,
    count_words,
    fold,
    osa_distance,
    stems,
    trigrams,
    typo_matches,
    vocabulary_words,
)


def reference_osa(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook full table (Damerau's transposition, restricted)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_one_edit_of_each_kind() -> None:
    assert osa_distance("sample", "sampel", 2) == 1  # neighbours swapped
    assert osa_distance("myanmar", "myanmer", 2) == 1  # changed
    assert osa_distance("kodekveld", "kodekvel", 2) == 1  # deleted
    assert osa_distance("fjell", "fjjell", 2) == 1  # inserted
    assert osa_distance("podcast", "podcast", 2) == 0


def test_distance_beyond_the_limit_is_limit_plus_one() -> None:
    assert osa_distance("abcdef", "uvwxyz", 2) == 3
    assert osa_distance("kort", "kortere", 1) == 2
    assert osa_distance("", "abc", 1) == 2


@settings(max_examples=400)
@given(st.text(alphabet="abcdeø", max_size=9), st.text(alphabet="abcdeø", max_size=9), st.integers(0, 3))
def test_bounded_distance_agrees_with_the_reference(a: str, b: str, limit: int) -> None:
    assert osa_distance(a, b, limit) == min(reference_osa(a, b), limit + 1)


@given(st.text(alphabet="abcdefgh", min_size=2, max_size=10), st.data())
def test_a_swap_of_neighbours_is_one_edit(word: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(word) - 2))
    swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    assert osa_distance(word, swapped, 2) == (0 if swapped == word else 1)


def test_norwegian_letters_fold_to_what_a_foreign_keyboard_types() -> None:
    assert fold("Snøfall") == fold("snofall") == "snofall"
    assert fold("Ærlig") == fold("aerlig") == "aerlig"
    assert fold("på") == fold("paa") == fold("pa") == "pa"
    assert fold("Blåbær") == fold("blabaer") == fold("blaabaer")
    assert fold("café") == "cafe"


def test_norwegian_and_english_stems() -> None:
    assert stems("strømprisene").norwegian == stems("strømpriser").norwegian
    assert stems("fjellet").norwegian == stems("fjell").norwegian
    assert stems("running").english == stems("runs").english == "run"


def test_edits_allowed_grow_with_the_word() -> None:
    assert [allowed_edits(w) for w in ("pod", "fjel", "myanmer", "kodekvel")] == [0, 1, 1, 2]


def test_typo_matches_are_nearest_then_most_frequent() -> None:
    candidates = [
        Known("myanmar", "myanmar", 5),
        Known("mayhem", "mayhem", 50),
        Known("myanmars", "myanmars", 1),
        Known("myanmer", "myanmer", 9),  # the word itself is no correction
    ]
    assert [k.word for _, k in typo_matches("myanmer", candidates)] == ["myanmar"]
    found = typo_matches("snofal", [Known("snøfall", "snofall", 1), Known("snøball", "snoball", 3)])
    assert [(d, k.word) for d, k in found] == [(1, "snøfall")]
    assert typo_matches("pod", [Known("pad", "pad", 1)]) == []


def test_trigrams_are_padded_so_short_words_share_one() -> None:
    assert trigrams("fjel") == ["^fj", "fje", "jel", "el$"]
    assert set(trigrams("fjal")) & set(trigrams("fjel"))


def test_vocabulary_words() -> None:
    assert vocabulary_words("Mandag: Strømpriser og snøfall, 2024 x") == [
        "mandag",
        "strømpriser",
        "og",
        "snøfall",
    ]
    assert count_words(["Kode kode", "", "kode fjell"]) == {"kode": 3, "fjell": 1}


@given(st.lists(st.text(max_size=60), max_size=8))
def test_word_counts_are_the_words_each_text_keeps(texts: list[str]) -> None:
    from collections import Counter

    expected: Counter[str] = Counter()
    for text in texts:
        expected.update(vocabulary_words(text))
    assert count_words(texts) == expected
