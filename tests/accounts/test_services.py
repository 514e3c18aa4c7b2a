"""Follows and subscriptions kept in step; the change log behind `since`; progress by client time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from lytt.accounts import services
from lytt.accounts.models import Device, EpisodeAction, Follow, PlayProgress, Subscription, SubscriptionChange
from lytt.accounts.progress import Mark
from lytt.catalog.models import Episode, FeedSource, Show

pytestmark = pytest.mark.django_db

FEED = "https://feeds.example.org/dagens.xml"


def test_follow_twice_logs_once(user: User, show: Show) -> None:
    assert services.follow_show(user, show)
    assert not services.follow_show(user, show)
    assert SubscriptionChange.objects.filter(user=user).count() == 1


def test_unfollow_unsubscribes_every_feed_of_the_show(user: User, show: Show) -> None:
    FeedSource.objects.create(url="https://mirror.example.org/dagens", show=show)
    services.apply_subscription_changes(user, None, [FEED, "https://mirror.example.org/dagens"], [])
    assert Follow.objects.filter(user=user, show=show).count() == 1
    assert services.unfollow_show(user, show)
    assert not Subscription.objects.filter(user=user, active=True).exists()
    assert not services.unfollow_show(user, show)


def test_removing_one_of_two_feeds_keeps_the_follow(user: User, show: Show) -> None:
    FeedSource.objects.create(url="https://mirror.example.org/dagens", show=show)
    services.apply_subscription_changes(user, None, [FEED, "https://mirror.example.org/dagens"], [])
    services.apply_subscription_changes(user, None, [], [FEED])
    assert Follow.objects.filter(user=user, show=show).exists()
    services.apply_subscription_changes(user, None, [], ["https://mirror.example.org/dagens"])
    assert not Follow.objects.filter(user=user, show=show).exists()


def test_changes_since_are_net_and_inclusive(user: User) -> None:
    start = timezone.now()
    services.apply_subscription_changes(user, None, ["https://a.org/f", "https://b.org/f"], [])
    services.apply_subscription_changes(user, None, [], ["https://a.org/f"])
    added, removed = services.subscription_changes_since(user, start)
    assert (added, removed) == (["https://b.org/f"], ["https://a.org/f"])
    # A change at exactly `since` is included: nothing is lost at a boundary.
    last = SubscriptionChange.objects.order_by("-received_at").first()
    assert last is not None
    assert services.subscription_changes_since(user, last.received_at)[1] == ["https://a.org/f"]
    later = timezone.now() + dt.timedelta(seconds=1)
    assert services.subscription_changes_since(user, later) == ([], [])


def test_unknown_feed_queued_and_linked_later(user: User) -> None:
    url = "https://new.example.org/feed"
    services.apply_subscription_changes(user, None, [url], [])
    assert FeedSource.objects.filter(url=url).exists()
    assert services.link_pending_subscriptions(user) == 0
    show = Show.objects.create(slug="new", title="New")
    FeedSource.objects.filter(url=url).update(show=show)
    assert services.link_pending_subscriptions(user) == 1
    assert Follow.objects.filter(user=user, show=show).exists()


def test_device_full_list_removes_only_what_the_device_had_seen(user: User) -> None:
    phone = Device.objects.create(user=user, device_id="phone")
    laptop = Device.objects.create(user=user, device_id="laptop")
    services.apply_subscription_changes(user, None, ["https://a.org/f", "https://b.org/f"], [])
    # The laptop's first upload: its feeds are added, nothing it never saw is removed.
    services.put_device_list(user, laptop, ["https://b.org/f", "https://c.org/f"])
    assert services.active_subscription_urls(user) == [
        "https://a.org/f",
        "https://b.org/f",
        "https://c.org/f",
    ]
    # The phone was told the list; leaving a feed out of its next upload removes it.
    services.device_told_list(phone, services.active_subscription_urls(user))
    services.put_device_list(user, phone, ["https://a.org/f", "https://c.org/f"])
    assert services.active_subscription_urls(user) == ["https://a.org/f", "https://c.org/f"]
    # The laptop had seen b, so its upload without b is no news; it still lists c and leaves a alone.
    services.put_device_list(user, laptop, ["https://c.org/f"])
    assert services.active_subscription_urls(user) == ["https://a.org/f", "https://c.org/f"]
    laptop.refresh_from_db()
    assert laptop.seen_urls == ["https://c.org/f"]


def test_device_told_changes_tracks_deltas(user: User) -> None:
    phone = Device.objects.create(user=user, device_id="phone")
    services.device_told_changes(phone, ["https://a.org/f", "https://b.org/f"], [])
    services.device_told_changes(phone, ["https://c.org/f"], ["https://a.org/f"])
    phone.refresh_from_db()
    assert phone.seen_urls == ["https://b.org/f", "https://c.org/f"]


def action(
    position: int, when: dt.datetime, url: str = "https://media.example.org/dagens/0.mp3"
) -> services.NewAction:
    return services.NewAction(
        podcast_url=FEED,
        episode_url=url,
        action="play",
        timestamp=when,
        started=0,
        position=position,
        total=3600,
    )


def test_progress_follows_newest_client_time(user: User, show: Show) -> None:
    t0 = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
    now = timezone.now()
    # In one batch, out of order: the newest by client time wins.
    services.record_actions(user, [action(300, t0 + dt.timedelta(minutes=5)), action(100, t0)], now)
    assert PlayProgress.objects.get(user=user).position == 300
    services.record_actions(user, [action(50, t0 - dt.timedelta(days=1))], now)
    assert PlayProgress.objects.get(user=user).position == 300
    services.record_actions(user, [action(3500, t0 + dt.timedelta(hours=1))], now)
    progress = PlayProgress.objects.get(user=user)
    assert (progress.position, progress.finished) == (3500, True)
    assert EpisodeAction.objects.filter(user=user).count() == 4


def test_actions_match_by_guid(user: User, show: Show) -> None:
    when = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    item = services.NewAction(
        podcast_url=FEED,
        episode_url="https://cdn.example.org/other.mp3",
        action="download",
        timestamp=when,
        guid="guid-dagens-1",
    )
    services.record_actions(user, [item], timezone.now())
    stored = EpisodeAction.objects.get()
    assert stored.episode is not None
    assert stored.episode.slug == "ep-1"


def test_web_progress_starts_new_action_per_session(user: User, make_show: Callable[..., Show]) -> None:
    show = make_show("s")
    episode = show.episodes.get(slug="ep-0")
    services.record_web_progress(user, episode, position=10, total=3600, started=0)
    services.record_web_progress(user, episode, position=40, total=3600, started=0)
    services.record_web_progress(user, episode, position=100, total=3600, started=90)
    assert list(EpisodeAction.objects.order_by("id").values_list("started", "position")) == [
        (0, 40),
        (90, 100),
    ]


def test_stale_web_progress_is_refused_and_never_reaches_apps(user: User, show: Show) -> None:
    """An app reached 20:00; a browser that started from 0:00 reports ordinary progress later: refused,
    with nothing stored that apps could download."""
    episode = show.episodes.get(slug="ep-0")
    app_time = timezone.now() - dt.timedelta(minutes=5)
    services.record_actions(user, [action(1200, app_time)], timezone.now())
    kept = services.record_web_progress(user, episode, position=3, total=3600, started=0)
    assert kept is not None
    assert (kept.position, kept.at) == (1200, app_time)
    progress = PlayProgress.objects.get(user=user)
    assert (progress.position, progress.timestamp) == (1200, app_time)
    assert list(EpisodeAction.objects.values_list("position", flat=True)) == [1200]
    # Listening on from 20:00 is stored.
    assert services.record_web_progress(user, episode, position=1230, total=3600, started=1200) is None
    assert PlayProgress.objects.get(user=user).position == 1230


@pytest.mark.parametrize(("ours", "stays"), [(300, 600), (900, 900)])
def test_a_first_position_racing_another_is_decided_against_the_one_that_won(
    user: User, show: Show, monkeypatch: pytest.MonkeyPatch, ours: int, stays: int
) -> None:
    """Two first reports at once: each reads "no position yet", and the other's row is stored before this
    one's INSERT. This one is then weighed against it as if it had come second, never a server error."""
    episode = show.episodes.get(slug="ep-0")
    earlier = timezone.now() - dt.timedelta(minutes=2)
    read = services._known_mark
    raced: list[bool] = []

    def read_before_the_other_stored(user: User, episode: Episode) -> tuple[PlayProgress | None, Mark | None]:
        if not raced:
            raced.append(True)
            PlayProgress.objects.create(user=user, episode=episode, position=600, timestamp=earlier)
            return None, None
        return read(user, episode)

    monkeypatch.setattr(services, "_known_mark", read_before_the_other_stored)
    services.record_web_progress(user, episode, position=ours, total=3600, started=0)
    assert list(PlayProgress.objects.filter(user=user).values_list("position", flat=True)) == [stays]


def test_deliberate_seek_back_is_stored(user: User, show: Show) -> None:
    episode = show.episodes.get(slug="ep-0")
    services.record_actions(user, [action(1200, timezone.now() - dt.timedelta(minutes=1))], timezone.now())
    assert (
        services.record_web_progress(user, episode, position=300, total=3600, started=300, deliberate=True)
        is None
    )
    assert PlayProgress.objects.get(user=user).position == 300
    newest = EpisodeAction.objects.order_by("-timestamp").first()
    assert newest is not None
    assert (newest.started, newest.position) == (300, 300)


def test_web_progress_older_than_the_newest_is_refused_even_when_deliberate(user: User, show: Show) -> None:
    episode = show.episodes.get(slug="ep-0")
    now = timezone.now()
    services.record_actions(user, [action(1200, now - dt.timedelta(minutes=1))], now)
    old = now - dt.timedelta(hours=1)
    kept = services.record_web_progress(
        user, episode, position=2000, total=3600, started=0, timestamp=old, deliberate=True
    )
    assert kept is not None
    assert kept.position == 1200
    assert PlayProgress.objects.get(user=user).position == 1200


def test_web_progress_in_the_future_is_stored_as_now(user: User, show: Show) -> None:
    episode = show.episodes.get(slug="ep-0")
    before = timezone.now()
    services.record_web_progress(
        user, episode, position=60, total=3600, started=0, timestamp=before + dt.timedelta(days=1)
    )
    assert PlayProgress.objects.get(user=user).timestamp <= timezone.now()


@pytest.mark.django_db(transaction=True)
def test_write_transaction_queues_writers_on_sqlite() -> None:
    from django.db import connection

    from lytt.accounts import writes

    assert not connection.in_atomic_block
    with writes.write_transaction():
        assert connection.in_atomic_block
        assert writes._sqlite_writer.locked() == (connection.vendor == "sqlite")
        with writes.write_transaction():  # nested: no second acquire, no deadlock
            pass
    assert not writes._sqlite_writer.locked()


def test_ingested_feed_links_waiting_subscriptions_and_actions(user: User) -> None:
    from lytt.catalog.signals import feed_ingested

    url = "https://soon.example.org/feed"
    services.apply_subscription_changes(user, None, [url], [])
    when = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    services.record_actions(
        user,
        [
            services.NewAction(
                podcast_url=url,
                episode_url="https://soon.example.org/1.mp3",
                action="download",
                timestamp=when,
            )
        ],
        timezone.now(),
    )
    show = Show.objects.create(slug="soon", title="Soon")
    FeedSource.objects.filter(url=url).update(show=show)
    episode = show.episodes.create(
        slug="one", match_key="one", title="One", enclosure_url="https://soon.example.org/1.mp3"
    )
    feed_ingested.send(sender=Show, show=show, episode_ids=[episode.pk])
    assert Follow.objects.filter(user=user, show=show).exists()
    assert Subscription.objects.get(user=user, url=url).show == show
    action = EpisodeAction.objects.get(user=user)
    assert (action.show_id, action.episode_id) == (show.pk, episode.pk)
