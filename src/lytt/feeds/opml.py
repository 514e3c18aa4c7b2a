"""OPML subscription lists: read leniently, written as valid OPML 2.0.

Reading accepts what podcast apps actually export: nested folders (their titles become categories),
``xmlUrl`` in any letter case or ``url`` instead, HTML entities (``&nbsp;``, ``&eacute;``) and bare
ampersands in URLs, and XML broken enough to need libxml2's recovery. It never expands entities, loads a
DTD or touches the network. Outlines whose URL is not an http(s) URL (after the same resolution feeds get)
are skipped; duplicates are dropped, first one kept.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from lxml import etree

from lytt.feeds.errors import OPMLError
from lytt.feeds.feed_urls import resolve_url

MAX_OPML_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64

_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_AMPERSAND = re.compile(rb"&(?:(#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};)|([A-Za-z][A-Za-z0-9]{0,31});)?")
# Characters XML 1.0 cannot carry at all; they are dropped from written documents.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FEED_TYPES = frozenset({"", "rss", "atom", "feed", "podcast", "pie", "rdf"})
_FEEDISH = re.compile(r"rss|feed|atom|\.xml|podcast", re.IGNORECASE)


@dataclass(slots=True)
class OutlineFeed:
    """One feed from an OPML document."""

    url: str
    title: str | None = None
    html_url: str | None = None
    text: str | None = None
    categories: list[str] = field(default_factory=list)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        recover=True,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _fix_ampersand(match: re.Match[bytes]) -> bytes:
    """Keep character references and XML's five entities; HTML entities become character references."""
    if match.group(1):
        return match.group(0)
    name = match.group(2)
    if name is None:
        return b"&amp;"
    text = name.decode("ascii")
    if text in _XML_ENTITIES:
        return match.group(0)
    replacement = html.entities.html5.get(text + ";")
    if replacement is None:
        return b"&amp;" + name + b";"
    return "".join(f"&#{ord(ch)};" for ch in replacement).encode("ascii")


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _attributes(element: Any) -> dict[str, str]:
    return {_local(key): value for key, value in element.attrib.items()}


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def parse_opml(data: bytes, *, source: str | None = None) -> list[OutlineFeed]:
    """The feeds listed in an OPML document, in document order, without duplicates.

    Raises `OPMLError` (naming `source`) for input that is too large, empty, or not OPML.
    """
    return read_opml(data, source=source).feeds


@dataclass(slots=True)
class OPMLContents:
    feeds: list[OutlineFeed]
    skipped: list[str]  # the URLs of outlines that name a feed URL that is not an http(s) URL
    damage: str | None  # what libxml2 had to recover from, when the XML was broken (None when whole)


def read_opml(data: bytes, *, source: str | None = None) -> OPMLContents:
    """`parse_opml`, and the outline URLs it skipped, for callers that tell the user what was left out."""
    if len(data) > MAX_OPML_BYTES:
        raise OPMLError(f"OPML is larger than {MAX_OPML_BYTES} bytes", source=source)
    if not data.strip():
        raise OPMLError("OPML document is empty", source=source)
    fixed = _AMPERSAND.sub(_fix_ampersand, data) if b"&" in data else data
    parser = _parser()
    try:
        root = etree.fromstring(fixed, parser)
    except etree.XMLSyntaxError as exc:
        raise OPMLError(f"not an OPML document: {exc}", source=source) from exc
    if root is None:
        raise OPMLError("not an OPML document: no XML element found", source=source)
    root_name = _local(root.tag)
    if root_name != "opml":
        raise OPMLError(f"not an OPML document: the root element is <{root_name or '?'}>", source=source)
    body = next((child for child in root if _local(child.tag) == "body"), root)
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    damage = f"line {errors[0].line}: {errors[0].message}" if errors else None
    contents = OPMLContents(feeds=[], skipped=[], damage=damage)
    seen: set[str] = set()
    for feed in _walk(body, [], 0, contents.skipped):
        key = _dedupe_key(feed.url)
        if key not in seen:
            seen.add(key)
            contents.feeds.append(feed)
    return contents


def _walk(parent: Any, folders: list[str], depth: int, skipped: list[str]) -> Iterator[OutlineFeed]:
    if depth > MAX_DEPTH:
        return
    for element in parent:
        if _local(element.tag) != "outline":
            continue
        attributes = _attributes(element)
        feed = _outline_feed(attributes, folders)
        if feed is not None:
            yield feed
        elif attributes.get("xmlurl", "").strip():
            skipped.append(attributes["xmlurl"].strip())
        if len(element):
            label = _clean(attributes.get("title") or attributes.get("text"))
            children = [*folders, label] if label and feed is None else folders
            yield from _walk(element, children, depth + 1, skipped)


def _outline_feed(attributes: dict[str, str], folders: list[str]) -> OutlineFeed | None:
    kind = (attributes.get("type") or "").strip().lower()
    raw = attributes.get("xmlurl")
    if not raw:
        raw = attributes.get("url")
        if not raw or (kind not in _FEED_TYPES and not (kind == "link" and _FEEDISH.search(raw))):
            return None
    url = resolve_url(raw, None)
    if url is None:
        return None
    text = _clean(attributes.get("text"))
    categories = list(folders)
    for category in (attributes.get("category") or "").split(","):
        name = category.strip().strip("/").strip()
        if name and name not in categories:
            categories.append(name)
    html_raw = attributes.get("htmlurl")
    return OutlineFeed(
        url=url,
        title=_clean(attributes.get("title")) or text,
        html_url=resolve_url(html_raw, url) if html_raw else None,
        text=text,
        categories=categories,
    )


def _dedupe_key(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


def _xml_text(value: str) -> str:
    return _XML_INVALID.sub("", value)


def write_opml(feeds: Iterable[OutlineFeed], *, title: str, date: datetime | None = None) -> bytes:
    """A UTF-8 OPML 2.0 document listing `feeds` (``dateCreated`` is `date`, or now, as RFC 822)."""
    created = (date or datetime.now(UTC)).astimezone(UTC)
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = _xml_text(title)
    etree.SubElement(head, "dateCreated").text = format_datetime(created, usegmt=True)
    body = etree.SubElement(root, "body")
    for feed in feeds:
        name = feed.title or feed.text or feed.url
        outline = etree.SubElement(body, "outline")
        outline.set("type", "rss")
        outline.set("text", _xml_text(feed.text or name))
        outline.set("title", _xml_text(name))
        outline.set("xmlUrl", _xml_text(feed.url))
        if feed.html_url:
            outline.set("htmlUrl", _xml_text(feed.html_url))
        if feed.categories:
            outline.set("category", _xml_text(",".join("/" + c.strip("/") for c in feed.categories)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
