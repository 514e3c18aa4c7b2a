"""Run the async fetcher on its own event loop thread, so the synchronous worker (Django ORM, parsing)
can consume results as they complete while later fetches are still on the wire.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from types import TracebackType

from lytt.crawl.errors import FetchError
from lytt.crawl.fetch import FetchConfig, Fetcher, FetchRequest, FetchResult
from lytt.crawl.safety import AddressPolicy
from lytt.crawl.transport import Resolver


class FetchThread:
    """A `Fetcher` living on a private event loop in a daemon thread. Use as a context manager.

    One connection pool serves every batch, so keep-alive connections to a feed host survive across them.
    """

    def __init__(
        self,
        config: FetchConfig | None = None,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self._fetcher = Fetcher(config, policy=policy, resolver=resolver)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="lytt-fetch", daemon=True)

    def __enter__(self) -> FetchThread:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._fetcher.__aenter__(), self._loop).result()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self._fetcher.__aexit__(), self._loop).result(timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            if not self._thread.is_alive():
                self._loop.close()

    async def _one(self, request: FetchRequest, results: queue.Queue[FetchResult]) -> None:
        try:
            result = await self._fetcher.fetch(request)
        except Exception as exc:  # a bug, not a feed problem: still report it against the feed
            result = FetchResult(request=request, final_url=request.url)
            result.error = FetchError(f"internal error while fetching: {exc!r}", url=request.url)
        results.put(result)

    def fetch_all(self, requests: Sequence[FetchRequest]) -> Iterator[FetchResult]:
        """Fetch every request concurrently; yield each result as soon as it is complete."""
        results: queue.Queue[FetchResult] = queue.Queue()
        futures: list[Future[None]] = [
            asyncio.run_coroutine_threadsafe(self._one(request, results), self._loop) for request in requests
        ]
        try:
            for _ in requests:
                yield results.get()
        finally:
            for future in futures:
                future.cancel()
