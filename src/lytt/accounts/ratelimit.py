"""Cache-based limits on failed sign-in attempts, per client IP and per user name.

Only failures count. A key is locked when it reaches its limit within the window and unlocks when the
window (which starts at the first failure) runs out. A success clears the user name's counter, not the
IP's, so that one account cannot be used to reset a guessing run across many accounts.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_IP = 20


@dataclass(frozen=True, slots=True)
class Lock:
    retry_after: int  # seconds


def client_ip(request: HttpRequest) -> str:
    """The peer address. X-Forwarded-For is not trusted: a proxy deployment sets REMOTE_ADDR itself."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"lytt:login-fail:{kind}:{digest}"


def _state(key: str) -> tuple[int, float]:
    value = cache.get(key)
    if not value:
        return 0, time.time()
    count, first = value
    return int(count), float(first)


def check(ip: str, username: str) -> Lock | None:
    """Return a Lock when further attempts from this IP or for this user name must be refused now."""
    now = time.time()
    for kind, value, limit in (
        ("user", username, MAX_FAILURES_PER_USERNAME),
        ("ip", ip, MAX_FAILURES_PER_IP),
    ):
        if kind == "user" and not username:
            continue
        count, first = _state(_key(kind, value))
        if count >= limit and now - first < WINDOW_SECONDS:
            return Lock(retry_after=max(1, int(WINDOW_SECONDS - (now - first))))
    return None


def record_failure(ip: str, username: str) -> None:
    now = time.time()
    for kind, value in (("user", username), ("ip", ip)):
        if kind == "user" and not username:
            continue
        key = _key(kind, value)
        count, first = _state(key)
        if now - first >= WINDOW_SECONDS:
            count, first = 0, now
        cache.set(key, (count + 1, first), timeout=WINDOW_SECONDS)


def record_success(username: str) -> None:
    cache.delete(_key("user", username))
