"""lytt.download against a real local HTTP server: redirects, HTTP errors, the size cap, the deadline."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from lytt import download as download_module
from lytt.download import DownloadError, DownloadTooLarge, download


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/doc")
            self.end_headers()
        elif self.path.startswith("/doc"):
            body = b"<opml/>" * 100
            self.send_response(200)
            self.send_header("Content-Type", "text/x-opml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
        else:
            self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_follows_redirects_and_says_where_the_body_came_from(server: str) -> None:
    fetched = download(f"{server}/moved", 10_000, purpose="(test)")
    assert fetched.body == b"<opml/>" * 100
    assert fetched.url == f"{server}/doc"
    assert fetched.content_type == "text/x-opml"


def test_an_http_error_names_the_status_and_redacts_the_token(server: str) -> None:
    with pytest.raises(DownloadError) as caught:
        download(f"{server}/missing?token=s3cr3t0123456789", 10_000, purpose="(test)")
    assert "HTTP 404" in str(caught.value)
    assert "s3cr3t0123456789" not in str(caught.value)
    assert "/missing" in str(caught.value)


def test_a_body_over_the_limit_is_refused(server: str) -> None:
    with pytest.raises(DownloadTooLarge, match="699-byte limit"):
        download(f"{server}/doc", 699, purpose="(test)")
    assert len(download(f"{server}/doc", 700, purpose="(test)").body) == 700


def test_a_server_that_drips_bytes_hits_the_deadline(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download_module, "DEADLINE_SECONDS", 0.5)
    with pytest.raises(DownloadError, match="longer than"):
        download(f"{server}/drip", 10_000, purpose="(test)")


def test_a_refused_connection_is_a_download_error() -> None:
    with pytest.raises(DownloadError, match="could not fetch"):
        download("http://127.0.0.1:9/feed.xml", 10_000, purpose="(test)")
