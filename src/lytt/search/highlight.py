"""Highlight query words in text: escape first, then wrap matches in <mark>. Pure functions.

Matching is done on normalised words (case-folded, diacritics stripped, as the SQLite tokenizer does).
A word matches a query word when they are equal, when the query word is a prefix (search as you type),
or when one starts with the other's stem-like start (the longer of 4 letters and all but the last 3), so
"podcasts" lights up for "podcast" and "fotballen" for "fotball" on backends that stem.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lytt.search.query import normalise

_WORD = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 30


def _stem(word: str) -> str:
    return word[: max(4, len(word) - 3)]


def word_matches(word: str, needles: Iterable[tuple[str, bool]]) -> bool:
    """Does one text word match any (normalised query word, is_prefix) needle?"""
    return _matches(word, tuple(needles))


@functools.lru_cache(maxsize=65536)
def _matches(word: str, needles: tuple[tuple[str, bool], ...]) -> bool:
    # Cached: show notes repeat the same words, and a results page highlights twenty of them.
    norm = normalise(word)
    for needle, is_prefix in needles:
        if norm == needle or (is_prefix and norm.startswith(needle)):
            return True
        if (
            len(needle) >= 4
            and len(norm) >= 4
            and (norm.startswith(_stem(needle)) or needle.startswith(_stem(norm)))
        ):
            return True
    return False


def _needles(words: Iterable[tuple[str, bool]]) -> tuple[tuple[str, bool], ...]:
    return _normalised(tuple(words))


@functools.lru_cache(maxsize=1024)
def _normalised(words: tuple[tuple[str, bool], ...]) -> tuple[tuple[str, bool], ...]:
    return tuple((normalise(w), p) for w, p in words if w)


def highlight(text: str, words: Iterable[tuple[str, bool]]) -> SafeString:
    """Return ``text`` as safe HTML with every matching word wrapped in <mark>."""
    needles = _needles(words)
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        if needles and _matches(match.group(), needles):
            out.append(escape(text[position : match.start()]))
            out.append("<mark>" + escape(match.group()) + "</mark>")
            position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # every piece above was escaped


def snippet(text: str, words: Iterable[tuple[str, bool]], *, size: int = SNIPPET_WORDS) -> SafeString:
    """A window of about ``size`` words around the first match, highlighted, with ellipses where cut."""
    needles = _needles(words)
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return mark_safe("")
    first = next((i for i, m in enumerate(tokens) if needles and _matches(m.group(), needles)), 0)
    start_index = max(0, first - size // 3)
    end_index = min(len(tokens), start_index + size)
    start = tokens[start_index].start() if start_index else 0
    end = tokens[end_index - 1].end() if end_index < len(tokens) else len(text)
    body = highlight(text[start:end].strip(), words)
    prefix = "… " if start_index else ""
    suffix = " …" if end_index < len(tokens) else ""
    return mark_safe(prefix + body + suffix)  # body was escaped by highlight()
