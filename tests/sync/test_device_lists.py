"""Two apps on one account: a device's full-list PUT removes only the feeds that device had seen.

Driven by the real mygpoclient and by raw HTTP against a live server.
"""

from __future__ import annotations

import base64
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from mygpoclient import api

from lytt.accounts.models import Follow, Subscription
from lytt.accounts.services import follow_show
from lytt.catalog.models import Show

from .conftest import PASSWORD

FEED = "https://feeds.example.org/dagens.xml"  # the `show` fixture's feed
X = "https://x.example.org/feed"
Y = "https://y.example.org/feed"


def active(user: User) -> set[str]:
    return set(Subscription.objects.filter(user=user, active=True).values_list("url", flat=True))


@pytest.fixture
def gpo(live_server: Any, user: User) -> api.MygPodderClient:
    return api.MygPodderClient("kari", PASSWORD, root_url=live_server.url)


def test_first_put_from_a_new_app_keeps_the_website_follows(
    gpo: api.MygPodderClient, user: User, show: Show
) -> None:
    follow_show(user, show)
    assert gpo.put_subscriptions("laptop", [X, Y])
    assert active(user) == {FEED, X, Y}
    assert Follow.objects.filter(user=user, show=show).exists()


def test_later_puts_remove_only_what_that_device_was_told(
    gpo: api.MygPodderClient, user: User, show: Show
) -> None:
    follow_show(user, show)
    assert gpo.put_subscriptions("laptop", [X, Y])
    # The phone reads the list, then drops Y: Y goes for every device.
    assert sorted(gpo.get_subscriptions("phone")) == sorted([FEED, X, Y])
    assert gpo.put_subscriptions("phone", [FEED, X])
    assert active(user) == {FEED, X}
    # The laptop has not synced since: its stale list neither brings Y back nor drops the follow it never saw.
    assert gpo.put_subscriptions("laptop", [X, Y])
    assert active(user) == {FEED, X}
    # Once told the list, leaving the show out of its upload is an unfollow.
    assert sorted(gpo.get_subscriptions("laptop")) == sorted([FEED, X])
    assert gpo.put_subscriptions("laptop", [X])
    assert active(user) == {X}
    assert not Follow.objects.filter(user=user, show=show).exists()


def test_v2_pull_counts_as_being_told(gpo: api.MygPodderClient, user: User, show: Show) -> None:
    gpo.update_subscriptions("phone", [FEED, X], [])
    # The tablet learns the list through API 2, a delta later, and then uploads a shorter simple-API list.
    first = gpo.pull_subscriptions("tablet", 0)
    assert sorted(first.add) == sorted([FEED, X])
    gpo.update_subscriptions("phone", [Y], [])
    later = gpo.pull_subscriptions("tablet", first.since)
    assert Y in later.add  # (changes stored in the same second as `since` may come again)
    assert gpo.put_subscriptions("tablet", [FEED])
    assert active(user) == {FEED}
    # The phone's own API-2 changes are what it has seen: its simple-API upload without X removes nothing
    # new (X is gone already) and brings nothing back.
    assert gpo.put_subscriptions("phone", [FEED, X, Y])
    assert active(user) == {FEED}


def _raw(live_server: Any, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(live_server.url + path, data=body, method=method)
    token = base64.b64encode(f"kari:{PASSWORD}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    request.add_header("Content-Type", "text/plain")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def _opml(*urls: str) -> bytes:
    outlines = "".join(f'<outline type="rss" text="t" xmlUrl="{u}"/>' for u in urls)
    return f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()


@pytest.mark.parametrize(
    ("fmt", "encode"),
    [
        ("opml", _opml),
        ("txt", lambda *urls: "".join(f"{u}\n" for u in urls).encode()),
        ("json", lambda *urls: ("[" + ",".join(f'"{u}"' for u in urls) + "]").encode()),
    ],
)
def test_raw_http_two_devices(
    live_server: Any, user: User, show: Show, fmt: str, encode: Callable[..., bytes]
) -> None:
    follow_show(user, show)
    assert _raw(live_server, "PUT", f"/subscriptions/kari/antennapod.{fmt}", encode(X)) == (200, b"")
    assert active(user) == {FEED, X}
    status, listed = _raw(live_server, "GET", f"/subscriptions/kari/gpodder.{fmt}")
    assert status == 200
    assert FEED.encode() in listed
    assert X.encode() in listed
    assert _raw(live_server, "PUT", f"/subscriptions/kari/gpodder.{fmt}", encode(FEED)) == (200, b"")
    assert active(user) == {FEED}
    # An empty upload from the first app removes only what it had uploaded (X, gone already).
    assert _raw(live_server, "PUT", f"/subscriptions/kari/antennapod.{fmt}", encode()) == (200, b"")
    assert active(user) == {FEED}
    assert Follow.objects.filter(user=user, show=show).exists()
