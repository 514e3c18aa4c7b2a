"""The spelling vocabulary in the database: kept in step with the index, and looked up by forgiving search.

`add` counts the words of rows the index writes (`lytt.search.index` calls it); `rebuild` recounts them
all (``lytt reindex``). `near` finds the vocabulary words that are the query word with Norwegian letters
folded, with the same stem, or (for the last word) that begin with it; `typos` the words a few edits away:
candidates from the trigram index (FTS5 ``trigram`` on SQLite, pg_trgm on PostgreSQL, migration 0010),
then the exact distance from `lytt.search.spelling.osa_distance`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction

from lytt.catalog.bulk import placeholders
from lytt.search.models import SearchEntry, SpellingWord
from lytt.search.spelling import (
    MIN_PREFIX_LENGTH,
    Known,
    allowed_edits,
    count_words,
    fold,
    stems,
    trigrams,
    typo_matches,
)

# How many vocabulary words one query word may become, per kind of widening.
MAX_NEAR = 8
MAX_COMPLETIONS = 8
MAX_TYPOS = 3
# Trigram candidates checked for their exact edit distance, per query word.
TYPO_CANDIDATES = 200
# pg_trgm similarity below which a word is no candidate: low enough for a four-letter word with one
# letter changed in the middle (two shared trigrams of eight).
PG_SIMILARITY = 0.15
_CHUNK = 200
_COLUMNS = 64


def _truncated(value: str) -> str:
    return value[:_COLUMNS]


def add(counts: Counter[str]) -> None:
    """Add `counts` (word → times indexed) to the vocabulary in one upsert per chunk of words.

    Words go in sorted order, so that two writers (crawl workers on PostgreSQL) lock rows in the same
    order and never deadlock.
    """
    words = sorted(word for word in counts if 2 <= len(word) <= _COLUMNS)
    table = SpellingWord._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(words), _CHUNK):
            chunk = words[start : start + _CHUNK]
            params: list[str | int] = []
            for word in chunk:
                word_stems = stems(word)
                params += [word, _truncated(fold(word)), _truncated(word_stems.norwegian)]
                params += [_truncated(word_stems.english), counts[word]]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (word, fold, stem_nb, stem_en, frequency) VALUES {values} "
                f"ON CONFLICT (word) DO UPDATE SET frequency = {table}.frequency + excluded.frequency",
                params,
            )


def entry_texts(entries: Iterable[tuple[str, str, str, str]]) -> Iterator[str]:
    for title, author, people, categories in entries:
        yield title
        yield author
        yield people
        yield categories


def rebuild() -> int:
    """Recount the vocabulary from every index row's title, author, people and categories (not the show
    notes: their words would make the vocabulary many times larger and its corrections worse). Returns
    the number of distinct words."""
    rows = SearchEntry.objects.values_list("title", "author", "people", "categories").order_by()
    counts = count_words(entry_texts(rows.iterator(chunk_size=5000)))
    with transaction.atomic():
        SpellingWord.objects.all().delete()
        add(counts)
    return len(counts)


@dataclass(slots=True)
class Widened:
    """What each query word may also be: ``near`` (folded letters, stems, completions) and ``typos``."""

    known: set[str] = field(default_factory=set)
    near: dict[str, list[str]] = field(default_factory=dict)
    # A word → its most frequent twin once folded (snofall → snøfall), or once stemmed.
    folded: dict[str, str] = field(default_factory=dict)
    stemmed: dict[str, str] = field(default_factory=dict)
    typos: dict[str, list[str]] = field(default_factory=dict)


def _rows(sql: str, params: list[str | int]) -> list[Known]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Known(str(r[0]), str(r[1]), int(r[2])) for r in cursor.fetchall()]


def near(words: list[str], prefix: str | None) -> Widened:
    """Vocabulary words equal to each query word once folded or stemmed, and completions of `prefix`."""
    result = Widened()
    lowered = list(dict.fromkeys(word.casefold() for word in words))
    folds = {word: fold(word) for word in lowered}
    word_stems = {word: stems(word) for word in lowered}
    marks = placeholders(len(lowered))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT word, fold, stem_nb, stem_en FROM {SpellingWord._meta.db_table} WHERE word IN ({marks}) "
            f"OR fold IN ({marks}) OR stem_nb IN ({marks}) OR stem_en IN ({marks}) "
            "ORDER BY frequency DESC, word",
            [
                *lowered,
                *folds.values(),
                *(s.norwegian for s in word_stems.values()),
                *(s.english for s in word_stems.values()),
            ],
        )
        rows = [(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in cursor.fetchall()]
    for word in lowered:
        alternatives = result.near[word] = []
        for known, known_fold, stem_nb, stem_en in rows:
            if known == word:
                result.known.add(word)
                continue
            same_fold = known_fold == folds[word]
            if same_fold:
                result.folded.setdefault(word, known)
            same_stem = stem_nb == word_stems[word].norwegian or stem_en == word_stems[word].english
            if same_stem:
                result.stemmed.setdefault(word, known)
            if (same_fold or same_stem) and len(alternatives) < MAX_NEAR:
                alternatives.append(known)
    if prefix is not None:
        word = prefix.casefold()
        start = fold(word)
        if len(start) >= MIN_PREFIX_LENGTH:
            alternatives = result.near.setdefault(word, [])
            for completion in _completions(start):
                if completion.word != word and completion.word not in alternatives:
                    alternatives.append(completion.word)
    return result


def _completions(start: str) -> list[Known]:
    """The most frequent vocabulary words whose folded form begins with `start`."""
    table = SpellingWord._meta.db_table
    if connection.vendor == "postgresql":
        escaped = start.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where, params = "fold LIKE %s", [escaped + "%"]
    else:  # a range over the fold index (SQLite's LIKE ignores case and would not use it)
        where, params = "fold >= %s AND fold < %s", [start, start + "\U0010ffff"]
    return _rows(
        f"SELECT word, fold, frequency FROM {table} WHERE {where} ORDER BY frequency DESC, word LIMIT %s",
        [*params, MAX_COMPLETIONS],
    )


def typos(words: list[str]) -> dict[str, list[str]]:
    """For each word long enough to correct, the vocabulary words within its allowed edits (nearest,
    then most frequent, first)."""
    found: dict[str, list[str]] = {}
    for word in dict.fromkeys(w.casefold() for w in words):
        if not allowed_edits(word):
            continue
        matches = typo_matches(word, _typo_candidates(word))
        found[word] = [known.word for _, known in matches[:MAX_TYPOS]]
    return found


def _typo_candidates(word: str) -> list[Known]:
    folded = fold(word)
    limit = allowed_edits(word)
    table = SpellingWord._meta.db_table
    lengths = [len(folded) - limit, len(folded) + limit]
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL pg_trgm.similarity_threshold = {PG_SIMILARITY}")
            cursor.execute(
                f"SELECT word, fold, frequency FROM {table} WHERE fold %% %s "
                "AND length(fold) BETWEEN %s AND %s "
                "ORDER BY similarity(fold, %s) DESC, frequency DESC LIMIT %s",
                [folded, *lengths, folded, TYPO_CANDIDATES],
            )
            return [Known(str(r[0]), str(r[1]), int(r[2])) for r in cursor.fetchall()]
    grams = " OR ".join('"' + gram.replace('"', '""') + '"' for gram in trigrams(word))
    return _rows(
        f"SELECT w.word, w.fold, w.frequency FROM search_spelling_grams g JOIN {table} w ON w.id = g.rowid "
        "WHERE search_spelling_grams MATCH %s AND length(w.fold) BETWEEN %s AND %s "
        "ORDER BY g.rank LIMIT %s",
        [grams, *lengths, TYPO_CANDIDATES],
    )
