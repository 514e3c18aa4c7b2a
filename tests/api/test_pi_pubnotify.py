"""Podcast Index's hub/pubnotify: a host's notice makes a crawled feed due now, and cannot be used to make
Lytt hammer a host."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.api.conftest import make_show
from tests.api.pi_shapes import check

from lytt.catalog.models import FeedSource

pytestmark = pytest.mark.django_db
URL = "https://host.example/show/feed.xml"


def notify(client: Client, address: str = "192.0.2.1", **params: str) -> tuple[int, dict[str, object]]:
    response = client.get("/api/1.0/hub/pubnotify", data=params, REMOTE_ADDR=address)
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


@pytest.fixture
def later() -> FeedSource:
    show = make_show("Weekly", feed_url=URL)
    FeedSource.objects.filter(show=show).update(next_check_at=timezone.now() + timedelta(hours=6))
    return FeedSource.objects.get(show=show)


def test_by_url_makes_the_feed_due_without_a_key(client: Client, later: FeedSource) -> None:
    status, body = notify(client, url="HTTPS://Host.example:443/show/feed.xml")  # any spelling of the URL
    assert status == 200
    check("/hub/pubnotify", body)
    assert body["status"] == "true"
    later.refresh_from_db()
    assert later.next_check_at <= timezone.now()
    assert later.push_reason == "hub/pubnotify"
    assert later.pushed_at is not None


def test_by_feed_id(client: Client, later: FeedSource) -> None:
    status, body = notify(client, id=str(later.show_id))
    assert (status, body["status"]) == (200, "true")
    later.refresh_from_db()
    assert later.next_check_at <= timezone.now()


def test_a_feed_is_moved_forward_once_per_interval(client: Client, later: FeedSource) -> None:
    assert notify(client, url=URL)[0] == 200
    six_hours = timezone.now() + timedelta(hours=6)
    FeedSource.objects.filter(pk=later.pk).update(next_check_at=six_hours)  # crawled meanwhile
    assert notify(client, address="192.0.2.2", url=URL)[0] == 200  # from anywhere: still once per interval
    later.refresh_from_db()
    assert later.next_check_at == six_hours


def test_politeness_towards_the_host_still_holds(client: Client, later: FeedSource) -> None:
    backoff = timezone.now() + timedelta(minutes=30)
    FeedSource.objects.filter(pk=later.pk).update(not_before=backoff)
    notify(client, url=URL)
    later.refresh_from_db()
    assert later.not_before == backoff


@pytest.mark.parametrize(
    "status_value", [FeedSource.Status.RETIRED, FeedSource.Status.DUPLICATE, FeedSource.Status.BUNDLED]
)
def test_feeds_lytt_does_not_crawl_are_not_found(
    client: Client, later: FeedSource, status_value: str
) -> None:
    FeedSource.objects.filter(pk=later.pk).update(status=status_value)
    status, body = notify(client, url=URL)
    assert (status, body["status"]) == (404, "false")


def test_unknown_feeds_are_not_added(client: Client) -> None:
    assert notify(client, url="https://unknown.example/feed.xml")[0] == 404
    assert notify(client, id="999999")[0] == 404
    assert not FeedSource.objects.exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "'id' or the 'url'"),
        ({"id": "abc"}, "must be an integer"),
        ({"url": "javascript:alert(1)"}, "not a feed URL"),
        ({"url": "x" * 2001}, "longer than 2000"),
    ],
)
def test_bad_requests_say_what_is_wrong(client: Client, params: dict[str, str], message: str) -> None:
    status, body = notify(client, **params)
    assert status == 400
    assert message in str(body["description"])


def test_each_client_address_is_rate_limited(client: Client, later: FeedSource) -> None:
    statuses = [notify(client, address="198.51.100.7", url=URL)[0] for _ in range(31)]
    assert statuses[:30] == [200] * 30
    response = client.get("/api/1.0/hub/pubnotify", data={"url": URL}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert notify(client, address="198.51.100.8", url=URL)[0] == 200  # another host is not held back


def test_other_methods_are_refused(client: Client) -> None:
    response = client.delete("/api/1.0/hub/pubnotify?url=" + URL)
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
