"""A small WebSub hub on 127.0.0.1 for tests: it takes subscription requests, verifies intent with a GET to
the subscriber's callback (as a hub must), and publishes content to verified subscribers, signed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError


@dataclass
class Subscriber:
    topic: str
    callback: str
    secret: str
    lease_seconds: str
    verified: bool = False


class Hub:
    def __init__(self, *, status: int = 202, lease_seconds: int | None = None) -> None:
        self.status = status
        self.lease_seconds = lease_seconds
        self.requests: list[dict[str, str]] = []
        self.subscribers: list[Subscriber] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
                form = dict(urllib.parse.parse_qsl(raw))
                hub.requests.append(form)
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hub"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def verify(self, form: dict[str, str], *, topic: str | None = None) -> tuple[int, str]:
        """Verify the intent of a received request, as the hub does after answering 202."""
        challenge = secrets.token_hex(8)
        lease = str(self.lease_seconds) if self.lease_seconds is not None else form["hub.lease_seconds"]
        query = urllib.parse.urlencode(
            {
                "hub.mode": form["hub.mode"],
                "hub.topic": topic or form["hub.topic"],
                "hub.challenge": challenge,
                "hub.lease_seconds": lease,
            }
        )
        try:
            with urllib.request.urlopen(f"{form['hub.callback']}?{query}", timeout=10) as response:
                status, body = response.status, response.read().decode()
        except HTTPError as exc:
            status, body = exc.code, ""
        if status == 200 and body == challenge:
            self.subscribers.append(
                Subscriber(form["hub.topic"], form["hub.callback"], form.get("hub.secret", ""), lease, True)
            )
        return status, body

    def publish(
        self, subscriber: Subscriber, content: bytes, *, method: str = "sha256", secret: str | None = None
    ) -> int:
        key = (subscriber.secret if secret is None else secret).encode()
        signature = hmac.new(key, content, getattr(hashlib, method)).hexdigest()
        request = urllib.request.Request(
            subscriber.callback,
            data=content,
            method="POST",
            headers={"Content-Type": "application/rss+xml", "X-Hub-Signature": f"{method}={signature}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)

    def __enter__(self) -> Hub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
