"""Storing changed feeds (`lytt.crawl.storing`): ingest through the catalogue, moved URLs, churn, and a
chunk that fails whole or feed by feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.crawl.crawling import PATIENT, Killed, add, latest_check, make_worker
from tests.feedserver import FeedServer, rss

from lytt.catalog import signals
from lytt.catalog.models import Episode, FeedCheck, FeedSource, Show
from lytt.crawl import storing as storing_module
from lytt.crawl.worker import WorkerConfig
from lytt.search import search

pytestmark = pytest.mark.django_db


def test_second_pass_is_conditional_and_changes_nothing(feed_server: FeedServer) -> None:
    tagged = add(feed_server.add("/tagged.xml", rss("Tagged", episodes=3), etag='"t1"'))
    dated = add(
        feed_server.add("/dated.xml", rss("Dated", episodes=3), last_modified="Mon, 01 Jan 2024 10:00:00 GMT")
    )
    plain = add(feed_server.add("/plain.xml", rss("Plain", episodes=3)))
    worker = make_worker()
    worker.crawl_once()
    episodes = Episode.objects.count()

    assert worker.crawl_once().feeds == 0  # nothing is due
    summary = worker.crawl_once(all_feeds=True)

    assert summary.feeds == 3
    assert summary.outcomes == {"not_modified": 2, "same_hash": 1}
    assert Episode.objects.count() == episodes
    assert latest_check(tagged).outcome == "not_modified"
    assert latest_check(dated).outcome == "not_modified"
    assert latest_check(plain).outcome == "same_hash"
    assert all("if-none-match" not in r.headers for r in feed_server.requests if r.path == "/plain.xml")
    sent = [r.headers for r in feed_server.requests if r.path == "/tagged.xml"]
    assert sent[-1]["if-none-match"] == '"t1"'
    tagged.refresh_from_db()
    assert tagged.etag == '"t1"'


def test_changed_feed_adds_episodes_once(feed_server: FeedServer) -> None:
    source = add(feed_server.add("/growing.xml", rss("Growing", episodes=3)))
    worker = make_worker()
    worker.crawl_once()
    feed_server.add("/growing.xml", rss("Growing", episodes=5))
    summary = worker.crawl_once(all_feeds=True)
    assert summary.new_episodes == 2
    source.refresh_from_db()
    assert source.show is not None
    assert source.show.episodes.count() == 5
    assert source.last_changed_at is not None
    assert latest_check(source).new_episodes == 2
    worker.crawl_once(all_feeds=True)
    assert source.show.episodes.count() == 5


def test_permanent_redirect_updates_the_url_temporary_does_not(feed_server: FeedServer) -> None:
    final = feed_server.add("/new-home.xml", rss("Moved Show"))
    feed_server.add("/old-2.xml", status=308, location=final)
    moved = add(feed_server.add("/old-1.xml", status=301, location="/old-2.xml"))
    temp_target = feed_server.add("/temp-target.xml", rss("Temp Show"))
    temporary = add(feed_server.add("/temp.xml", status=302, location=temp_target))
    make_worker().crawl_once()
    moved.refresh_from_db()
    temporary.refresh_from_db()
    assert moved.url == final
    assert moved.status == FeedSource.Status.ACTIVE
    assert temporary.url == feed_server.url("/temp.xml")
    assert temporary.show is not None


def test_permanent_redirect_to_a_known_url_marks_a_duplicate(feed_server: FeedServer) -> None:
    home = feed_server.add("/home.xml", rss("Home Show"))
    original = add(home)
    alias = add(feed_server.add("/alias.xml", status=301, location=home))
    make_worker().crawl_once()
    alias.refresh_from_db()
    assert alias.status == FeedSource.Status.DUPLICATE
    assert f"feed #{original.pk}" in alias.status_reason
    assert latest_check(alias).outcome == "moved"
    assert Show.objects.count() == 1


def test_itunes_new_feed_url_moves_the_feed(feed_server: FeedServer) -> None:
    new_url = feed_server.add("/v2.xml", rss("Relocated", episodes=3))
    extra = f"<itunes:new-feed-url>{new_url}</itunes:new-feed-url>"
    source = add(feed_server.add("/v1.xml", rss("Relocated", episodes=3, extra=extra), etag='"old"'))
    worker = make_worker()
    summary = worker.crawl_once()
    # Moved, and checked again at once (in the same run) at the new URL, without the old validators.
    assert summary.feeds == 2
    source.refresh_from_db()
    assert source.url == new_url
    assert source.status == FeedSource.Status.ACTIVE
    assert feed_server.hits["/v1.xml"] == feed_server.hits["/v2.xml"] == 1
    assert "if-none-match" not in feed_server.requests[-1].headers
    assert FeedCheck.objects.filter(feed=source).count() == 2
    worker.crawl_once()
    assert feed_server.hits["/v2.xml"] == 1
    assert Show.objects.count() == 1
    assert Episode.objects.count() == 3


def test_itunes_new_feed_url_to_a_known_feed_marks_a_duplicate(feed_server: FeedServer) -> None:
    target = add(feed_server.add("/target.xml", rss("Target")))
    extra = f"<itunes:new-feed-url>{target.url}</itunes:new-feed-url>"
    old = add(feed_server.add("/old.xml", rss("Old", extra=extra)))
    make_worker().crawl_once()
    old.refresh_from_db()
    assert old.status == FeedSource.Status.DUPLICATE
    assert f"feed #{target.pk}" in old.status_reason
    assert latest_check(old).outcome == "duplicate"


RECENT = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=10)


def churning(minute: int) -> str:
    """A feed published every four hours whose lastBuildDate changes on every fetch."""
    stamp = f"<lastBuildDate>Mon, 01 Jan 2024 00:{minute:02d}:00 GMT</lastBuildDate>"
    return rss("Churn", episodes=3, extra=stamp, first=RECENT, gap=timedelta(hours=4))


def test_feed_that_changes_on_every_fetch_is_polled_less(feed_server: FeedServer) -> None:
    source = add(feed_server.add("/churn.xml", churning(0)))
    worker = make_worker()
    worker.crawl_once()
    intervals = []
    for minute in range(1, 6):
        feed_server.add("/churn.xml", churning(minute))
        worker.crawl_once(all_feeds=True)
        source.refresh_from_db()
        intervals.append(source.check_interval_seconds)
    outcomes = list(
        FeedCheck.objects.filter(feed=source).order_by("checked_at", "id").values_list("outcome", flat=True)
    )
    assert outcomes == ["updated"] + ["churn"] * 5
    assert intervals[0] == intervals[1]
    assert intervals[2] > intervals[1]
    assert intervals[4] > intervals[3] > intervals[2]
    assert source.status_reason == "changes on every fetch; polled less"


def test_a_crawl_batch_indexes_its_feeds_for_search(feed_server: FeedServer) -> None:
    for n in range(3):
        add(feed_server.add(f"/indexed{n}.xml", rss(f"Zebrafinch {n}", episodes=4, prefix=f"z{n}")))
    make_worker(fetch=PATIENT, store_every=2).crawl_once()  # two chunks: each indexes its own feeds
    episodes = search("zebrafinch", kind="episodes", limit=50).hits
    assert sorted(hit.id for hit in episodes) == sorted(Episode.objects.values_list("id", flat=True))
    assert len(episodes) == 12
    shows = search("zebrafinch", kind="shows", limit=50).hits
    assert sorted(hit.id for hit in shows) == sorted(Show.objects.values_list("id", flat=True))


def test_a_refused_feed_does_not_undo_the_rest_of_its_chunk(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [add(feed_server.add(f"/chunk{n}.xml", rss(f"Chunk {n}", episodes=2))) for n in range(4)]
    real = signals.Ingested

    def refuse_chunk_two(show: Show, episode_ids: tuple[int, ...]) -> signals.Ingested:
        """The catalogue refusing one show after writing it (ingest rolls back its savepoint)."""
        if show.title == "Chunk 2":
            raise ValueError("refused after writing")
        return real(show, episode_ids)

    monkeypatch.setattr(signals, "Ingested", refuse_chunk_two)
    summary = make_worker(fetch=PATIENT).crawl_once()
    assert summary.outcomes == {"updated": 3, "error": 1}
    assert summary.errors == {"ingest": 1}
    assert Show.objects.count() == 3
    assert not Show.objects.filter(title="Chunk 2").exists()
    assert len(search("chunk", kind="shows", limit=50).hits) == 3
    refused = FeedSource.objects.get(pk=sources[2].pk)
    assert (refused.status, refused.show_id, refused.claimed_by) == (FeedSource.Status.ERROR, None, "")


def test_new_feeds_of_one_chunk_that_are_one_show_make_one_show(feed_server: FeedServer) -> None:
    # Stored together (`ingest_new_feeds`) but for the feeds that may be another URL of a show: those go
    # one at a time after the others, in order, and are found to be duplicates.
    guid = "<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>"
    urls = [
        feed_server.add("/one-a.xml", rss("One", episodes=3)),
        feed_server.add("/one-b.xml", rss("One", episodes=3)),  # the same episodes
        feed_server.add("/two-a.xml", rss("Two", episodes=2, extra=guid)),
        feed_server.add("/two-b.xml", rss("Two", episodes=2, prefix="x", extra=guid)),  # other guids
        feed_server.add("/three.xml", rss("Three", episodes=2)),
    ]
    sources = [add(url) for url in urls]
    summary = make_worker(fetch=PATIENT).crawl_once()
    assert summary.outcomes == {"updated": 3, "duplicate": 2}
    for source in sources:
        source.refresh_from_db()
    for pair in (sources[0:2], sources[2:4]):  # (which of two comes first is the fetches' order)
        assert sorted(source.status for source in pair) == ["active", "duplicate"]
        assert pair[0].show_id == pair[1].show_id
    assert sources[4].status == "active"
    assert sorted(Show.objects.values_list("title", "episode_count")) == [
        ("One", 3),
        ("Three", 2),
        ("Two", 2),
    ]
    assert Episode.objects.count() == 7
    assert len(search("three", kind="episodes", limit=50).hits) == 2


def test_a_crash_before_the_batch_write_loses_nothing(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [add(feed_server.add(f"/crash{n}.xml", rss(f"Crash {n}", episodes=3))) for n in range(3)]

    def die(items: object) -> None:
        raise Killed

    monkeypatch.setattr(storing_module.signals, "send_batch", die)
    with pytest.raises(Killed):
        make_worker(fetch=PATIENT).crawl_once()
    assert not Show.objects.exists()
    assert not Episode.objects.exists()
    assert not FeedCheck.objects.exists()
    assert set(FeedSource.objects.values_list("claimed_by", flat=True)) == {"test-worker"}

    monkeypatch.undo()
    later = make_worker(worker_id="next-worker", fetch=PATIENT)
    assert later.crawl_once().feeds == 0  # the dead worker's claims hold until its lease runs out
    summary = make_worker(
        worker_id="next-worker",
        fetch=PATIENT,
        clock=lambda: datetime.now(UTC) + WorkerConfig().lease + timedelta(seconds=1),
    ).crawl_once()
    assert summary.outcomes == {"updated": 3}
    assert Episode.objects.count() == 9
    assert len(search("crash", kind="episodes", limit=50).hits) == 9
    for source in sources:
        source.refresh_from_db()
        assert source.show is not None
        assert source.claimed_by == ""
        assert latest_check(source).outcome == "updated"


def test_two_feeds_of_one_chunk_moving_to_one_new_url(feed_server: FeedServer) -> None:
    target = feed_server.add("/merged.xml", rss("Merged Show", episodes=2))
    first = add(feed_server.add("/left.xml", status=301, location=target))
    second = add(feed_server.add("/right.xml", status=301, location=target))
    summary = make_worker(fetch=PATIENT).crawl_once()
    assert summary.feeds == 2
    assert sorted(summary.outcomes.elements()) == ["moved", "updated"]
    first.refresh_from_db()
    second.refresh_from_db()
    mover, duplicate = (first, second) if first.url == target else (second, first)
    assert (mover.url, mover.status) == (target, FeedSource.Status.ACTIVE)
    assert mover.show is not None
    assert duplicate.status == FeedSource.Status.DUPLICATE
    assert f"already feed #{mover.pk}" in duplicate.status_reason
    assert Show.objects.count() == 1
    assert not FeedSource.objects.exclude(claimed_by="").exists()


def test_a_check_decides_the_tier_in_the_write_it_does_already(feed_server: FeedServer) -> None:
    """Popularity from the dump and Lytt's own listeners, the newest episode from the feed: a popular
    weekly show is hot and checked hourly, an unpopular one active; the statements per feed do not grow."""
    now = datetime.now(UTC).replace(microsecond=0)
    weekly = {"first": now - timedelta(days=14, hours=2), "gap": timedelta(days=7)}
    popular = FeedSource.objects.create(
        url=feed_server.add("/popular.xml", rss("Popular", **weekly)),
        podcastindex_popularity=2.0,
        popularity=2.0,
        tier="quiet",
        tier_reason="from the dump",
        show=Show.objects.create(slug="popular", title="Popular", popularity=1.0 + 4.0),  # 4 listener points
    )
    plain = add(feed_server.add("/plain.xml", rss("Plain", **weekly)))
    worker = make_worker(fetch=PATIENT, clock=lambda: now)
    worker.crawl_once(all_feeds=True)
    popular.refresh_from_db()
    plain.refresh_from_db()
    assert (popular.tier, popular.popularity, popular.podcastindex_popularity) == ("hot", 6.0, 2.0)
    assert popular.tier_reason == f"popularity 6.0; newest episode {now - timedelta(hours=2):%Y-%m-%d}"
    assert popular.newest_item_at == now - timedelta(hours=2)
    assert popular.next_check_at - now <= timedelta(hours=1, minutes=6)  # the tier's ceiling, jittered
    assert popular.status_reason == "publishing cadence; tier allows at most 1 h"
    assert (plain.tier, plain.popularity) == ("active", 0.0)
    assert timedelta(hours=12) <= plain.next_check_at - now <= timedelta(hours=13, minutes=12)


def test_errors_make_a_feed_failing_and_a_304_keeps_its_stored_activity(feed_server: FeedServer) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    failing = add(feed_server.add("/failing.xml", "oops", status=500))
    silent = FeedSource.objects.create(
        url=feed_server.add("/silent.xml", rss("Silent"), etag='"s1"'),
        newest_item_at=now - timedelta(days=400),
        popularity=50.0,
    )
    clock = [now]
    worker = make_worker(clock=lambda: clock[0])
    for _ in range(3):
        worker.crawl_once(all_feeds=True)
        clock[0] += timedelta(days=1)
    failing.refresh_from_db()
    assert (failing.tier, failing.tier_reason) == ("failing", "3 errors in a row; backed off")
    silent.refresh_from_db()
    assert latest_check(silent).outcome == "not_modified"
    assert silent.tier == "dormant"  # from its stored newest episode: the feed's own dates are older still
    assert silent.next_check_at - clock[0] >= timedelta(days=6)


def test_feeds_an_import_listed_are_stored_together(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their shows exist already (listed from the dump, no episodes): the first crawl fills them with the
    new shows' batch, not one feed at a time."""
    listed = []
    for n in range(3):
        show = Show.objects.create(slug=f"listed-{n}", title=f"Listed {n}")
        url = feed_server.add(f"/listed{n}.xml", rss(f"Listed {n}", episodes=4))
        listed.append(FeedSource.objects.create(url=url, show=show, next_check_at=datetime.now(UTC)))

    def one_at_a_time(*args: object, **kwargs: object) -> None:
        raise AssertionError("a listed feed took the one-at-a-time path")

    monkeypatch.setattr(storing_module, "ingest_feed", one_at_a_time)
    summary = make_worker(fetch=PATIENT).crawl_once(all_feeds=True)
    assert summary.outcomes == {"updated": 3}
    for source in listed:
        source.refresh_from_db()
        assert source.show is not None
        assert (source.show.episode_count, source.status) == (4, "active")
        assert Episode.objects.filter(show=source.show).count() == 4
    assert Show.objects.count() == 3
