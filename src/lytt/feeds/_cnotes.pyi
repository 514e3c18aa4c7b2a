# The extension built from _cnotes.pyx (Cython): the verified fast path of lytt.feeds.safe_notes.
from typing import Final

LINK_REL: Final[str]
MAX_DEPTH: Final[int]

class Undecided(Exception): ...

def safe_notes(source: str, with_text: bool, /) -> tuple[str, str | None] | None: ...
