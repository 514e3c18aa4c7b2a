"""Limits on failed sign-in attempts, per client address and per user name (counted by lytt.ratelimit).

Only failures count. A key is locked when it reaches its limit within the window and unlocks when the
window (which starts at the first failure) runs out. A success clears the user name's counter, not the
address's, so that one account cannot be used to reset a guessing run across many accounts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from lytt import ratelimit

WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_IP = 20


@dataclass(frozen=True, slots=True)
class Lock:
    retry_after: int  # seconds


def _bucket(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def _keys(ip: str, username: str) -> list[tuple[str, int]]:
    keys = [(_bucket("user", username), MAX_FAILURES_PER_USERNAME)] if username else []
    return [*keys, (_bucket("ip", ip), MAX_FAILURES_PER_IP)]


def check(ip: str, username: str) -> Lock | None:
    """Return a Lock when further attempts from this address or for this user name must be refused now."""
    for bucket, limit in _keys(ip, username):
        decision = ratelimit.peek(bucket, limit, window=WINDOW_SECONDS)
        if not decision.allowed:
            return Lock(retry_after=decision.retry_after)
    return None


def record_failure(ip: str, username: str) -> None:
    for bucket, limit in _keys(ip, username):
        ratelimit.hit(bucket, limit, window=WINDOW_SECONDS)


def record_success(username: str) -> None:
    ratelimit.forget(_bucket("user", username))
