"""Parsed feeds built directly (the ingest contract is the typed `Feed`, not XML)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lytt.catalog.models import FeedSource
from lytt.feeds.model import Enclosure, Episode, Feed, Person

START = datetime(2024, 1, 1, 10, 0, tzinfo=UTC)


def episode(n: int, *, guid: bool = True, enclosure: bool = True, title: str | None = None) -> Episode:
    return Episode(
        guid=f"urn:ep:{n}" if guid else None,
        title=title if title is not None else f"Episode {n}",
        published=START + timedelta(days=n),
        duration_seconds=60 * n,
        enclosure=Enclosure(url=f"https://cdn.example.com/ep{n}.mp3", type="audio/mpeg", length=1000 + n)
        if enclosure
        else None,
        description_html=f"<p>Notes for {n}</p>",
        description_text=f"Notes for {n}",
    )


def feed(
    count: int = 3,
    *,
    title: str = "Insight Myanmar",
    podcast_guid: str | None = None,
    categories: list[tuple[str, str | None]] | None = None,
    persons: list[Person] | None = None,
    episodes: list[Episode] | None = None,
) -> Feed:
    return Feed(
        title=title,
        link="https://example.com/show",
        description_text="A show about things.",
        language="en-US",
        author="Host Name",
        podcast_guid=podcast_guid,
        categories=categories if categories is not None else [("Society & Culture", "Documentary")],
        persons=persons or [],
        episodes=episodes if episodes is not None else [episode(n) for n in range(1, count + 1)],
    )


def source(url: str = "https://example.com/feed.xml") -> FeedSource:
    return FeedSource.objects.create(url=url)
