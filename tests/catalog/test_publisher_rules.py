"""What a publisher's feed lets Lytt list (`lytt.catalog.publisher_rules`), and ingest applying it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.catalog.factories import episode, feed, source

from lytt.catalog import publisher_rules
from lytt.catalog.ingest import ingest_feed
from lytt.catalog.models import Episode, Show
from lytt.feeds.model import AlternateEnclosure, Enclosure, Feed

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("platform_blocks", "itunes_block", "expected"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"": True}, False, True),
        ({"": False}, True, True),  # "no" for everyone does not lift Apple's block
        ({"lytt": True}, False, True),
        ({"lytt": False}, True, False),  # spoken to Lytt in particular: wins
        ({"": True, "lytt": False}, False, False),
        ({"": False, "lytt": True}, False, True),
        ({"spotify": True}, False, False),  # another platform's block
        ({"spotify": True, "": False}, False, False),
    ],
)
def test_blocked(platform_blocks: dict[str, bool], itunes_block: bool, expected: bool) -> None:
    assert publisher_rules.blocked(Feed(platform_blocks=platform_blocks, block=itunes_block)) is expected


def test_blocked_answers_to_the_operator_s_ids() -> None:
    feed_for_radio = Feed(platform_blocks={"radio-x": True})
    assert publisher_rules.blocked(feed_for_radio, ("radio-x", "lytt"))
    assert not publisher_rules.blocked(feed_for_radio)


@pytest.mark.parametrize(
    ("url", "kind", "expected"),
    [
        ("https://x.example/a.mp3", "audio/mpeg", True),
        ("https://x.example/a.mp4", "video/mp4", True),
        ("https://x.example/a", None, True),  # no type: it may well be audio
        ("https://x.example/a", "application/octet-stream", True),
        ("https://x.example/a.ogg", "application/ogg", True),
        ("https://x.example/cover.jpg", "image/jpeg", False),
        ("https://x.example/notes.pdf", "application/pdf", False),
        ("https://x.example/page.html", "text/html", False),
        ("https://x.example/show.mp3?x=1", "text/plain", True),  # mislabelled, named as audio
        ("https://x.example/feed.xml", "application/rss+xml", False),
        ("   ", "audio/mpeg", False),
    ],
)
def test_playable(url: str, kind: str | None, expected: bool) -> None:
    assert publisher_rules.playable(Enclosure(url=url, type=kind)) is expected


def test_listed_items() -> None:
    assert publisher_rules.listed(episode(1))
    assert not publisher_rules.listed(episode(1, enclosure=False))
    blocked = episode(2)
    blocked.block = True
    assert not publisher_rules.listed(blocked)
    alternate = episode(3, enclosure=False)
    alternate.alternate_enclosures = [AlternateEnclosure(sources=["https://x.example/3.opus"])]
    assert publisher_rules.listed(alternate)
    alternate.alternate_enclosures = [AlternateEnclosure(sources=[" "])]
    assert not publisher_rules.listed(alternate)


@pytest.mark.django_db
def test_items_without_media_or_blocked_are_not_stored() -> None:
    picture = episode(2)
    picture.enclosure = Enclosure(url="https://x.example/cover.jpg", type="image/jpeg")
    blocked = episode(3)
    blocked.block = True
    result = ingest_feed(
        source(), feed(episodes=[episode(1), picture, blocked, episode(4, enclosure=False)]), now=NOW
    )
    assert result.new_episodes == 1
    assert list(Episode.objects.values_list("title", flat=True)) == ["Episode 1"]
    assert Show.objects.get().episode_count == 1


@pytest.mark.django_db
def test_an_item_that_loses_its_audio_leaves_the_list() -> None:
    src = source()
    ingest_feed(src, feed(2), now=NOW)
    result = ingest_feed(
        src, feed(episodes=[episode(1), episode(2, enclosure=False)]), now=NOW + timedelta(hours=1)
    )
    assert result.vanished_episodes == 1
    assert Show.objects.get().episode_count == 1


@pytest.mark.django_db
def test_a_publisher_s_block_hides_the_show_and_lifting_it_lists_it_again() -> None:
    src = source()
    blocking = feed(2)
    blocking.platform_blocks = {"": True}
    ingest_feed(src, blocking, now=NOW)
    show = Show.objects.get()
    assert (show.blocked, show.hidden) == (True, True)
    ingest_feed(src, feed(2), now=NOW + timedelta(hours=1))
    show.refresh_from_db()
    assert (show.blocked, show.hidden) == (False, False)


@pytest.mark.django_db
def test_lifting_a_block_keeps_an_operator_s_hiding() -> None:
    src = source()
    ingest_feed(src, feed(2), now=NOW)
    Show.objects.update(hidden=True)  # the operator hid it
    ingest_feed(src, feed(3), now=NOW + timedelta(hours=1))
    assert Show.objects.get().hidden
    allowed = feed(3)
    allowed.platform_blocks = {"lytt": False}
    ingest_feed(src, allowed, now=NOW + timedelta(hours=2))
    assert Show.objects.get().hidden


@pytest.mark.django_db
def test_a_blocked_show_is_hidden_from_its_first_ingest_on() -> None:
    blocking = feed(1)
    blocking.block = True
    ingest_feed(source(), blocking, now=NOW)
    assert Show.objects.get().hidden


@pytest.mark.django_db
def test_ingest_answers_to_the_configured_service_ids(settings: Any) -> None:
    settings.LYTT_SERVICE_IDS = ("radio-x",)
    for_radio = feed(1, title="For radio")
    for_radio.platform_blocks = {"radio-x": True}
    for_lytt = feed(title="For Lytt", episodes=[episode(50)])
    for_lytt.platform_blocks = {"lytt": True}
    ingest_feed(source("https://a.example/f.xml"), for_radio, now=NOW)
    ingest_feed(source("https://b.example/f.xml"), for_lytt, now=NOW)
    assert dict(Show.objects.values_list("title", "hidden")) == {"For radio": True, "For Lytt": False}
