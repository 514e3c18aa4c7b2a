"""Keeping WebSub subscriptions: ask hubs to push the feeds that name them, and renew leases before they end.

Runs after a `lytt crawl --once` pass and beside the long-running crawler, only when ``LYTT_PUBLIC_URL`` says
where hubs can reach Lytt. Hub URLs come from feeds, so requests go through the crawler's SSRF guard
(`guarded_connector`), follow no redirects and read little of the answer.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import aiohttp
from django.db.models import Q
from django.urls import reverse

from lytt.catalog.models import FeedSource, WebSubSubscription
from lytt.crawl import websub
from lytt.crawl.errors import UnsafeURL
from lytt.crawl.safety import AddressPolicy, check_url
from lytt.crawl.transport import guarded_connector
from lytt.download import USER_AGENT

log = logging.getLogger(__name__)

#: Subscriptions asked for or renewed per pass.
BATCH = 200
#: How often the background keeper looks.
INTERVAL_SECONDS = 600.0
TIMEOUT_SECONDS = 20.0

#: (hub URL, form fields) -> HTTP status; raises OSError, aiohttp.ClientError or UnsafeURL when it cannot ask.
Post = Callable[[str, dict[str, str]], Awaitable[int]]


@dataclass
class KeeperSummary:
    asked: int = 0
    failed: int = 0

    def line(self) -> str:
        return f"asked={self.asked} failed={self.failed}"


def guarded_post(policy: AddressPolicy) -> Post:
    async def post(url: str, form: dict[str, str]) -> int:
        check_url(url, policy)
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        headers = {"User-Agent": f"{USER_AGENT} websub"}
        async with (
            aiohttp.ClientSession(
                connector=guarded_connector(policy), timeout=timeout, headers=headers
            ) as session,
            session.post(url, data=form, allow_redirects=False) as response,
        ):
            await response.content.read(4096)
            return response.status

    return post


def callback_url(public_root: str, token: str) -> str:
    return public_root.rstrip("/") + reverse("websub-callback", args=[token])


def _candidates(now: datetime) -> list[tuple[FeedSource, websub.Wanted, WebSubSubscription | None]]:
    """Live public feeds whose show names a hub, with what they should have and what they have."""
    sources = (
        FeedSource.objects.filter(
            status=FeedSource.Status.ACTIVE, private=False, show__extra__has_key="hub_url"
        )
        .filter(
            Q(websub__isnull=True)
            | ~Q(websub__state=WebSubSubscription.State.ACTIVE)
            | Q(websub__lease_until__lte=now + websub.RENEW_BEFORE)
        )
        .select_related("show", "websub")
        .order_by("pk")
    )
    found = []
    for source in sources[: BATCH * 5]:
        assert source.show is not None
        want = websub.wanted(source.show.extra, source.url)
        current = getattr(source, "websub", None)
        if want is not None and websub.needs_request(current, want, now):
            found.append((source, want, current))
        if len(found) == BATCH:
            break
    return found


def _prepared(
    source: FeedSource, want: websub.Wanted, current: WebSubSubscription | None, now: datetime
) -> WebSubSubscription:
    """The subscription as it is asked for: a new token and secret when the hub or topic is new."""
    if current is None or (current.hub_url, current.topic_url) != (want.hub_url, want.topic_url):
        current = current or WebSubSubscription(feed=source)
        current.hub_url, current.topic_url = want.hub_url, want.topic_url
        current.token, current.secret = secrets.token_urlsafe(32), secrets.token_hex(32)
        current.lease_until = None
    if current.state != WebSubSubscription.State.ACTIVE:
        current.state = WebSubSubscription.State.PENDING
    current.requested_at = now
    current.last_error = ""
    current.save()
    return current


async def _ask(post: Post, subscription: WebSubSubscription, public_root: str) -> str:
    """'' when the hub accepted the request, else why not."""
    form = {
        "hub.mode": "subscribe",
        "hub.topic": subscription.topic_url,
        "hub.callback": callback_url(public_root, subscription.token),
        "hub.lease_seconds": str(int(websub.LEASE.total_seconds())),
        "hub.secret": subscription.secret,
    }
    try:
        status = await post(subscription.hub_url, form)
    except (TimeoutError, OSError, aiohttp.ClientError, UnsafeURL) as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return "" if 200 <= status < 300 else f"hub answered HTTP {status}"


def keep_subscriptions(public_root: str, now: datetime, post: Post | None = None) -> KeeperSummary:
    """One pass: ask hubs for the subscriptions that are missing, changed, refused long ago or ending."""
    summary = KeeperSummary()
    wanted = [_prepared(source, want, current, now) for source, want, current in _candidates(now)]
    if not wanted:
        return summary
    post = post or guarded_post(AddressPolicy.from_settings())

    async def ask_all() -> list[str]:
        return list(await asyncio.gather(*(_ask(post, sub, public_root) for sub in wanted)))

    for subscription, error in zip(wanted, asyncio.run(ask_all()), strict=True):
        summary.asked += 1
        if error:
            summary.failed += 1
            log.warning("websub: %s for %s: %s", subscription.hub_url, subscription.topic_url, error)
            WebSubSubscription.objects.filter(pk=subscription.pk).update(
                state=WebSubSubscription.State.FAILED, last_error=error
            )
    return summary


def keep_forever(public_root: str, stop: threading.Event, clock: Callable[[], datetime]) -> None:
    """`keep_subscriptions` every `INTERVAL_SECONDS` until `stop` (errors logged, never raised)."""
    from django.db import close_old_connections

    while not stop.is_set():
        try:
            close_old_connections()
            keep_subscriptions(public_root, clock())
        except Exception:
            log.exception("websub: keeping subscriptions failed")
        stop.wait(INTERVAL_SECONDS)
