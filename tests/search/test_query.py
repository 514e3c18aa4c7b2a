"""The query parser and its compilers: user text in, safe backend expressions out."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from lytt.search.query import Term, normalise, parse, to_fts5, widen


def test_words_phrases_negation_and_or() -> None:
    query = parse('python "data science" -java OR rust')
    assert query.groups == (
        (Term(("python",)), Term(("data", "science")), Term(("java",), negated=True)),
        (Term(("rust",)),),
    )


def test_punctuation_and_operators_are_dropped() -> None:
    query = parse('c++ AND (NOT "x*')
    assert [t.words for t in query.terms] == [("c",), ("AND",), ("NOT",), ("x",)]


def test_only_exclusions_is_empty() -> None:
    assert parse("-spam -eggs").is_empty
    assert parse("   ").is_empty
    assert parse("!!! ***").is_empty


def test_prefix_only_on_last_word_while_typing() -> None:
    assert parse("norsk pod", prefix_last=True).terms[-1] == Term(("pod",), prefix=True)
    assert parse("norsk pod ", prefix_last=True).terms[-1] == Term(("pod",))
    assert not parse("norsk pod").terms[-1].prefix


def test_fts5_quotes_every_token() -> None:
    assert to_fts5(parse('a "b c" -d')) == '(("a" AND "b c")) NOT "d"'
    assert to_fts5(parse("pod", prefix_last=True)) == '("pod"*)'
    assert to_fts5(parse("x OR y"), columns=("title",)) == '{title} : (("x") OR ("y"))'
    assert to_fts5(parse("-x")) == ""


def test_normalise_matches_the_sqlite_tokenizer() -> None:
    assert normalise("Blåbær") == "blabær"
    assert normalise("Ørret") == "ørret"
    assert normalise("CAFÉ") == "cafe"


_FTS = sqlite3.connect(":memory:")
_FTS.execute(
    "CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
)
_FTS.execute("INSERT INTO t VALUES ('hello world', 'ærlig talt')")


@given(st.text(max_size=80), st.booleans())
def test_any_user_text_compiles_to_valid_fts5(text: str, prefix: bool) -> None:
    expression = to_fts5(parse(text, prefix_last=prefix))
    if expression:
        _FTS.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchall()
    expression = to_fts5(parse(text), columns=("a",))
    if expression:
        _FTS.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchall()


def test_widen_gives_plain_words_their_alternatives_and_fts5_ors_them() -> None:
    query = parse('kode -java "sample kitchen" fjel')
    wide = widen(query, {"kode": ["kodekveld"], "java": ["javascript"], "fjel": ["fjell", "fjellet"]})
    assert (
        to_fts5(wide)
        == '((("kode" OR "kodekveld") AND "sample kitchen" AND ("fjel" OR "fjell" OR "fjellet"))) NOT "java"'
    )
    assert widen(query, {}) == query
    assert ("kodekveld", False) in wide.positive_words()
    assert query.plain_words() == ["kode", "fjel"]
