"""Plain text of HTML: tags stripped, entities decoded, whitespace collapsed; and excerpts of text.

`html_to_text` is a few linear-time regular expression passes (it mostly gets sanitised show notes, but copes
with anything). Nothing here sanitises: that is `lytt.feeds.html`'s job (nh3); this module and the modules
that read show notes' text stay free of it.
"""

from __future__ import annotations

import html as html_lib
import re

MAX_INPUT = 2_000_000  # characters; longer show notes are cut before sanitising or reading their text

PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LONG_DECIMAL_REF = re.compile(r"&#0*([0-9]+)")


def unescape(text: str) -> str:
    """`html.unescape`, which raises ValueError for a decimal character reference longer than Python's
    int() digit limit (4,300 digits, e.g. "&#111...1;" in hostile notes). Such references are read as
    html.unescape reads any other: leading zeros dropped, and a number past U+10FFFF is U+FFFD."""
    try:
        return html_lib.unescape(text)
    except ValueError:
        return html_lib.unescape(_LONG_DECIMAL_REF.sub(_short_decimal_ref, text))


def _short_decimal_ref(match: re.Match[str]) -> str:
    digits = match.group(1)
    return "&#" + (digits if len(digits) <= 8 else "99999999")


# html_to_text works with linear-time patterns only: a tag pattern never crosses a "<", hidden elements and
# comments are skipped with forward searches, so no input makes it slow. The patterns match lowercase tags
# (what the sanitiser emits) with a literal "<" prefix, which the regex engine scans for quickly; markup
# with uppercase tags is lowercased tag by tag first.
_LINE_BREAK = re.compile(r"<(?:br|li|dt|dd|tr)\b[^<>]*>")
_BLOCK_BREAK = re.compile(
    r"<(?:/?)(?:p|div|ul|ol|h[1-6]|blockquote|pre|table|hr|dl|section|article|header|footer|figure)\b[^<>]*>"
)
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<![^<>]*>|<\?[^<>]*>")
_UPPER_TAG = re.compile(r"</?[a-z0-9]*+[A-Z]")  # possessive: no backtracking over lowercase names
_TAG_NAME = re.compile(r"</?[A-Za-z][A-Za-z0-9]*")
_HIDDEN_NAMES = (
    "script", "style", "template", "noscript", "iframe", "object", "svg", "math", "textarea", "select",
    "button", "title", "head",
)  # fmt: skip
_HIDDEN_OPEN = re.compile(r"<(" + "|".join(_HIDDEN_NAMES) + r")\b", re.IGNORECASE)
# Tag names are lowercased before this runs; case-sensitive with a literal "<" it scans fast.
_HIDDEN_LOWER = re.compile(r"<(?:" + "|".join(_HIDDEN_NAMES) + r")\b")
_HIDDEN_CLOSE = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _HIDDEN_NAMES}


# Whitespace other than " " and "\n" that show notes contain (str.split's full set, minus the line breaks).
_OTHER_SPACES = tuple(ch for ch in map(chr, range(0x3000 + 1)) if ch.isspace() and ch not in " \n")
_ASCII_SPACES = tuple(ch for ch in _OTHER_SPACES if ch.isascii())


def _lower_tag(match: re.Match[str]) -> str:
    return match.group(0).lower()


def _drop_hidden(source: str) -> str:
    """Remove comments and the content of elements that are never shown (scripts, styles, ...)."""
    out: list[str] = []
    position = 0
    length = len(source)
    while position < length:
        comment = source.find("<!--", position)
        hidden = _HIDDEN_OPEN.search(source, position)
        if comment < 0 and hidden is None:
            break
        if hidden is None or (0 <= comment < hidden.start()):
            out.append(source[position:comment])
            end = source.find("-->", comment + 4)
            position = length if end < 0 else end + 3
        else:
            out.append(source[position : hidden.start()])
            close = _HIDDEN_CLOSE[hidden.group(1).lower()].search(source, hidden.end())
            position = length if close is None else close.end()
    out.append(source[position:])
    return "".join(out)


def _plain_blocks(text: str) -> str | None:
    blocks = (" ".join(block.split()) for block in PARAGRAPH_BREAK.split(text))
    return "\n\n".join(b for b in blocks if b) or None


def html_to_text(html: str | None) -> str | None:
    """Plain text of HTML: tags stripped, entities decoded, whitespace collapsed, paragraphs as "\\n\\n".

    Text without tags keeps its blank lines as paragraph breaks; in HTML, only markup makes breaks.
    """
    if not html:
        return None
    source = html[:MAX_INPUT]
    if "<" not in source:
        return _plain_blocks(unescape(source) if "&" in source else source)
    if _UPPER_TAG.search(source):
        source = _TAG_NAME.sub(_lower_tag, source)
    if "<!--" in source or _HIDDEN_LOWER.search(source):
        source = _drop_hidden(source)
    text = source.replace("\r", " ").replace("\n", " ")
    text = _LINE_BREAK.sub("\n", text)
    text = _BLOCK_BREAK.sub("\n\n", text)
    text = _ANY_TAG.sub("", text)
    if "&" in text:
        text = unescape(text)
    return collapse_whitespace(text) or None


_BLANK_LINES = re.compile("\n\n\n+")


def collapse_whitespace(text: str) -> str:
    """Spaces collapsed, none around line breaks, at most one blank line (str methods beat regexes here,
    except for runs of blank lines, which a replace loop would shorten one line per pass)."""
    for space in _ASCII_SPACES if text.isascii() else _OTHER_SPACES:
        if space in text:
            text = text.replace(space, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    text = text.replace(" \n", "\n").replace("\n ", "\n")
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def excerpt(text: str | None, max_chars: int = 200) -> str | None:
    """The first `max_chars` characters of `text` on one line, cut on a word boundary and ending in "…"."""
    if not text:
        return None
    # Whitespace runs collapse, so a bounded prefix is always enough to fill `max_chars` when text remains.
    line = " ".join(text[: max_chars * 8 + 1024].split())
    if not line:
        return None
    if len(line) <= max_chars:
        return line
    if max_chars < 2:
        return "…"
    window = line[: max_chars - 1]
    if line[max_chars - 1] != " ":  # the window ends inside a word: back up to the last space
        cut = window.rfind(" ")
        if cut > max_chars // 2:
            window = window[:cut]
    return window.rstrip(" ,;:-–—.") + "…"
