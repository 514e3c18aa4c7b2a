"""Atom 1.0 feeds, including podcast extensions inside them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lytt.feeds import parse_feed

pytestmark = pytest.mark.usefixtures("native_code")

DATA = Path(__file__).parent / "data"


def test_atom_feed_metadata() -> None:
    feed = parse_feed((DATA / "atom.xml").read_bytes())
    assert feed.format == "atom"
    assert feed.title == "Atom Show"
    assert feed.link == "https://atom.example/"
    assert feed.self_url == "https://atom.example/podcast/feed.atom"
    assert feed.hub_url == "https://hub.example/"
    assert feed.language == "en-GB"
    assert feed.author == "Atom Author"
    assert feed.image == "https://atom.example/podcast/logo.png"
    assert feed.copyright == "CC0"
    assert feed.last_build == datetime(2024, 5, 21, 8, tzinfo=UTC)
    assert feed.description_text == "An Atom podcast"
    assert feed.explicit is False
    assert feed.categories == [("Technology", None)]
    assert feed.podcast_guid == "atom-guid"


def test_atom_entries() -> None:
    feed = parse_feed((DATA / "atom.xml").read_bytes())
    newer, first = feed.episodes
    assert first.guid == "tag:atom.example,2024:1"
    assert first.title == "First entry"
    assert first.link == "https://atom.example/podcast/episodes/1"
    assert first.enclosure is not None
    assert (first.enclosure.url, first.enclosure.type, first.enclosure.length) == (
        "https://atom.example/podcast/audio/1.mp3",
        "audio/mpeg",
        1234,
    )
    assert first.published == datetime(2024, 5, 20, 8, tzinfo=UTC)  # published wins over updated
    assert first.duration_seconds == 3600
    assert first.description_html is not None
    assert "<em>xhtml</em>" in first.description_html  # content wins over summary
    assert first.transcripts[0].url == "https://atom.example/1.srt"
    assert newer.title == "Second & newer"
    assert newer.published == datetime(2024, 5, 22, 8, tzinfo=UTC)
    assert newer.author == "Guest Writer"
    assert newer.description_html is not None
    assert "<b>HTML</b>" in newer.description_html
    assert newer.description_text == "Escaped HTML"
