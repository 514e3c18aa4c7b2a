"""Show notes: sanitised to a safe HTML subset, reduced to plain text, and cut to excerpts.

`sanitize_html` runs everything through nh3 (ammonia, in Rust) with a configuration built once per base URL
and cached: scripts, styles, frames, forms, event handlers and non-http(s)/mailto URLs are gone, links get
``rel="noopener noreferrer nofollow"``, relative URLs are resolved against the feed (or dropped when there is
no base). Text without markup is turned into paragraphs with its bare URLs linked. `html_to_text` is a
few linear-time regular expression passes (it mostly gets sanitised HTML, but copes with anything).

Notes already inside the safe subset skip nh3 (the "verified fast path" below). Its checks run in C when the
extension `_cnotes` (built from ``_cnotes.c`` at install time) is there, unless ``LYTT_PURE_PYTHON=1`` is in
the environment at import; the Python functions here stay the reference and the fallback, and both give
the same answer for every input (tests/feeds/test_cnotes.py holds them to that).
"""

from __future__ import annotations

import html as html_lib
import operator
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

import nh3

from lytt.compiled import compiled

MAX_INPUT = 2_000_000  # characters; longer show notes are cut before sanitising

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "a", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "ul", "ol", "li",
        "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "img", "hr", "span", "div",
        "dl", "dt", "dd",
    }
)  # fmt: skip
# "*" replaces ammonia's default generic attributes (lang, title): no attribute on other tags.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href", "title"}, "img": {"src", "alt", "title"}}
# Removed together with their content (the rest of the non-allowed tags are unwrapped, their text kept).
REMOVED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math", "form",
     "textarea", "select", "button", "title", "head", "frameset", "frame", "applet", "audio", "video"}
)  # fmt: skip
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# The page around show notes has its own h1/h2; headings inside notes start at h3.
_DEMOTE = (("<h1>", "<h3>"), ("</h1>", "</h3>"), ("<h2>", "<h3>"), ("</h2>", "</h3>"))

_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_TAG_LIKE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*[\s/>]")
_BLOCK_TAG = re.compile(r"<(?:p|br|div|ul|ol|li|h[1-6]|blockquote|pre|table|tr|hr|dl)\b", re.IGNORECASE)
_TAG_SPLIT = re.compile(r"(<[^<>]*>)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_BARE_URL = re.compile(r"\b(https?://[^\s<>\"'`]+)", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\""
_ONLY_EMPTY = re.compile(r"(?:\s|&nbsp;|<(?!img)[^<>]*>)*")
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


def _cleaner(relative: Literal["deny"] | tuple[Literal["rewrite_with_base"], str]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        url_relative=relative,
        strip_comments=True,
    )


_NO_BASE = _cleaner("deny")


@lru_cache(maxsize=128)
def _cleaner_for(base_url: str | None) -> nh3.Cleaner:
    """A cleaner resolving relative URLs against `base_url` (a feed's episodes share one base)."""
    if not base_url or not base_url.lower().startswith(("http://", "https://")):
        return _NO_BASE
    try:
        return _cleaner(("rewrite_with_base", base_url))
    except ValueError:  # not a URL the sanitiser can use as a base
        return _NO_BASE


def sanitize_html(html: str | None, *, base_url: str | None = None) -> str | None:
    """Safe HTML for show notes, or None when nothing visible is left."""
    if not html:
        return None
    source = html[:MAX_INPUT]
    if _is_markup(source):
        return _clean_markup(source, base_url)
    # Text without markup. Entity references in it ("Tom &amp; Jerry") are an escaping layer too many, as
    # in feeds that escape twice; once unescaped, "&lt;p&gt;Hi&lt;/p&gt;" is markup after all.
    if "&" in source and _ENTITY.search(source):
        source = unescape(source)
        if _is_markup(source):
            return _clean_markup(source, base_url)
    # text_to_html's output is safe by construction: no sanitiser pass needed.
    return text_to_html(source) or None


def sanitize_with_text(html: str | None, *, base_url: str | None = None) -> tuple[str | None, str | None]:
    """``(sanitize_html(html), notes_text(of that))``: the notes as the parser keeps them, and the text
    their `description_text` reads."""
    cleaned = sanitize_html(html, base_url=base_url)
    return cleaned, notes_text(cleaned)


def _is_markup(source: str) -> bool:
    return "<" in source and (_TAG_LIKE.search(source) is not None or nh3.is_html(source))


def _clean_markup(source: str, base_url: str | None) -> str | None:
    if "\n" in source and not _BLOCK_TAG.search(source):
        source = _newlines_to_html(source)
    safe = _fast_path(source, False)
    cleaned = safe[0] if safe is not None else _finish(_cleaner_for(base_url).clean(source))
    if not cleaned or _ONLY_EMPTY.fullmatch(cleaned):
        return None
    return cleaned


def _finish(cleaned: str) -> str:
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
# `_safe_notes_python` puts the pieces together; `_cnotes.safe_notes` (_cnotes.c) gives the same answer from
# a few linear passes in C over the notes' UTF-8 and is what runs when it is built. A change to any rule here
# needs the same change there: the differential tests in tests/feeds/test_cnotes.py fail until both agree.
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
    `_finish`), and their text when `with_text` (None when there is none); None for notes that are not
    (nh3 has to clean them)."""
    parts = _safe_parts(source)
    if parts is None:
        return None
    cleaned = _finish(_with_rel(source) if "<a" in source else source)
    return cleaned, (_parts_text(parts) if with_text else None)


SafeNotes = Callable[[str, bool], tuple[str, str | None] | None]


def _c_safe_notes() -> SafeNotes | None:
    """`_safe_notes_python`'s answer from `_cnotes.safe_notes` (built from ``_cnotes.c`` at install time),
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
# may be whitespace that nh3 writes raw and `_finish` then strips. Rare in real notes; they go to nh3.
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


def _fast_path(source: str, with_text: bool) -> tuple[str, str | None] | None:
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
    return _collapse_whitespace(text) or None


def text_to_html(text: str) -> str:
    """Plain text as HTML: blank lines separate paragraphs, single newlines are line breaks, URLs linked.

    The result is safe as it is: the text is escaped and links are http(s) URLs (which, having been
    matched without quotes or angle brackets, cannot leave the attribute).
    """
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        block = block.strip()
        if block:
            lines = (_linkify(html_lib.escape(line.strip(), quote=False)) for line in block.splitlines())
            paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return "".join(paragraphs)


def _linkify(escaped: str) -> str:
    if "://" not in escaped:
        return escaped
    return _BARE_URL.sub(_link, escaped)


def _link(match: re.Match[str]) -> str:
    url = match.group(1)
    stripped = url.rstrip(_URL_TRAILING)
    tail = url[len(stripped) :]
    return f'<a href="{stripped}" rel="{LINK_REL}">{stripped}</a>{tail}'


def _newlines_to_html(source: str) -> str:
    """Markup with only inline tags but newlines for structure: the newlines outside tags become breaks."""
    parts = _TAG_SPLIT.split(source.strip())
    out = ["<p>"]
    for index, part in enumerate(parts):
        if index % 2 or "\n" not in part:
            out.append(part)
        else:
            part = _PARAGRAPH_BREAK.sub("</p><p>", part)
            out.append(part.replace("\n", "<br>"))
    out.append("</p>")
    return "".join(out)


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
    blocks = (" ".join(block.split()) for block in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(b for b in blocks if b) or None


def notes_text(cleaned: str | None) -> str | None:
    """`html_to_text(cleaned)` for notes this module sanitised.

    The fast path reads most notes in one pass: the links' rel, which sanitising added, is taken out again
    and the result is checked to sanitise back to `cleaned` exactly, so its text is the text of `cleaned`.
    Anything else (notes nh3 cleaned, or text that happens to hold rel's spelling) goes to `html_to_text`.
    """
    if not cleaned:
        return None
    source = cleaned.replace(_REL, "") if "<a" in cleaned else cleaned
    safe = _fast_path(source, True)
    if safe is not None and safe[0] == cleaned:
        return safe[1]
    return html_to_text(cleaned)


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
    return _collapse_whitespace(text) or None


# Text separators by tag for notes that `_safe_parts` accepted (it knows no other tags).
_SEPARATORS: dict[str, str] = {
    name: "\n" if name in ("br", "li", "dt", "dd") else "\n\n" if name.lstrip("/") in _BLOCK_NAMES else ""
    for name in _SAFE_NAMES
}


_BLANK_LINES = re.compile("\n\n\n+")


def _collapse_whitespace(text: str) -> str:
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
