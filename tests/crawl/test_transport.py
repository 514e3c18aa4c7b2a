"""The guarded connector over TLS: it connects to the address it checked, and still verifies the
certificate against the URL's host name."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from tests.feedserver import rss

from lytt.crawl.fetch import FetchConfig, Fetcher, FetchRequest, FetchResult
from lytt.crawl.safety import AddressPolicy

LOCAL_ONLY = AddressPolicy(extra_allowed=(ipaddress.ip_network("127.0.0.1/32"),))
BODY = rss("Secure Show").encode()


class _FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_port(ca: trustme.CA) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 whose certificate names only feeds.test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    server.daemon_threads = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("feeds.test").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def fetch(url: str) -> FetchResult:
    async def to_loopback(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    async def run() -> FetchResult:
        config = FetchConfig(connect_timeout=2, read_timeout=2, total_timeout=5)
        async with Fetcher(config, policy=LOCAL_ONLY, resolver=to_loopback) as fetcher:
            return await fetcher.fetch(FetchRequest(1, url))

    return asyncio.run(run())


def test_tls_verifies_the_host_name_of_the_url(
    ca: trustme.CA, https_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def trusting_the_test_ca() -> ssl.SSLContext:
        context = ssl.create_default_context()
        ca.configure_trust(context)
        return context

    monkeypatch.setattr("lytt.crawl.transport.tls_context", trusting_the_test_ca)
    good = fetch(f"https://feeds.test:{https_port}/feed.xml")
    assert good.ok
    assert good.body == BODY
    wrong_name = fetch(f"https://other.test:{https_port}/feed.xml")
    assert wrong_name.error_kind == "connect"
    assert "other.test" in str(wrong_name.error)
    assert "certificate" in str(wrong_name.error).lower()


def test_tls_refuses_a_certificate_from_an_unknown_authority(https_port: int) -> None:
    result = fetch(f"https://feeds.test:{https_port}/feed.xml")
    assert result.error_kind == "connect"
    assert "certificate verify failed" in str(result.error)
