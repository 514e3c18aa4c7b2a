"""Parse user search text into a small, safe query tree and compile it for each backend.

User text is never handed to FTS5 or to PostgreSQL's parsers as is: `parse` keeps only word tokens
(Unicode ``\\w+``), double-quoted phrases, a leading ``-`` for exclusion and the keyword ``OR``; everything
else is dropped. The compilers then quote every token, so no input can produce a syntax error (FTS5 raises
on a stray ``"`` or ``*``; ``to_tsquery`` raises on ``&|!``). Pure functions, no Django.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_TERMS = 16
MAX_TERM_LENGTH = 64

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)', re.UNICODE)


@dataclass(frozen=True, slots=True)
class Term:
    """One clause: a word (``words`` has one item) or a phrase; ``prefix`` only on a single word.

    ``alternatives`` are other words a single word may match instead (forgiving search: folded letters,
    stems, completions, corrections; see `widen`).
    """

    words: tuple[str, ...]
    negated: bool = False
    prefix: bool = False
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    """Alternatives (joined by OR), each a conjunction of terms."""

    groups: tuple[tuple[Term, ...], ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        """True when nothing positive is left to match (all words dropped, or only exclusions)."""
        return not any(any(not t.negated for t in g) for g in self.groups)

    @property
    def terms(self) -> list[Term]:
        return [t for g in self.groups for t in g]

    def positive_words(self) -> list[tuple[str, bool]]:
        """(word, is_prefix) pairs of every non-negated word, for highlighting."""
        out: list[tuple[str, bool]] = []
        for term in self.terms:
            if term.negated:
                continue
            out.extend((w, term.prefix) for w in term.words)
            out.extend((w, False) for w in term.alternatives)
        return out

    def plain_words(self) -> list[str]:
        """The single words a forgiving search may widen: not phrases, prefixes or exclusions."""
        return [t.words[0] for t in self.terms if len(t.words) == 1 and not t.negated and not t.prefix]


def widen(query: Query, alternatives: dict[str, list[str]]) -> Query:
    """`query` with each plain single word (case-folded) also matching its `alternatives`, if any."""
    groups = []
    for group in query.groups:
        terms = []
        for term in group:
            extra = alternatives.get(term.words[0].casefold(), []) if len(term.words) == 1 else []
            if extra and not term.negated and not term.prefix:
                term = Term(term.words, alternatives=tuple(dict.fromkeys(extra)))
            terms.append(term)
        groups.append(tuple(terms))
    return Query(tuple(groups))


def normalise(word: str) -> str:
    """Case-fold and strip combining diacritics, as FTS5's ``unicode61 remove_diacritics 2`` does.

    Like the tokenizer, letters that are not a base letter plus a diacritic (æ, ø, ß) stay as they are.
    """
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> list[str]:
    return [w[:MAX_TERM_LENGTH] for w in _WORD.findall(text) if w.strip("_")]


def parse(text: str, *, prefix_last: bool = False) -> Query:
    """Parse user text. ``prefix_last`` makes the last word a prefix (search as you type)."""
    groups: list[list[Term]] = [[]]
    count = 0
    for match in _TOKEN.finditer(text or ""):
        if count >= MAX_TERMS:
            break
        phrase_neg, phrase, word_neg, raw = match.groups()
        if phrase is not None:
            words = _words(phrase)
            if words:
                groups[-1].append(Term(tuple(words), negated=bool(phrase_neg)))
                count += 1
            continue
        if raw == "OR" and not word_neg:
            if groups[-1]:
                groups.append([])
            continue
        # A token like "don't" or "e-mail" becomes its words; only a leading '-' excludes.
        for word in _words(raw):
            groups[-1].append(Term((word,), negated=bool(word_neg)))
            count += 1
    if prefix_last:
        last_group = groups[-1]
        if last_group:
            last = last_group[-1]
            ends_with_word = bool(text) and not text[-1].isspace() and not text.rstrip().endswith('"')
            if len(last.words) == 1 and not last.negated and ends_with_word:
                last_group[-1] = Term(last.words, negated=False, prefix=True)
    cleaned = tuple(tuple(g) for g in groups if any(not t.negated for t in g))
    return Query(cleaned)


def _fts5_string(words: tuple[str, ...]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def _fts5_term(term: Term) -> str:
    if term.alternatives:
        return "(" + " OR ".join(_fts5_string((w,)) for w in (*term.words, *term.alternatives)) + ")"
    return _fts5_string(term.words) + ("*" if term.prefix else "")


def to_fts5(query: Query, *, columns: tuple[str, ...] = ()) -> str:
    """Compile to an FTS5 MATCH expression; every token is quoted. Empty string for an empty query.

    Exclusions apply to the whole query, whichever OR alternative they were written in.
    """
    alternatives: list[str] = []
    negatives: list[str] = []
    for group in query.groups:
        positives = [_fts5_term(t) for t in group if not t.negated]
        negatives.extend(_fts5_string(t.words) for t in group if t.negated)
        if positives:
            alternatives.append("(" + " AND ".join(positives) + ")")
    if not alternatives:
        return ""
    expr = " OR ".join(alternatives)
    for neg in dict.fromkeys(negatives):
        expr = f"({expr}) NOT {neg}"
    if columns:
        return "{" + " ".join(columns) + "} : (" + expr + ")"
    return expr


def to_tsquery(query: Query) -> str:
    """The query as PostgreSQL ``to_tsquery`` text: every word a quoted lexeme (words are ``\\w+`` only)."""

    def term_text(words: tuple[str, ...], prefix: bool) -> str:
        text = " <-> ".join(f"'{word}'" for word in words)
        return f"{text}:*" if prefix and len(words) == 1 else text if len(words) == 1 else f"({text})"

    alternatives = []
    negatives = []
    for group in query.groups:
        positives = [term_text(t.words, t.prefix) for t in group if not t.negated]
        negatives += [term_text(t.words, False) for t in group if t.negated]
        if positives:
            alternatives.append("(" + " & ".join(positives) + ")")
    if not alternatives:
        return ""
    expression = " | ".join(alternatives)
    for negative in dict.fromkeys(negatives):
        expression = f"({expression}) & !{negative}"
    return expression
