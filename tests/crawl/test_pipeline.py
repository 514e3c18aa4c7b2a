"""The fetch thread: results stream back as they complete, and a broken fetch side fails the batch."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import pytest
from tests.feedserver import FeedServer, rss

from lytt.crawl.fetch import FetchConfig, Fetcher, FetchRequest, FetchResult
from lytt.crawl.pipeline import FetchThread
from lytt.crawl.safety import AddressPolicy

FAST = FetchConfig(connect_timeout=2, read_timeout=2, total_timeout=5, concurrency=4)
OPEN = AddressPolicy(allow_private=True)


def test_every_request_is_answered_across_batches(feed_server: FeedServer) -> None:
    urls = [feed_server.add(f"/p{n}.xml", rss(f"Show {n}"), etag=f'"p{n}"') for n in range(12)]
    with FetchThread(FAST, policy=OPEN) as fetcher:
        first = list(fetcher.fetch_all([FetchRequest(n, url) for n, url in enumerate(urls)]))
        again = list(fetcher.fetch_all([FetchRequest(n, url, f'"p{n}"') for n, url in enumerate(urls)]))
    assert sorted(result.request.feed_id for result in first) == list(range(12))
    assert {result.status_code for result in first} == {200}
    assert sorted(result.request.feed_id for result in again) == list(range(12))
    assert {result.status_code for result in again} == {304}


def test_a_broken_fetch_side_fails_the_batch_instead_of_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(
        self: Fetcher, requests: Iterable[FetchRequest], deliver: Callable[[FetchResult], object]
    ) -> None:
        first = next(iter(requests))
        deliver(FetchResult(request=first, final_url=first.url, status_code=304))
        raise RuntimeError("fetch side bug")

    monkeypatch.setattr(Fetcher, "fetch_each", broken)
    requests = [FetchRequest(n, f"http://feeds.test/{n}.xml") for n in range(3)]
    started = time.monotonic()
    received: list[FetchResult] = []
    with FetchThread(FAST, policy=OPEN) as fetcher, pytest.raises(RuntimeError, match="fetch side bug"):
        received.extend(fetcher.fetch_all(requests))
    assert [result.request.feed_id for result in received] == [0]
    assert time.monotonic() - started < 10
