"""Adding feed URLs: normalisation, per-URL errors, dedupe, private feeds, big lists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lytt.catalog.models import FeedSource
from lytt.catalog.sources import InvalidFeedURL, add_feed_urls, display_url, normalise_feed_url

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://example.com/feed.xml", "https://example.com/feed.xml"),
        ("  HTTPS://Example.COM:443/Feed.xml#top ", "https://example.com/Feed.xml"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:8080/rss", "http://example.com:8080/rss"),
        ("feed://example.com/rss", "http://example.com/rss"),
        ("feed:https://example.com/rss", "https://example.com/rss"),
        ("itpc://example.com/a?b=1", "http://example.com/a?b=1"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("http://[::1]:8080/f", "http://[::1]:8080/f"),
    ],
)
def test_normalise_feed_url(raw: str, expected: str) -> None:
    assert normalise_feed_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty URL"),
        ("ftp://example.com/feed", "ftp://example.com/feed: not an http(s) URL (scheme 'ftp')"),
        ("javascript:alert(1)", "not an http(s) URL (scheme 'javascript')"),
        ("example.com/feed", "example.com/feed: not an http(s) URL (no http(s) scheme)"),
        ("http://", "http://: no valid host name"),
        ("http://exa mple.com/", "no valid host name"),
        ("http://example.com:99999/", "Port out of range"),
        ("https://example.com/" + "a" * 2100, "longer than 2000 characters"),
    ],
)
def test_invalid_urls_are_rejected_with_the_reason(raw: str, message: str) -> None:
    with pytest.raises(InvalidFeedURL, match=message.replace("(", r"\(").replace(")", r"\)")):
        normalise_feed_url(raw)


def test_errors_never_show_tokens() -> None:
    with pytest.raises(InvalidFeedURL) as caught:
        normalise_feed_url("https://example.com:99999/feed?token=s3cr3tvalue")
    assert "s3cr3tvalue" not in str(caught.value)


@given(st.text(max_size=60))
def test_normalise_either_returns_http_url_or_raises_invalid(raw: str) -> None:
    try:
        url = normalise_feed_url(raw)
    except InvalidFeedURL:
        return
    assert url.startswith(("http://", "https://"))
    assert normalise_feed_url(url) == url  # idempotent


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
