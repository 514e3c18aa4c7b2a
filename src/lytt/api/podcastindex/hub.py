"""Podcast Index's ``hub/pubnotify``: a host says one of its feeds changed, and Lytt checks it soon.

As on Podcast Index, no API key is needed (hosting platforms call it after publishing). What keeps it from
being a way to make Lytt hammer a host: each client address has a rate limit, a feed is moved forward at
most once per `FEED_INTERVAL`, only a feed Lytt already crawls is touched (this adds none), and the crawler's
own politeness (`not_before` after errors and 429s, per-host limits) still decides when it is fetched.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from lytt.api.podcastindex.views import ParamError, Params, pi_error, refused_method, too_many
from lytt.catalog.models import FeedSource
from lytt.crawl.claims import CRAWLABLE
from lytt.crawl.pushes import mark_pushed
from lytt.feeds.feed_urls import InvalidFeedURL, normalise_feed_url
from lytt.ratelimit import client_address, hit

#: Notifications one client address may send per minute.
CLIENT_LIMIT = 30
#: How often one feed may be moved forward by notifications.
FEED_INTERVAL = timedelta(minutes=5)


def _feeds(params: Params) -> tuple[dict[str, str], list[FeedSource]]:
    """The query as echoed, and the crawlable sources it names (by Podcast Index feed id or by URL)."""
    feed_id = params.integer("id", low=1)
    url = params.text("url", max_length=2000)
    if feed_id is None and not url:
        raise ParamError("The 'id' or the 'url' parameter is required.")
    sources = FeedSource.objects.filter(status__in=CRAWLABLE, show__hidden=False)
    if feed_id is not None:
        return {"id": str(feed_id)}, list(sources.filter(show_id=feed_id))
    try:
        canonical = normalise_feed_url(url)
    except InvalidFeedURL as exc:
        raise ParamError(f"The 'url' parameter is not a feed URL: {exc}.") from None
    return {"url": url}, list(sources.filter(url=canonical))


def mark_due(sources: list[FeedSource], now: datetime) -> int:
    """Make the sources due now unless one was moved forward within `FEED_INTERVAL`; how many moved."""
    window = int(FEED_INTERVAL.total_seconds())
    allowed = [
        source.pk for source in sources if hit(f"pubnotify:feed:{source.pk}", 1, window=window).allowed
    ]
    return mark_pushed(FeedSource.objects.filter(pk__in=allowed), "hub/pubnotify", now) if allowed else 0


def _respond(
    handler: Callable[[HttpRequest], tuple[int, dict[str, Any]]],
) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    @functools.wraps(handler)
    def view(request: HttpRequest) -> HttpResponse:
        if (refused := refused_method(request)) is not None:
            return refused
        decision = hit(f"pubnotify:client:{client_address(request)}", CLIENT_LIMIT)
        if not decision.allowed:
            return too_many(decision, "notifications")
        try:
            status, body = handler(request)
        except ParamError as exc:
            return pi_error(400, str(exc))
        return HttpResponse(json.dumps(body), status=status, content_type="application/json")

    return view


@_respond
def pubnotify(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    params = Params(request)
    query, sources = _feeds(params)
    if not sources:
        return 404, {
            "status": "false",
            "query": query,
            "description": "No feed Lytt crawls matches this query.",
        }
    mark_due(sources, datetime.now(UTC))
    return 200, {"status": "true", "query": query, "description": "Feed marked for immediate update."}
