"""What the crawl tests share: fetch settings, a worker for the local feed server, feed sources."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from lytt.catalog.models import FeedCheck, FeedSource
from lytt.crawl.fetch import FetchConfig
from lytt.crawl.records import OnFeed
from lytt.crawl.safety import AddressPolicy
from lytt.crawl.worker import Worker, WorkerConfig

FAST = FetchConfig(connect_timeout=1, read_timeout=0.5, total_timeout=2, max_bytes=300_000, concurrency=8)
#: For tests whose feeds are all healthy: timeouts that a loaded test machine cannot trip.
PATIENT = FetchConfig(connect_timeout=10, read_timeout=10, total_timeout=20, concurrency=8)
#: Two fetches at once: a run with small batches claims the next one while a fetch or two are left.
TWO_AT_ONCE = replace(PATIENT, concurrency=2)


def make_worker(
    *,
    clock: Callable[[], datetime] | None = None,
    rng: random.Random | None = None,
    on_feed: OnFeed | None = None,
    **options: object,
) -> Worker:
    """A worker named "test-worker" that may fetch from the local feed server; `options` for its config."""
    defaults: dict[str, object] = {"worker_id": "test-worker", "batch_size": 50, "fetch": FAST}
    config = WorkerConfig(**{**defaults, **options})  # type: ignore[arg-type]
    policy = AddressPolicy(allow_private=True)
    if clock is None:
        return Worker(config, policy=policy, rng=rng, on_feed=on_feed)
    return Worker(config, policy=policy, clock=clock, rng=rng, on_feed=on_feed)


def add(url: str) -> FeedSource:
    return FeedSource.objects.create(url=url)


def latest_check(source: FeedSource) -> FeedCheck:
    check = FeedCheck.objects.filter(feed=source).order_by("-checked_at", "-id").first()
    assert check is not None
    return check


class Killed(BaseException):
    """The process dying mid-run (SIGKILL cannot be caught in-process)."""
