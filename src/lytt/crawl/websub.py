"""WebSub (W3C Recommendation) as a subscriber: pure decisions and checks, no I/O.

A feed that names a hub (``<atom:link rel="hub">``) is subscribed to with a callback on ``LYTT_PUBLIC_URL``
(`websub_keeper`); the hub verifies the intent with a GET to the callback and then POSTs the feed's new
content, signed with the subscription's secret (`lytt.api.websub`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from lytt.catalog.models import WebSubSubscription

#: The lease asked for; hubs may grant less.
LEASE = timedelta(days=10)
#: Renew this long before a lease ends (or, for a short lease, when nine tenths of it are over).
RENEW_BEFORE = timedelta(days=1)
#: Ask again after an unanswered or failed request, and after a hub's refusal.
RETRY_PENDING = timedelta(hours=1)
RETRY_DENIED = timedelta(days=7)
#: The longest lease a hub's verification may set (beyond it, Lytt renews earlier).
MAX_LEASE = timedelta(days=365)

_DIGESTS = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}
State = WebSubSubscription.State


@dataclass(frozen=True, slots=True)
class Wanted:
    """The subscription a feed should have: its hub and topic."""

    hub_url: str
    topic_url: str


def wanted(extra: dict[str, object], feed_url: str) -> Wanted | None:
    """From a show's stored feed extras: the hub and the topic (the feed's self URL, else its URL)."""
    hub = extra.get("hub_url")
    if not isinstance(hub, str) or not hub.startswith(("http://", "https://")):
        return None
    topic = extra.get("self_url")
    return Wanted(
        hub, topic if isinstance(topic, str) and topic.startswith(("http://", "https://")) else feed_url
    )


def needs_request(current: WebSubSubscription | None, want: Wanted, now: datetime) -> bool:
    """Should a subscription request go to the hub now?"""
    if current is None or (current.hub_url, current.topic_url) != (want.hub_url, want.topic_url):
        return True
    asked = current.requested_at
    if current.state == State.ACTIVE:
        if current.lease_until is None:
            return True
        granted = current.lease_until - asked if asked is not None else RENEW_BEFORE * 10
        return current.lease_until - min(RENEW_BEFORE, granted / 10) <= now
    if current.state == State.DENIED:
        return asked is None or asked + RETRY_DENIED <= now
    return asked is None or asked + RETRY_PENDING <= now


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Does ``X-Hub-Signature: method=hexdigest`` sign `body` with `secret`?"""
    if not header or not secret:
        return False
    method, _, given = header.strip().partition("=")
    digest = _DIGESTS.get(method.strip().lower())
    if digest is None or not given:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def granted_lease(raw: str | None, now: datetime) -> datetime:
    """When the lease a hub's verification states ends (`LEASE` when it states none or nonsense)."""
    seconds = int(raw) if raw and raw.strip().isdigit() else int(LEASE.total_seconds())
    return now + min(timedelta(seconds=max(seconds, 60)), MAX_LEASE)
