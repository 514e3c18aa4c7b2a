"""Fetching feeds: async aiohttp, bounded concurrency, conditional requests, manual redirects, a size cap.

`Fetcher.fetch` never raises for anything that can go wrong with one feed: the outcome, good or bad, is a
`FetchResult`. Redirects are followed by hand so that every hop is checked (`check_url`, and the guarded
connector at connect time) and so that permanent hops (301/308) can be told apart from temporary ones.
aiohttp parses HTTP in C; its per-request CPU cost is a fraction of httpx's (docs/benchmarks.md, "crawl").
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urljoin

import aiohttp
from yarl import URL

from lytt.crawl.errors import CrawlError, FetchError, ResponseTooLarge, TooManyRedirects, UnsafeURL
from lytt.crawl.headers import not_before_from
from lytt.crawl.safety import AddressPolicy, check_url
from lytt.crawl.transport import DNSFailure, RefusedAddress, Resolver, guarded_connector
from lytt.feeds.feed_urls import redact_url as redact

USER_AGENT = "Lytt/0.1 (+https://github.com/lytt-podcast/lytt; podcast directory)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
#: What aiohttp decodes: gzip and deflate always, Brotli with the `brotli` package (a dependency).
ACCEPT_ENCODING = "gzip, deflate, br"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_CODES = frozenset({301, 308})

#: The longest header line accepted (aiohttp's default is 8 KB; some feed hosts send longer cookies and
#: security policies, which httpx's parser took up to 16 KB of).
MAX_HEADER_BYTES = 16 * 1024
#: The most of a body the fetcher reads only to keep the connection (a redirect's, a 304's, an error page's).
DRAIN_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """Limits for one crawler process. Timeouts are seconds; `total_timeout` bounds a whole fetch."""

    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 90.0
    max_bytes: int = 32 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 32
    per_host: int = 4


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One feed to fetch, with the validators from its last good fetch."""

    feed_id: int
    url: str
    etag: str = ""
    last_modified: str = ""


@dataclass(slots=True)
class FetchResult:
    """What happened when fetching one feed. `error` is None for 2xx and 304 responses."""

    request: FetchRequest
    final_url: str
    status_code: int | None = None
    body: bytes | None = None
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    not_before: datetime | None = None
    #: Where the leading run of permanent redirects (301/308) points, when the fetch succeeded there.
    permanent_url: str | None = None
    redirects: list[tuple[int, str]] = field(default_factory=list)
    error: CrawlError | None = None
    bytes_received: int = 0
    duration_ms: int = 0

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status_code == 304

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def error_kind(self) -> str:
        return self.error.kind if self.error is not None else ""


def _timeout_error(exc: aiohttp.ServerTimeoutError, url: str, config: FetchConfig) -> FetchError:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        what = f"connecting timed out after {config.connect_timeout:g}s"
    else:
        what = f"no data for {config.read_timeout:g}s (read timeout)"
    return FetchError(what, url=url, kind="timeout")


def _connect_error(exc: aiohttp.ClientConnectorError, url: str) -> CrawlError:
    """A failed connection; the socket factory's refusal of an address becomes an UnsafeURL again."""
    cause = exc.os_error
    if isinstance(cause, RefusedAddress):
        return UnsafeURL(cause.refusal.detail, url=url, address=cause.refusal.address)
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return DNSFailure(f"cannot resolve host ({cause})", url=url)
    return FetchError(f"cannot connect ({exc})", url=url, kind="connect")


def _payload_error(exc: aiohttp.ClientPayloadError, url: str) -> FetchError:
    detail = str(exc) or type(exc).__name__
    if "content-encoding" in detail.lower() or "decompress" in detail.lower():
        return FetchError(f"the compressed body is corrupt ({detail})", url=url, kind="decoding")
    return FetchError(f"the server broke the HTTP exchange ({detail})", url=url, kind="truncated")


def _network_error(exc: aiohttp.ClientError, url: str, config: FetchConfig) -> CrawlError:
    """Translate aiohttp's exceptions into the crawler's, keeping the cause in the message."""
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return _timeout_error(exc, url, config)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return _connect_error(exc, url)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return _payload_error(exc, url)
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return FetchError(f"the server closed the connection ({detail})", url=url, kind="truncated")
    if isinstance(exc, aiohttp.ClientOSError):
        return FetchError(f"the connection was reset while reading ({detail})", url=url, kind="reset")
    if isinstance(exc, aiohttp.ClientResponseError):
        return FetchError(f"the server broke the HTTP exchange ({detail})", url=url, kind="protocol")
    if isinstance(exc, aiohttp.InvalidURL):
        return FetchError(f"not a fetchable URL ({detail})", url=url, kind="invalid_url")
    return FetchError(f"{type(exc).__name__}: {detail}", url=url, kind="network")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "unexpected status"


def _wire_url(url: str) -> URL:
    """The URL as sent: byte for byte when it is plain printable ASCII (a signed URL keeps its escapes as
    they are), else percent-encoded and IDNA-encoded by yarl (a Location with spaces or non-ASCII text)."""
    if url.isascii() and url.isprintable() and " " not in url:
        return URL(url, encoded=True)
    return URL(url)


async def _drain(response: aiohttp.ClientResponse) -> None:
    """Read a small unwanted body to its end, so the connection goes back to the pool for keep-alive.

    A response released before its body is read closes its connection: without this, every redirect or
    error page would cost the next request a new TCP (and TLS) handshake. A body past `DRAIN_BYTES` is not
    worth reading; the connection is closed instead.
    """
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > DRAIN_BYTES:
            return


class Fetcher:
    """Fetches feeds concurrently: at most `concurrency` at once, and at most `per_host` per host.

    Use as an async context manager (it owns the HTTP session and its connection pool). One pool serves
    every host: aiohttp's pool finds a host's idle connection by key, at a cost independent of its size.
    """

    def __init__(
        self,
        config: FetchConfig | None = None,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config or FetchConfig()
        self.policy = policy or AddressPolicy()
        self._resolver = resolver
        self._clock = clock or (lambda: datetime.now(UTC))
        self._session: aiohttp.ClientSession | None = None
        self._overall: asyncio.Semaphore | None = None

    async def __aenter__(self) -> Fetcher:
        config = self.config
        concurrency = max(config.concurrency, 1)
        connector = guarded_connector(
            self.policy,
            resolver=self._resolver,
            limit=concurrency,
            limit_per_host=max(config.per_host, 1),
            resolve_timeout=config.connect_timeout,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=config.connect_timeout, sock_read=config.read_timeout
            ),
            headers={"User-Agent": config.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
            cookie_jar=aiohttp.DummyCookieJar(),
            max_line_size=MAX_HEADER_BYTES,
            max_field_size=MAX_HEADER_BYTES,
            trust_env=False,
            raise_for_status=False,
        )
        self._overall = asyncio.Semaphore(concurrency)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch one feed. Never raises for a problem with the feed: see `FetchResult.error`."""
        assert self._overall is not None, "use `async with Fetcher(...)`"
        assert self._session is not None, "use `async with Fetcher(...)`"
        result = FetchResult(request=request, final_url=request.url)
        started = time.monotonic()
        async with self._overall:
            try:
                async with asyncio.timeout(self.config.total_timeout):
                    await self._follow(request, result, self._session)
            except TimeoutError:
                result.error = FetchError(
                    f"took longer than {self.config.total_timeout:g}s in total",
                    url=redact(result.final_url),
                    kind="timeout",
                )
            except CrawlError as exc:
                result.error = exc
        result.duration_ms = int((time.monotonic() - started) * 1000)
        if result.error is not None:
            result.body = None
            result.permanent_url = None
        return result

    async def fetch_each(
        self, requests: Iterable[FetchRequest], deliver: Callable[[FetchResult], object]
    ) -> None:
        """Fetch every request, `concurrency` at a time, handing each result to `deliver` as it completes.

        A fixed set of worker coroutines pulls from `requests`: no task, future or semaphore waiter per
        queued feed (asyncio's semaphore scans its waiters on every acquire). A bug while fetching one feed
        is reported as that feed's error; it never ends the others.
        """
        pending = iter(requests)

        async def work() -> None:
            for request in pending:
                deliver(await self._fetch_reporting_bugs(request))

        await asyncio.gather(*(work() for _ in range(max(self.config.concurrency, 1))))

    async def _fetch_reporting_bugs(self, request: FetchRequest) -> FetchResult:
        try:
            return await self.fetch(request)
        except Exception as exc:  # a bug, not a feed problem: still report it against the feed
            result = FetchResult(request=request, final_url=request.url)
            result.error = FetchError(f"internal error while fetching: {exc!r}", url=redact(request.url))
            return result

    def _headers(self, request: FetchRequest) -> dict[str, str]:
        headers: dict[str, str] = {}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        return headers

    async def _follow(
        self, request: FetchRequest, result: FetchResult, session: aiohttp.ClientSession
    ) -> None:
        """Walk the redirect chain by hand, each hop checked, filling in `result`."""
        url = request.url
        permanent_so_far = True
        seen = {url}
        headers = self._headers(request)
        for hop in range(self.config.max_redirects + 1):
            result.final_url = url
            try:
                check_url(url, self.policy)
            except UnsafeURL as exc:
                raise UnsafeURL(exc.detail, url=redact(url), address=exc.address) from None
            location = await self._exchange(session, url, headers, result)
            if location is None:
                break
            status = result.status_code or 0
            target = urljoin(url, location)
            result.redirects.append((status, target))
            if hop == self.config.max_redirects:
                raise TooManyRedirects(
                    f"more than {self.config.max_redirects} redirects", url=redact(request.url)
                )
            if target in seen:
                raise TooManyRedirects(f"redirect loop back to {redact(target)}", url=redact(request.url))
            seen.add(target)
            if permanent_so_far and status in PERMANENT_REDIRECT_CODES:
                result.permanent_url = target
            else:
                permanent_so_far = False
            url = target
        if result.status_code is not None and result.status_code not in (200, 203, 304):
            result.body = None
            result.error = FetchError(
                f"HTTP {result.status_code} {_reason(result.status_code)}",
                url=redact(url),
                kind=f"http_{result.status_code}",
            )

    async def _exchange(
        self, session: aiohttp.ClientSession, url: str, headers: dict[str, str], result: FetchResult
    ) -> str | None:
        """One request/response. Returns the Location to follow, or None when this is the final answer."""
        try:
            async with session.get(_wire_url(url), headers=headers, allow_redirects=False) as response:
                return await self._read(response, url, result)
        except (UnsafeURL, DNSFailure) as exc:
            if isinstance(exc, UnsafeURL):
                raise UnsafeURL(exc.detail, url=redact(url), address=exc.address) from None
            raise DNSFailure(exc.detail, url=redact(url)) from None
        except aiohttp.ClientError as exc:
            raise _network_error(exc, redact(url), self.config) from None
        except ValueError as exc:  # yarl's and aiohttp's refusals of a malformed URL
            raise FetchError(f"not a fetchable URL ({exc})", url=redact(url), kind="invalid_url") from None

    async def _read(self, response: aiohttp.ClientResponse, url: str, result: FetchResult) -> str | None:
        """Record a response's status and headers and read its body (capped) when it is the feed."""
        status = response.status
        response_headers = response.headers
        result.status_code = status
        result.not_before = not_before_from(
            status_code=status,
            retry_after=response_headers.get("Retry-After"),
            cache_control=response_headers.get("Cache-Control"),
            now=self._clock(),
        )
        location = response_headers.get("Location")
        if status in REDIRECT_CODES and location:
            await _drain(response)
            return location
        result.etag = response_headers.get("ETag", "")[:500]
        result.last_modified = response_headers.get("Last-Modified", "")[:100]
        if status not in (200, 203):
            await _drain(response)
            return None
        result.body = await self._body(response, url)
        result.bytes_received = response.content.total_raw_bytes
        result.content_type = response_headers.get("Content-Type", "")
        return None

    async def _body(self, response: aiohttp.ClientResponse, url: str) -> bytes:
        """The decoded body, streamed and cut off past `max_bytes` (decoded bytes: a gzip bomb stops too)."""
        max_bytes = self.config.max_bytes
        declared = response.content_length
        if declared is not None and declared > max_bytes:
            raise ResponseTooLarge(
                f"Content-Length {declared:,} is over the {max_bytes:,}-byte cap", url=redact(url)
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_any():
            size += len(chunk)
            if size > max_bytes:
                raise ResponseTooLarge(f"the body grew past the {max_bytes:,}-byte cap", url=redact(url))
            chunks.append(chunk)
        return b"".join(chunks)
