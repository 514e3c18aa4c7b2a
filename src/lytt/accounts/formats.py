"""Subscription lists as OPML, JSON and plain text (the gpodder.net simple API formats). Pure functions.

OPML goes through lxml with entity expansion and network access off.
"""

from __future__ import annotations

import json

from lxml import etree

from lytt.accounts.urlsanity import sanitize_url

MAX_URLS = 10_000


class FormatError(ValueError):
    """A subscription list that cannot be read; the message says why."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _split(candidates: list[str]) -> tuple[list[str], list[str]]:
    if len(candidates) > MAX_URLS:
        raise FormatError(f"at most {MAX_URLS} subscriptions per list, got {len(candidates)}")
    accepted: list[str] = []
    rejected: list[str] = []
    for raw in candidates:
        url = sanitize_url(raw)
        if url is None:
            rejected.append(raw)
        elif url not in accepted:
            accepted.append(url)
    return accepted, rejected


def urls_from_opml(data: bytes) -> tuple[list[str], list[str]]:
    """Feed URLs of every outline with an xmlUrl, in order: (accepted, rejected as not feed URLs)."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FormatError(f"not a readable OPML document: {exc}") from exc
    if root.tag != "opml":
        raise FormatError(f"not an OPML document: the root element is <{root.tag!s}>")
    candidates = [str(o.get("xmlUrl") or o.get("xmlurl") or "") for o in root.iter("outline")]
    return _split([c for c in candidates if c.strip()])


def urls_from_json(data: bytes) -> tuple[list[str], list[str]]:
    try:
        value = json.loads(data or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"the body is not JSON: {exc}") from exc
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FormatError("expected a JSON list of feed URLs")
    return _split(value)


def urls_from_text(data: bytes) -> tuple[list[str], list[str]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError("the text list is not UTF-8") from exc
    return _split([line for line in text.splitlines() if line.strip()])


def opml_document(title: str, outlines: list[tuple[str, str]]) -> bytes:
    """An OPML 2.0 document with one rss outline per (text, feed URL)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    for text, url in outlines:
        etree.SubElement(body, "outline", type="rss", text=text, title=text, xmlUrl=url)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def text_document(urls: list[str]) -> bytes:
    return "".join(f"{url}\n" for url in urls).encode()


PARSERS = {"opml": urls_from_opml, "json": urls_from_json, "txt": urls_from_text}
