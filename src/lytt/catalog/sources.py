"""Adding feed URLs to the catalogue: normalised, validated one by one, deduplicated, inserted in batches.

Each URL is checked on its own, so one bad line in a list of 100,000 loses nothing else: valid URLs become
`FeedSource` rows due now (the crawler picks them up), URLs already known are reported as such, and invalid
ones are reported with the reason. URLs that carry a token (`lytt.feeds.urls.is_private_feed_url`) are
marked private and only ever shown redacted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from django.utils import timezone

from lytt.catalog import bulk
from lytt.catalog.models import FeedSource
from lytt.feeds.urls import is_private_feed_url, redact_url

MAX_URL_LENGTH = 2000  # FeedSource.url
BATCH = 1000
_APP_SCHEMES = ("feed", "itpc", "pcast", "podcast", "podcasts")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidFeedURL(ValueError):
    """A string that cannot be a feed URL; the message names it (redacted) and says why."""


@dataclass(frozen=True, slots=True)
class Rejected:
    url: str  # as given, redacted when it carries a token
    reason: str


@dataclass(slots=True)
class AddResult:
    added: list[str] = field(default_factory=list)  # normalised URLs of new FeedSource rows
    known: list[str] = field(default_factory=list)  # normalised URLs that were already in the catalogue
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


def shown_url(raw: str) -> str:
    """`raw` as it may appear in messages: tokens redacted, the query cut when the URL cannot be parsed."""
    text = raw.strip()
    if not text:
        return repr(raw)
    try:
        urlsplit(text).port  # noqa: B018 - raises on what redact_url cannot take apart
    except ValueError:
        return text.split("?", 1)[0] + ("?..." if "?" in text else "")
    return redact_url(text)


def normalise_feed_url(raw: str) -> str:
    """The canonical form of a feed URL, or `InvalidFeedURL` saying what is wrong with it.

    Podcast-app schemes (``feed:``, ``itpc:``, ``pcast:``, ``podcast:``) become http(s); the scheme and host
    are lower-cased, a default port and the fragment dropped, an empty path becomes "/". The path and query
    are kept as given: servers may treat them case-sensitively.
    """
    text = raw.strip()
    shown = shown_url(raw)
    if not text:
        raise InvalidFeedURL("empty URL")
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme not in ("http", "https", *_APP_SCHEMES):
        what = f"scheme {scheme!r}" if scheme and "/" not in scheme else "no http(s) scheme"
        raise InvalidFeedURL(f"{shown}: not an http(s) URL ({what})")
    rest = text[len(scheme) + 1 :]
    if scheme in _APP_SCHEMES:
        inner = rest.split(":", 1)[0].lower() if ":" in rest else ""
        scheme, rest = (inner, rest[len(inner) + 1 :]) if inner in ("http", "https") else ("http", rest)
    if any(c in rest for c in "\x00\r\n\t"):
        raise InvalidFeedURL(f"{shown}: contains control characters")
    try:
        parts = urlsplit(f"{scheme}:{rest.replace(' ', '%20')}")
        port = parts.port
    except ValueError as error:
        raise InvalidFeedURL(f"{shown}: {error}") from None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or "%" in host:
        raise InvalidFeedURL(f"{shown}: no valid host name")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{port}"
    auth = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    url = urlunsplit((parts.scheme.lower(), auth + host, parts.path or "/", parts.query, ""))
    if len(url) > MAX_URL_LENGTH:
        raise InvalidFeedURL(f"{shown[:80]}...: longer than {MAX_URL_LENGTH} characters")
    return url


def add_feed_urls(
    urls: Iterable[str],
    *,
    now: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> AddResult:
    """Add feed URLs to the catalogue (see the module docstring); `on_progress(n)` after each batch of n."""
    now = now or timezone.now()
    result = AddResult()
    wanted: dict[str, None] = {}  # insertion-ordered set
    for raw in urls:
        try:
            wanted[normalise_feed_url(raw)] = None
        except InvalidFeedURL as error:
            result.rejected.append(Rejected(shown_url(raw), str(error)))
    ordered = list(wanted)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        existing = set(FeedSource.objects.filter(url__in=chunk).values_list("url", flat=True))
        new = [url for url in chunk if url not in existing]
        # Another process may add the same URL meanwhile: then it is known, not lost, and not an error.
        bulk.insert_values(
            FeedSource,
            [
                {"url": url, "private": is_private_feed_url(url), "next_check_at": now, "added_at": now}
                for url in new
            ],
            ignore_conflicts=True,
        )
        result.added += new
        result.known += [url for url in chunk if url in existing]
        if on_progress is not None:
            on_progress(len(chunk))
    return result


def display_url(source: FeedSource) -> str:
    """The URL as operators may see it: private feeds redacted."""
    return redact_url(source.url) if source.private else source.url
