"""Errors raised by the crawler. Every message names the feed URL (redacted) and what went wrong."""

from __future__ import annotations


class CrawlError(Exception):
    """Base class for everything the crawler raises about one feed."""

    #: A short machine-readable kind, stored as the outcome reason ("timeout", "dns", "http_404", ...).
    kind: str = "error"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        self.url = url
        self.detail = message
        super().__init__(f"{url}: {message}" if url else message)


class UnsafeURL(CrawlError):
    """The URL, or an address it resolves to, is not one the crawler may fetch."""

    kind = "unsafe"

    def __init__(self, message: str, *, url: str | None = None, address: str | None = None) -> None:
        self.address = address
        super().__init__(message, url=url)


class FetchError(CrawlError):
    """The HTTP exchange failed; `kind` says how."""

    def __init__(self, message: str, *, url: str | None = None, kind: str = "error") -> None:
        self.kind = kind
        super().__init__(message, url=url)


class ResponseTooLarge(FetchError):
    """The body grew past the size cap while streaming; the transfer was cut off."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message, url=url, kind="too_large")


class TooManyRedirects(FetchError):
    """More than the allowed number of redirect hops, or a redirect loop."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message, url=url, kind="redirects")
