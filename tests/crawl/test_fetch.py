"""Fetching from a real local server: conditional requests, compression, redirects, caps, failures."""

from __future__ import annotations

import asyncio
import zlib
from datetime import UTC, datetime, timedelta

import brotli
import pytest
from tests.feedserver import FeedServer, rss

from lytt.crawl.errors import UnsafeURL
from lytt.crawl.fetch import USER_AGENT, FetchConfig, Fetcher, FetchRequest, FetchResult
from lytt.crawl.safety import AddressPolicy

FAST = FetchConfig(connect_timeout=2, read_timeout=0.5, total_timeout=3, max_bytes=200_000)
OPEN = AddressPolicy(allow_private=True)


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    config: FetchConfig = FAST,
    policy: AddressPolicy = OPEN,
) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(config, policy=policy) as fetcher:
            return await fetcher.fetch(FetchRequest(1, url, etag, last_modified))

    return asyncio.run(run())


def test_good_feed_with_headers(feed_server: FeedServer) -> None:
    body = rss("Good Show")
    url = feed_server.add("/good.xml", body, etag='"v1"', last_modified="Mon, 01 Jan 2024 10:00:00 GMT")
    result = fetch(url)
    assert result.ok
    assert (result.status_code, result.body) == (200, body.encode())
    assert (result.etag, result.last_modified) == ('"v1"', "Mon, 01 Jan 2024 10:00:00 GMT")
    assert result.content_type.startswith("application/rss+xml")
    sent = feed_server.requests[-1].headers
    assert sent["user-agent"] == USER_AGENT
    assert "gzip" in sent["accept-encoding"]
    assert "br" in sent["accept-encoding"]
    assert "if-none-match" not in sent


def test_conditional_requests_get_304(feed_server: FeedServer) -> None:
    url = feed_server.add("/etag.xml", rss("Etag Show"), etag='"abc"')
    result = fetch(url, etag='"abc"')
    assert result.not_modified
    assert result.body is None
    assert feed_server.requests[-1].headers["if-none-match"] == '"abc"'
    modified = "Tue, 02 Jan 2024 10:00:00 GMT"
    url = feed_server.add("/lm.xml", rss("LM Show"), last_modified=modified)
    assert fetch(url, last_modified=modified).not_modified
    assert fetch(url, last_modified="Mon, 01 Jan 2024 10:00:00 GMT").status_code == 200


def test_gzip_is_decoded(feed_server: FeedServer) -> None:
    body = rss("Zipped", episodes=40)
    url = feed_server.add("/gz.xml", body, gzip=True)
    result = fetch(url)
    assert result.body == body.encode()
    assert 0 < result.bytes_received < len(body)


def test_deflate_and_brotli_are_decoded(feed_server: FeedServer) -> None:
    body = rss("Squeezed", episodes=40).encode()
    for name, encoded in (("deflate", zlib.compress(body)), ("br", brotli.compress(body))):
        url = feed_server.add(f"/{name}.xml", encoded, headers={"Content-Encoding": name})
        result = fetch(url)
        assert result.body == body, name
        assert result.bytes_received == len(encoded)
        assert "deflate" in feed_server.requests[-1].headers["accept-encoding"]


def test_corrupt_gzip_is_an_error(feed_server: FeedServer) -> None:
    result = fetch(feed_server.add("/badgz.xml", "x", behaviour="bad_gzip"))
    assert result.error_kind == "decoding"
    assert "/badgz.xml" in str(result.error)


def test_http_errors_carry_status_and_kind(feed_server: FeedServer) -> None:
    for status in (500, 503, 404, 410, 403):
        result = fetch(feed_server.add(f"/s{status}", "nope", status=status))
        assert (result.status_code, result.error_kind) == (status, f"http_{status}")
        assert result.body is None
        assert f"HTTP {status}" in str(result.error)
    assert fetch(feed_server.url("/never-registered")).error_kind == "http_404"


def test_retry_after_and_max_age_become_not_before(feed_server: FeedServer) -> None:
    before = datetime.now(UTC)
    result = fetch(feed_server.add("/busy", "", status=503, headers={"Retry-After": "7200"}))
    assert result.not_before is not None
    assert timedelta(hours=1, minutes=59) < result.not_before - before < timedelta(hours=2, minutes=1)
    cached = fetch(
        feed_server.add("/cached.xml", rss("Cached"), headers={"Cache-Control": "public, max-age=600"})
    )
    assert cached.ok
    assert cached.not_before is not None
    assert timedelta(minutes=9) < cached.not_before - before < timedelta(minutes=11)


def test_permanent_redirect_chain_is_reported(feed_server: FeedServer) -> None:
    final = feed_server.add("/final.xml", rss("Moved"))
    hop2 = feed_server.add("/hop2", status=308, location=final)
    start = feed_server.add("/hop1", status=301, location="/hop2")
    result = fetch(start)
    assert result.ok
    assert result.permanent_url == final
    assert result.final_url == final
    assert result.redirects == [(301, hop2), (308, final)]


def test_temporary_redirect_is_not_permanent(feed_server: FeedServer) -> None:
    final = feed_server.add("/t-final.xml", rss("Temp"))
    feed_server.add("/t2", status=301, location=final)
    start = feed_server.add("/t1", status=302, location="/t2")
    result = fetch(start)
    assert result.ok
    assert result.permanent_url is None
    for status in (303, 307):
        assert fetch(feed_server.add(f"/r{status}", status=status, location=final)).permanent_url is None
    # A permanent hop followed by a temporary one: the URL moves as far as the permanent hop.
    middle = feed_server.add("/m2", status=307, location=final)
    assert fetch(feed_server.add("/m1", status=301, location=middle)).permanent_url == middle


def test_redirect_loops_and_long_chains_fail(feed_server: FeedServer) -> None:
    feed_server.add("/loop-a", status=302, location="/loop-b")
    feed_server.add("/loop-b", status=302, location="/loop-a")
    loop = fetch(feed_server.url("/loop-a"))
    assert loop.error_kind == "redirects"
    assert "loop" in str(loop.error)
    for n in range(7):
        feed_server.add(f"/chain{n}", status=301, location=f"/chain{n + 1}")
    feed_server.add("/chain7", rss("End"))
    long = fetch(feed_server.url("/chain0"))
    assert long.error_kind == "redirects"
    assert long.permanent_url is None
    assert "more than 5 redirects" in str(long.error)


def test_timeouts(feed_server: FeedServer) -> None:
    result = fetch(feed_server.add("/slow.xml", rss("Slow"), delay=2.0))
    assert result.error_kind == "timeout"
    assert "read timeout" in str(result.error)
    assert result.duration_ms < 2000
    total = FetchConfig(read_timeout=5, total_timeout=0.3)
    assert "in total" in str(fetch(feed_server.add("/slow2.xml", "x", delay=1.0), config=total).error)


def test_connection_reset_and_refused(feed_server: FeedServer) -> None:
    reset = fetch(feed_server.add("/reset", behaviour="reset"))
    assert reset.error_kind in {"reset", "truncated", "protocol"}
    assert reset.body is None
    closed = FeedServer()
    port = closed.port
    closed.stop()
    refused = fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert refused.error_kind == "connect"
    assert f"127.0.0.1:{port}" in str(refused.error)


def test_truncated_body_is_an_error_not_a_short_feed(feed_server: FeedServer) -> None:
    result = fetch(feed_server.add("/trunc.xml", rss("Truncated", episodes=20), behaviour="truncate"))
    assert result.error_kind == "truncated"
    assert result.body is None


def test_size_cap_while_streaming(feed_server: FeedServer) -> None:
    declared = fetch(feed_server.add("/big.xml", b"x" * 300_000))
    assert declared.error_kind == "too_large"
    assert "Content-Length 300,000" in str(declared.error)
    endless = fetch(feed_server.add("/endless.xml", behaviour="endless"))
    assert endless.error_kind == "too_large"
    assert "grew past the 200,000-byte cap" in str(endless.error)
    # A gzip bomb is capped on the decoded size, not the few bytes on the wire.
    bomb = fetch(feed_server.add("/bomb.xml", b" " * 5_000_000, gzip=True))
    assert bomb.error_kind == "too_large"


def test_wrong_content_type_is_still_fetched(feed_server: FeedServer) -> None:
    result = fetch(feed_server.add("/as-html", rss("Html"), content_type="text/html"))
    assert result.ok
    assert result.content_type == "text/html"


def test_private_address_refused_by_default(feed_server: FeedServer) -> None:
    result = fetch(feed_server.add("/private.xml", rss("Private")), policy=AddressPolicy())
    assert isinstance(result.error, UnsafeURL)
    assert result.error.address == "127.0.0.1"
    assert "loopback" in str(result.error)
    assert feed_server.hits["/private.xml"] == 0


def test_hostname_resolving_to_loopback_refused_at_connect_time(feed_server: FeedServer) -> None:
    feed_server.add("/named.xml", rss("Named"))
    result = fetch(feed_server.url("/named.xml", host="localhost"), policy=AddressPolicy())
    assert isinstance(result.error, UnsafeURL)
    assert result.error.address in {"127.0.0.1", "::1"}
    assert "localhost" in str(result.error)
    assert feed_server.hits["/named.xml"] == 0


def test_connections_are_kept_alive_after_304s_redirects_and_errors(feed_server: FeedServer) -> None:
    """An unread body (a 304's, a redirect's, an error page's) must not cost the next request a new
    connection: the resolver runs once per connection, so it counts them."""
    feed_server.add("/kept.xml", rss("Kept"), etag='"k1"')
    feed_server.add("/hop.xml", status=302, location="/kept.xml")
    feed_server.add("/err.xml", "an error page", status=500)
    lookups: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    def named(path: str) -> str:
        return feed_server.url(path, host="feeds.test")

    async def run() -> list[FetchResult]:
        config = FetchConfig(connect_timeout=2, read_timeout=1, total_timeout=3, concurrency=1, per_host=1)
        async with Fetcher(config, policy=OPEN, resolver=resolver) as fetcher:
            return [
                await fetcher.fetch(FetchRequest(n, address, etag='"k1"'))
                for n, address in enumerate([named("/kept.xml"), named("/hop.xml"), named("/err.xml")] * 3)
            ]

    results = asyncio.run(run())
    assert [r.status_code for r in results] == [304, 304, 500] * 3
    assert lookups == ["feeds.test"]


def test_fetch_each_bounds_concurrency_and_reports_bugs_per_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed set of fetch coroutines: never more than `concurrency` fetches at once, every request
    answered exactly once, and a bug while fetching one feed is that feed's error, not the batch's."""
    in_flight = peak = 0

    async def fake_fetch(self: Fetcher, request: FetchRequest) -> FetchResult:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001 * (request.feed_id % 3))
        in_flight -= 1
        if request.feed_id == 7:
            raise RuntimeError("boom")
        return FetchResult(request=request, final_url=request.url, status_code=304)

    monkeypatch.setattr(Fetcher, "fetch", fake_fetch)
    requests = [FetchRequest(n, f"http://feeds.test/{n}.xml") for n in range(40)]

    async def run() -> list[FetchResult]:
        results: list[FetchResult] = []
        async with Fetcher(FetchConfig(concurrency=5), policy=OPEN) as fetcher:
            await fetcher.fetch_each(requests, results.append)
        return results

    results = asyncio.run(run())
    assert peak == 5
    assert sorted(result.request.feed_id for result in results) == list(range(40))
    broken = [result for result in results if result.error is not None]
    assert [result.request.feed_id for result in broken] == [7]
    assert "internal error while fetching: RuntimeError('boom')" in str(broken[0].error)


def test_urls_are_sent_as_stored_or_quoted_when_they_must_be(feed_server: FeedServer) -> None:
    """Escapes in a stored URL go out unchanged (signed URLs); a space, from a feed list or a Location
    header, is percent-encoded instead of breaking the request line."""
    body = rss("Escaped")
    signed = feed_server.add("/signed%7Efeed.xml?sig=a%2Bb", body)
    assert fetch(signed).body == body.encode()
    assert feed_server.requests[-1].path == "/signed%7Efeed.xml?sig=a%2Bb"
    feed_server.add("/with%20space.xml", body)
    assert fetch(feed_server.url("/with space.xml")).body == body.encode()
    start = feed_server.add("/to-space", status=302, location="/with space.xml")
    assert fetch(start).body == body.encode()
    assert feed_server.requests[-1].path == "/with%20space.xml"


def test_long_response_headers_are_accepted(feed_server: FeedServer) -> None:
    body = rss("Cookie monster")
    policy = "default-src 'self'; " + "script-src https://cdn.example.com; " * 300  # ~11 KB
    result = fetch(feed_server.add("/long-headers.xml", body, headers={"Content-Security-Policy": policy}))
    assert result.ok
    assert result.body == body.encode()
