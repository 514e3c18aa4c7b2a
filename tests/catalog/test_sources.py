"""Adding feed URLs: normalisation, per-URL errors, dedupe, private feeds, big lists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lytt.catalog.models import FeedSource
from lytt.catalog.sources import add_feed_urls, display_url

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_add_feed_urls_adds_dedupes_and_reports() -> None:
    FeedSource.objects.create(url="https://known.example/feed")
    result = add_feed_urls(
        [
            "https://a.example/feed",
            "HTTPS://A.example/feed",
            "https://known.example/feed",
            "gopher://b.example/",
            "https://members.example/rss?token=abcdef0123456789",
        ],
        now=NOW,
    )
    assert result.added == ["https://a.example/feed", "https://members.example/rss?token=abcdef0123456789"]
    assert result.known == ["https://known.example/feed"]
    assert [r.reason for r in result.rejected] == [
        "gopher://b.example/: not an http(s) URL (scheme 'gopher')"
    ]
    assert not result.ok
    new = FeedSource.objects.get(url="https://a.example/feed")
    assert (new.status, new.next_check_at, new.private) == (FeedSource.Status.NEW, NOW, False)
    private = FeedSource.objects.get(private=True)
    assert "abcdef0123456789" not in display_url(private)
    assert FeedSource.objects.count() == 3


@pytest.mark.django_db
def test_add_feed_urls_only_invalid_writes_nothing() -> None:
    result = add_feed_urls(["not a url", "mailto:x@example.com"])
    assert len(result.rejected) == 2
    assert not FeedSource.objects.exists()


@pytest.mark.django_db
def test_add_many_urls_in_batches() -> None:
    seen: list[int] = []
    urls = [f"https://host{n % 50}.example/feed/{n}" for n in range(2500)]
    result = add_feed_urls(urls + urls[:10], on_progress=seen.append)
    assert len(result.added) == 2500
    assert sum(seen) == 2500
    assert len(seen) == 3
    assert FeedSource.objects.count() == 2500
    again = add_feed_urls(urls)
    assert (len(again.added), len(again.known)) == (0, 2500)
