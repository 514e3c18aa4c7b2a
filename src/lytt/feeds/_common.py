"""Small helpers shared by the element handlers: text, numbers, booleans, URLs, unknown elements."""

from __future__ import annotations

import math
from typing import Any, overload

from lxml import etree

from lytt.feeds._ns import namespace_uri
from lytt.feeds.feed_urls import resolve_url
from lytt.feeds.model import UnknownElement

Element = Any  # lxml.etree._Element; kept loose because lxml-stubs types tags as str | QName | ...

_ABSOLUTE = ("http://", "https://")
_TRUE = frozenset({"yes", "true", "1", "explicit", "on"})
_FALSE = frozenset({"no", "false", "0", "clean", "off"})
MAX_UNKNOWN_DEPTH = 4
MAX_UNKNOWN_PER_ELEMENT = 200


MAX_SHARED_STRINGS = 4096


class Context:
    """Per-parse state the handlers need: the feed URL (the base of last resort for relative URLs) and
    the strings shared between episodes."""

    __slots__ = ("feed_url", "strings")

    def __init__(self, feed_url: str | None) -> None:
        self.feed_url = feed_url
        self.strings: dict[str, str] = {}

    @overload
    def shared(self, value: str) -> str: ...
    @overload
    def shared(self, value: None) -> None: ...
    @overload
    def shared(self, value: str | None) -> str | None: ...
    def shared(self, value: str | None) -> str | None:
        """One copy per parse of a value that repeats from episode to episode (a host's name, a MIME
        type, a role): lxml hands out a new string each time, and a 5,000-episode feed would keep them
        all. Only for values with few distinct spellings; the table stops growing at a fixed size."""
        if value is None:
            return None
        strings = self.strings
        kept = strings.get(value)
        if kept is not None:
            return kept
        if len(strings) < MAX_SHARED_STRINGS:
            strings[value] = value
        return value

    def url(self, value: str | None, el: Element | None) -> str | None:
        """An absolute URL: `value` resolved against xml:base in scope and the feed URL."""
        if not value:
            return None
        value = value.strip()
        if not value:
            return None
        if value.startswith(_ABSOLUTE) and len(value) <= 2048 and " " not in value and value.isprintable():
            return value  # fast path: already absolute and clean, nothing for resolve_url to do
        base = el.base if el is not None else None
        return resolve_url(value, base or self.feed_url)

    def base(self, el: Element) -> str | None:
        base: str | None = el.base
        return base or self.feed_url


def text(el: Element) -> str | None:
    """The element's stripped text (all descendant text for mixed content), or None."""
    value = el.text
    if len(el):
        value = "".join(el.itertext())
    if value is None:
        return None
    value = value.strip()
    return value or None


def inner_html(el: Element) -> str | None:
    """Element content as HTML: its text (escaped HTML or CDATA) or, when a feed put raw tags inside,
    those tags serialised."""
    if not len(el):
        value = el.text
    else:
        parts = [el.text or ""]
        for child in el:
            parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
        value = "".join(parts)
    if value is None:
        return None
    value = value.strip()
    return value or None


def to_int(value: str | None) -> int | None:
    """A non-negative integer from lenient input ("12", " 12 ", "12.0", "1,234"); None otherwise."""
    if value is None:
        return None
    value = value.strip().replace(",", "")
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        try:
            real = float(value)
        except ValueError:
            return None
        if not math.isfinite(real) or real != int(real):
            return None
        number = int(real)
    return number if number >= 0 else None


def to_float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def to_bool(value: str | None) -> bool | None:
    """yes/no, true/false, explicit/clean (any case); None when it says neither."""
    if value is None:
        return None
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def attr(el: Element, name: str) -> str | None:
    """A stripped attribute value, or None; tolerates case variants (HREF, Url, starttime)."""
    value = el.get(name)
    if value is None:
        variants = _VARIANTS.get(name)
        if variants is None:
            variants = _VARIANTS[name] = tuple(
                dict.fromkeys(v for v in (name.lower(), name.upper(), name.capitalize()) if v != name)
            )
        for variant in variants:
            value = el.get(variant)
            if value is not None:
                break
        else:
            return None
    value = value.strip()
    return value or None


_VARIANTS: dict[str, tuple[str, ...]] = {}


def attributes(el: Element) -> dict[str, str]:
    """All attributes of `el` in one lxml call, names lower-cased (so any case variant is found) and
    values stripped; read them with ``.get(name) or None`` to treat blank values as missing. Cheaper
    than `attr` for elements that carry several attributes, absent ones especially."""
    return {name.lower(): value.strip() for name, value in el.items()}


def unknown(el: Element, depth: int = 0) -> UnknownElement:
    """Keep an element Lytt does not model (namespace, name, attributes, text, children)."""
    tag = el.tag
    uri = namespace_uri(tag)
    name = tag.partition("}")[2] if uri is not None else tag
    children = []
    if depth < MAX_UNKNOWN_DEPTH:
        for child in el[:MAX_UNKNOWN_PER_ELEMENT]:
            if isinstance(child.tag, str):
                children.append(unknown(child, depth + 1))
    value = el.text.strip() if el.text else None
    return UnknownElement(
        namespace=uri,
        name=name,
        attributes={str(k): str(v) for k, v in el.attrib.items()},
        text=value or None,
        children=children,
    )


def parse_npt(value: str | None) -> float | None:
    """Normal play time ("HH:MM:SS.mmm", "MM:SS", "SS.s") to seconds."""
    if not value:
        return None
    parts = value.strip().split(":")
    if len(parts) > 3:
        return None
    total = 0.0
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            return None
        if not math.isfinite(number) or number < 0:
            return None
        total = total * 60 + number
    return total
