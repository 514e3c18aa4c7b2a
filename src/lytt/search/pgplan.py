"""How a PostgreSQL search finds its newest matches: the tsquery it runs and the id windows it tries. Pure.

A show or episode is indexed with one text-search configuration (english, norwegian or simple), but a
query does not know which, so each word is looked up in every configuration's form: ``(run | running)``.
The query is a conjunction of such alternatives per word (not one alternative per configuration): the GIN
index can then skip along the rarest word's posting list, which a disjunction of conjunctions defeats.
A word that one configuration drops as a stop word constrains nothing and is left out, unless it is all
the query has.

Which id windows to try (see migration 0005's marker lexemes) follows from the expected share of rows
that match, estimated from PostgreSQL's own statistics of the most common lexemes (``pg_stats``): the
newest ids expected to hold the candidates wanted; when they hold fewer, a window sized from the share
they did hold, and so on, then the whole index. Every match found costs a heap read (a page from the OS
cache when the table outgrows shared buffers), so the first window is sized to find about what is
wanted and no more. A rare query goes straight to the whole index, where the GIN index answers fast
because few rows match.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# One lexeme of a tsquery's text form: quoted, '' for a quote inside, optional :* (prefix) and weights.
_LEXEME = re.compile(r"'((?:[^']|'')*)'(:\*?[A-D]*)?")

# Blocks of ids named by marker lexemes in every document (migration 0005).
WINDOW_SHIFTS = (9, 12, 15, 18)
# Title words' prefixes of these lengths are indexed (migration 0005).
TITLE_PREFIX_MIN = 2
TITLE_PREFIX_MAX = 6
MAX_BLOCKS = 8
# How much wider each next window is than the last (`next_window_rows`).
MIN_GROWTH = 1.5
MAX_GROWTH = 16.0
MARGIN = 1.25

#: A term as each configuration spells it: the tsquery texts (``'run'``, ``'a' <-> 'b'``, ``'fin':*``).
Variants = Sequence[str]


@dataclass(frozen=True, slots=True)
class LexemeStats:
    """Share of index rows holding each of the most common lexemes; anything else is below ``floor``."""

    frequencies: Mapping[str, float]
    floor: float
    # Share of rows in the largest text-search configuration: words of one language meet only in its
    # rows, so a conjunction is that much likelier than independent words would be.
    language_share: float = 1.0

    def of(self, lexeme: str, *, prefix: bool = False) -> float:
        if prefix:
            share = sum(f for word, f in self.frequencies.items() if word.startswith(lexeme))
            return min(1.0, max(share, self.floor / 2))
        return self.frequencies.get(lexeme, self.floor / 2)


def lexemes(tsquery_text: str) -> list[tuple[str, bool]]:
    """(lexeme, is_prefix) pairs of a tsquery's text form."""
    return [
        (m.group(1).replace("''", "'"), "*" in (m.group(2) or "")) for m in _LEXEME.finditer(tsquery_text)
    ]


def title_prefix_lexeme(word: str) -> str:
    """The tsquery text of the title-prefix lexeme for ``word`` (its ``simple`` spelling) as typed so far."""
    lexeme = " t " + word[:TITLE_PREFIX_MAX]
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _alternatives(variants: Variants) -> list[str]:
    return list(dict.fromkeys(v for v in variants if v))


def _either(variants: list[str]) -> str:
    return variants[0] if len(variants) == 1 else "(" + " | ".join(f"( {v} )" for v in variants) + ")"


def _kept_terms(group: Sequence[Variants]) -> list[list[str]]:
    """The group's terms without those some configuration drops as stop words (unless that is all)."""
    complete = [_alternatives(t) for t in group if t and all(t)]
    return complete or [alternatives for t in group if (alternatives := _alternatives(t))]


def combine(groups: Sequence[Sequence[Variants]], negatives: Sequence[Variants] = ()) -> str:
    """The tsquery text: OR over groups, AND over a group's terms, OR over a term's spellings.

    Empty when nothing positive is left. Excluded terms are excluded in every spelling.
    """
    alternatives = []
    for group in groups:
        terms = _kept_terms(group)
        if terms:
            alternatives.append(" & ".join(_either(t) for t in terms))
    if not alternatives:
        return ""
    text = alternatives[0] if len(alternatives) == 1 else " | ".join(f"( {a} )" for a in alternatives)
    for negative in negatives:
        for variant in _alternatives(negative):
            text = f"( {text} ) & !( {variant} )"
    return text


def _variant_share(variant: str, stats: LexemeStats) -> float:
    """A phrase or conjunction needs all its lexemes: at most its rarest one's share."""
    found = lexemes(variant)
    if not found:
        return 0.0
    return min(stats.of(word, prefix=prefix) for word, prefix in found)


def estimate(groups: Sequence[Sequence[Variants]], stats: LexemeStats) -> float:
    """Expected share of index rows that match: words independent, but within one language's rows."""
    total = 0.0
    for group in groups:
        shares = [min(1.0, sum(_variant_share(v, stats) for v in term)) for term in _kept_terms(group)]
        if not shares:
            continue
        together = math.prod(shares) / stats.language_share ** (len(shares) - 1)
        total += min(together, *shares)
    return min(1.0, total)


def window(top_id: int, rows: float, shifts: Sequence[int] = WINDOW_SHIFTS) -> str | None:
    """The marker tsquery for the newest ``rows`` ids (at least) of an index whose highest id is ``top_id``.

    The window is the last few blocks (at most MAX_BLOCKS) of the finest size that spans ``rows`` ids with
    that many; None when it would take the whole index (or more blocks than that of the largest size).
    """
    found = _blocks(top_id, rows, shifts)
    if found is None:
        return None
    shift, first, last = found
    return " | ".join(f"' w{shift} {block}'" for block in range(first, last + 1))


def window_span(top_id: int, rows: float, shifts: Sequence[int] = WINDOW_SHIFTS) -> float:
    """How many ids ``window(top_id, rows)`` covers (it rounds ``rows`` up to whole blocks); the whole
    index's ``top_id`` when there is no such window."""
    found = _blocks(top_id, rows, shifts)
    if found is None:
        return float(top_id)
    shift, first, _ = found
    return float(top_id - (first << shift) + 1)


def _blocks(top_id: int, rows: float, shifts: Sequence[int]) -> tuple[int, int, int] | None:
    """(shift, first block, last block) of the window for ``rows``, or None for the whole index."""
    if rows >= top_id:
        return None
    for shift in shifts:
        last = top_id >> shift
        count = math.ceil(rows / (1 << shift)) + 1  # the newest block is partly filled
        if count > MAX_BLOCKS:
            continue
        first = last - count + 1
        if first <= 0:
            return None
        return shift, first, last
    return None


def first_window_rows(share: float, wanted: int) -> float:
    """Newest ids the first window should span: those expected to hold ``wanted`` matches (all of the
    index, ``inf``, when the estimate says nothing matches: a rare query goes straight to the GIN index)."""
    return math.inf if share <= 0 else wanted / share


def next_window_rows(span: float, found: int, wanted: int) -> float:
    """Newest ids the next window should span after one of ``span`` ids found ``found`` < ``wanted`` matches.

    The matches found measure the share better than the estimate did, so the next window is sized from
    them with a margin (every match costs a heap read, so a window far too wide makes a slow tail query);
    at least MIN_GROWTH times wider, so the search always ends, and at most
    MAX_GROWTH, because a handful of matches says little.
    """
    if found <= 0:
        return span * MAX_GROWTH
    return span * min(MAX_GROWTH, max(MIN_GROWTH, MARGIN * wanted / found))
