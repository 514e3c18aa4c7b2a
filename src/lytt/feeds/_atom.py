"""Atom 1.0 (and 0.3, same element names) feeds and entries.

Atom core elements get their own handlers; every extension (iTunes, Podcasting 2.0, Media RSS...) is
shared with RSS, so an Atom podcast feed gets the same fields.
"""

from __future__ import annotations

from typing import Any

from lytt.feeds._common import Context, Element, attr, inner_html, text
from lytt.feeds._ns import split_tag
from lytt.feeds._rss import CHANNEL, EXTENSIONS, Table, first_text, first_url, keep_unknown
from lytt.feeds.html import text_to_html
from lytt.feeds.html_text import html_to_text


def _text_construct(el: Element) -> str | None:
    """An Atom text construct as HTML (type text, html or xhtml)."""
    kind = (attr(el, "type") or "text").lower()
    if kind == "xhtml" or kind.endswith("xml"):
        for child in el:
            if isinstance(child.tag, str) and split_tag(child.tag)[1] == "div":
                return inner_html(child)
        return inner_html(el)
    if kind in ("html", "text/html"):
        return inner_html(el)
    value = text(el)
    return text_to_html(value) if value is not None else None


def _plain_construct(el: Element) -> str | None:
    """An Atom text construct as plain text (for titles)."""
    kind = (attr(el, "type") or "text").lower()
    if kind in ("html", "xhtml", "text/html"):
        html = _text_construct(el)
        return html_to_text(html) if html else None
    return text(el)


def _construct(key: str, plain: bool = False) -> Any:
    convert = _plain_construct if plain else _text_construct

    def handle(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
        if key not in state:
            value = convert(el)
            if value is not None:
                state[key] = value

    return handle


def _author(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    if "author" in state:
        return
    for child in el:
        if isinstance(child.tag, str) and split_tag(child.tag)[1] == "name":
            name = text(child)
            if name:
                state["author"] = name
            return


def _category(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    value = attr(el, "label") or attr(el, "term")
    if value:
        state.setdefault("rss_categories", []).append((value, None))


def _late_entry(el: Element, target: Any, state: dict[str, Any], ctx: Context) -> None:
    state.setdefault("late_items", []).append(el)


ENTRY: Table = {
    **EXTENSIONS,
    ("atom", "id"): first_text("guid"),
    ("atom", "title"): _construct("title", plain=True),
    ("atom", "published"): first_text("published"),
    ("atom", "issued"): first_text("published"),
    ("atom", "updated"): first_text("updated"),
    ("atom", "modified"): first_text("updated"),
    ("atom", "content"): _construct("atom_content"),
    ("atom", "summary"): _construct("atom_summary"),
    ("atom", "author"): _author,
}

FEED: Table = {
    **{key: handler for key, handler in CHANNEL.items() if key[0]},
    ("atom", "id"): keep_unknown,
    ("atom", "title"): _construct("title", plain=True),
    ("atom", "subtitle"): _construct("atom_summary"),
    ("atom", "tagline"): _construct("atom_summary"),
    ("atom", "updated"): first_text("updated"),
    ("atom", "modified"): first_text("updated"),
    ("atom", "author"): _author,
    ("atom", "logo"): first_url("atom_logo"),
    ("atom", "icon"): first_url("atom_icon"),
    ("atom", "rights"): _construct("copyright", plain=True),
    ("atom", "generator"): first_text("generator"),
    ("atom", "category"): _category,
    ("atom", "entry"): _late_entry,
}
