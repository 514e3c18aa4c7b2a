"""Errors raised by the feed parser. Every message names the input (feed URL or 'feed') and what failed."""

from __future__ import annotations


class FeedError(Exception):
    """A feed could not be parsed. `source` is the feed URL or path when known."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class FeedTooLarge(FeedError):
    """The document is larger than the configured size cap."""


class FeedSyntaxError(FeedError):
    """The XML is broken beyond recovery; the message says where (line and column)."""


class NotAFeed(FeedError):
    """Well-formed, but not RSS, Atom or RDF (an HTML page, say)."""


class FeedEncodingError(FeedError):
    """The bytes cannot be decoded in any plausible encoding."""


class UnsafeXML(FeedError):
    """The document tries entity expansion or external entities, which are refused."""


class OPMLError(FeedError):
    """An OPML document could not be read."""


class AttachmentError(FeedError):
    """A transcript or chapters file an episode links to could not be read; `source` is its URL."""


class AttachmentTooLarge(AttachmentError):
    """A transcript or chapters file is over the byte or entry cap."""
