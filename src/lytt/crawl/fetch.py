"""Fetching feeds: async httpx, bounded concurrency, conditional requests, manual redirects, a size cap.

`Fetcher.fetch` never raises for anything that can go wrong with one feed: the outcome, good or bad, is a
`FetchResult`. Redirects are followed by hand so that every hop is checked (`check_url`, and the guarded
transport at connect time) and so that permanent hops (301/308) can be told apart from temporary ones.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from lytt.crawl.errors import CrawlError, FetchError, ResponseTooLarge, TooManyRedirects, UnsafeURL
from lytt.crawl.headers import not_before_from
from lytt.crawl.safety import AddressPolicy, check_url
from lytt.crawl.transport import DNSFailure, GuardedTransport, Resolver
from lytt.feeds.urls import redact_url as redact

# httpx logs every request line at INFO with the full URL, tokens of private feeds included; the crawler
# logs its own redacted line per feed instead.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

USER_AGENT = "Lytt/0.1 (+https://github.com/lytt-podcast/lytt; podcast directory)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_CODES = frozenset({301, 308})


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


def _timeout_error(exc: httpx.TimeoutException, url: str, config: FetchConfig) -> FetchError:
    if isinstance(exc, httpx.ConnectTimeout):
        what = f"connecting timed out after {config.connect_timeout:g}s"
    elif isinstance(exc, httpx.ReadTimeout):
        what = f"no data for {config.read_timeout:g}s (read timeout)"
    else:
        what = f"timed out ({type(exc).__name__})"
    return FetchError(what, url=url, kind="timeout")


def _network_error(exc: httpx.HTTPError, url: str, config: FetchConfig) -> CrawlError:
    """Translate httpx's exceptions into the crawler's, keeping the cause in the message."""
    if isinstance(exc, httpx.TimeoutException):
        return _timeout_error(exc, url, config)
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return FetchError(f"cannot connect ({detail})", url=url, kind="connect")
    if isinstance(exc, httpx.RemoteProtocolError):
        kind = "truncated" if "incomplete" in detail.lower() or "closed" in detail.lower() else "protocol"
        return FetchError(f"the server broke the HTTP exchange ({detail})", url=url, kind=kind)
    if isinstance(exc, httpx.ReadError):
        return FetchError(f"the connection was reset while reading ({detail})", url=url, kind="reset")
    if isinstance(exc, httpx.DecodingError):
        return FetchError(f"the compressed body is corrupt ({detail})", url=url, kind="decoding")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FetchError(f"not a fetchable URL ({detail})", url=url, kind="invalid_url")
    return FetchError(f"{type(exc).__name__}: {detail}", url=url, kind="network")


#: Connections per httpx pool. httpcore's pool scans every connection (with a readability syscall per idle
#: one) for every queued request, so its cost grows with the square of its size; the fetcher spreads
#: its `concurrency` over several small pools instead of one big one (measured in docs/benchmarks.md).
POOL_SHARD_SIZE = 4

#: The most of a body the fetcher reads only to keep the connection (a redirect's, a 304's, an error page's).
DRAIN_BYTES = 64 * 1024


async def _drain(response: httpx.Response) -> None:
    """Read a small unwanted body to its end, so the connection goes back to the pool for keep-alive.

    httpcore closes a connection whose response was closed unread, even a 304's empty one: without this,
    every conditional request that comes back 304 costs a new TCP (and TLS) handshake. A body past
    `DRAIN_BYTES` is not worth reading; the connection is closed instead.
    """
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > DRAIN_BYTES:
            return


class Fetcher:
    """Fetches feeds concurrently: at most `concurrency` at once, and at most `per_host` per host.

    Use as an async context manager (it owns the HTTP client and its connection pool).
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
        self._clients: list[httpx.AsyncClient] = []
        self._overall: asyncio.Semaphore | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        config = self.config
        concurrency = max(config.concurrency, 1)
        shards = max(1, -(-concurrency // POOL_SHARD_SIZE))
        per_shard = -(-concurrency // shards)
        limits = httpx.Limits(max_connections=per_shard * 2, max_keepalive_connections=per_shard)
        self._clients = [
            httpx.AsyncClient(
                transport=GuardedTransport(self.policy, resolver=self._resolver, limits=limits),
                timeout=httpx.Timeout(
                    connect=config.connect_timeout,
                    read=config.read_timeout,
                    write=config.read_timeout,
                    pool=config.total_timeout,
                ),
                follow_redirects=False,
                headers={"User-Agent": config.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, br"},
                trust_env=False,
            )
            for _ in range(shards)
        ]
        self._overall = asyncio.Semaphore(concurrency)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        clients, self._clients = self._clients, []
        for client in clients:
            await client.aclose()

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(max(self.config.per_host, 1))
        return slot

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch one feed. Never raises for a problem with the feed: see `FetchResult.error`."""
        assert self._overall is not None, "use `async with Fetcher(...)`"
        result = FetchResult(request=request, final_url=request.url)
        started = time.monotonic()
        async with self._overall:
            try:
                async with asyncio.timeout(self.config.total_timeout):
                    await self._follow(request, result, self._client_for(request))
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

    async def fetch_all(self, requests: Iterable[FetchRequest]) -> AsyncIterator[FetchResult]:
        """Fetch every request concurrently, yielding results as they complete."""
        tasks = [asyncio.ensure_future(self.fetch(request)) for request in requests]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()

    def _headers(self, request: FetchRequest) -> dict[str, str]:
        headers: dict[str, str] = {}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        return headers

    async def _follow(self, request: FetchRequest, result: FetchResult, client: httpx.AsyncClient) -> None:
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
            location = await self._exchange(client, url, headers, result)
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
            reason = httpx.codes.get_reason_phrase(result.status_code) or "unexpected status"
            result.error = FetchError(
                f"HTTP {result.status_code} {reason}", url=redact(url), kind=f"http_{result.status_code}"
            )

    def _client_for(self, request: FetchRequest) -> httpx.AsyncClient:
        """The pool a feed's fetches use: always the same one, so its connections are reused."""
        assert self._clients, "use `async with Fetcher(...)`"
        return self._clients[request.feed_id % len(self._clients)]

    async def _exchange(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], result: FetchResult
    ) -> str | None:
        """One request/response. Returns the Location to follow, or None when this is the final answer."""
        config = self.config
        try:
            async with self._host_slot(url), client.stream("GET", url, headers=headers) as response:
                result.status_code = response.status_code
                result.not_before = not_before_from(
                    status_code=response.status_code,
                    retry_after=response.headers.get("retry-after"),
                    cache_control=response.headers.get("cache-control"),
                    now=self._clock(),
                )
                location = response.headers.get("location")
                if response.status_code in REDIRECT_CODES and location:
                    await _drain(response)
                    return location
                result.etag = response.headers.get("etag", "")[:500]
                result.last_modified = response.headers.get("last-modified", "")[:100]
                if response.status_code not in (200, 203):
                    await _drain(response)
                    return None
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > config.max_bytes:
                    raise ResponseTooLarge(
                        f"Content-Length {int(declared):,} is over the {config.max_bytes:,}-byte cap",
                        url=redact(url),
                    )
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > config.max_bytes:
                        raise ResponseTooLarge(
                            f"the body grew past the {config.max_bytes:,}-byte cap", url=redact(url)
                        )
                    chunks.append(chunk)
                result.body = b"".join(chunks)
                result.bytes_received = response.num_bytes_downloaded
                result.content_type = response.headers.get("content-type", "")
                return None
        except (UnsafeURL, DNSFailure) as exc:
            if isinstance(exc, UnsafeURL):
                raise UnsafeURL(exc.detail, url=redact(url), address=exc.address) from None
            raise DNSFailure(exc.detail, url=redact(url)) from None
        except httpx.HTTPError as exc:
            raise _network_error(exc, redact(url), config) from None
