"""The fetch thread: every request of every batch is answered, through the caller's `deliver`."""

from __future__ import annotations

import queue

from tests.feedserver import FeedServer, rss

from lytt.crawl.fetch import FetchConfig, FetchRequest, FetchResult
from lytt.crawl.pipeline import FetchThread
from lytt.crawl.safety import AddressPolicy

# Every feed answers at once; the limits only bound a broken run, so they leave room for a busy machine.
PATIENT = FetchConfig(connect_timeout=10, read_timeout=10, total_timeout=20, concurrency=4)
OPEN = AddressPolicy(allow_private=True)


def _fetch(fetcher: FetchThread, requests: list[FetchRequest]) -> list[FetchResult]:
    results: queue.SimpleQueue[FetchResult] = queue.SimpleQueue()
    fetcher.start(requests, results.put).result(timeout=30)  # it ends once every result is delivered
    return [results.get_nowait() for _ in range(results.qsize())]


def test_every_request_is_answered_across_batches(feed_server: FeedServer) -> None:
    urls = [feed_server.add(f"/p{n}.xml", rss(f"Show {n}"), etag=f'"p{n}"') for n in range(12)]
    with FetchThread(PATIENT, policy=OPEN) as fetcher:
        first = _fetch(fetcher, [FetchRequest(n, url) for n, url in enumerate(urls)])
        again = _fetch(fetcher, [FetchRequest(n, url, f'"p{n}"') for n, url in enumerate(urls)])
    assert sorted(result.request.feed_id for result in first) == list(range(12))
    assert {result.status_code for result in first} == {200}
    assert sorted(result.request.feed_id for result in again) == list(range(12))
    assert {result.status_code for result in again} == {304}
