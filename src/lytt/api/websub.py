"""The WebSub callback, `/api/websub/<token>`: hubs verify Lytt's subscriptions here and push content to it.

A verification (GET) is answered with the hub's challenge only for a subscription Lytt asked for, with the
same topic. A push (POST) is ingested at once when it is signed with the subscription's secret; anything
else is answered 2xx and ignored, as WebSub asks, so that a stranger learns nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from lytt.catalog import ingest_feed
from lytt.catalog.models import FeedSource, WebSubSubscription
from lytt.crawl import websub
from lytt.crawl.fetch import FetchConfig
from lytt.feeds import FeedError, parse_feed

log = logging.getLogger(__name__)
State = WebSubSubscription.State
MAX_BODY = FetchConfig().max_bytes


@csrf_exempt
def callback(request: HttpRequest, token: str) -> HttpResponse:
    subscription = WebSubSubscription.objects.select_related("feed").filter(token=token).first()
    if subscription is None:
        return HttpResponse("unknown subscription", status=404, content_type="text/plain")
    if request.method == "GET":
        return _verify(request, subscription)
    if request.method == "POST":
        return _push(request, subscription)
    response = HttpResponse("use GET or POST", status=405, content_type="text/plain")
    response["Allow"] = "GET, POST"
    return response


def _verify(request: HttpRequest, subscription: WebSubSubscription) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    topic = request.GET.get("hub.topic", "")
    if mode == "denied" and topic == subscription.topic_url:
        reason = request.GET.get("hub.reason", "")[:250]
        WebSubSubscription.objects.filter(pk=subscription.pk).update(
            state=State.DENIED, last_error=f"denied: {reason}"
        )
        return HttpResponse("ok", content_type="text/plain")
    challenge = request.GET.get("hub.challenge", "")
    if (
        mode != "subscribe"
        or topic != subscription.topic_url
        or not challenge
        or subscription.state == State.DENIED
    ):
        return HttpResponse("not a subscription Lytt asked for", status=404, content_type="text/plain")
    lease_until = websub.granted_lease(request.GET.get("hub.lease_seconds"), timezone.now())
    WebSubSubscription.objects.filter(pk=subscription.pk).update(
        state=State.ACTIVE, lease_until=lease_until, last_error=""
    )
    return HttpResponse(challenge, content_type="text/plain")


def _push(request: HttpRequest, subscription: WebSubSubscription) -> HttpResponse:
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_BODY:
        return HttpResponse("too large", status=413, content_type="text/plain")
    body = request.body
    if subscription.state != State.ACTIVE or not websub.signature_ok(
        subscription.secret, body, request.headers.get("X-Hub-Signature")
    ):
        log.warning("websub: ignored an unsigned or wrongly signed push for %s", subscription.topic_url)
        return HttpResponse(status=202)
    source = subscription.feed
    if source.status not in (FeedSource.Status.ACTIVE, FeedSource.Status.ERROR):
        return HttpResponse(status=202)
    try:
        feed = parse_feed(body, url=source.url)
    except FeedError as exc:
        WebSubSubscription.objects.filter(pk=subscription.pk).update(last_error=f"push: {exc}"[:300])
        return HttpResponse(status=202)
    now = timezone.now()
    with transaction.atomic():
        ingest_feed(source, feed, now=now)
        FeedSource.objects.filter(pk=source.pk).update(pushed_at=now, push_reason="websub")
        WebSubSubscription.objects.filter(pk=subscription.pk).update(
            pushes=subscription.pushes + 1, last_error=""
        )
    return HttpResponse(status=204)
