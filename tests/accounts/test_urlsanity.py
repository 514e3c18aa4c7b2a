"""Feed URL sanitising for the sync API (pure): the canonical form, or None instead of an error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lytt.accounts.urlsanity import sanitize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  https://Example.ORG/Feed.xml\n", "https://example.org/Feed.xml"),
        ("HTTP://example.org", "http://example.org/"),
        ("itpc://example.org/feed", "http://example.org/feed"),
        ("feed://example.org/feed?a=B", "http://example.org/feed?a=B"),
        ("https://example.org/feed#frag", "https://example.org/feed"),
        ("https://user:Pw@Example.org:8443/f", "https://user:Pw@example.org:8443/f"),
        ("https://example.org:443/f", "https://example.org/f"),
        ("feed:https://example.org/f", "https://example.org/f"),
        ("http://example.org./a b", "http://example.org/a%20b"),
    ],
)
def test_cleaned(raw: str, expected: str) -> None:
    assert sanitize_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "ftp://example.org/f",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://",
        "https://a\tb/",
        "https://example.org:99999/",
        "example.org/feed",
        "https://x.org/" + "a" * 2100,
    ],
)
def test_rejected(raw: str) -> None:
    assert sanitize_url(raw) is None


@given(st.text(max_size=300))
def test_never_raises_and_is_idempotent(raw: str) -> None:
    url = sanitize_url(raw)
    if url is not None:
        assert url.startswith(("http://", "https://"))
        assert sanitize_url(url) == url
