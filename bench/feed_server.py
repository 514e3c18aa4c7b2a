"""The benchmark's feed server (bench/crawl.py, bench/crawl_threads.py): a process of its own serving the
generated feeds from 127.0.0.1.

Apart from bench/crawl.py so that the processes spawned from that script, which import it again as their
main module, do not import asyncio and the server with it.
"""

from __future__ import annotations

import asyncio
import multiprocessing

from crawl import served


class _FeedProtocol(asyncio.Protocol):
    """A minimal keep-alive HTTP/1.1 server: GET /N.xml, ETag per feed, 304 on If-None-Match."""

    cache: dict[int, tuple[bytes, bytes]] = {}
    realistic = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.split(b"\r\n")
            path = lines[0].split(b" ")[1].decode()
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            self.transport.write(self.respond(path, headers))

    def respond(self, path: str, headers: dict[bytes, bytes]) -> bytes:
        try:
            n = int(path.strip("/").split(".")[0])
        except ValueError:
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        if n not in self.cache:
            self.cache[n] = served(n, self.realistic)
        body, etag = self.cache[n]
        if headers.get(b"if-none-match") == etag:
            return b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\n\r\n"
        return (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: "
            + etag
            + b"\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )


def serve(port_queue: multiprocessing.Queue[int], feeds: int = 0, realistic: bool = False) -> None:
    """Serve feeds 0..feeds-1 (built before the port is announced, so that generating them is not part of
    whichever side runs first) and any other number on demand: bench/crawl.py's generated feeds, or with
    `realistic` bench/realistic_feeds.py's."""
    _FeedProtocol.realistic = realistic
    for n in range(feeds):
        _FeedProtocol.cache[n] = served(n, realistic)

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_FeedProtocol, "127.0.0.1", 0, backlog=1024)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())
