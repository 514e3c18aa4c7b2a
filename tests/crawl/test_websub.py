"""WebSub as a subscriber: asking hubs, verification of intent, signed pushes ingested at once, renewal,
against a small hub written in the tests (tests/crawl/websubhub.py) and Lytt's real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.crawl.websubhub import Hub
from tests.feedserver import rss

from lytt.catalog import ingest_feed
from lytt.catalog.models import Episode, FeedSource, WebSubSubscription
from lytt.crawl import websub
from lytt.crawl.websub_keeper import keep_subscriptions
from lytt.feeds import parse_feed

FEED_URL = "https://publisher.example/feed.xml"
State = WebSubSubscription.State


def hub_links(hub_url: str, self_url: str = FEED_URL) -> str:
    atom = 'xmlns:atom="http://www.w3.org/2005/Atom"'
    return f'<atom:link {atom} rel="hub" href="{hub_url}"/><atom:link {atom} rel="self" href="{self_url}"/>'


def crawled(hub_url: str, episodes: int = 2, **feed_fields: Any) -> FeedSource:
    source = FeedSource.objects.create(url=FEED_URL, status=FeedSource.Status.ACTIVE, **feed_fields)
    ingest_feed(source, parse_feed(rss("Pushed", episodes, extra=hub_links(hub_url)).encode(), url=FEED_URL))
    source.refresh_from_db()
    return source


# -- pure rules --------------------------------------------------------------------------------------


def test_signatures() -> None:
    import hashlib
    import hmac

    body = b"<rss/>"
    for method in ("sha1", "sha256", "sha384", "sha512"):
        good = hmac.new(b"s3cret", body, getattr(hashlib, method)).hexdigest()
        assert websub.signature_ok("s3cret", body, f"{method}={good}")
        assert websub.signature_ok("s3cret", body, f"{method.upper()}={good.upper()}")
        assert not websub.signature_ok("other", body, f"{method}={good}")
        assert not websub.signature_ok("s3cret", body + b" ", f"{method}={good}")
    assert not websub.signature_ok("s3cret", body, None)
    assert not websub.signature_ok("s3cret", body, "md5=abc")
    assert not websub.signature_ok("s3cret", body, "sha1=")
    assert not websub.signature_ok("", body, "sha1=abc")


def test_wanted_topic_is_the_self_url_else_the_feed_url() -> None:
    assert websub.wanted(
        {"hub_url": "https://hub.example/", "self_url": "https://a.example/f"}, FEED_URL
    ) == (websub.Wanted("https://hub.example/", "https://a.example/f"))
    assert websub.wanted({"hub_url": "https://hub.example/"}, FEED_URL) == websub.Wanted(
        "https://hub.example/", FEED_URL
    )
    assert websub.wanted({"hub_url": "javascript:x"}, FEED_URL) is None
    assert websub.wanted({}, FEED_URL) is None


def test_when_to_ask() -> None:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    want = websub.Wanted("https://hub.example/", FEED_URL)

    def sub(state: str, **fields: Any) -> WebSubSubscription:
        return WebSubSubscription(hub_url=want.hub_url, topic_url=want.topic_url, state=state, **fields)

    assert websub.needs_request(None, want, now)
    assert websub.needs_request(
        sub(State.ACTIVE, lease_until=now + timedelta(days=9)), websub.Wanted("https://other/", FEED_URL), now
    )
    ten_days_ago = now - timedelta(days=10)
    assert not websub.needs_request(
        sub(State.ACTIVE, lease_until=now + timedelta(days=2), requested_at=ten_days_ago), want, now
    )
    assert websub.needs_request(
        sub(State.ACTIVE, lease_until=now + timedelta(hours=23), requested_at=ten_days_ago), want, now
    )
    hour_ago = now - timedelta(minutes=50)  # a one-hour lease: renewed in its last tenth
    assert not websub.needs_request(
        sub(State.ACTIVE, lease_until=now + timedelta(minutes=10), requested_at=hour_ago), want, now
    )
    assert websub.needs_request(
        sub(State.ACTIVE, lease_until=now + timedelta(minutes=5), requested_at=hour_ago), want, now
    )
    assert not websub.needs_request(sub(State.PENDING, requested_at=now - timedelta(minutes=10)), want, now)
    assert websub.needs_request(sub(State.FAILED, requested_at=now - timedelta(hours=2)), want, now)
    assert not websub.needs_request(sub(State.DENIED, requested_at=now - timedelta(days=2)), want, now)
    assert websub.needs_request(sub(State.DENIED, requested_at=now - timedelta(days=8)), want, now)


def test_granted_lease() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert websub.granted_lease("3600", now) == now + timedelta(hours=1)
    assert websub.granted_lease(None, now) == now + websub.LEASE
    assert websub.granted_lease("-5", now) == now + websub.LEASE
    assert websub.granted_lease("1", now) == now + timedelta(minutes=1)
    assert websub.granted_lease("999999999999", now) == now + websub.MAX_LEASE


# -- against the hub and the real server -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_subscribe_verify_push_and_renew(live_server: Any, settings: Any) -> None:
    settings.ALLOW_PRIVATE_FEEDS = True
    with Hub(lease_seconds=3600) as hub:
        source = crawled(hub.url)
        summary = keep_subscriptions(live_server.url, timezone.now())
        assert (summary.asked, summary.failed) == (1, 0)
        [form] = hub.requests
        subscription = WebSubSubscription.objects.get(feed=source)
        assert form["hub.mode"] == "subscribe"
        assert form["hub.topic"] == FEED_URL
        assert form["hub.callback"] == f"{live_server.url}/api/websub/{subscription.token}"
        assert form["hub.secret"] == subscription.secret
        assert int(form["hub.lease_seconds"]) == int(websub.LEASE.total_seconds())
        assert subscription.state == State.PENDING

        assert hub.verify(form, topic="https://someone-else.example/feed")[0] == 404
        status, _ = hub.verify(form)
        assert status == 200
        subscription.refresh_from_db()
        assert subscription.state == State.ACTIVE
        assert subscription.lease_until is not None
        assert timedelta(minutes=59) < subscription.lease_until - timezone.now() <= timedelta(hours=1)
        assert keep_subscriptions(live_server.url, timezone.now()).asked == 0  # nothing to renew yet

        [subscriber] = hub.subscribers
        assert hub.publish(subscriber, rss("Pushed", 4, extra=hub_links(hub.url)).encode()) == 204
        assert Episode.objects.filter(show=source.show).count() == 4
        source.refresh_from_db()
        assert source.push_reason == "websub"

        assert hub.publish(subscriber, rss("Pushed", 6).encode(), secret="forged") == 202  # ignored
        assert hub.publish(subscriber, rss("Pushed", 6).encode(), method="sha1", secret="") == 202
        assert Episode.objects.filter(show=source.show).count() == 4

        assert keep_subscriptions(live_server.url, timezone.now() + timedelta(minutes=40)).asked == 0
        later = timezone.now() + timedelta(minutes=57)  # nine tenths of the hour's lease are over: renew
        assert keep_subscriptions(live_server.url, later).asked == 1
        assert hub.requests[-1]["hub.callback"] == form["hub.callback"]  # same subscription, same secret
        assert hub.requests[-1]["hub.secret"] == form["hub.secret"]


@pytest.mark.django_db
def test_a_failing_or_unreachable_hub_is_recorded(settings: Any) -> None:
    settings.ALLOW_PRIVATE_FEEDS = True
    with Hub(status=500) as hub:
        source = crawled(hub.url)
        assert keep_subscriptions("https://lytt.example", timezone.now()).failed == 1
    subscription = WebSubSubscription.objects.get(feed=source)
    assert subscription.state == State.FAILED
    assert "HTTP 500" in subscription.last_error


@pytest.mark.django_db
def test_hubs_on_private_addresses_are_refused(settings: Any) -> None:
    settings.ALLOW_PRIVATE_FEEDS = False
    with Hub() as hub:
        source = crawled(hub.url)
        assert keep_subscriptions("https://lytt.example", timezone.now()).failed == 1
        assert hub.requests == []
    assert "UnsafeURL" in WebSubSubscription.objects.get(feed=source).last_error


@pytest.mark.django_db
def test_private_and_retired_feeds_are_not_subscribed(settings: Any) -> None:
    settings.ALLOW_PRIVATE_FEEDS = True
    with Hub() as hub:
        crawled(hub.url, private=True)
        assert keep_subscriptions("https://lytt.example", timezone.now()).asked == 0


@pytest.mark.django_db
def test_callback_answers(client: Client) -> None:
    source = FeedSource.objects.create(url=FEED_URL, status=FeedSource.Status.ACTIVE)
    subscription = WebSubSubscription.objects.create(
        feed=source,
        hub_url="https://hub.example/",
        topic_url=FEED_URL,
        token="t0k3n",
        secret="s",
        state=State.PENDING,
    )
    assert client.get("/api/websub/unknown", {"hub.mode": "subscribe"}).status_code == 404
    assert (
        client.get(
            "/api/websub/t0k3n", {"hub.mode": "unsubscribe", "hub.topic": FEED_URL, "hub.challenge": "c"}
        ).status_code
        == 404
    )
    assert (
        client.get("/api/websub/t0k3n", {"hub.mode": "subscribe", "hub.topic": FEED_URL}).status_code == 404
    )
    assert (
        client.post("/api/websub/t0k3n", b"<rss/>", content_type="application/rss+xml").status_code == 202
    )  # not active
    assert client.delete("/api/websub/t0k3n").status_code == 405
    denied = client.get(
        "/api/websub/t0k3n", {"hub.mode": "denied", "hub.topic": FEED_URL, "hub.reason": "no thanks"}
    )
    assert denied.status_code == 200
    subscription.refresh_from_db()
    assert subscription.state == State.DENIED
    assert "no thanks" in subscription.last_error
