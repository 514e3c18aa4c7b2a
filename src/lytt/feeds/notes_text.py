"""The plain text of sanitised show notes, as episodes' `description_text` reads it.

It does not import nh3: `lytt.feeds.model` reads notes' text through it and stays free of the sanitiser.
"""

from __future__ import annotations

from lytt.feeds.html_text import html_to_text
from lytt.feeds.safe_notes import LINK_REL, fast_path

_REL = f' rel="{LINK_REL}"'


def notes_text(cleaned: str | None) -> str | None:
    """`html_to_text(cleaned)` for notes `lytt.feeds.html` sanitised.

    The fast path reads most notes in one pass: the links' rel, which sanitising added, is taken out again
    and the result is checked to sanitise back to `cleaned` exactly, so its text is the text of `cleaned`.
    Anything else (notes nh3 cleaned, or text that happens to hold rel's spelling) goes to `html_to_text`.
    """
    if not cleaned:
        return None
    source = cleaned.replace(_REL, "") if "<a" in cleaned else cleaned
    safe = fast_path(source, True)
    if safe is not None and safe[0] == cleaned:
        return safe[1]
    return html_to_text(cleaned)
