"""Ingest's show identity: one show for the same podcast under two URLs, by podcast:guid or by its episodes
(sketches of their guid keys), and never two shows merged by accident."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from tests.catalog.factories import episode, feed, source

from lytt.catalog.ingest import ingest_feed
from lytt.catalog.ingest_identity import SKETCH_CANDIDATES
from lytt.catalog.models import (
    Episode,
    FeedSource,
    Show,
    ShowSketch,
)
from lytt.feeds.model import Enclosure
from lytt.feeds.model import Episode as FeedEpisode

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_same_podcast_guid_under_two_urls_is_one_show() -> None:
    guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    ingest_feed(source("https://a.example/feed"), feed(3, podcast_guid=guid), now=NOW)
    other = source("https://b.example/feed")
    result = ingest_feed(other, feed(3, podcast_guid=guid.upper(), title="Mirror"), now=NOW)
    assert result.duplicate
    assert Show.objects.count() == 1
    other.refresh_from_db()
    assert other.status == FeedSource.Status.DUPLICATE
    assert other.show == Show.objects.get()
    assert "podcast:guid" in other.status_reason
    assert Episode.objects.count() == 3
    # A duplicate source is never ingested again.
    assert ingest_feed(other, feed(5, podcast_guid=guid), now=NOW).duplicate
    assert Episode.objects.count() == 3


def test_same_episodes_under_a_new_url_is_one_show() -> None:
    ingest_feed(source("https://a.example/feed"), feed(5), now=NOW)
    mirror = feed(5, title="Same show, other host")
    for item in mirror.episodes:
        assert item.enclosure is not None
        item.enclosure = Enclosure(url=item.enclosure.url.replace("cdn.", "mirror."))
    other = source("https://b.example/feed")
    result = ingest_feed(other, mirror, now=NOW)
    assert result.duplicate
    other.refresh_from_db()
    assert other.status == FeedSource.Status.DUPLICATE
    assert "same episodes" in other.status_reason
    assert (Show.objects.count(), Episode.objects.count()) == (1, 5)


def _sketch(show: Show) -> list[str]:
    return sorted(ShowSketch.objects.filter(show=show).values_list("key", flat=True))


def _smallest_keys(show: Show) -> list[str]:
    """The sketch a show should have, from its stored episodes with a guid (vanished ones too)."""
    keys = Episode.objects.filter(show=show).exclude(guid="").values_list("match_key", flat=True)
    return sorted({key[:16] for key in keys})[:16]


def test_a_new_show_is_sketched_by_its_smallest_guid_keys() -> None:
    items = [episode(n) for n in range(1, 31)] + [episode(31, guid=False)]
    show = ingest_feed(source(), feed(episodes=items), now=NOW).show
    assert len(_sketch(show)) == 16
    assert _sketch(show) == _smallest_keys(show)
    guidless = Episode.objects.get(guid="").match_key
    assert guidless[:16] not in _sketch(show)


def test_a_sketch_grows_with_new_episodes_and_keeps_vanished_ones() -> None:
    src = source()
    show = ingest_feed(src, feed(episodes=[episode(n) for n in range(1, 11)]), now=NOW).show
    assert _sketch(show) == _smallest_keys(show)
    later = ingest_feed(src, feed(episodes=[episode(n) for n in range(11, 41)]), now=NOW + timedelta(days=1))
    assert later.vanished_episodes == 10
    assert len(_sketch(show)) == 16
    assert _sketch(show) == _smallest_keys(show)


def test_a_mirror_with_part_of_the_episodes_is_the_same_show() -> None:
    items = [episode(n) for n in range(1, 41)]
    ingest_feed(source("https://a.example/feed"), feed(episodes=items), now=NOW)
    show = Show.objects.get()
    by_key = sorted(Episode.objects.filter(show=show).values_list("match_key", "guid"))
    # Twelve of the forty: two of them among the show's sixteen smallest keys, the rest beyond them.
    part = {guid for _, guid in by_key[14:16] + by_key[20:30]}
    mirror = feed(episodes=[item for item in items if item.guid in part], title="Highlights")
    other = source("https://b.example/feed")
    result = ingest_feed(other, mirror, now=NOW)
    assert result.duplicate
    assert result.show == show
    other.refresh_from_db()
    assert "same episodes (12 of 12 guids)" in other.status_reason


def _numbered(show: str) -> list[FeedEpisode]:
    """Items whose guids are "1", "2", "3", as some generators number them, with the show's own titles."""
    items = [episode(n, title=f"{show} {n}") for n in (1, 2, 3)]
    for n, item in enumerate(items, start=1):
        item.guid = str(n)
        item.enclosure = Enclosure(url=f"https://{show.lower()}.example/{n}.mp3")
    return items


def test_a_mirror_is_found_among_more_numbered_guid_shows_than_are_compared() -> None:
    """Shows whose generators number guids share their whole sketches; the known show with the new
    feed's title is compared first, however many others share its keys."""
    for n in range(SKETCH_CANDIDATES + 5):
        ingest_feed(
            source(f"https://{n}.example/feed"),
            feed(episodes=_numbered(f"Show{n}"), title=f"Show{n}"),
            now=NOW,
        )
    last = f"Show{SKETCH_CANDIDATES + 4}"
    mirror = source("https://mirror.example/feed")
    result = ingest_feed(mirror, feed(episodes=_numbered(last), title=last), now=NOW)
    assert result.duplicate
    assert result.show.title == last
    assert Show.objects.count() == SKETCH_CANDIDATES + 5


def test_sketches_filled_by_the_migration_are_those_ingest_writes() -> None:
    fill_sql = importlib.import_module("lytt.catalog.migrations.0007_show_sketch").fill_sql
    ingest_feed(source("https://a.example/feed"), feed(episodes=[episode(n) for n in range(1, 41)]), now=NOW)
    items = [episode(n, title=f"Other {n}") for n in range(100, 105)] + [episode(105, guid=False)]
    for item in items:
        item.guid = item.guid and f"urn:other:{item.guid}"
    ingest_feed(source("https://b.example/feed"), feed(episodes=items, title="Other"), now=NOW)
    bare = feed(episodes=[episode(200, guid=False)], title="Bare")
    ingest_feed(source("https://c.example/feed"), bare, now=NOW)
    written = sorted(ShowSketch.objects.values_list("show_id", "key"))
    assert len(written) == 16 + 5
    ShowSketch.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(fill_sql(django_apps, connection.ops.quote_name))
    assert sorted(ShowSketch.objects.values_list("show_id", "key")) == written


def test_numbered_guids_of_another_show_do_not_merge_shows() -> None:
    ingest_feed(source("https://a.example/feed"), feed(episodes=[episode(n) for n in (1, 2, 3)]), now=NOW)
    others = [episode(n, title=f"Unrelated {n}") for n in (1, 2, 3)]
    for item in others:
        item.enclosure = Enclosure(url=f"https://other.example/{item.guid}.mp3")
    result = ingest_feed(source("https://b.example/feed"), feed(episodes=others, title="Other"), now=NOW)
    assert result.created
    assert not result.duplicate
    assert Show.objects.count() == 2
