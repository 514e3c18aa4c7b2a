"""URL and address safety: what the crawler refuses, before sending and at connect time."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.feedserver import FeedServer, rss

from lytt.crawl.errors import UnsafeURL
from lytt.crawl.fetch import FetchConfig, Fetcher, FetchRequest, FetchResult
from lytt.crawl.safety import AddressPolicy, check_url, classify, embedded_ipv4
from lytt.crawl.transport import GuardedSocketFactory, RefusedAddress, Resolver

LOCAL_ONLY = AddressPolicy(extra_allowed=(ipaddress.ip_network("127.0.0.1/32"),))
FAST = FetchConfig(connect_timeout=2, read_timeout=2, total_timeout=5)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "CGNAT"),
        ("169.254.1.1", "link-local"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("fd12:3456::1", "IPv6 unique local"),
        ("fe80::1", "IPv6 link-local"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "broadcast"),
        ("192.0.2.1", "reserved"),
        ("198.18.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback (inside IPv6 ::ffff:7f00:1)"),
        ("64:ff9b::a00:1", "private (inside IPv6 64:ff9b::a00:1)"),
        ("2002:c0a8:101::1", "private (inside IPv6 2002:c0a8:101::1)"),
        ("8.8.8.8", None),
        ("151.101.1.1", None),
        ("2606:4700::1111", None),
    ],
)
def test_classify(address: str, reason: str | None) -> None:
    assert classify(ipaddress.ip_address(address)) == reason


def test_policy_allow_private_never_opens_metadata() -> None:
    open_policy = AddressPolicy(allow_private=True)
    assert open_policy.refusal(ipaddress.ip_address("10.0.0.1")) is None
    assert open_policy.refusal(ipaddress.ip_address("169.254.169.254")) == "cloud metadata"
    assert open_policy.refusal(ipaddress.ip_address("::ffff:169.254.169.254")) == "cloud metadata"
    assert LOCAL_ONLY.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert LOCAL_ONLY.refusal(ipaddress.ip_address("127.0.0.2")) == "loopback"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/feed.xml", "scheme 'ftp' is not http or https"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("example.com/feed.xml", "scheme '(none)'"),
        ("http:///feed.xml", "the URL has no host"),
        ("http://example.com:22/feed.xml", "port 22 is a system service port"),
        ("http://example.com:99999/feed.xml", "not a valid URL"),
        ("http://127.0.0.1/feed.xml", "refused to connect to 127.0.0.1 (loopback address)"),
        ("http://[::1]:8080/feed.xml", "refused to connect to ::1 (loopback address)"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ],
)
def test_check_url_refuses(url: str, message: str) -> None:
    with pytest.raises(UnsafeURL, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        check_url(url)
    assert caught.value.url == url


def test_check_url_accepts() -> None:
    for url in (
        "https://feeds.example.com/show.xml",
        "http://example.com:8080/rss",
        "https://user:secret@example.com:443/private.xml",
        "http://93.184.216.34/feed",
    ):
        assert check_url(url).hostname


def run_fetch(url: str, policy: AddressPolicy, resolver: Resolver | None = None) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(FAST, policy=policy, resolver=resolver) as fetcher:
            return await fetcher.fetch(FetchRequest(1, url))

    return asyncio.run(run())


def test_redirect_to_a_forbidden_address_is_refused(feed_server: FeedServer) -> None:
    inside = f"http://127.0.0.2:{feed_server.port}/secret.xml"
    start = feed_server.add("/jump", status=302, location=inside)
    result = run_fetch(start, LOCAL_ONLY)
    assert isinstance(result.error, UnsafeURL)
    assert result.error.address == "127.0.0.2"
    assert "127.0.0.2" in str(result.error)
    assert feed_server.hits["/jump"] == 1


def test_redirect_to_metadata_is_refused_even_when_private_feeds_are_allowed(feed_server: FeedServer) -> None:
    start = feed_server.add("/meta", status=301, location="http://169.254.169.254/latest/meta-data/")
    result = run_fetch(start, AddressPolicy(allow_private=True))
    assert isinstance(result.error, UnsafeURL)
    assert "cloud metadata" in str(result.error)
    assert result.permanent_url is None


def test_redirect_to_a_host_name_resolving_to_a_forbidden_address_is_refused(feed_server: FeedServer) -> None:
    feed_server.add("/secret.xml", rss("Secret"))
    start = feed_server.add(
        "/jump-named", status=301, location=feed_server.url("/secret.xml", host="inside.example")
    )

    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.2"] if host == "inside.example" else ["127.0.0.1"]

    result = run_fetch(start, LOCAL_ONLY, resolve)
    assert isinstance(result.error, UnsafeURL)
    assert result.error.address == "127.0.0.2"
    assert "inside.example" in str(result.error)
    assert result.permanent_url is None
    assert feed_server.hits["/secret.xml"] == 0


def resolver_for(answers: list[list[str]]) -> Resolver:
    """A resolver whose successive answers are `answers` (the last one repeats): a rebinding DNS server."""
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), len(answers)) - 1]

    return resolve


def test_hostname_checked_on_the_address_actually_used(feed_server: FeedServer) -> None:
    feed_server.add("/dns.xml", rss("DNS"))
    url = feed_server.url("/dns.xml", host="feeds.example")
    refused = run_fetch(url, AddressPolicy(), resolver_for([["127.0.0.1"]]))
    assert isinstance(refused.error, UnsafeURL)
    assert "feeds.example" in str(refused.error)
    allowed = run_fetch(url, LOCAL_ONLY, resolver_for([["127.0.0.1"]]))
    assert allowed.ok
    assert feed_server.requests[-1].headers["host"] == f"feeds.example:{feed_server.port}"


def test_mixed_answers_connect_only_to_allowed_addresses(feed_server: FeedServer) -> None:
    feed_server.add("/mixed.xml", rss("Mixed"))
    url = feed_server.url("/mixed.xml", host="feeds.example")
    assert run_fetch(url, LOCAL_ONLY, resolver_for([["127.0.0.2", "127.0.0.1"]])).ok


def test_rebinding_between_lookups_is_caught(feed_server: FeedServer) -> None:
    feed_server.add("/rebind.xml", rss("Rebind"))
    url = feed_server.url("/rebind.xml", host="rebind.example")
    resolver = resolver_for([["127.0.0.1"], ["127.0.0.2"]])
    assert run_fetch(url, LOCAL_ONLY, resolver).ok
    second = run_fetch(url, LOCAL_ONLY, resolver)
    assert isinstance(second.error, UnsafeURL)
    assert second.error.address == "127.0.0.2"


def test_unresolvable_host_is_a_dns_error() -> None:
    async def nxdomain(host: str, port: int) -> list[str]:
        return []

    result = run_fetch("http://nowhere.invalid/feed.xml", AddressPolicy(), nxdomain)
    assert result.error_kind == "dns"
    assert "nowhere.invalid" in str(result.error)
    real = run_fetch("http://nowhere.invalid/feed.xml", AddressPolicy())
    assert real.error_kind == "dns"


@given(st.ip_addresses(v=4))
def test_ipv4_inside_ipv6_is_judged_like_the_ipv4(address: ipaddress.IPv4Address) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(address))
    policy = AddressPolicy()
    for wrapped in (mapped, nat64):
        assert (policy.refusal(wrapped) is None) == (policy.refusal(address) is None)


@given(st.ip_addresses())
def test_only_global_addresses_pass_the_default_policy(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    if AddressPolicy().refusal(address) is None:
        assert address.is_global or embedded_ipv4_is_global(address)
    assert AddressPolicy(allow_private=True).refusal(address) in (None, "cloud metadata")


def embedded_ipv4_is_global(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    inner = embedded_ipv4(address)
    return inner is not None and inner.is_global


def test_socket_factory_refuses_forbidden_destinations() -> None:
    factory = GuardedSocketFactory(LOCAL_ONLY)
    for address in ("127.0.0.2", "169.254.169.254", "10.0.0.1", "::1", "::ffff:192.168.0.1"):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with pytest.raises(RefusedAddress) as refused:
            factory((family, socket.SOCK_STREAM, 6, "", (address, 80)))
        assert refused.value.refusal.address == address
    allowed = factory((socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80)))
    assert allowed.family == socket.AF_INET
    allowed.close()


def test_connections_that_bypass_the_resolver_are_still_checked(feed_server: FeedServer) -> None:
    """aiohttp does not resolve IP literals: the socket factory sees the address before the connect."""
    url = feed_server.add("/literal.xml", rss("Literal"))

    async def run() -> aiohttp.ClientConnectorError:
        connector = aiohttp.TCPConnector(socket_factory=GuardedSocketFactory(AddressPolicy()))
        async with aiohttp.ClientSession(connector=connector) as session:
            with pytest.raises(aiohttp.ClientConnectorError) as caught:
                await session.get(url)
        return caught.value

    error = asyncio.run(run())
    assert isinstance(error.os_error, RefusedAddress)
    assert error.os_error.refusal.address == "127.0.0.1"
    assert feed_server.hits["/literal.xml"] == 0


def test_fetcher_checks_the_peer_address_when_the_url_check_is_skipped(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the URL check out of the way, the fetcher's own connector still refuses 127.0.0.1."""
    url = feed_server.add("/peer.xml", rss("Peer"))
    monkeypatch.setattr("lytt.crawl.fetch.check_url", lambda url, policy: None)
    result = run_fetch(url, AddressPolicy())
    assert isinstance(result.error, UnsafeURL)
    assert result.error.address == "127.0.0.1"
    assert "loopback" in str(result.error)
    assert feed_server.hits["/peer.xml"] == 0
