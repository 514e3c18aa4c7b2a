"""The claim protocol (`lytt.crawl.claims`): leases, plain rows, and what a worker still holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from tests.crawl.crawling import add, make_worker
from tests.feedserver import FeedServer, rss

from lytt.catalog.models import FeedCheck, FeedSource, Show
from lytt.crawl.claims import claim_batch, lock_held, next_claimable_at, release_claims

pytestmark = pytest.mark.django_db


def test_claims_skip_leased_feeds_and_expired_leases_return(feed_server: FeedServer) -> None:
    sources = [add(feed_server.add(f"/c{n}.xml", rss(f"C{n}"))) for n in range(4)]
    now = datetime.now(UTC)
    first = claim_batch("a", limit=3, lease=timedelta(minutes=5), now=now)
    second = claim_batch("b", limit=3, lease=timedelta(minutes=5), now=now)
    assert len(first) == 3
    assert [s.pk for s in second] == [sources[3].pk]
    assert claim_batch("c", limit=3, lease=timedelta(minutes=5), now=now) == []
    later = claim_batch("c", limit=10, lease=timedelta(minutes=5), now=now + timedelta(minutes=6))
    assert {s.pk for s in later} == {s.pk for s in sources}
    assert FeedSource.objects.filter(claimed_by="c").count() == 4


def test_a_claim_reads_plain_rows_with_the_models_values() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    show = Show.objects.create(slug="s", title="S")
    later = FeedSource.objects.create(
        url="https://feeds.example.com/later.xml",
        next_check_at=now - timedelta(minutes=1),
        show=show,
        etag='"e"',
        last_modified="Mon, 01 Jan 2024 10:00:00 GMT",
        content_hash="ab" * 32,
        check_interval_seconds=7200,
        error_count=2,
        last_success_at=now - timedelta(days=3, microseconds=5),
        popularity=3.5,
        podcastindex_popularity=1.5,
        newest_item_at=now - timedelta(days=8),
    )
    sooner = FeedSource.objects.create(
        url="https://feeds.example.com/sooner.xml", next_check_at=now - timedelta(hours=1)
    )
    claimed = claim_batch("w", limit=10, lease=timedelta(minutes=5), now=now)
    assert [feed.pk for feed in claimed] == [sooner.pk, later.pk]  # next check first
    for feed in claimed:
        model = FeedSource.objects.get(pk=feed.pk)
        assert (model.claimed_by, model.claimed_until) == ("w", now + timedelta(minutes=5))
        assert feed._asdict() == {name: getattr(model, name) for name in feed._fields}
    assert claimed[1].last_success_at == now - timedelta(days=3, microseconds=5)
    assert claimed[1].last_success_at.tzinfo is not None


def test_feeds_due_at_the_same_moment_go_most_popular_first() -> None:
    """An imported dump's feeds are all due at the import's moment: the most popular are claimed first,
    and still after any feed that has waited longer."""
    now = datetime.now(UTC).replace(microsecond=0)
    imported = now - timedelta(minutes=10)
    points = [0.0, 12.5, 3.0, 40.1, 12.5, 0.3]
    feeds = [
        FeedSource.objects.create(
            url=f"https://feeds.example.com/{n}.xml", next_check_at=imported, popularity=p, tier="quiet"
        )
        for n, p in enumerate(points)
    ]
    overdue = FeedSource.objects.create(
        url="https://feeds.example.com/overdue.xml", next_check_at=imported - timedelta(seconds=1)
    )
    first = claim_batch("w", limit=4, lease=timedelta(minutes=5), now=now)
    rest = claim_batch("w", limit=10, lease=timedelta(minutes=5), now=now)
    by_points = sorted(feeds, key=lambda feed: (-feed.popularity, feed.pk))
    assert [feed.pk for feed in first + rest] == [overdue.pk, *(feed.pk for feed in by_points)]


def test_lost_lease_records_nothing(feed_server: FeedServer) -> None:
    source = add(feed_server.add("/stolen.xml", rss("Stolen")))

    def steal(feed: FeedSource, outcome: object) -> None:
        raise AssertionError("nothing should be recorded")

    stolen: list[int] = []

    def thief() -> Callable[[], datetime]:
        # After the worker claims, another worker takes the feed over (as if the lease had expired).
        def clock() -> datetime:
            claimed = FeedSource.objects.filter(pk=source.pk, claimed_by="test-worker").update(
                claimed_by="other"
            )
            stolen.append(claimed)
            return datetime.now(UTC)

        return clock

    summary = make_worker(clock=thief(), on_feed=steal).crawl_once()
    assert summary.lost_leases == 1
    assert sum(stolen) == 1
    source.refresh_from_db()
    assert source.show is None
    assert source.claimed_by == "other"
    assert not FeedCheck.objects.filter(feed=source).exists()


def test_a_worker_holds_only_its_own_claims_and_locks_them_in_id_order() -> None:
    sources = [add(f"https://feeds.example.com/{n}.xml") for n in range(5)]
    now = datetime.now(UTC)
    mine = claim_batch("a", limit=3, lease=timedelta(minutes=5), now=now)
    theirs = claim_batch("b", limit=3, lease=timedelta(minutes=5), now=now)
    assert (len(mine), len(theirs)) == (3, 2)
    ids = [source.pk for source in reversed(sources)]
    with transaction.atomic():
        assert lock_held("a", ids) == sorted(feed.pk for feed in mine)
        assert lock_held("b", ids) == sorted(feed.pk for feed in theirs)
        assert lock_held("c", ids) == []
        assert lock_held("a", []) == []


def test_released_claims_are_free_to_claim_again() -> None:
    sources = [add(f"https://feeds.example.com/{n}.xml") for n in range(2)]
    now = datetime.now(UTC)
    claimed = claim_batch("a", limit=2, lease=timedelta(minutes=5), now=now)
    assert len(claimed) == 2
    assert release_claims("b", [feed.pk for feed in claimed]) == 0  # not b's to give back
    assert release_claims("a", [sources[0].pk]) == 1
    again = claim_batch("b", limit=2, lease=timedelta(minutes=5), now=now)
    assert [feed.pk for feed in again] == [sources[0].pk]


def test_a_feed_is_claimable_once_due_allowed_and_free() -> None:
    assert next_claimable_at() is None
    now = datetime.now(UTC).replace(microsecond=0)
    FeedSource.objects.create(
        url="https://feeds.example.com/polite.xml",
        next_check_at=now,
        not_before=now + timedelta(hours=2),
    )
    leased = FeedSource.objects.create(
        url="https://feeds.example.com/leased.xml",
        next_check_at=now + timedelta(minutes=10),
        claimed_by="w",
        claimed_until=now + timedelta(hours=1),
    )
    assert next_claimable_at() == now + timedelta(hours=1)
    FeedSource.objects.filter(pk=leased.pk).update(status=FeedSource.Status.RETIRED)
    assert next_claimable_at() == now + timedelta(hours=2)
