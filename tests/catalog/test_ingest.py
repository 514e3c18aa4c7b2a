"""Ingest: idempotent upsert of parsed feeds into the catalogue, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.catalog.factories import episode, feed, source

from lytt.catalog.ingest import ingest_feed
from lytt.catalog.models import (
    Episode,
    EpisodePerson,
    FeedSource,
    Person,
    Show,
    ShowCategory,
)
from lytt.catalog.signals import feed_ingested
from lytt.feeds.model import AlternateEnclosure
from lytt.feeds.model import Episode as FeedEpisode
from lytt.feeds.model import Person as FeedPerson

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_first_ingest_creates_show_and_episodes() -> None:
    src = source()
    result = ingest_feed(src, feed(3), now=NOW)
    assert result.created
    assert (result.new_episodes, result.updated_episodes, result.vanished_episodes) == (3, 0, 0)
    assert not result.unchanged
    show = Show.objects.get()
    assert show.slug == "insight-myanmar"
    assert show.episode_count == 3
    assert show.latest_episode_at == datetime(2024, 1, 4, 10, 0, tzinfo=UTC)
    assert show.language == "en-us"
    src.refresh_from_db()
    assert src.show == show
    assert sorted(show.episodes.values_list("slug", flat=True)) == ["episode-1", "episode-2", "episode-3"]
    assert len(result.episode_ids) == 3


def test_reingest_same_feed_writes_nothing() -> None:
    src = source()
    ingest_feed(src, feed(20), now=NOW)
    show = Show.objects.get()
    stamps = dict(Episode.objects.values_list("id", "updated_at"))
    with CaptureQueriesContext(connection) as ctx:
        result = ingest_feed(src, feed(20), now=NOW + timedelta(hours=1))
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]
    assert writes == []
    assert len(ctx.captured_queries) <= 8
    assert result.unchanged
    assert (result.new_episodes, result.updated_episodes, result.vanished_episodes) == (0, 0, 0)
    show.refresh_from_db()
    assert show.updated_at == Show.objects.get().updated_at
    assert dict(Episode.objects.values_list("id", "updated_at")) == stamps


def test_changed_episode_is_updated_and_new_one_added() -> None:
    src = source()
    ingest_feed(src, feed(3), now=NOW)
    before = dict(Episode.objects.values_list("match_key", "updated_at"))
    episodes = [episode(1), episode(2), episode(3), episode(4)]
    episodes[1].title = "Episode 2 (corrected)"
    result = ingest_feed(src, feed(episodes=episodes), now=NOW + timedelta(days=1))
    assert (result.new_episodes, result.updated_episodes, result.vanished_episodes) == (1, 1, 0)
    changed = Episode.objects.get(guid="urn:ep:2")
    assert changed.title == "Episode 2 (corrected)"
    assert changed.slug == "episode-2"  # slugs never change
    assert changed.updated_at == NOW + timedelta(days=1)
    untouched = Episode.objects.get(guid="urn:ep:1")
    assert untouched.updated_at == before[untouched.match_key]
    assert Show.objects.get().episode_count == 4


def test_vanished_episodes_are_kept_marked_and_return() -> None:
    src = source()
    ingest_feed(src, feed(4), now=NOW)
    later = NOW + timedelta(days=2)
    result = ingest_feed(src, feed(episodes=[episode(1), episode(2)]), now=later)
    assert result.vanished_episodes == 2
    assert Episode.objects.count() == 4
    assert set(Episode.objects.filter(vanished_at=later).values_list("guid", flat=True)) == {
        "urn:ep:3",
        "urn:ep:4",
    }
    show = Show.objects.get()
    assert show.episode_count == 2  # counts what the feed still carries
    assert show.latest_episode_at == episode(2).published
    # Vanishing again changes nothing: the first vanish time is kept.
    again = ingest_feed(src, feed(episodes=[episode(1), episode(2)]), now=later + timedelta(days=1))
    assert again.unchanged
    assert Episode.objects.filter(vanished_at=later).count() == 2
    back = ingest_feed(src, feed(4), now=later + timedelta(days=2))
    assert back.updated_episodes == 2
    assert not Episode.objects.filter(vanished_at__isnull=False).exists()
    show.refresh_from_db()
    assert (show.episode_count, show.latest_episode_at) == (4, episode(4).published)


def _alternate_only(n: int) -> FeedEpisode:
    """An item with neither guid nor enclosure, playable through a podcast:alternateEnclosure."""
    item = episode(n, guid=False, enclosure=False)
    item.alternate_enclosures = [
        AlternateEnclosure(type="audio/opus", sources=[f"https://cdn.example.com/{n}.opus"])
    ]
    return item


def test_guidless_items_match_by_enclosure_then_title_and_date() -> None:
    src = source()
    items = [episode(1, guid=False), _alternate_only(2)]
    ingest_feed(src, feed(episodes=items), now=NOW)
    assert Episode.objects.count() == 2
    again = ingest_feed(src, feed(episodes=[episode(1, guid=False), _alternate_only(2)]))
    assert again.unchanged
    assert Episode.objects.count() == 2


def test_feed_that_starts_giving_guids_duplicates_nothing() -> None:
    src = source()
    ingest_feed(src, feed(episodes=[episode(n, guid=False) for n in (1, 2, 3)]), now=NOW)
    ids = set(Episode.objects.values_list("id", flat=True))
    result = ingest_feed(src, feed(3), now=NOW + timedelta(days=1))
    assert result.new_episodes == 0
    assert result.updated_episodes == 3
    assert set(Episode.objects.values_list("id", flat=True)) == ids
    assert set(Episode.objects.values_list("guid", flat=True)) == {"urn:ep:1", "urn:ep:2", "urn:ep:3"}
    assert ingest_feed(src, feed(3), now=NOW + timedelta(days=2)).unchanged


def test_items_without_any_identity_are_skipped_and_repeated_keys_kept_once() -> None:
    src = source()
    nameless = episode(9, guid=False, enclosure=False, title="")
    nameless.published = None
    twice = [episode(1), episode(1), nameless]
    result = ingest_feed(src, feed(episodes=twice), now=NOW)
    assert result.new_episodes == 1
    assert Show.objects.get().episode_count == 1


def test_episode_slug_collisions_get_suffixes_and_stay_stable() -> None:
    src = source()
    items = [episode(n, title="Weekly news") for n in (1, 2, 3)]
    ingest_feed(src, feed(episodes=items), now=NOW)
    slugs = dict(Episode.objects.values_list("guid", "slug"))
    assert slugs == {"urn:ep:1": "weekly-news", "urn:ep:2": "weekly-news-2", "urn:ep:3": "weekly-news-3"}
    renamed = [episode(n, title="Weekly news") for n in (1, 2, 3)]
    renamed[0].title = "Something else entirely"
    ingest_feed(src, feed(episodes=renamed), now=NOW + timedelta(days=1))
    assert dict(Episode.objects.values_list("guid", "slug")) == slugs


def test_show_slug_collisions_and_stability() -> None:
    first = ingest_feed(source("https://a.example/feed"), feed(1, title="Daglig nytt – Født i går"), now=NOW)
    second = ingest_feed(
        source("https://b.example/feed"),
        feed(episodes=[episode(50)], title="Daglig nytt – Født i går"),
        now=NOW,
    )
    assert first.show.slug == "daglig-nytt-fodt-i-gar"
    assert second.show.slug == "daglig-nytt-fodt-i-gar-2"
    ingest_feed(FeedSource.objects.get(url="https://a.example/feed"), feed(1, title="Renamed"), now=NOW)
    first.show.refresh_from_db()
    assert (first.show.title, first.show.slug) == ("Renamed", "daglig-nytt-fodt-i-gar")


def test_untitled_feed_gets_host_as_title() -> None:
    f = feed(1)
    f.title = None
    result = ingest_feed(source("https://pods.example.org/x.xml"), f, now=NOW)
    assert (result.show.title, result.show.slug) == ("pods.example.org", "pods-example-org")


def test_moved_feed_takes_over_when_old_source_is_retired() -> None:
    guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    old = source("https://a.example/feed")
    ingest_feed(old, feed(2, podcast_guid=guid), now=NOW)
    FeedSource.objects.filter(pk=old.pk).update(status=FeedSource.Status.RETIRED)
    new = source("https://b.example/feed")
    result = ingest_feed(new, feed(3, podcast_guid=guid), now=NOW)
    assert not result.duplicate
    assert not result.created
    assert result.new_episodes == 1
    new.refresh_from_db()
    assert new.status == FeedSource.Status.NEW
    assert new.show == old.show


def test_categories_map_through_taxonomy_with_primary_first() -> None:
    cats = [("News", "Politics"), ("Technology", "Podcasting"), ("Bogus", None), ("news", "politics")]
    result = ingest_feed(source(), feed(1, categories=cats), now=NOW)
    show = result.show
    assert show.primary_category is not None
    assert show.primary_category.slug == "news-politics"
    assert show.primary_category.name_nb == "Politikk"
    slugs = list(
        ShowCategory.objects.filter(show=show).order_by("position").values_list("category__slug", flat=True)
    )
    assert slugs == ["news-politics", "technology", "news"]
    changed = ingest_feed(
        FeedSource.objects.get(), feed(1, categories=[("Games & Hobbies", "Video Games")]), now=NOW
    )
    assert not changed.unchanged
    show.refresh_from_db()
    assert show.primary_category is not None
    assert show.primary_category.slug == "leisure-video-games"
    assert set(show.categories.values_list("slug", flat=True)) == {"leisure-video-games", "leisure"}


def test_people_are_upserted_for_shows_and_episodes() -> None:
    host = FeedPerson(name="Ada Host", role="Host", href="https://ada.example")
    guest = FeedPerson(name="Gus Guest", role="guest")
    items = [episode(1), episode(2)]
    items[0].persons = [guest, host]
    ingest_feed(source(), feed(episodes=items, persons=[host]), now=NOW)
    show = Show.objects.get()
    assert list(show.people.values_list("name", flat=True)) == ["Ada Host"]
    assert Person.objects.count() == 2
    assert set(EpisodePerson.objects.values_list("person__name", "role")) == {
        ("Ada Host", "host"),
        ("Gus Guest", "guest"),
    }
    items[0].persons = [host]
    ingest_feed(FeedSource.objects.get(), feed(episodes=items, persons=[]), now=NOW)
    assert not show.people.exists()
    assert set(EpisodePerson.objects.values_list("person__name", flat=True)) == {"Ada Host"}
    assert Person.objects.count() == 2  # people are shared and kept


def test_signal_sent_after_commit_with_changed_episode_ids(
    django_capture_on_commit_callbacks: object,
) -> None:
    received: list[tuple[int, list[int]]] = []

    def listener(sender: object, show: Show, episode_ids: list[int], **kwargs: object) -> None:
        received.append((show.pk, sorted(episode_ids)))

    feed_ingested.connect(listener, dispatch_uid="test-listener")
    try:
        src = source()
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            result = ingest_feed(src, feed(2), now=NOW)
        assert received == [(result.show.pk, sorted(Episode.objects.values_list("id", flat=True)))]
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            ingest_feed(src, feed(2), now=NOW)
        assert len(received) == 1  # nothing changed, nothing sent
    finally:
        feed_ingested.disconnect(dispatch_uid="test-listener")


def test_oversized_and_hostile_values_are_stored_safely() -> None:
    item = episode(1)
    item.title = "Null\x00byte " + "x" * 2000
    item.link = "https://example.com/" + "a" * 3000
    item.duration_seconds = 10**12
    item.season = -(10**11)
    item.guid = "g" * 5000
    result = ingest_feed(source(), feed(episodes=[item]), now=NOW)
    stored = Episode.objects.get(show=result.show)
    assert "\x00" not in stored.title
    assert len(stored.title) == 1000
    assert stored.link == ""
    assert stored.duration_seconds is None
    assert stored.season is None
    assert len(stored.match_key) == 64


def _ingest_queries(url: str, count: int) -> tuple[int, int]:
    """Statements for a first ingest and for a re-ingest with every other episode edited."""
    src = source(url)
    with CaptureQueriesContext(connection) as first:
        ingest_feed(src, feed(count, title=url), now=NOW)
    items = [episode(n) for n in range(1, count + 1)]
    for item in items[::2]:
        item.title = f"{item.title} (edited)"
    with CaptureQueriesContext(connection) as second:
        ingest_feed(src, feed(episodes=items, title=url), now=NOW + timedelta(hours=1))
    return len(first.captured_queries), len(second.captured_queries)


def test_query_count_does_not_grow_with_episodes() -> None:
    small = _ingest_queries("https://a.example/feed", 4)
    big = _ingest_queries("https://b.example/feed", 300)
    assert small[0] <= 13  # PostgreSQL adds the advisory lock of a first ingest
    assert small[1] <= 12
    # Only the bulk statements grow, one per batch the backend allows.
    fields = [f for f in Episode._meta.concrete_fields if not f.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, [Episode()] * 300)
    assert big[0] - small[0] <= -(-300 // per_insert)
    updated = [f for f in fields if f.name not in {"show", "slug", "created_at"}]
    per_update = min(100, connection.ops.bulk_batch_size(["pk", "pk", *updated], [Episode()] * 150))
    assert big[1] - small[1] <= -(-150 // per_update)


def _episode_state() -> list[tuple[object, ...]]:
    return list(
        Episode.objects.order_by("match_key").values_list(
            "match_key", "slug", "guid", "title", "content_hash", "published_at", "vanished_at"
        )
    )


TITLES = st.sampled_from(["Weekly news", "Weekly news", "Interview", "Special: Født i går"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    numbers=st.lists(st.integers(1, 40), min_size=1, max_size=12, unique=True),
    titles=st.lists(TITLES, min_size=12, max_size=12),
    guidless=st.lists(st.booleans(), min_size=12, max_size=12),
    seed=st.randoms(use_true_random=False),
)
def test_any_permutation_of_a_feed_gives_the_same_rows(
    numbers: list[int], titles: list[str], guidless: list[bool], seed: object
) -> None:
    items = [episode(n, guid=not guidless[i], title=titles[i]) for i, n in enumerate(numbers)]
    states = []
    for order in (list(range(len(items))), seed.sample(range(len(items)), len(items))):  # type: ignore[attr-defined]
        Episode.objects.all().delete()
        Show.objects.all().delete()
        FeedSource.objects.all().delete()
        ingest_feed(source(), feed(episodes=[items[i] for i in order]), now=NOW)
        states.append(_episode_state())
    assert states[0] == states[1]
    assert len(states[0]) == len(items)


def test_failed_ingest_rolls_back_and_restores_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import IntegrityError

    from lytt.catalog import bulk

    def broken_insert(*args: object) -> list[int]:
        raise IntegrityError("simulated conflict")

    # The episodes' INSERT: the show is written and the source points at it by then.
    monkeypatch.setattr(bulk, "insert_rows", broken_insert)
    src = source()
    with pytest.raises(IntegrityError, match="simulated conflict"):
        ingest_feed(src, feed(2), now=NOW)
    assert src.show_id is None
    assert not Show.objects.exists()
    assert not Episode.objects.exists()
    src.refresh_from_db()
    assert src.show_id is None


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_first_ingests_of_one_podcast_guid_are_serialised_on_postgres() -> None:
    import threading

    from django.db import connections, transaction

    from lytt.catalog.ingest_identity import identity_lock_id

    guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    first, second = source("https://a.example/feed"), source("https://b.example/feed")
    done = threading.Event()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            ingest_feed(second, feed(2, podcast_guid=guid), now=NOW)
        except BaseException as error:  # reported to the main thread
            errors.append(error)
        finally:
            connections.close_all()
            done.set()

    with transaction.atomic():
        # Hold the lock the way a first worker's ingest does, and create the show under it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [identity_lock_id(guid)])
        thread = threading.Thread(target=worker)
        thread.start()
        assert not done.wait(0.5)  # the second ingest waits for our commit
        ingest_feed(first, feed(2, podcast_guid=guid), now=NOW)
    assert done.wait(10)
    thread.join(10)
    assert errors == []
    assert Show.objects.count() == 1
    second.refresh_from_db()
    assert second.status == FeedSource.Status.DUPLICATE


def _catalogue_state() -> tuple[object, ...]:
    show = Show.objects.values(
        "slug", "title", "episode_count", "latest_episode_at", "primary_category__slug", "language"
    ).get()
    categories = list(ShowCategory.objects.order_by("position").values_list("category__slug", "position"))
    episodes = list(
        Episode.objects.order_by("match_key").values_list(
            "match_key",
            "slug",
            "guid",
            "title",
            "content_hash",
            "published_at",
            "enclosure_url",
            "description_html",
            "chapters",
            "extra",
            "vanished_at",
        )
    )
    people = sorted(EpisodePerson.objects.values_list("episode__match_key", "person__slug", "role"))
    return show, categories, episodes, people


def test_first_ingest_of_a_new_show_equals_the_general_path() -> None:
    items = [episode(n, title="Weekly news" if n % 2 else None) for n in range(1, 9)]
    items[2].persons = [FeedPerson(name="Guest Star", role="guest")]
    categories = [("Society & Culture", "Documentary"), ("News", None)]

    ingest_feed(source(), feed(episodes=items, categories=categories), now=NOW)  # the new-show path
    new_show = _catalogue_state()

    Show.objects.all().delete()
    FeedSource.objects.all().delete()
    Person.objects.all().delete()  # a guest without link or image is known within their first show only
    src = source()
    ingest_feed(src, feed(episodes=[], categories=[]), now=NOW)  # an empty show first: the general path
    result = ingest_feed(src, feed(episodes=items, categories=categories), now=NOW)
    assert result.new_episodes == len(items)
    assert _catalogue_state() == new_show


def test_show_slugs_past_one_lookup_window(monkeypatch: pytest.MonkeyPatch) -> None:
    from lytt.catalog import ingest_shows

    monkeypatch.setattr(ingest_shows, "_SLUG_PROBE", 3)
    slugs = [
        ingest_feed(source(f"https://{n}.example/feed"), feed(episodes=[episode(100 + n)]), now=NOW).show.slug
        for n in range(8)
    ]
    assert slugs == ["insight-myanmar"] + [f"insight-myanmar-{n}" for n in range(2, 9)]
    Show.objects.filter(slug="insight-myanmar-4").delete()
    again = ingest_feed(source("https://again.example/feed"), feed(episodes=[episode(200)]), now=NOW)
    assert again.show.slug == "insight-myanmar-4"


def _savepoints(queries: CaptureQueriesContext) -> int:
    return sum(1 for query in queries.captured_queries if query["sql"].startswith("SAVEPOINT"))


def test_ingest_without_a_savepoint_of_its_own_writes_the_same() -> None:
    # The crawler wraps each feed in a savepoint and asks ingest for none (savepoint=False).
    from django.db import transaction

    with transaction.atomic(), CaptureQueriesContext(connection) as with_savepoint:
        ingest_feed(source("https://a.example/feed"), feed(3), now=NOW)
    with transaction.atomic(), CaptureQueriesContext(connection) as without:
        other = feed(title="Other", episodes=[episode(n) for n in range(11, 14)])
        ingest_feed(source("https://b.example/feed"), other, now=NOW, savepoint=False)
    assert _savepoints(with_savepoint) - _savepoints(without) == 1
    first, second = Show.objects.order_by("pk")
    assert (first.episode_count, second.episode_count) == (3, 3)
    assert Episode.objects.filter(show=second).count() == 3


def test_failed_ingest_without_a_savepoint_is_rolled_back_by_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import IntegrityError, transaction

    from lytt.catalog import bulk

    def broken_insert(*args: object, **kwargs: object) -> list[int]:
        raise IntegrityError("simulated conflict")

    src = source()
    monkeypatch.setattr(bulk, "insert_values", broken_insert)
    with pytest.raises(IntegrityError, match="simulated conflict"), transaction.atomic():
        ingest_feed(src, feed(2), now=NOW, savepoint=False)
    assert src.show_id is None
    assert not Show.objects.exists()
    assert not Episode.objects.exists()
