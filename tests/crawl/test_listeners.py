"""Listeners' plays and follows reach the crawl tiers of feeds whose bodies never change
(`lytt.crawl.listeners`, run by the charts' recomputation), on both databases."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.crawl.crawling import PATIENT, latest_check, make_worker
from tests.feedserver import FeedServer, rss

from lytt.catalog.models import Episode, FeedSource, Show
from lytt.charts.ranking import recompute_popularity, record_play
from lytt.cli import main
from lytt.crawl.listeners import CarriedFeed, carry_show_popularity, redecided
from lytt.crawl.tiers import Tier, check_due_by, listener_popularity

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def carried(**changes: Any) -> CarriedFeed:
    """A healthy active feed checked an hour ago, planned in 11 hours, now popular with a recent episode."""
    feed = CarriedFeed(
        pk=1,
        popularity=8.0,
        newest_item_at=NOW - timedelta(days=2),
        error_count=0,
        status="active",
        tier="active",
        tier_reason="newest episode 2026-03-02",
        next_check_at=NOW + timedelta(hours=11),
        last_checked_at=NOW - timedelta(hours=1),
    )
    return feed._replace(**changes)


def test_a_feed_that_became_hot_is_checked_within_the_hot_tiers_hour() -> None:
    assert redecided(carried(), NOW) == ("hot", "popularity 8.0; newest episode 2026-03-02", NOW)
    recent = carried(last_checked_at=NOW - timedelta(minutes=20))
    assert redecided(recent, NOW) == (
        "hot",
        "popularity 8.0; newest episode 2026-03-02",
        NOW + timedelta(minutes=40),
    )


def test_a_new_tier_never_pushes_a_check_back() -> None:
    soon = NOW + timedelta(minutes=10)
    checked = NOW - timedelta(minutes=10)  # the hot tier's hour runs out after the planned check
    assert redecided(carried(next_check_at=soon, last_checked_at=checked), NOW) == (
        "hot",
        "popularity 8.0; newest episode 2026-03-02",
        soon,
    )
    cooled = carried(popularity=0.0, tier="hot", next_check_at=soon)  # listeners left: active allows 12 h
    assert redecided(cooled, NOW) == ("active", "newest episode 2026-03-02", soon)


def test_backoff_is_left_alone_and_uncrawled_feeds_are_not_decided() -> None:
    failing = carried(
        status="error", error_count=4, tier="failing", tier_reason="4 errors in a row; backed off"
    )
    assert redecided(failing, NOW) is None
    erring = carried(status="error", error_count=1)  # backing off after one error: the tier, not the time
    assert redecided(erring, NOW) == (
        "hot",
        "popularity 8.0; newest episode 2026-03-02",
        erring.next_check_at,
    )
    for status in ("retired", "duplicate", "bundled"):
        assert redecided(carried(status=status), NOW) is None


def test_an_unchanged_decision_writes_nothing() -> None:
    same = carried(tier="hot", tier_reason="popularity 8.0; newest episode 2026-03-02", next_check_at=NOW)
    assert redecided(same, NOW) is None


moments = st.integers(min_value=-30 * 86400, max_value=30 * 86400).map(lambda s: NOW + timedelta(seconds=s))


@given(st.sampled_from(list(Tier)), moments, st.none() | moments)
def test_check_due_by_only_ever_brings_a_check_forward_and_never_into_the_past(
    tier: Tier, planned: datetime, last: datetime | None
) -> None:
    due = check_due_by(tier, planned, last, NOW)
    assert due <= planned
    assert due >= min(planned, NOW)
    if tier.ceiling is not None and due < planned:
        assert due == max((last or NOW) + tier.ceiling, NOW)


# -- on the database ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_feed_that_only_304s_turns_hot_when_listeners_play_its_show(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    weekly = rss("Weekly", first=now - timedelta(days=14, hours=2), gap=timedelta(days=7))
    source = FeedSource.objects.create(url=feed_server.add("/weekly.xml", weekly, etag='"w1"'))
    clock = [now]
    worker = make_worker(fetch=PATIENT, clock=lambda: clock[0])
    worker.crawl_once(all_feeds=True)
    clock[0] += timedelta(hours=1)
    worker.crawl_once(all_feeds=True)
    source.refresh_from_db()
    assert latest_check(source).outcome == "not_modified"
    assert (source.tier, source.popularity) == ("active", 0.0)
    planned = source.next_check_at
    assert planned - clock[0] >= timedelta(hours=12)

    episode = Episode.objects.filter(show=source.show).order_by("-published_at").first()
    assert episode is not None
    for _ in range(6):
        record_play(episode, clock[0])
    recompute_popularity(clock[0])

    source.refresh_from_db()
    assert (source.tier, source.popularity) == ("hot", 6.0)
    assert source.tier_reason == f"popularity 6.0; newest episode {now - timedelta(hours=2):%Y-%m-%d}"
    assert source.next_check_at == clock[0] + timedelta(hours=1)  # an hour after its last check
    assert main(["feeds", "--stats", "--json"]) == 0
    lines = {line["tier"]: line["feeds"] for line in json.loads(capsys.readouterr().out)["tiers"]}
    assert (lines["hot"], lines["active"]) == (1, 0)

    clock[0] += timedelta(hours=1)
    worker.crawl_once()  # due now: another 304 keeps it hot
    source.refresh_from_db()
    assert latest_check(source).outcome == "not_modified"
    assert source.tier == "hot"
    assert source.next_check_at - clock[0] <= timedelta(hours=1, minutes=6)


def _feed(n: int, show: Show | None, **fields: Any) -> FeedSource:
    defaults: dict[str, Any] = {
        "status": "active",
        "tier": "active",
        "tier_reason": "newest episode 2026-03-02",
        "newest_item_at": NOW - timedelta(days=2),
        "last_checked_at": NOW - timedelta(hours=1),
        "next_check_at": NOW + timedelta(hours=11),
    }
    return FeedSource.objects.create(
        url=f"https://feeds.example.com/{n}.xml", show=show, **{**defaults, **fields}
    )


def _rows() -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in FeedSource.objects.values()}


@pytest.mark.django_db
def test_only_feeds_whose_popularity_changed_are_written() -> None:
    played = Show.objects.create(slug="played", title="Played", latest_episode_at=NOW - timedelta(days=2))
    quiet = Show.objects.create(slug="quiet", title="Quiet", latest_episode_at=NOW - timedelta(days=2))
    episode = Episode.objects.create(show=played, slug="e1", match_key="p1", title="E1", published_at=NOW)
    hot = _feed(1, played, podcastindex_popularity=0.5, popularity=0.5)
    mirror = _feed(2, played, status="retired", tier="quiet", next_check_at=NOW - timedelta(days=30))
    _feed(3, quiet, podcastindex_popularity=2.0, popularity=2.0)
    _feed(4, None, podcastindex_popularity=9.0, popularity=9.0, tier="hot")
    failing = _feed(5, played, status="error", error_count=3, tier="failing", tier_reason="3 errors in a row")
    before = _rows()
    for _ in range(5):
        record_play(episode, NOW)

    recompute_popularity(NOW)

    after = _rows()
    assert after[hot.pk]["popularity"] == 5.5
    assert (after[hot.pk]["tier"], after[hot.pk]["next_check_at"]) == ("hot", NOW)
    assert after[mirror.pk] == {**before[mirror.pk], "popularity": 5.0}  # retired: popularity alone
    assert after[failing.pk] == {
        **before[failing.pk],
        "popularity": 5.0,
        "tier_reason": "3 errors in a row; backed off",
    }
    for unchanged in (3, 4):  # an unscored show's feed, a feed without a show
        pk = FeedSource.objects.get(url=f"https://feeds.example.com/{unchanged}.xml").pk
        assert after[pk] == before[pk]

    recompute_popularity(NOW)  # nothing moved since: nothing is written
    assert _rows() == after
    assert carry_show_popularity([[6.0, played.pk]], NOW) == (0, 0)


@pytest.mark.django_db
def test_the_sql_adds_points_exactly_as_listener_popularity_does() -> None:
    rng = random.Random(24)
    values = [0.0, 0.5, 0.999_999_999, 1.0, 1.0 + 2**-52, 1.1, 6.5, 1e-300, 123_456.789, 1e300]
    values += [rng.uniform(0, 2) for _ in range(50)] + [1 + rng.expovariate(0.1) for _ in range(50)]
    shows = []
    for n, value in enumerate(values):
        show = Show.objects.create(slug=f"s{n}", title=f"S{n}")
        base = rng.choice([0.0, 0.3, 12.7, rng.uniform(0, 40)])
        _feed(n, show, podcastindex_popularity=base, popularity=-1.0)
        shows.append([value, show.pk])
    assert carry_show_popularity(shows, NOW)[0] == len(values)
    for feed in FeedSource.objects.select_related("show"):
        value = values[int(feed.show.slug[1:])]  # type: ignore[union-attr]
        assert feed.popularity == feed.podcastindex_popularity + listener_popularity(value), value
