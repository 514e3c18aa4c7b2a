"""Show notes sanitised to a safe HTML subset: the one module that runs nh3.

`sanitize_html` runs notes through nh3 (ammonia, in Rust) with a configuration built once per base URL and
cached: scripts, styles, frames, forms, event handlers and non-http(s)/mailto URLs are gone, links get
``rel="noopener noreferrer nofollow"``, relative URLs are resolved against the feed (or dropped when there is
no base). Text without markup is turned into paragraphs with its bare URLs linked. Notes already inside the
safe subset skip nh3 (`lytt.feeds.safe_notes`, the verified fast path); their plain text is
`lytt.feeds.notes_text`'s, which does not import nh3.
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache
from typing import Literal

import nh3

from lytt.feeds.html_text import MAX_INPUT, PARAGRAPH_BREAK, unescape
from lytt.feeds.notes_text import notes_text
from lytt.feeds.safe_notes import LINK_REL, fast_path, finish_notes

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

_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_TAG_LIKE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*[\s/>]")
_BLOCK_TAG = re.compile(r"<(?:p|br|div|ul|ol|li|h[1-6]|blockquote|pre|table|tr|hr|dl)\b", re.IGNORECASE)
_TAG_SPLIT = re.compile(r"(<[^<>]*>)")
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
    safe = fast_path(source, False)
    cleaned = safe[0] if safe is not None else finish_notes(_cleaner_for(base_url).clean(source))
    if not cleaned or _ONLY_EMPTY.fullmatch(cleaned):
        return None
    return cleaned


def text_to_html(text: str) -> str:
    """Plain text as HTML: blank lines separate paragraphs, single newlines are line breaks, URLs linked.

    The result is safe as it is: the text is escaped and links are http(s) URLs (which, having been
    matched without quotes or angle brackets, cannot leave the attribute).
    """
    paragraphs = []
    for block in PARAGRAPH_BREAK.split(text.strip()):
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
            part = PARAGRAPH_BREAK.sub("</p><p>", part)
            out.append(part.replace("\n", "<br>"))
    out.append("</p>")
    return "".join(out)
