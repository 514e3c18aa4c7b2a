"""Fixed-window rate limits in Django's cache: per API key, or per client address when anonymous.

With the default local-memory cache each web process counts on its own; behind several processes use a
shared cache (see docs/deployment.md) or divide the limits accordingly.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60


def anonymous_limit() -> int:
    """Requests per minute for anonymous clients (LYTT_API_ANON_PER_MINUTE, default 120)."""
    configured = getattr(settings, "LYTT_API_ANON_PER_MINUTE", None)
    if configured is not None:
        return int(configured)
    return int(os.environ.get("LYTT_API_ANON_PER_MINUTE", "120"))


def listener_limit() -> int:
    """Requests per minute for a signed-in listener or personal token (LYTT_API_LISTENER_PER_MINUTE, default
    600): apps sync a queue and positions often, but one account never needs more."""
    configured = getattr(settings, "LYTT_API_LISTENER_PER_MINUTE", None)
    if configured is not None:
        return int(configured)
    return int(os.environ.get("LYTT_API_LISTENER_PER_MINUTE", "600"))


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def hit(bucket: str, limit: int, *, now: float | None = None) -> Decision:
    """Count one request in ``bucket``; allowed while the window's count stays within ``limit``."""
    current = time.time() if now is None else now
    window = int(current // WINDOW_SECONDS)
    key = f"lytt:ratelimit:{bucket}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    retry_after = max(1, int((window + 1) * WINDOW_SECONDS - current))
    return Decision(count <= limit, limit, max(0, limit - count), retry_after)
