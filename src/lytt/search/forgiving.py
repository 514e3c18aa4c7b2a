"""Forgiving search: when a query as typed does not fill the page, widen it in tiers and append the rest.

Tier 0 is the query as typed, ranked as it always was. Tier 1 lets each plain word also match its *near*
words from the spelling vocabulary (Norwegian letters folded, the same Norwegian or English stem, and
for the last word the words it begins: `kode` → Kodekveld). Tier 2 adds, for words the vocabulary does
not know, the known words a few edits away (`lytt.search.spelling.allowed_edits`). Each tier's results
come after every result of the tiers before it, so an exact match always ranks above a folded, completed
or corrected one; within a tier the usual score orders them. A tier runs only while the results so far
do not fill the page asked for, so a query that matches as typed costs nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from lytt.search import vocabulary
from lytt.search.query import Query, widen


class _Row(Protocol):
    @property
    def object_id(self) -> int: ...


Fetch = Callable[[Query, int], Sequence[_Row]]


@dataclass(slots=True)
class Widening:
    """The merged rows of every tier that ran, and what the page says about them."""

    rows: list[_Row] = field(default_factory=list)
    capped: bool = False
    # The query as the results read it when nothing matched as typed ("myanmer" → "myanmar"), else "".
    corrected: str = ""
    query: Query | None = None  # the widest query that ran, for highlighting


_WORD = re.compile(r"\w+", re.UNICODE)


def corrected_text(text: str, replacements: dict[str, str]) -> str:
    """`text` with each word in `replacements` (case-folded) replaced, or "" when nothing changed."""
    changed = _WORD.sub(lambda m: replacements.get(m.group(0).casefold(), m.group(0)), text)
    return changed if changed != text else ""


def widen_rows(
    text: str, query: Query, first: Sequence[_Row], wanted: int, fetch: Fetch, candidates: int
) -> Widening:
    """Tier 0's rows `first` (all of them: fewer than `wanted`), followed by the new rows of the wider
    tiers, until there are `wanted`. `fetch(query, limit)` runs one search, best first. `text` is the
    query as typed, for the corrected version the page shows."""
    result = Widening(rows=list(first))
    words = query.plain_words()
    if not words:
        return result
    last = query.terms[-1]
    plain_last = len(last.words) == 1 and not last.negated and not last.prefix
    prefix = last.words[0] if plain_last else None
    widened = vocabulary.near(words, prefix)
    seen = {row.object_id for row in first}
    unknown = [w for w in dict.fromkeys(word.casefold() for word in words) if w not in widened.known]
    # What an unknown word is taken to mean: its folded twin, else its stemmed twin, else (tier 2) the
    # nearest known word.
    twins = {w: widened.folded.get(w) or widened.stemmed.get(w) for w in unknown}
    tiers = [(widened.near, {w: twin for w, twin in twins.items() if twin})]
    if not first and any(not widened.near.get(w) for w in unknown):
        # Nothing matched as typed, and a word no title knows has nothing near it: tier 1 keeps that word
        # as typed, so it could only find rows the corrections of tier 2 find as well. Go straight there.
        tiers = []
    if unknown:
        typos = vocabulary.typos(unknown)
        alternatives = {w: [*widened.near.get(w, []), *typos.get(w, [])] for w in {*widened.near, *typos}}
        corrections = {w: twin or next(iter(typos.get(w, [])), w) for w, twin in twins.items()}
        tiers.append((alternatives, corrections))
    previous, replacements = query, {}
    for alternatives, tier_replacements in tiers:
        if len(result.rows) >= wanted:
            break
        tier_query = widen(query, alternatives)
        replacements = tier_replacements  # the same query read as the wider tier reads it
        if tier_query == previous:
            continue
        previous = tier_query
        rows = fetch(tier_query, candidates)
        result.capped = result.capped or len(rows) >= candidates
        fresh = [row for row in rows if row.object_id not in seen]
        seen.update(row.object_id for row in fresh)
        result.rows.extend(fresh)
        result.query = tier_query
    if not first and result.rows:
        result.corrected = corrected_text(text, replacements)
    return result
