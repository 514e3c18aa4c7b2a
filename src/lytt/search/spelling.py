"""Forgiving search, the pure part: words of the vocabulary, Norwegian letter folding, stems, edit distance.

The catalogue's own words (titles, show names, people, categories) form the spelling vocabulary
(`lytt.search.vocabulary` stores and looks it up). A query word that finds nothing as typed is widened to
vocabulary words that are *near* it (the same word once ø/o, æ/ae, å/aa/a are folded, the same Norwegian
or English stem, or, for the last word, words it begins) and then to words within a few *edits*
(`allowed_edits`): a letter inserted, deleted or changed, or two neighbouring letters swapped (optimal
string alignment distance, `osa_distance`). No Django here.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer

from lytt.search.query import MAX_TERM_LENGTH

# Words shorter than this are never corrected or completed: too many words are one edit from "pod".
MIN_TYPO_LENGTH = 4
MIN_TWO_EDITS_LENGTH = 8
MIN_PREFIX_LENGTH = 3

_WORD = re.compile(r"\w+", re.UNICODE)
_FOLDED_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th"})
_local = threading.local()


def vocabulary_words(text: str) -> list[str]:
    """The words of `text` the vocabulary keeps: case-folded, at least two letters, no bare numbers."""
    return [
        word[:MAX_TERM_LENGTH]
        for word in _WORD.findall(text.casefold())
        if len(word) >= 2 and not word.isdigit() and "_" not in word
    ]


def count_words(texts: Iterable[str]) -> Counter[str]:
    """How often each of `vocabulary_words` occurs in `texts`: every word counted first, then each
    distinct one checked once (a batch of thousands of show rows repeats most of its words)."""
    found: Counter[str] = Counter()
    for text in texts:
        if text:
            found.update(_WORD.findall(text.casefold()))
    counts: Counter[str] = Counter()
    for word, count in found.items():
        if len(word) >= 2 and not word.isdigit() and "_" not in word:
            counts[word[:MAX_TERM_LENGTH]] += count
    return counts


def fold(word: str) -> str:
    """The spelling a keyboard without Norwegian letters gives: ø → o, æ → ae, å and aa → a, accents off.

    ``fold("snøfall") == fold("snofall")``, ``fold("på") == fold("paa") == fold("pa")``.
    """
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLDED_LETTERS)
    return plain.replace("aa", "a")


def _stemmers() -> dict[str, snowballstemmer.Stemmer]:
    """Snowball stemmers keep state while stemming, so each thread has its own."""
    stemmers: dict[str, snowballstemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {
            "norwegian": snowballstemmer.stemmer("norwegian"),
            "english": snowballstemmer.stemmer("english"),
        }
    return stemmers


@dataclass(frozen=True, slots=True)
class Stems:
    norwegian: str
    english: str


def stems(word: str) -> Stems:
    """The word's Norwegian and English Snowball stems (``strømprisene`` and ``strømpriser``: strømpris)."""
    stemmers = _stemmers()
    lowered = word.casefold()
    return Stems(stemmers["norwegian"].stemWord(lowered), stemmers["english"].stemWord(lowered))


def allowed_edits(word: str) -> int:
    """How many edits a query word may be from a vocabulary word: 0 below 4 letters, 1, 2 from 8."""
    if len(word) >= MIN_TWO_EDITS_LENGTH:
        return 2
    return 1 if len(word) >= MIN_TYPO_LENGTH else 0


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance between `a` and `b` (insert, delete, substitute, swap two
    neighbours), or ``limit + 1`` as soon as it is sure to exceed `limit`.

    Only the band of cells within `limit` of the diagonal is computed, so checking a few hundred
    candidates costs little.
    """
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    over = limit + 1
    width = len(b)
    previous2: list[int] = []
    previous = list(range(width + 1))
    for i in range(1, len(a) + 1):
        current = [over] * (width + 1)
        current[0] = i if i <= limit else over
        low, high = max(1, i - limit), min(width, i + limit)
        best = current[0]
        for j in range(low, high + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = min(value, over)
            best = min(best, current[j])
        if best > limit:
            return over
        previous2, previous = previous, current
    return min(previous[width], over)


@dataclass(frozen=True, slots=True)
class Known:
    """A vocabulary word as the lookups return it."""

    word: str
    fold: str
    frequency: int


def typo_matches(word: str, candidates: Iterable[Known]) -> list[tuple[int, Known]]:
    """The candidates within `allowed_edits` of `word` (compared folded), nearest first, then most
    frequent; the word itself (or a folded twin) is not a correction and is left out."""
    limit = allowed_edits(word)
    if not limit:
        return []
    folded = fold(word)
    found = []
    for candidate in candidates:
        distance = osa_distance(folded, candidate.fold, limit)
        if 0 < distance <= limit:
            found.append((distance, candidate))
    found.sort(key=lambda pair: (pair[0], -pair[1].frequency, pair[1].word))
    return found


def trigrams(word: str) -> list[str]:
    """The trigrams of the folded word padded with ``^`` and ``$``, as the SQLite spelling index holds
    them: a word of four letters one edit away still shares at least one with it."""
    padded = "^" + fold(word) + "$"
    return list(dict.fromkeys(padded[i : i + 3] for i in range(len(padded) - 2)))
