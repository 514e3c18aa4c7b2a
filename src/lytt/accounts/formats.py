"""Subscription lists as OPML, JSON and plain text (the gpodder.net simple API formats). Pure functions.

OPML is read and written by `lytt.feeds.opml` (leniently, as apps export it; no entity expansion, no
network); this module turns what it finds into the sync API's canonical feed URLs.
"""

from __future__ import annotations

import json

from lytt.accounts.urlsanity import sanitize_url
from lytt.feeds.errors import OPMLError
from lytt.feeds.opml import OutlineFeed, read_opml, write_opml

MAX_URLS = 10_000


class FormatError(ValueError):
    """A subscription list that cannot be read; the message says why."""


def _split(candidates: list[str], rejected: list[str] | None = None) -> tuple[list[str], list[str]]:
    if len(candidates) > MAX_URLS:
        raise FormatError(f"at most {MAX_URLS} subscriptions per list, got {len(candidates)}")
    accepted: list[str] = []
    rejected = list(rejected or [])
    for raw in candidates:
        url = sanitize_url(raw)
        if url is None:
            rejected.append(raw)
        elif url not in accepted:
            accepted.append(url)
    return accepted, rejected


def urls_from_opml(data: bytes) -> tuple[list[str], list[str]]:
    """Feed URLs of every feed outline, in order: (accepted, rejected as not feed URLs).

    Broken XML is refused rather than recovered: a list cut short in transit must not read as a shorter
    list, since a sync upload removes what it no longer names.
    """
    try:
        contents = read_opml(data)
    except OPMLError as exc:
        raise FormatError(str(exc)) from exc
    if contents.damage is not None:
        raise FormatError(f"not a readable OPML document: {contents.damage}")
    return _split([feed.url for feed in contents.feeds], contents.skipped)


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
    return write_opml((OutlineFeed(url=url, title=text, text=text) for text, url in outlines), title=title)


def text_document(urls: list[str]) -> bytes:
    return "".join(f"{url}\n" for url in urls).encode()


PARSERS = {"opml": urls_from_opml, "json": urls_from_json, "txt": urls_from_text}
