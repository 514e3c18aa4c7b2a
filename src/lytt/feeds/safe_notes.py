"""The verified fast path of show notes: notes provably inside the safe subset skip nh3.

Most show notes are already inside the subset `lytt.feeds.html` sanitises to. For those, nh3's output means
exactly what the input means (it only adds rel to links and re-serialises), so `fast_path` proves that and
gives the notes as sanitised, and their text, without nh3; anything it cannot prove goes to nh3. This module
decides, and does not import nh3, so that the readers of notes' text (`lytt.feeds.notes_text`) do not either.

Its checks run in Cython when the extension `_cnotes` (built from ``_cnotes.pyx`` at install time) is
there, unless ``LYTT_PURE_PYTHON=1`` is in the environment at import; the Python functions here stay the
reference and the fallback, and both give the same answer for every input (tests/feeds/test_cnotes.py holds
them to that).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

from lytt.compiled import compiled
from lytt.feeds.html_text import collapse_whitespace, unescape

LINK_REL = "noopener noreferrer nofollow"
"""The rel the sanitiser gives every link (`lytt.feeds.html`), which the fast path adds as nh3 does."""
# The page around show notes has its own h1/h2; headings inside notes start at h3.
_DEMOTE = (("<h1>", "<h3>"), ("</h1>", "</h3>"), ("<h2>", "<h3>"), ("</h2>", "</h3>"))


def finish_notes(cleaned: str) -> str:
    """Sanitised notes with h1/h2 demoted and the whitespace around them stripped."""
    if "<h1>" in cleaned or "<h2>" in cleaned:
        for old, new in _DEMOTE:
            cleaned = cleaned.replace(old, new)
    return cleaned.strip(_STRIPPED)


# Whitespace stripped around sanitised notes: all of it but the no-break space, which nh3 writes as
# "&nbsp;" (so it was never stripped from its output) and the fast path keeps as a character.
_STRIPPED = "".join(ch for ch in map(chr, range(0x3000 + 1)) if ch.isspace() and ch != "\xa0")

# -- the verified fast path ----------------------------------------------------------------------------
# Most show notes are already inside the safe subset: lowercase allowed tags, links and images with
# absolute http(s) URLs, properly nested. For those nh3's output means exactly what the input means (it
# only adds rel to links and re-serialises), so `_safe_parts` proves that with one regex split and a few
# string scans over the tag names, and the caller adds rel itself; anything it cannot prove goes to nh3.
# What it checks: every "<" starts an allowed tag in a strict grammar (no comments, no unknown or
# uppercase tags, no attributes but href/title on a and src/alt/title on img, quoted values without "<",
# ">" or entities other than &amp;, URLs that start with http://, https:// or mailto: and have a plain
# host); and the tags nest so that an HTML5 parser builds the tree as written (strictly balanced, no block
# inside an open <p>, no link inside a link, no heading inside a heading, list items only in lists), so
# nothing in the notes can close an element of the page around them.
# `_safe_notes_python` puts the pieces together; `_cnotes.safe_notes` (_cnotes.pyx) gives the same answer
# from a few linear passes in Cython over the notes' UTF-8 and is what runs when it is built. A change to any
# rule here needs the same change there: the differential tests in tests/feeds/test_cnotes.py fail until
# both agree.
_WS = r"[ \t\n\r\f]"
_URL = (
    r"(?:https?://(?:(?![Xx][Nn]--)[A-Za-z0-9-]+\.)*(?![Xx][Nn]--)[A-Za-z][A-Za-z0-9-]*(?::[0-9]{1,4})?"
    r"""(?:[/?#](?:[^\s"'<>&\\]|&amp;)*)?|mailto:(?:[^\s"'<>&\\]|&amp;)+)"""
)
_VALUE = r"""(?:"(?:[^"<>&]|&amp;)*"|'(?:[^'<>&]|&amp;)*')"""
_LINK_ATTR = rf"""(?:href=(?:"{_URL}"|'{_URL}')|title={_VALUE})"""
_IMAGE_ATTR = rf"""(?:src=(?:"{_URL}"|'{_URL}')|(?:alt|title)={_VALUE})"""
# Splits notes into [text, tag name, text, tag name, ..., text]. Only allowed tag shapes match (the
# lookbehinds tie attributes to their element), so a "<" that is not one of them is left in a text part.
_SAFE_TAG_SPLIT = re.compile(
    rf"<(/?[a-z][a-z0-9]*)(?:>|(?<=<a) {_WS}*(?:{_LINK_ATTR}(?:{_WS}+{_LINK_ATTR})*{_WS}*)?>"
    rf"|(?<=<img)(?:{_WS}+{_IMAGE_ATTR})*{_WS}*/?>|(?<=<br|<hr){_WS}*/?>)"
)
_BLOCK_NAMES = ("p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "dl")
_INLINE = ("strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "code", "span")
_CONTAINERS = ("p", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "div")
_PAIRED = (*_INLINE, *_CONTAINERS, "a", "dl", "dt", "dd")
_SAFE_NAMES = frozenset((*_PAIRED, *("/" + name for name in _PAIRED), "br", "hr", "img"))
_INLINE_RUN = "(?:</?(?:" + "|".join(_INLINE) + ")>)*"
# Elements whose content must be inline only for the tree to be built as written: a block start tag
# closes an open <p> (and a heading closes an open heading, a link an open link, in HTML5's rules).
_INLINE_ONLY = re.compile(
    rf"<a>{_INLINE_RUN}</a>|<(p|h[1-6])>(?:</?(?:{'|'.join(_INLINE)})>|<a>{_INLINE_RUN}</a>)*</\1>"
)
_EMPTY_PAIR = re.compile(r"<([a-z0-9]+)></\1>")
_LIST_PAIRS = (("<ul>", "<li>"), ("<ol>", "<li>"), ("</li>", "<li>"))
_DL_PAIRS = tuple((parent, child) for parent in ("<dl>", "</dt>", "</dd>") for child in ("<dt>", "<dd>"))
_REL = f' rel="{LINK_REL}"'
_MAX_DEPTH = 32


# Substrings that rule the fast path out, found at memchr speed before the split: the attributes, relative
# links and comments that make most notes that are not in the safe subset fail; and a line break right
# after <pre>, which HTML5 drops (nh3 then writes the rest without the compensating newline, so the
# fast path's faithful copy would differ from nh3's result).
_NEVER_SAFE = (
    " class=", " style=", " id=", " target=", " rel=", 'href="/', "href='/", "<!--", "<script",
    "<pre>\n", "<pre>\r",
)  # fmt: skip


def _safe_notes_python(source: str, with_text: bool) -> tuple[str, str | None] | None:
    """For notes provably inside the safe subset: the notes as sanitised (rel added to their links, then
    `finish_notes`), and their text when `with_text` (None when there is none); None for notes that are not
    (nh3 has to clean them)."""
    parts = _safe_parts(source)
    if parts is None:
        return None
    cleaned = finish_notes(_with_rel(source) if "<a" in source else source)
    return cleaned, (_parts_text(parts) if with_text else None)


SafeNotes = Callable[[str, bool], tuple[str, str | None] | None]


def _c_safe_notes() -> SafeNotes | None:
    """`_safe_notes_python`'s answer from `_cnotes.safe_notes` (built from ``_cnotes.pyx`` at install time),
    which leaves one rare input to the Python code: text with a decimal character reference longer than 640
    digits (which int() may refuse). None when the module is not built, or with ``LYTT_PURE_PYTHON=1``."""
    _cnotes = compiled("lytt.feeds._cnotes")
    if _cnotes is None:
        return None
    c_safe_notes: SafeNotes = _cnotes.safe_notes
    undecided: type[Exception] = _cnotes.Undecided

    def _safe_notes_c(source: str, with_text: bool) -> tuple[str, str | None] | None:
        try:
            return c_safe_notes(source, with_text)
        except undecided:
            return _safe_notes_python(source, with_text)

    return _safe_notes_c


C_SAFE_NOTES = _c_safe_notes()
_safe_notes: SafeNotes = C_SAFE_NOTES or _safe_notes_python

# Characters the fast path cannot copy faithfully, so that its copy would not mean what nh3's output means:
# NUL (which nh3 drops); references to control characters and noncharacters, which nh3 writes as raw
# characters that are read differently from the reference ("&#13;" is a carriage return, a raw one a line
# feed; html.unescape drops most of them); and any reference before the first tag or after the last, which
# may be whitespace that nh3 writes raw and `finish_notes` then strips. Rare in real notes; they go to nh3.
_NUMERIC_REF = re.compile(r"&#(?:[xX]0*([0-9A-Fa-f]{1,6})|0*([0-9]{1,7}))")
_UNFAITHFUL_CODES = frozenset(
    (*range(0x01, 0x09), 0x0A, 0x0B, *range(0x0D, 0x20), 0x7F, *range(0xFDD0, 0xFDF0))
)


def _faithful_characters(source: str) -> bool:
    """False for notes holding a character, or a reference to one, that the fast path cannot copy."""
    if "\x00" in source or "&NewLine" in source:
        return False
    first, last = source.find("<"), source.rfind(">")
    if "&" in source[: first if first >= 0 else len(source)] or "&" in source[last + 1 :]:
        return False
    if "&#" in source:
        for match in _NUMERIC_REF.finditer(source):
            hexadecimal, decimal = match.groups()
            code = int(hexadecimal, 16) if hexadecimal is not None else int(decimal)
            if code in _UNFAITHFUL_CODES or code & 0xFFFE == 0xFFFE:
                return False
    return True


def fast_path(source: str, with_text: bool) -> tuple[str, str | None] | None:
    """`_safe_notes` for notes whose characters allow it; None sends the notes to nh3."""
    return _safe_notes(source, with_text) if _faithful_characters(source) else None


def _safe_parts(source: str) -> list[str] | None:
    """`source` split into text and tag names when it is provably inside the safe subset, else None."""
    for marker in _NEVER_SAFE:
        if marker in source:
            return None
    parts = _SAFE_TAG_SPLIT.split(source.replace("\r", " ").replace("\n", " "))
    names = parts[1::2]
    if len(names) != source.count("<") or not _SAFE_NAMES.issuperset(names):
        return None
    skeleton = ("<" + "><".join(names) + ">").replace("<br>", "").replace("<img>", "")
    if ("<p>" in skeleton or "<a>" in skeleton or "<h" in skeleton) and _unwanted_blocks(skeleton):
        return None
    if ("<li>" in skeleton or "<dt>" in skeleton or "<dd>" in skeleton) and _orphan_items(skeleton):
        return None
    skeleton = skeleton.replace("<hr>", "")
    for _depth in range(_MAX_DEPTH):  # each pass removes the innermost pairs; deeper notes go to nh3
        reduced = _EMPTY_PAIR.sub("", skeleton)
        if not reduced:
            return parts
        if reduced == skeleton:
            return None  # unbalanced
        skeleton = reduced
    return None


def _unwanted_blocks(skeleton: str) -> bool:
    """True when a <p>, heading or link holds anything but inline elements (or is not closed)."""
    rest = _INLINE_ONLY.sub("", skeleton)
    return "<p>" in rest or "<a>" in rest or any(f"<h{level}>" in rest for level in "123456")


def _orphan_items(skeleton: str) -> bool:
    """True when a list item is not a child of a list (an HTML5 parser would move or close things)."""
    pairs = _LIST_PAIRS + _DL_PAIRS if "<dt>" in skeleton or "<dd>" in skeleton else _LIST_PAIRS
    for parent, child in pairs:
        skeleton = skeleton.replace(parent + child, parent + child.upper())
    return "<li>" in skeleton or "<dt>" in skeleton or "<dd>" in skeleton


def _with_rel(source: str) -> str:
    """rel added as the last attribute of every link, as nh3 does (the tags are known to be well-formed)."""
    # The split that proved the tags read "\r" and "\n" as spaces, so a link may start "<a\n".
    parts = source.replace("<a>", "<a >").replace("<a\n", "<a ").replace("<a\r", "<a ").split("<a ")
    for index in range(1, len(parts)):
        part = parts[index]
        end = part.index(">")
        attributes = part[:end].rstrip(" \t\n\r\f")
        parts[index] = (attributes + _REL if attributes else _REL[1:]) + part[end:]
    return "<a ".join(parts)


def _parts_text(parts: list[str]) -> str | None:
    """`html_to_text` of notes `_safe_parts` accepted, from its split: the same result without the
    general passes (tags are known, lowercase and hide nothing; newlines were already made spaces)."""
    separators = map(_SEPARATORS.__getitem__, parts[1::2])
    text = "".join(map(operator.add, parts[0::2], separators)) + parts[-1]
    if "&" in text:
        text = unescape(text)
    return collapse_whitespace(text) or None


_SEPARATORS: dict[str, str] = {
    name: "\n" if name in ("br", "li", "dt", "dd") else "\n\n" if name.lstrip("/") in _BLOCK_NAMES else ""
    for name in _SAFE_NAMES
}
