"""lytt.ratelimit in Django's local-memory cache: counting, the anchored window, peeking, forgetting."""

from __future__ import annotations

import time
import uuid

from lytt.ratelimit import forget, hit, peek


def _bucket() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_events_within_the_limit_are_allowed_and_the_next_is_not() -> None:
    bucket = _bucket()
    decisions = [hit(bucket, 3, window=60, now=1000.0) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]


def test_retry_after_counts_from_the_first_event() -> None:
    bucket = _bucket()
    hit(bucket, 1, window=60, now=1000.0)
    assert hit(bucket, 1, window=60, now=1045.0).retry_after == 15
    assert hit(bucket, 1, window=60, now=1059.9).retry_after == 1


def test_the_count_starts_over_when_the_window_ends() -> None:
    bucket = _bucket()
    assert hit(bucket, 1, window=1).allowed
    assert not hit(bucket, 1, window=1).allowed
    time.sleep(1.1)
    assert hit(bucket, 1, window=1).allowed


def test_peek_does_not_count_and_says_whether_the_limit_is_reached() -> None:
    bucket = _bucket()
    assert peek(bucket, 2).allowed
    hit(bucket, 2)
    assert peek(bucket, 2).allowed
    hit(bucket, 2)
    assert not peek(bucket, 2).allowed
    assert not peek(bucket, 2).allowed


def test_forget_starts_a_bucket_over_and_leaves_others() -> None:
    bucket, other = _bucket(), _bucket()
    hit(bucket, 1)
    hit(other, 1)
    forget(bucket)
    assert hit(bucket, 1).allowed
    assert not hit(other, 1).allowed
