"""A real HTTP server on 127.0.0.1 for crawler tests, serving good feeds and misbehaving ones.

Routes are registered per path with `FeedServer.add`; each says how to misbehave (status codes, redirects,
gzip, ETag/Last-Modified with 304s, delays, connection resets, truncated bodies, endless bodies). Every
request is recorded (path and headers) so tests can assert what the crawler sent.
"""

from __future__ import annotations

import gzip
import re
import socket
import struct
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

FIRST_EPISODE = datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
Behaviour = Literal["normal", "reset", "truncate", "endless", "bad_gzip"]


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    location: str | None = None
    delay: float = 0.0
    behaviour: Behaviour = "normal"
    ranges: bool = False  # answer "Range: bytes=N-" with 206, as media servers do (browsers seek with it)


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    feed_server: FeedServer

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """A client that hangs up mid-answer (a size cap, a timeout, a fetch given up on) is what some
        tests do on purpose; anything else is printed as usual."""
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests assert on `FeedServer.requests` instead."""

    def do_GET(self) -> None:
        owner = self.server.feed_server
        headers = {name.lower(): value for name, value in self.headers.items()}
        route = owner.record(self.path, headers)
        if route is None:
            self._send(404, b"not found", {"Content-Type": "text/plain"})
            return
        if route.delay:
            owner.stopped.wait(route.delay)
        if route.behaviour == "reset":
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if route.location is not None:
            self._send(route.status, b"", {"Location": route.location, **route.headers})
            return
        if route.etag is not None and headers.get("if-none-match") == route.etag:
            self._send(304, b"", {"ETag": route.etag, **route.headers})
            return
        if route.last_modified is not None and headers.get("if-modified-since") == route.last_modified:
            self._send(304, b"", {"Last-Modified": route.last_modified, **route.headers})
            return
        extra = {"Content-Type": route.content_type, **route.headers}
        if route.etag is not None:
            extra["ETag"] = route.etag
        if route.last_modified is not None:
            extra["Last-Modified"] = route.last_modified
        body = route.body
        if route.behaviour == "bad_gzip":
            body = b"\x1f\x8b\x08\x00not really gzip at all"
            extra["Content-Encoding"] = "gzip"
        elif route.gzip and "gzip" in headers.get("accept-encoding", ""):
            body = gzip.compress(body)
            extra["Content-Encoding"] = "gzip"
        if route.ranges:
            extra["Accept-Ranges"] = "bytes"
            wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", headers.get("range", ""))
            if wanted and int(wanted.group(1)) < len(body):
                first = int(wanted.group(1))
                last = min(int(wanted.group(2) or len(body) - 1), len(body) - 1)
                extra["Content-Range"] = f"bytes {first}-{last}/{len(body)}"
                self._send(206, body[first : last + 1], extra)
                return
        if route.behaviour == "truncate":
            self._send(route.status, body[: len(body) // 2], extra, content_length=len(body))
            self.close_connection = True
            return
        if route.behaviour == "endless":
            self._send_endless(route.status, extra)
            return
        self._send(route.status, body, extra)

    def _send(
        self, status: int, body: bytes, headers: dict[str, str], *, content_length: int | None = None
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body) if content_length is None else content_length))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)
        self.wfile.flush()

    def _send_endless(self, status: int, headers: dict[str, str]) -> None:
        """A body with no declared length that keeps coming (at most 64 MiB, then the connection closes)."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"<item><title>more</title></item>" * 2048
        sent = 0
        self.close_connection = True
        try:
            while sent < 64 * 1024 * 1024 and not self.server.feed_server.stopped.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            return


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 with an ephemeral port. Start with `start()`, end with `stop()`."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.feed_server = self
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.stopped = threading.Event()
        self.hits: Counter[str] = Counter()
        self.requests: list[SeenRequest] = []

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", **options: object) -> str:
        """Serve `path` as described by the `Route` options; returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        route = Route(body=data, **options)  # type: ignore[arg-type]
        with self._lock:
            self._routes[path] = route
        return self.url(path)

    def route(self, path: str) -> Route:
        with self._lock:
            return self._routes[path]

    def record(self, path: str, headers: dict[str, str]) -> Route | None:
        with self._lock:
            self.hits[path] += 1
            self.requests.append(SeenRequest(path, headers))
            return self._routes.get(path)

    def start(self) -> FeedServer:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()


def rss(
    title: str,
    episodes: int = 3,
    *,
    start: int = 1,
    prefix: str = "ep",
    extra: str = "",
    first: datetime = FIRST_EPISODE,
    gap: timedelta = timedelta(days=7),
) -> str:
    """A small valid podcast RSS feed with `episodes` items, `gap` apart from `first`, newest first."""
    items = []
    for number in range(start + episodes - 1, start - 1, -1):
        published = first + gap * (number - 1)
        items.append(
            f"<item><title>{title} {prefix} {number}</title><guid>{title}-{prefix}-{number}</guid>"
            f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>"
            f'<enclosure url="https://cdn.example.com/{title.replace(" ", "_")}/{prefix}{number}.mp3" '
            f'type="audio/mpeg" length="{1000 + number}"/>'
            f"<description>Episode {number} of {title}.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0">'
        f"<channel><title>{title}</title><link>https://example.com/{title.replace(' ', '-')}</link>"
        f"<description>The show {title}.</description><language>en</language>{extra}"
        + "".join(items)
        + "</channel></rss>"
    )
