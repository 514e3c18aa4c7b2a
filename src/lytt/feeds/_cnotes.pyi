# The C extension built from _cnotes.c: the verified fast path of lytt.feeds.html (see _safe_notes_python).
from typing import Final

LINK_REL: Final[str]
MAX_DEPTH: Final[int]

class Undecided(Exception): ...

def safe_notes(source: str, with_text: bool, /) -> tuple[str, str | None] | None: ...
