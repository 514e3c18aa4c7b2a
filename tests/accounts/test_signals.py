"""Listeners' pending subscriptions and episode actions are linked when their feeds are ingested: per feed
for a single ingest, per chunk for the crawler."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.feedserver import FeedServer, rss

from lytt.accounts import services
from lytt.accounts import signals as account_signals
from lytt.accounts.models import EpisodeAction, Follow, Subscription
from lytt.catalog.models import Episode, FeedSource, Show
from lytt.catalog.signals import Ingested, feed_ingested, feeds_ingested
from lytt.crawl.fetch import FetchConfig
from lytt.crawl.safety import AddressPolicy
from lytt.crawl.worker import Worker, WorkerConfig
from lytt.search.index import chart_positions

pytestmark = pytest.mark.django_db

PATIENT = FetchConfig(connect_timeout=10, read_timeout=10, total_timeout=20, concurrency=8)
WHEN = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def crawl() -> dict[str, int]:
    worker = Worker(
        WorkerConfig(worker_id="test-worker", batch_size=50, fetch=PATIENT),
        policy=AddressPolicy(allow_private=True),
    )
    return worker.crawl_once().outcomes


def act(user: User, podcast_url: str, *episode_urls: str) -> None:
    actions = [
        services.NewAction(podcast_url=podcast_url, episode_url=url, action="download", timestamp=WHEN)
        for url in episode_urls
    ]
    services.record_actions(user, actions, timezone.now())


def enclosure(title: str, number: int) -> str:
    """The enclosure URL `tests.feedserver.rss` gives episode `number` of the show `title`."""
    return f"https://cdn.example.com/{title.replace(' ', '_')}/ep{number}.mp3"


def test_a_crawl_chunk_links_pending_subscriptions_and_actions_of_all_its_feeds(
    feed_server: FeedServer,
    make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kari, ola = make_user("kari"), make_user("ola")
    urls = [feed_server.add(f"/linked{n}.xml", rss(f"Linkbird {n}", episodes=3)) for n in range(3)]
    services.apply_subscription_changes(kari, None, urls[:2], [])  # unknown feeds: queued for the crawler
    services.apply_subscription_changes(ola, None, [urls[1]], [])
    services.apply_subscription_changes(ola, None, [], [urls[1]])  # unsubscribed again: linked, not followed
    FeedSource.objects.create(url=urls[2])
    act(kari, urls[0], enclosure("Linkbird 0", 2), "https://elsewhere.example.com/unknown.mp3")
    act(ola, urls[2], enclosure("Linkbird 2", 1))
    per_feed: list[Show] = []
    monkeypatch.setattr(account_signals, "link_show", per_feed.append)

    assert crawl() == {"updated": 3}

    assert per_feed == []  # a crawl chunk's feeds are linked whole, not one by one
    shows = [FeedSource.objects.get(url=url).show for url in urls]
    assert all(show is not None for show in shows)
    subscriptions = {(s.user.username, s.url): s.show for s in Subscription.objects.all()}
    assert subscriptions == {
        ("kari", urls[0]): shows[0],
        ("kari", urls[1]): shows[1],
        ("ola", urls[1]): shows[1],
    }
    follows = {(f.user.username, f.show) for f in Follow.objects.all()}
    assert follows == {("kari", shows[0]), ("kari", shows[1])}
    linked = {(a.user.username, a.episode_url): (a.show, a.episode) for a in EpisodeAction.objects.all()}
    assert linked == {
        ("kari", enclosure("Linkbird 0", 2)): (shows[0], Episode.objects.get(title="Linkbird 0 ep 2")),
        ("kari", "https://elsewhere.example.com/unknown.mp3"): (shows[0], None),
        ("ola", enclosure("Linkbird 2", 1)): (shows[2], Episode.objects.get(title="Linkbird 2 ep 1")),
    }


def test_a_failure_to_link_does_not_undo_the_chunk(
    feed_server: FeedServer, user: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    url = feed_server.add("/failing.xml", rss("Failing link", episodes=2))
    services.apply_subscription_changes(user, None, [url], [])

    def broken(shows: object) -> int:
        raise RuntimeError("broken")

    monkeypatch.setattr(account_signals, "link_shows", broken)
    assert crawl() == {"updated": 1}
    assert Episode.objects.count() == 2
    assert Subscription.objects.get(user=user).show is None
    assert "linking listeners' data to 1 shows failed" in caplog.text
    monkeypatch.undo()
    assert services.link_pending_subscriptions(user) == 1  # caught up when the listener's lists are read


def test_a_single_ingest_links_its_show(user: User, make_show: Callable[..., Show]) -> None:
    show = make_show("later", episodes=1, feed_url="https://later.example.org/feed")
    Subscription.objects.create(
        user=user, url="https://later.example.org/feed", created_at=WHEN, updated_at=WHEN
    )
    assert Subscription.objects.get(user=user).show is None
    feed_ingested.send(sender=Show, show=show, episode_ids=[])
    assert Subscription.objects.get(user=user).show == show
    assert Follow.objects.filter(user=user, show=show).exists()


def pending_shows(user: User, make_show: Callable[..., Show], names: list[str]) -> list[Show]:
    """Shows whose feed URLs have a pending subscription and a pending action of `user`."""
    shows = []
    for name in names:
        url = f"https://{name}.example.org/feed"
        Subscription.objects.create(user=user, url=url, created_at=WHEN, updated_at=WHEN)
        act(user, url, f"https://media.example.org/{name}/0.mp3")
        shows.append(make_show(name, episodes=1, feed_url=url))
    return shows


def test_a_chunk_is_linked_in_a_fixed_number_of_queries(user: User, make_show: Callable[..., Show]) -> None:
    few = pending_shows(user, make_show, ["a1", "a2"])
    many = pending_shows(user, make_show, ["b1", "b2", "b3", "b4", "b5", "b6"])
    chart_positions()  # read once a minute by search indexing, not once per chunk
    with CaptureQueriesContext(connection) as for_few:
        feeds_ingested.send(sender=Show, items=[Ingested(show, ()) for show in few])
    with CaptureQueriesContext(connection) as for_many:
        feeds_ingested.send(sender=Show, items=[Ingested(show, ()) for show in many])
    assert len(for_many.captured_queries) == len(for_few.captured_queries)
    assert Follow.objects.filter(user=user).count() == 8
    assert not Subscription.objects.filter(show__isnull=True).exists()
    assert not EpisodeAction.objects.filter(episode__isnull=True).exists()


def test_actions_linked_per_show_up_to_the_cap(
    user: User, make_show: Callable[..., Show], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(account_signals, "MAX_ACTIONS_LINKED", 3)
    shows = [
        make_show(name, episodes=4, feed_url=f"https://{name}.example.org/feed") for name in ("c1", "c2")
    ]
    for show in shows:
        act(
            user,
            f"https://{show.slug}.example.org/feed",
            *(f"https://media.example.org/{show.slug}/{n}.mp3" for n in range(4)),
        )
    EpisodeAction.objects.update(show=None, episode=None)  # as if uploaded before the feeds were known
    account_signals.link_shows(shows)
    for show in shows:
        linked = EpisodeAction.objects.filter(show=show)
        assert linked.count() == 3  # each show its own cap, as when linked one at a time
        assert all(action.episode is not None for action in linked)
    assert EpisodeAction.objects.filter(show__isnull=True).count() == 2
    account_signals.link_shows(shows)  # the next ingest links the rest
    assert not EpisodeAction.objects.filter(show__isnull=True).exists()
