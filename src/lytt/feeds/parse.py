"""`parse_feed`: bytes (or a binary stream) in, a typed `Feed` out.

How it works, and why:

- Input goes through `_xml.XmlInput` (size cap while reading, encoding detection and repair, refusal of
  entity declarations, declaration of undeclared well-known prefixes), then into an lxml pull parser with
  entity resolution, DTD loading and network access off.
- Streaming: the pull parser reports only the end of each ``item``/``entry``. Each one is turned into an
  `Episode` at once and removed from the tree, so memory holds the episodes, never the raw elements of a
  large feed. Channel elements stay in the tree and are read when the document ends (they may come after
  the items).
- Broken XML: the first pass is strict and reads the bytes as they are. When lxml reports a syntax error,
  the input is read again with repairs (control characters dropped, HTML entities such as &nbsp; turned
  into character references), still strict; when that fails too, once more in lxml's recover mode, and the
  feed gets a warning naming the first error. If even that yields no feed, the result is a
  `FeedSyntaxError` with the line and column of the error.
- Episode order: newest first by publication date (undated episodes last, in feed order), except for
  ``itunes:type`` serial shows, which keep the publisher's order: a serial is meant to be heard in the order
  the publisher lists it, and its dates often say nothing about that order.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from lxml import etree

from lytt.feeds import _atom, _rss
from lytt.feeds._common import Context, Element
from lytt.feeds._ns import split_tag
from lytt.feeds._xml import XmlInput
from lytt.feeds.errors import FeedError, FeedSyntaxError, NotAFeed
from lytt.feeds.model import Episode, Feed, FeedFormat

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""Feeds larger than this are refused with `FeedTooLarge` (the largest real podcast feeds are ~40 MB)."""

_ITEM_TAGS = ("{*}item", "{*}entry")
_ITEM_PARENTS = frozenset({"channel", "rdf", "rss", "feed"})
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse_feed(
    data: bytes | bytearray | memoryview | BinaryIO,
    *,
    url: str | None = None,
    content_type: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Feed:
    """Parse an RSS, RDF or Atom feed. Raises a `FeedError` subclass, never anything else."""
    try:
        source = XmlInput(data, source=url, content_type=content_type, max_bytes=max_bytes)
        feed = _read(source, url)
        feed.warnings[:0] = source.warnings
        return feed
    except FeedError:
        raise
    except etree.LxmlError as exc:
        raise FeedSyntaxError(f"the XML could not be read: {exc}", source=url) from exc
    except (MemoryError, RecursionError) as exc:
        raise FeedError(f"the feed is too complex to parse ({type(exc).__name__})", source=url) from exc


def _read(source: XmlInput, url: str | None) -> Feed:
    """Strict, then strict after repairs, then lxml's recover mode."""
    try:
        return _Pass(source, url, repair=False, recover=False).run()
    except etree.XMLSyntaxError as strict_error:
        try:
            return _Pass(source, url, repair=True, recover=False).run()
        except etree.XMLSyntaxError:
            return _Pass(source, url, repair=True, recover=True).run(strict_error)


def _position(error: etree.XMLSyntaxError) -> str:
    line, column = error.position if error.position else (error.lineno, error.offset)
    message = (error.msg or str(error)).split(", line ")[0]
    return f"line {line}, column {column}: {message}"


class _Pass:
    """One read of the document, strict or in recover mode."""

    def __init__(
        self,
        source: XmlInput,
        url: str | None,
        *,
        repair: bool,
        recover: bool,
    ) -> None:
        self.source = source
        self.url = url
        self.repair = repair
        self.recover = recover
        self.ctx = Context(url)
        self.episodes: list[Episode] = []

    def run(self, strict_error: etree.XMLSyntaxError | None = None) -> Feed:
        parser = etree.XMLPullParser(
            events=("end",),
            tag=_ITEM_TAGS,
            recover=self.recover,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
            encoding="utf-8",
            base_url=self.url,
        )
        empty = True
        for chunk in self.source.chunks(repair=self.repair):
            empty = False
            parser.feed(chunk)
            for _event, el in parser.read_events():
                self._item(el)
        if empty:
            raise FeedSyntaxError("the document is empty", source=self.url)
        try:
            root = parser.close()
        except etree.XMLSyntaxError as exc:
            error = strict_error or exc
            if not self.recover:
                raise
            raise FeedSyntaxError(f"broken XML at {_position(error)}", source=self.url) from exc
        for _event, el in parser.read_events():
            self._item(el)
        if root is None:
            if strict_error is not None:
                raise FeedSyntaxError(f"broken XML at {_position(strict_error)}", source=self.url)
            raise FeedSyntaxError("the document has no root element", source=self.url)
        feed = self._feed(root)
        if strict_error is not None:
            if feed.title is None and not feed.episodes:
                raise FeedSyntaxError(f"broken XML at {_position(strict_error)}", source=self.url)
            feed.warnings.append(
                f"recovered broken XML (first error at {_position(strict_error)}); some content may be lost"
            )
        return feed

    def _item(self, el: Element) -> None:
        parent = el.getparent()
        if parent is None or not isinstance(parent.tag, str):
            return
        if split_tag(parent.tag)[1] not in _ITEM_PARENTS:
            return
        self.episodes.append(self._episode(el))
        el.clear()  # children first: cheaper for lxml than moving the whole subtree out with the item
        parent.remove(el)

    def _episode(self, el: Element) -> Episode:
        episode = Episode()
        table = _atom.ENTRY if split_tag(el.tag)[0] == "atom" else _rss.ITEM
        state = _rss.collect(el, episode, table, self.ctx)
        _rss.finish_episode(el, episode, state, self.ctx)
        return episode

    def _feed(self, root: Element) -> Feed:
        if not isinstance(root.tag, str):
            raise NotAFeed("the document has no root element", source=self.url)
        namespace, local = split_tag(root.tag)
        fmt: FeedFormat
        if local == "html":
            raise NotAFeed("this is an HTML page, not an RSS or Atom feed", source=self.url)
        if local in ("rss", "channel") and namespace in ("", "rss:"):
            fmt, table = "rss", _rss.CHANNEL
            channel = root if local == "channel" else _find(root, "channel")
        elif local == "rdf":
            fmt, table = "rdf", _rss.CHANNEL
            channel = _find(root, "channel")
        elif local == "feed" and namespace == "atom":
            fmt, table, channel = "atom", _atom.FEED, root
        else:
            raise NotAFeed(
                f"the root element is <{root.tag}>, not <rss>, <feed> (Atom) or <rdf:RDF>", source=self.url
            )
        if channel is None:
            channel = root
        feed = Feed(format=fmt, feed_url=self.url)
        state = _rss.collect(channel, feed, table, self.ctx)
        if fmt == "rdf" and channel is not root:
            image = _find(root, "image")
            if image is not None:
                _rss.CHANNEL[("", "image")](image, feed, state, self.ctx)
        _rss.finish_channel(channel, feed, state, self.ctx)
        if feed.language is None:
            feed.language = _clean(root.get(_XML_LANG))
        for late in state.get("late_items", ()):
            self.episodes.append(self._episode(late))
        feed.episodes = self._ordered(feed)
        return feed

    def _ordered(self, feed: Feed) -> list[Episode]:
        if feed.type == "serial":
            return self.episodes
        return sorted(self.episodes, key=_newest_first)


def _newest_first(episode: Episode) -> tuple[bool, float]:
    published = episode.published
    return (published is None, -published.timestamp() if published is not None else 0.0)


def _find(parent: Element, local: str) -> Element | None:
    for child in parent:
        if isinstance(child.tag, str) and split_tag(child.tag)[1] == local:
            return child
    return None


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None
