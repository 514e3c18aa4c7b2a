"""Show notes: sanitised to a safe HTML subset, reduced to plain text, and cut to excerpts.

`sanitize_html` runs everything through nh3 (ammonia, in Rust) with a configuration built once per base URL
and cached: scripts, styles, frames, forms, event handlers and non-http(s)/mailto URLs are gone, links get
``rel="noopener noreferrer nofollow"``, relative URLs are resolved against the feed (or dropped when there is
no base). Text without markup is turned into paragraphs with its bare URLs linked. `html_to_text` is a
few linear-time regular expression passes (it mostly gets sanitised HTML, but copes with anything).
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache
from typing import Literal

import nh3

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
        source = html_lib.unescape(source)
        if _is_markup(source):
            return _clean_markup(source, base_url)
    # text_to_html's output is safe by construction: no sanitiser pass needed.
    return text_to_html(source) or None


def _is_markup(source: str) -> bool:
    return "<" in source and (_TAG_LIKE.search(source) is not None or nh3.is_html(source))


def _clean_markup(source: str, base_url: str | None) -> str | None:
    if "\n" in source and not _BLOCK_TAG.search(source):
        source = _newlines_to_html(source)
    cleaned = _cleaner_for(base_url).clean(source)
    if "<h1>" in cleaned or "<h2>" in cleaned:
        for old, new in _DEMOTE:
            cleaned = cleaned.replace(old, new)
    cleaned = cleaned.strip()
    if not cleaned or _ONLY_EMPTY.fullmatch(cleaned):
        return None
    return cleaned


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


def html_to_text(html: str | None) -> str | None:
    """Plain text of HTML: tags stripped, entities decoded, whitespace collapsed, paragraphs as "\\n\\n".

    Text without tags keeps its blank lines as paragraph breaks; in HTML, only markup makes breaks.
    """
    if not html:
        return None
    source = html[:MAX_INPUT]
    if "<" not in source:
        return _plain_blocks(html_lib.unescape(source) if "&" in source else source)
    if _UPPER_TAG.search(source):
        source = _TAG_NAME.sub(_lower_tag, source)
    if "<!--" in source or _HIDDEN_LOWER.search(source):
        source = _drop_hidden(source)
    text = source.replace("\r", " ").replace("\n", " ")
    text = _LINE_BREAK.sub("\n", text)
    text = _BLOCK_BREAK.sub("\n\n", text)
    text = _ANY_TAG.sub("", text)
    if "&" in text:
        text = html_lib.unescape(text)
    return _collapse_whitespace(text) or None


def _collapse_whitespace(text: str) -> str:
    """Spaces collapsed, none around line breaks, at most one blank line (str methods beat regexes here)."""
    for space in _ASCII_SPACES if text.isascii() else _OTHER_SPACES:
        if space in text:
            text = text.replace(space, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    text = text.replace(" \n", "\n").replace("\n ", "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
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
