"""Counting requests per client in Django's cache: the one rate limiter of the API, the play counter and
sign-in lockouts.

A bucket's window starts with its first event and ends `window` seconds later, when the count starts over
(the cache entry expires; incrementing keeps its expiry, in the local-memory cache as in Redis). With the
default local-memory cache each web process counts on its own; behind several processes use a shared cache
(docs/deployment.md) or divide the limits accordingly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window ends


def client_address(request: HttpRequest) -> str:
    """The peer address. X-Forwarded-For is not trusted: a proxy deployment sets REMOTE_ADDR itself."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _keys(bucket: str) -> tuple[str, str]:
    return f"lytt:ratelimit:{bucket}", f"lytt:ratelimit:{bucket}:start"


def _decision(count: int, start: float | None, limit: int, window: int, now: float) -> Decision:
    began = now if start is None else start
    retry_after = max(1, int(began + window - now))
    return Decision(count <= limit, limit, max(0, limit - count), retry_after)


def hit(bucket: str, limit: int, *, window: int = 60, now: float | None = None) -> Decision:
    """Count one event in `bucket`; allowed while the window's count stays within `limit`."""
    current = time.time() if now is None else now
    key, start_key = _keys(bucket)
    cache.add(start_key, current, timeout=window + 5)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        cache.set(start_key, current, timeout=window + 5)
        count = 1
    return _decision(count, cache.get(start_key), limit, window, current)


def peek(bucket: str, limit: int, *, window: int = 60, now: float | None = None) -> Decision:
    """What `hit` would have said of the events counted so far, without counting one."""
    current = time.time() if now is None else now
    key, start_key = _keys(bucket)
    count = int(cache.get(key) or 0)
    return _decision(count, cache.get(start_key), limit - 1, window, current)


def forget(bucket: str) -> None:
    """Start `bucket` over."""
    cache.delete_many(list(_keys(bucket)))
