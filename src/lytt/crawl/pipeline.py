"""Run the async fetcher on its own event loop thread, so the synchronous worker (Django ORM, parsing)
can consume results as they complete while later fetches are still on the wire.

The loop is uvloop's (libuv in C): it does the same work as asyncio's pure-Python selector loop for less
CPU per request, which matters because the fetch thread and the worker share one interpreter lock.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from types import TracebackType

import uvloop

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
        self._loop = uvloop.new_event_loop()
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

    def start(
        self, requests: Sequence[FetchRequest], deliver: Callable[[FetchResult], object]
    ) -> Future[None]:
        """Start fetching every request concurrently; each result goes to `deliver` (called on the fetch
        thread: a `queue.SimpleQueue.put` is the way back) as soon as it is complete. The future ends once
        every request has been delivered; cancelling it stops the fetches still running.

        The whole batch crosses to the loop thread in one hand-off, so the worker can store early results
        while later ones are still on the wire.
        """
        return asyncio.run_coroutine_threadsafe(self._fetcher.fetch_each(requests, deliver), self._loop)
