"""`ingest_new_feeds`: first ingests written together give what ingesting each feed in turn gives."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.catalog.factories import episode, feed, source

from lytt.catalog import bulk, ingest_people, ingest_shows
from lytt.catalog.ingest import NewFeed, ingest_feed, ingest_new_feeds
from lytt.catalog.models import (
    Category,
    Episode,
    EpisodePerson,
    FeedSource,
    Person,
    Show,
    ShowCategory,
    ShowPerson,
    ShowSketch,
)
from lytt.catalog.rows import episode_rows
from lytt.catalog.signals import collect, feed_ingested
from lytt.feeds.model import Enclosure, Feed
from lytt.feeds.model import Person as FeedPerson

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _mirror(original: Feed, title: str) -> Feed:
    """The same episodes (guids, titles) with other enclosure URLs, under another show title."""
    copy = feed(episodes=[episode(int(str(item.guid).rsplit(":", 1)[1])) for item in original.episodes])
    copy.title = title
    for item in copy.episodes:
        assert item.enclosure is not None
        item.enclosure = Enclosure(url=item.enclosure.url.replace("cdn.", "mirror."))
    return copy


def _new(url: str, parsed: Feed) -> NewFeed:
    """A new source of `url` with its parsed feed and rows."""
    return NewFeed(source(url), parsed, episode_rows(parsed))


def _feeds() -> list[tuple[str, Feed]]:
    """A first crawl's chunk: new shows, namesakes, and every way a feed can be a show already seen."""
    host = FeedPerson(name="Ada Host", role="host")
    guest = episode(300)
    guest.persons = [FeedPerson(name="Bo Guest", role="guest")]
    shared = feed(episodes=[episode(n) for n in range(100, 106)], title="Shared")
    return [
        ("https://a.example/feed", feed(episodes=[episode(n) for n in range(1, 6)], title="Alpha")),
        ("https://b.example/feed", feed(episodes=[episode(n) for n in range(10, 13)], title="Alpha")),
        ("https://c.example/feed", feed(episodes=[episode(20), guest], title="Gamma", persons=[host])),
        ("https://d.example/feed", shared),
        # Another URL of "Shared", earlier in this chunk: its duplicate.
        ("https://e.example/feed", _mirror(shared, "Shared mirror")),
        # The podcast:guid of a show stored before, then twice one new podcast:guid.
        ("https://f.example/feed", feed(episodes=[episode(40)], title="Known", podcast_guid="guid-known")),
        ("https://g.example/feed", feed(episodes=[episode(50)], title="Twin", podcast_guid="guid-twin")),
        ("https://h.example/feed", feed(episodes=[episode(51)], title="Twin too", podcast_guid="guid-twin")),
        # The episodes of a show stored before.
        (
            "https://i.example/feed",
            _mirror(feed(episodes=[episode(n) for n in range(60, 64)]), "Stored copy"),
        ),
        ("https://j.example/feed", feed(episodes=[], title="Empty", categories=[("News", "Politics")])),
        ("https://k.example/feed", feed(episodes=[episode(70, guid=False)], title="No guids")),
    ]


def _stored_before() -> None:
    known = feed(episodes=[episode(200)], title="Known", podcast_guid="guid-known")
    ingest_feed(source("https://stored.example/one"), known, now=NOW)
    stored = feed(episodes=[episode(n) for n in range(60, 64)], title="Stored")
    ingest_feed(source("https://stored.example/two"), stored, now=NOW)


def _state() -> tuple[object, ...]:
    """The whole catalogue by natural keys (ids differ between the two runs compared)."""
    shows = sorted(
        Show.objects.values_list(
            "slug", "title", "podcast_guid", "episode_count", "latest_episode_at", "primary_category__slug"
        )
    )
    urls = {f"#{pk}": url for pk, url in FeedSource.objects.values_list("pk", "url")}
    sources = sorted(
        (url, slug, status, re.sub(r"#\d+", lambda found: urls[found.group()], reason))
        for url, slug, status, reason in FeedSource.objects.values_list(
            "url", "show__slug", "status", "status_reason"
        )
    )
    episodes = sorted(
        Episode.objects.values_list("show__slug", "slug", "match_key", "guid", "content_hash", "published_at")
    )
    categories = sorted(ShowCategory.objects.values_list("show__slug", "category__slug", "position"))
    sketches = sorted(ShowSketch.objects.values_list("show__slug", "key"))
    people = sorted(EpisodePerson.objects.values_list("episode__slug", "person__slug", "role"))
    hosts = sorted(ShowPerson.objects.values_list("show__slug", "person__slug", "role"))
    return shows, sources, episodes, categories, sketches, people, hosts, Person.objects.count()


def _one_by_one() -> None:
    for url, parsed in _feeds():
        ingest_feed(source(url), parsed, now=NOW)


def _together() -> list[bool]:
    """`ingest_new_feeds` for the chunk, then `ingest_feed` for the feeds it leaves, in order. Which it
    wrote (True) and which it left."""
    items = [_new(url, parsed) for url, parsed in _feeds()]
    results = ingest_new_feeds(items, now=NOW)
    for item, result in zip(items, results, strict=True):
        if result is None:
            ingest_feed(item.source, item.feed, now=NOW, episode_rows=item.episode_rows)
    return [result is not None for result in results]


def _reset() -> None:
    for model in (Show, FeedSource, Person):
        model.objects.all().delete()


def test_together_equals_one_by_one() -> None:
    _stored_before()
    _one_by_one()
    expected = _state()
    _reset()
    _stored_before()
    written = _together()
    assert _state() == expected
    # Left to `ingest_feed`: the mirror of an earlier feed, the stored podcast:guid, the second of two
    # podcast:guids, the copy of a stored show.
    assert written == [True, True, True, True, False, False, True, False, False, True, True]


def test_the_outcome_for_each_feed() -> None:
    _stored_before()
    _together()
    status = dict(FeedSource.objects.values_list("url", "status"))
    duplicates = {url for url, value in status.items() if value == FeedSource.Status.DUPLICATE}
    assert duplicates == {
        "https://e.example/feed",
        "https://f.example/feed",
        "https://h.example/feed",
        "https://i.example/feed",
    }
    slugs = dict(FeedSource.objects.filter(url__startswith="https://").values_list("url", "show__slug"))
    assert (slugs["https://a.example/feed"], slugs["https://b.example/feed"]) == ("alpha", "alpha-2")
    assert slugs["https://e.example/feed"] == slugs["https://d.example/feed"] == "shared"
    assert Show.objects.get(slug="gamma").episode_count == 2
    assert Episode.objects.filter(show__slug="shared").count() == 6


def test_sources_already_with_a_show_are_left_to_ingest_feed() -> None:
    stored = source("https://a.example/feed")
    ingest_feed(stored, feed(2, title="Alpha"), now=NOW)
    parsed = [
        feed(3, title="Alpha"),
        feed(episodes=[episode(10)], title="Beta"),
        feed(episodes=[episode(11)]),
    ]
    sources = [stored, source("https://b.example/feed"), source("https://c.example/feed")]
    items = [NewFeed(src, one, episode_rows(one)) for src, one in zip(sources, parsed, strict=True)]
    results = ingest_new_feeds(items, now=NOW)
    assert results[0] is None
    assert all(result is not None and result.created for result in results[1:])
    assert Episode.objects.filter(show=stored.show).count() == 2  # left as it was, for ingest_feed


def test_statements_do_not_grow_with_the_number_of_new_feeds() -> None:
    def statements(count: int, offset: int) -> int:
        parsed = [
            feed(episodes=[episode(offset + 10 * n + k) for k in range(3)], title=f"Show {offset + n}")
            for n in range(count)
        ]
        items = [_new(f"https://{offset + n}.example/feed", one) for n, one in enumerate(parsed)]
        with CaptureQueriesContext(connection) as queries:
            results = ingest_new_feeds(items, now=NOW)
        assert all(result is not None and result.new_episodes == 3 for result in results)
        return len(queries)

    assert statements(2, 1000) == statements(12, 2000)


def test_a_failure_keeps_nothing_and_gives_the_sources_back(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [_new(f"https://{n}.example/feed", feed(2, title=f"S{n}")) for n in range(3)]

    def refuse(*args: object, **kwargs: object) -> None:
        raise ValueError("refused")

    monkeypatch.setattr(ingest_people, "sync_episode_people", refuse)
    with pytest.raises(ValueError, match="refused"):
        ingest_new_feeds(items, now=NOW)
    assert not Show.objects.exists()
    assert not Episode.objects.exists()
    assert all(item.source.show_id is None for item in items)
    assert not FeedSource.objects.filter(show__isnull=False).exists()


def test_each_created_show_is_announced_after_commit(django_capture_on_commit_callbacks: object) -> None:
    heard: list[tuple[str, int]] = []

    def listener(sender: object, show: Show, episode_ids: list[int], **kwargs: object) -> None:
        heard.append((show.slug, len(episode_ids)))

    items = [
        _new(f"https://{n}.example/feed", one)
        for n, one in enumerate([feed(2, title="One"), feed(episodes=[episode(9)], title="Two")])
    ]
    feed_ingested.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            ingest_new_feeds(items, now=NOW)
            assert heard == []
        assert heard == [("one", 2), ("two", 1)]
    finally:
        feed_ingested.disconnect(listener)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_first_ingests_together_wait_for_another_workers_same_podcast_guid_on_postgres() -> None:
    import threading

    from django.db import connections, transaction

    from lytt.catalog.ingest_identity import identity_lock_id

    guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    first = source("https://a.example/feed")
    others = [source("https://b.example/feed"), source("https://c.example/feed")]
    parsed = [feed(2, podcast_guid=guid), feed(episodes=[episode(30)], title="Other")]
    done = threading.Event()
    outcome: list[object] = []

    def worker() -> None:
        try:
            items = [NewFeed(src, one, episode_rows(one)) for src, one in zip(others, parsed, strict=True)]
            outcome.extend(result is not None for result in ingest_new_feeds(items, now=NOW))
        except BaseException as error:  # reported to the main thread
            outcome.append(error)
        finally:
            connections.close_all()
            done.set()

    with transaction.atomic():
        with connection.cursor() as cursor:  # the lock a first worker's ingest of `guid` holds
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [identity_lock_id(guid)])
        thread = threading.Thread(target=worker)
        thread.start()
        assert not done.wait(0.5)  # waits for our commit
        ingest_feed(first, feed(2, podcast_guid=guid), now=NOW)
    assert done.wait(10)
    thread.join(10)
    assert outcome == [False, True]  # the show of `guid` is known by then: left to ingest_feed
    assert Show.objects.count() == 2


def test_collected_feeds_go_to_the_collector_and_send_nothing_themselves(
    django_capture_on_commit_callbacks: object,
) -> None:
    heard: list[str] = []

    def listener(sender: object, show: Show, **kwargs: object) -> None:
        heard.append(show.slug)

    items = [_new("https://a.example/feed", feed(2, title="One"))]
    feed_ingested.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True), collect() as collected:  # type: ignore[operator]
            ingest_new_feeds(items, now=NOW)
            ingest_feed(source("https://b.example/feed"), feed(episodes=[episode(9)], title="Two"), now=NOW)
        assert [(item.show.slug, len(item.episode_ids)) for item in collected] == [("one", 2), ("two", 1)]
        assert heard == []
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            ingest_feed(source("https://c.example/feed"), feed(episodes=[episode(8)], title="Three"), now=NOW)
        assert heard == ["three"]
    finally:
        feed_ingested.disconnect(listener)


def test_namesakes_get_the_next_free_slugs_past_one_query_and_one_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk, "BATCH", 7)  # slugs looked up 7 per query
    monkeypatch.setattr(ingest_shows, "_SLUG_PROBE", 10)  # 10 candidates per show at a time
    for n in range(2):
        ingest_feed(
            source(f"https://stored{n}.example/feed"), feed(episodes=[episode(n)], title="Echo"), now=NOW
        )
    Show.objects.filter(slug="echo-2").update(slug="echo-8")  # taken, in the second query of the window
    parsed = [feed(episodes=[episode(10 + n)], title="Echo") for n in range(10)]
    items = [_new(f"https://{n}.example/feed", one) for n, one in enumerate(parsed)]
    results = ingest_new_feeds(items, now=NOW)
    slugs = [result.show.slug for result in results if result is not None]
    assert slugs == [f"echo-{n}" for n in (2, 3, 4, 5, 6, 7, 9, 10, 11, 12)]


def _listed(url: str, title: str, category: str = "news") -> FeedSource:
    """A source whose show was listed before its feed was read, as `lytt import-podcastindex` lists it."""
    show = Show.objects.create(slug=f"listed-{title.lower()}", title=title, description_text="From the dump")
    ShowCategory.objects.create(show=show, category=Category.objects.get(slug=category), position=0)
    return FeedSource.objects.create(url=url, show=show)


def _listed_feeds() -> list[tuple[str, str, Feed]]:
    host = FeedPerson(name="Ada Host", role="host")
    return [
        ("https://l1.example/feed", "One", feed(episodes=[episode(n) for n in range(1, 4)], title="One!")),
        ("https://l2.example/feed", "Two", feed(episodes=[episode(10)], title="Two", persons=[host])),
        ("https://l3.example/feed", "Three", feed(episodes=[], title="Three", categories=[("Comedy", None)])),
    ]


def test_listed_shows_are_filled_together_as_one_by_one() -> None:
    sources = [(_listed(url, title), parsed) for url, title, parsed in _listed_feeds()]
    with CaptureQueriesContext(connection) as one_by_one:
        for listed, parsed in sources:
            ingest_feed(listed, parsed, now=NOW)
    expected = _state()
    _reset()
    items = [
        NewFeed(_listed(url, title), parsed, episode_rows(parsed)) for url, title, parsed in _listed_feeds()
    ]
    with CaptureQueriesContext(connection) as queries:
        results = ingest_new_feeds(items, now=NOW)
    assert all(result is not None and not result.created for result in results)
    assert _state() == expected
    assert Show.objects.get(slug="listed-one").title == "One!"
    assert len(queries) < len(one_by_one) / 1.5  # the chunk's statements, not each feed's


def test_a_listed_show_a_crawl_has_read_is_left_to_ingest_feed() -> None:
    read = _listed("https://l1.example/feed", "One")
    FeedSource.objects.filter(pk=read.pk).update(last_success_at=NOW)
    read.refresh_from_db()
    parsed = feed(2, title="One")
    assert ingest_new_feeds([NewFeed(read, parsed, episode_rows(parsed))], now=NOW) == [None]
