"""One capped HTTP GET, for the commands an operator points at a URL (`lytt parse`, `lytt import-opml`).

The crawler has its own fetcher (lytt.crawl.fetch) with conditional requests and the SSRF guard; these
commands fetch one document the operator named, so they need only the caps: a timeout per network
operation, a deadline for the whole body (a server that drips bytes cannot hang the command) and a size
limit applied while the body streams in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from lytt.feeds.feed_urls import redact_url

TIMEOUT_SECONDS = 30.0
DEADLINE_SECONDS = 120.0
USER_AGENT = "Lytt/0.1 (+https://github.com/lytt)"


class DownloadError(Exception):
    """The document could not be fetched; the message names the URL (with any token redacted)."""


class DownloadTooLarge(DownloadError):
    """The body is larger than the caller's limit."""


@dataclass(frozen=True, slots=True)
class Download:
    body: bytes
    url: str  # where it was served from, after redirects
    content_type: str | None


def download(url: str, max_bytes: int, *, purpose: str) -> Download:
    """GET `url`, following redirects; raise DownloadError for an HTTP error, a network failure, a body
    over `max_bytes` or a download past the deadline. `purpose` goes into the User-Agent."""
    import httpx

    shown = redact_url(url)
    headers = {"User-Agent": f"{USER_AGENT} {purpose}"}
    try:
        with (
            httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise DownloadError(f"{shown}: HTTP {response.status_code} {response.reason_phrase}")
            chunks: list[bytes] = []
            total = 0
            deadline = time.monotonic() + DEADLINE_SECONDS
            for chunk in response.iter_bytes():
                if time.monotonic() > deadline:
                    raise DownloadError(f"{shown}: download took longer than {DEADLINE_SECONDS:.0f} s")
                total += len(chunk)
                if total > max_bytes:
                    raise DownloadTooLarge(f"{shown}: larger than the {max_bytes:,}-byte limit")
                chunks.append(chunk)
            return Download(b"".join(chunks), str(response.url), response.headers.get("content-type"))
    except httpx.HTTPError as exc:
        raise DownloadError(f"{shown}: could not fetch it: {type(exc).__name__}: {exc}") from exc
