"""How PostgreSQL searches are planned (pure): the tsquery text and the windows tried."""

from __future__ import annotations

from lytt.search.pgplan import LexemeStats, combine, estimate, lexemes, title_prefix_lexeme

STATS = LexemeStats({"podcast": 0.4, "run": 0.1, "running": 0.05, "fjord": 0.01}, floor=0.001)


def test_each_word_in_any_spelling_and_every_word_required() -> None:
    # english, norwegian, simple
    groups = [[["'run'", "'running'", "'running'"], ["'podcast'", "'podcast'", "'podcast'"]]]
    assert combine(groups) == "(( 'run' ) | ( 'running' )) & 'podcast'"


def test_a_stop_word_in_one_configuration_constrains_nothing() -> None:
    assert combine([[["", "'the'", "'the'"], ["'podcast'", "'podcast'", "'podcast'"]]]) == "'podcast'"
    # ...unless it is all there is
    assert combine([[["", "'the'", "'the'"]]]) == "'the'"
    assert combine([[["", "", ""]]]) == ""


def test_alternatives_and_exclusions() -> None:
    groups = [[["'a'"]], [["'b'"], ["'c'"]]]
    assert combine(groups, [["'d'", "'e'"]]) == "( ( ( 'a' ) | ( 'b' & 'c' ) ) & !( 'd' ) ) & !( 'e' )"


def test_lexemes_of_a_tsquery_text() -> None:
    assert lexemes("'it''s' & 'fin':* <-> 'x':AB") == [("it's", False), ("fin", True), ("x", False)]


def test_estimates_from_the_statistics() -> None:
    assert estimate([[["'podcast'"]]], STATS) == 0.4
    assert estimate([[["'podcast'"], ["'fjord'"]]], STATS) == 0.4 * 0.01
    assert estimate([[["'run'", "'running'"]]], STATS) == 0.1 + 0.05
    assert estimate([[["'zebra'"]]], STATS) == 0.0005  # below what ANALYZE tracks: rare
    assert estimate([[["'ru':*"]]], STATS) == 0.1 + 0.05
    assert estimate([[["'a' <-> 'podcast'"]]], STATS) == 0.0005  # a phrase is as rare as its rarest word


def test_words_of_one_language_meet_in_its_rows_only() -> None:
    stats = LexemeStats({"fotball": 0.2, "gjeld": 0.1}, floor=0.001, language_share=0.5)
    assert estimate([[["'fotball'"], ["'gjeld'"]]], stats) == 0.2 * 0.1 / 0.5
    common = LexemeStats({"a": 0.3, "b": 0.3}, floor=0.001, language_share=0.1)
    assert estimate([[["'a'"], ["'b'"]]], common) == 0.3  # never likelier than its rarest word


def test_title_prefixes_are_cut_to_the_indexed_length_and_quoted() -> None:
    assert title_prefix_lexeme("pod") == "' t pod'"
    assert title_prefix_lexeme("podcasting") == "' t podcas'"
    assert title_prefix_lexeme("it's") == "' t it''s'"
    assert lexemes(title_prefix_lexeme("blåbær")) == [(" t blåbær", False)]
