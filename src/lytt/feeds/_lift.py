"""Long CDATA sections lifted out of a feed's bytes before libxml2 reads them, and put back into the tree.

libxml2 checks and copies a CDATA section one character at a time, and long HTML show notes in CDATA are
most of a podcast feed's bytes. `_clift.Lifter` (built from ``_clift.c`` at install time) hands lxml a
short marker in place of each long section that is the whole content of its element, and
`Lifter.restore` gives the elements their text back before anything reads them (parse.py: at the end of
each item, and on the whole tree before the channel is read). Without the C module, or with
``LYTT_PURE_PYTHON=1``, nothing is lifted: the result is the same, only slower.

The marker carries a random nonce per parse, so no feed can spell one. A lifted read that fails in any
way is done again without lifting (parse.py), so errors and recovery always concern the bytes as they came.
"""

from __future__ import annotations

import secrets
from typing import Protocol

from lytt.compiled import compiled
from lytt.feeds._common import Element

MIN_LENGTH = 128
"""Shorter sections stay: libxml2 reads them in less time than putting their text back takes."""


class Lifter(Protocol):
    pending: int

    def feed(self, chunk: bytes, /) -> bytes: ...
    def close(self) -> bytes: ...
    def restore(self, el: Element, /) -> None: ...


class _NothingLifted(Exception):
    """LiftError without the C module: nothing is lifted, so it is never raised."""


_clift = compiled("lytt.feeds._clift")

LiftError: type[Exception] = _clift.LiftError if _clift is not None else _NothingLifted
"""A lifted section could not be put back where it was; parse.py then reads the document unlifted."""


def new_prefix() -> bytes:
    """The start of every marker of one parse: random, so that no feed can spell it."""
    return f"lytt-cdata-{secrets.token_hex(8)}-".encode("ascii")


def new_lifter() -> Lifter | None:
    """A lifter for one read of one document, or None when lifting is not available."""
    if _clift is None:
        return None
    lifter: Lifter = _clift.Lifter(new_prefix(), MIN_LENGTH)
    return lifter
