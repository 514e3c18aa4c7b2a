"""Importing the Podcast Index dump, and next week's over it, on both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from tests.catalog.pidumps import GENERATOR, pi_row, write_rows
from tests.feedserver import rss

from lytt import search
from lytt.catalog import ingest_feed
from lytt.catalog.models import FeedSource, Show
from lytt.catalog.podcastindex import ABSENT_REASON, DEAD_REASON, ImportSummary, import_dump
from lytt.catalog.podcastindex_dump import open_dump
from lytt.catalog.sources import add_feed_urls
from lytt.feeds import parse_feed

pytestmark = pytest.mark.django_db
GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def load(path: Path, **kwargs: Any) -> ImportSummary:
    with open_dump(path) as dump:
        return import_dump(dump, batch=kwargs.pop("batch", 3), **kwargs)


def source(pi_id: int) -> FeedSource:
    return FeedSource.objects.select_related("show").get(podcastindex_id=pi_id)


def test_live_rows_become_listed_searchable_shows_and_dead_rows_nothing(tmp_path: Path) -> None:
    rows = [
        pi_row(
            1, title="Fotballpodden", language="NB", podcastGuid=GUID, category1="Sports", category2="Soccer"
        ),
        pi_row(2, dead=1, title="Gone podcast"),
        pi_row(3, url="not a url"),
        pi_row(4, itunesId="", language="", description="<p>Hi<script>x()</script></p>"),
    ]
    summary = load(write_rows(tmp_path / "dump.db", rows))
    assert (summary.rows, summary.added, summary.dead_skipped, summary.skipped) == (4, 2, 1, 1)
    assert "row 3: column 'url'" in summary.problems[0]
    first = source(1)
    assert (first.status, first.url, first.show is not None) == (
        "new",
        "https://feeds.example.com/1.xml",
        True,
    )
    assert first.next_check_at <= timezone.now()
    show = first.show
    assert show is not None
    assert not show.hidden
    assert (show.title, show.language, show.podcast_guid, show.itunes_id) == (
        "Fotballpodden",
        "nb",
        GUID,
        1_000_001,
    )
    assert (show.episode_count, show.latest_episode_at) == (0, None)
    assert list(show.categories.values_list("slug", flat=True).order_by("showcategory__position")) == [
        "sports",
        "sports-soccer",
    ]
    other = source(4).show
    assert other is not None
    assert (other.itunes_id, other.language, other.description_html) == (None, "", "<p>Hi</p>")
    assert not FeedSource.objects.filter(url__contains="feeds.example.com/2.xml").exists()
    assert [hit.obj.pk for hit in search.search("fotballpodden", kind="shows").hits] == [show.pk]


def test_a_guid_on_many_rows_is_no_guid(tmp_path: Path) -> None:
    rows = [pi_row(n, podcastGuid=GUID if n < 3 else None) for n in range(1, 4)]
    load(write_rows(tmp_path / "dump.db", rows))
    assert set(Show.objects.values_list("podcast_guid", flat=True)) == {""}


def test_next_weeks_dump_updates_in_place(tmp_path: Path) -> None:
    week1 = [pi_row(n) for n in range(1, 8)]
    load(write_rows(tmp_path / "week1.db", week1))
    before = {pi_id: source(pi_id) for pi_id in range(1, 8)}
    week2 = [
        pi_row(1),
        pi_row(2, url="https://moved.example.net/2/rss"),  # moved
        pi_row(3, dead=1),  # newly dead
        # 4 is gone from the dump
        pi_row(5, title="Show 5, renamed", category1="Comedy"),
        pi_row(6),
        pi_row(7),
        pi_row(8),  # new
    ]
    summary = load(write_rows(tmp_path / "week2.db", week2))
    assert (summary.added, summary.moved, summary.retired, summary.updated) == (1, 1, 2, 1)
    assert source(2).pk == before[2].pk
    assert source(2).url == "https://moved.example.net/2/rss"
    dead, gone = source(3), source(4)
    assert (dead.status, dead.status_reason) == ("retired", DEAD_REASON)
    assert (gone.status, gone.status_reason) == ("retired", ABSENT_REASON)
    assert dead.show is not None
    assert dead.show.hidden
    assert gone.show is not None
    assert gone.show.hidden
    assert search.search("show", kind="shows", limit=50).total == 6  # 1, 2, 5, 6, 7, 8
    renamed = source(5).show
    assert renamed is not None
    assert renamed.pk == before[5].show_id
    assert renamed.title == "Show 5, renamed"
    assert renamed.slug == before[5].show.slug
    assert list(renamed.categories.values_list("slug", flat=True)) == ["comedy"]
    assert FeedSource.objects.count() == 8
    assert Show.objects.count() == 8
    again = load(write_rows(tmp_path / "week2.db", week2))
    assert (again.added, again.moved, again.retired, again.updated, again.unchanged) == (0, 0, 0, 0, 7)
    week3 = [row for row in week2 if row["id"] != 3] + [pi_row(3), pi_row(4)]
    back = load(write_rows(tmp_path / "week3.db", week3))
    assert back.revived == 2
    assert source(3).status == "new"
    assert not Show.objects.filter(hidden=True).exists()


def test_what_the_crawl_learned_since_the_dump_is_kept(tmp_path: Path) -> None:
    load(write_rows(tmp_path / "week1.db", [pi_row(1), pi_row(2)]))
    week2 = write_rows(
        tmp_path / "week2.db",
        [pi_row(1, url="https://elsewhere.example/1", title="Old"), pi_row(2, dead=1, title="Old")],
    )
    crawled_at = timezone.now() + timedelta(minutes=1)  # after the dump file was written
    for pi_id in (1, 2):
        feed = source(pi_id)
        assert feed.show is not None
        FeedSource.objects.filter(pk=feed.pk).update(status="active", last_success_at=crawled_at)
        Show.objects.filter(pk=feed.show.pk).update(title=f"Crawled title {pi_id}")
    summary = load(week2)
    assert (summary.moved, summary.retired, summary.updated) == (0, 0, 0)
    assert source(1).url == "https://feeds.example.com/1.xml"
    assert source(2).status == "active"
    assert sorted(Show.objects.values_list("title", flat=True)) == ["Crawled title 1", "Crawled title 2"]


def test_a_crawled_feed_retired_by_an_older_crawl_is_still_retired(tmp_path: Path) -> None:
    load(write_rows(tmp_path / "week1.db", [pi_row(1)]))
    long_ago = timezone.now() - timedelta(days=30)
    FeedSource.objects.filter(podcastindex_id=1).update(status="active", last_success_at=long_ago)
    load(write_rows(tmp_path / "week2.db", [pi_row(1, dead=1)]))
    retired = source(1)
    assert retired.status == "retired"
    assert retired.show is not None
    assert not retired.show.hidden


def test_a_feed_known_by_url_is_adopted_not_duplicated(tmp_path: Path) -> None:
    add_feed_urls(["https://feeds.example.com/1.xml"])
    load(write_rows(tmp_path / "dump.db", [pi_row(1)]))
    feed = FeedSource.objects.get()
    assert feed.podcastindex_id == 1
    assert feed.show is not None
    assert feed.show.title == "Show 1"
    assert Show.objects.count() == 1


def test_namesakes_get_free_slugs(tmp_path: Path) -> None:
    load(write_rows(tmp_path / "dump.db", [pi_row(n, title="My Podcast") for n in range(1, 7)]))
    slugs = sorted(Show.objects.values_list("slug", flat=True))
    assert slugs == sorted(
        ["my-podcast", "my-podcast-2", "my-podcast-3", "my-podcast-4", "my-podcast-5", "my-podcast-6"]
    )


def test_keep_absent_and_an_empty_dump_retire_nothing(tmp_path: Path) -> None:
    load(write_rows(tmp_path / "week1.db", [pi_row(1), pi_row(2)]))
    load(write_rows(tmp_path / "part.db", [pi_row(2)]), retire_absent=False)
    load(write_rows(tmp_path / "empty.db", []))
    assert set(FeedSource.objects.values_list("status", flat=True)) == {"new"}


def test_the_synthetic_weeks_agree_with_the_generator(tmp_path: Path) -> None:
    """A few hundred rows of bench/podcastindex_dump.py's weeks: what each feed is after both imports
    follows from its two rows, and nothing is duplicated."""
    count = 300
    load(GENERATOR.write_dump(tmp_path / "w1.db", count, 1), batch=64)
    load(GENERATOR.write_dump(tmp_path / "w2.db", count, 2), batch=64)
    feeds = {f.podcastindex_id: f for f in FeedSource.objects.select_related("show")}
    assert len({f.url for f in feeds.values()}) == len(feeds) == Show.objects.count()
    for pi_id in range(1, count + count // 50 + 1):
        old, new = GENERATOR.row(pi_id, 1), GENERATOR.row(pi_id, 2)
        ever_live = [
            r
            for r in (old, new)
            if r is not None and not r[6] and "://" in r[1] and not r[1].startswith("ftp")
        ]
        if not ever_live:
            assert pi_id not in feeds
            continue
        feed = feeds[pi_id]
        live_now = new is not None and not new[6]
        assert feed.status == ("new" if live_now else "retired"), pi_id
        if live_now and new is not None:
            assert feed.url == new[1]
            assert feed.show is not None
            assert feed.show.title == new[2]


def test_the_first_crawl_owns_the_show_and_a_later_dump_leaves_it(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """Ingest of an imported feed fills the show it was given (no second show), takes over its fields
    and categories; next week's dump, with the old words, changes none of it."""
    dump = write_rows(tmp_path / "week1.db", [pi_row(1, title="Dump title", category1="Comedy")])
    load(dump)
    feed = source(1)
    body = rss("Crawled title", 3, extra="<itunes:category text='News'/>").encode()
    with django_capture_on_commit_callbacks(execute=True):  # the index follows ingest after commit
        result = ingest_feed(feed, parse_feed(body, url=feed.url))
    assert feed.show is not None
    assert result.show.pk == feed.show.pk
    assert result.new_episodes == 3
    FeedSource.objects.filter(pk=feed.pk).update(status="active", last_success_at=timezone.now())
    load(write_rows(tmp_path / "week2.db", [pi_row(1, title="Dump title, week 2", category1="Comedy")]))
    show = Show.objects.get()
    assert (show.title, show.episode_count) == ("Crawled title", 3)
    assert list(show.categories.values_list("slug", flat=True)) == ["news"]
    assert [hit.obj.title for hit in search.search("crawled", kind="episodes").hits][:1] == [
        "Crawled title ep 3"
    ]


def _tiered(path: Path) -> ImportSummary:
    from lytt.crawl.tiers import decided_at_import

    return load(path, tier_of=decided_at_import)


def test_the_dump_sets_each_feeds_popularity_date_and_tier(tmp_path: Path) -> None:
    now = timezone.now()
    recent, old = int((now - timedelta(days=3)).timestamp()), int((now - timedelta(days=500)).timestamp())
    rows = [
        pi_row(1, popularityScore=9, priority=2, newestItemPubdate=recent),
        pi_row(2, popularityScore=0, newestItemPubdate=recent),
        pi_row(3, popularityScore=30, newestItemPubdate=old),
        pi_row(4, popularityScore="", newestItemPubdate=0),
    ]
    _tiered(write_rows(tmp_path / "a.db", rows))
    got = {
        feed.podcastindex_id: (feed.tier, feed.popularity, feed.podcastindex_popularity)
        for feed in FeedSource.objects.all()
    }
    assert got == {
        1: ("hot", 9.2, 9.2),
        2: ("active", 0.0, 0.0),
        3: ("dormant", 30.0, 30.0),
        4: ("quiet", 0.0, 0.0),
    }
    assert source(1).newest_item_at is not None
    assert int(source(1).newest_item_at.timestamp()) == recent
    assert source(3).tier_reason.endswith("inactive for over a year")
    assert source(4).tier_reason == "no episode date known"


def test_next_weeks_popularity_moves_feeds_and_keeps_a_crawled_feeds_own_score(tmp_path: Path) -> None:
    recent = int((timezone.now() - timedelta(days=3)).timestamp())
    week1 = [pi_row(n, popularityScore=1, newestItemPubdate=recent) for n in (1, 2)]
    _tiered(write_rows(tmp_path / "w1.db", week1))
    assert {feed.tier for feed in FeedSource.objects.all()} == {"active"}
    # The crawl read feed 2 (after the dump was made) and counted listeners on top of the dump's point.
    FeedSource.objects.filter(podcastindex_id=2).update(
        last_success_at=timezone.now() - timedelta(days=30), popularity=4.0, tier="quiet", tier_reason="own"
    )
    week2 = [pi_row(n, popularityScore=20, newestItemPubdate=recent) for n in (1, 2)]
    _tiered(write_rows(tmp_path / "w2.db", week2))
    first, second = source(1), source(2)
    assert (first.tier, first.popularity) == ("hot", 20.0)
    assert (second.podcastindex_popularity, second.popularity) == (20.0, 23.0)
    assert (second.tier, second.tier_reason) == ("quiet", "own")  # its next check decides again
