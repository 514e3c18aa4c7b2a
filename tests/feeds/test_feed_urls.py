"""resolve_url, is_private_feed_url and redact_url."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lytt.feeds.feed_urls import (
    REDACTED,
    InvalidFeedURL,
    is_private_feed_url,
    normalise_feed_url,
    redact_url,
    resolve_url,
)

BASE = "https://ex.com/shows/feed.xml"


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        ("https://cdn.ex.com/a.mp3", None, "https://cdn.ex.com/a.mp3"),
        ("http://cdn.ex.com/a.mp3", BASE, "http://cdn.ex.com/a.mp3"),
        ("  https://cdn.ex.com/a.mp3\n", None, "https://cdn.ex.com/a.mp3"),
        ("HTTPS://cdn.ex.com/a.mp3", None, "https://cdn.ex.com/a.mp3"),
        ("https://cdn.ex.com/my episode.mp3", None, "https://cdn.ex.com/my%20episode.mp3"),
        ("https://cdn.ex.com/a\n.mp3", None, "https://cdn.ex.com/a.mp3"),
        ("ep1.mp3", BASE, "https://ex.com/shows/ep1.mp3"),
        ("/media/ep1.mp3", BASE, "https://ex.com/media/ep1.mp3"),
        ("../ep1.mp3", BASE, "https://ex.com/ep1.mp3"),
        ("?page=2", BASE, "https://ex.com/shows/feed.xml?page=2"),
        ("//cdn.ex.com/a.mp3", None, "https://cdn.ex.com/a.mp3"),
        ("//cdn.ex.com/a.mp3", "http://ex.com/", "https://cdn.ex.com/a.mp3"),
        ("feed://ex.com/rss", None, "http://ex.com/rss"),
        ("itpc://ex.com/rss", None, "http://ex.com/rss"),
        ("pcast://ex.com/rss", None, "http://ex.com/rss"),
        ("podcast://ex.com/rss", None, "http://ex.com/rss"),
        ("feed:https://ex.com/rss", None, "https://ex.com/rss"),
        ("ep1.mp3", " https://ex.com/dir/ ", "https://ex.com/dir/ep1.mp3"),
    ],
)
def test_resolve(value: str, base: str | None, expected: str) -> None:
    assert resolve_url(value, base) == expected


@pytest.mark.parametrize(
    ("value", "base"),
    [
        (None, BASE),
        ("", BASE),
        ("   ", BASE),
        ("javascript:alert(1)", BASE),
        ("JavaScript:alert(1)", BASE),
        ("data:audio/mpeg;base64,AAAA", BASE),
        ("mailto:me@ex.com", BASE),
        ("ftp://ex.com/a.mp3", BASE),
        ("file:///etc/passwd", BASE),
        ("ep1.mp3", None),  # relative without a base
        ("ep1.mp3", "file:///tmp/feed.xml"),  # base not http(s)
        ("ep1.mp3", "not a url"),
        ("https://", None),
        ("http:///path", None),
        ("https://ex.com\x00/a", None),
        ("https://ex.com:99999999/a", None),
        ("https://[broken/a", None),
        ("feed:javascript:alert(1)", None),
        ("x" * 10_000, BASE),
    ],
)
def test_resolve_rejects(value: str | None, base: str | None) -> None:
    assert resolve_url(value, base) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100), st.one_of(st.none(), st.just(BASE), st.text(max_size=40)))
def test_resolve_never_raises_and_only_returns_http(value: str, base: str | None) -> None:
    result = resolve_url(value, base)
    assert result is None or result.startswith(("http://", "https://"))


@pytest.mark.parametrize(
    "url",
    [
        "https://ex.com/feed?token=abc123",
        "https://ex.com/feed?a=1&Key=abc",
        "https://ex.com/feed?auth=xyz",
        "https://ex.com/feed?secret=s",
        "https://ex.com/feed?apikey=k",
        "https://ex.com/feed?access_token=t",
        "https://user:pass@ex.com/feed",
        "https://www.patreon.com/rss/someshow?auth=abc",
        "https://www.patreon.com/rss/someshow",
        "https://show.supercast.com/feeds/abcdef123456abcdef",
        "https://feeds.supercast.tech/x",
        "https://ex.memberful.com/rss/123?feed=abc",
        "https://feeds.supportingcast.fm/x",
        "https://feeds.supportingcast.co/content/abc",
        "https://ex.memberfulcontent.com/rss/1?auth=abc",
        "https://rss.stratechery.com/p/abc",
        "https://feeds.npr.org/510289/podcast.xml?uid=abc123",
        "https://my.slate.com/subscriptions/abc/feed",
        "https://ex.substack.com/feed/podcast/123/private/abc-def.rss",
        "https://api.substack.com/feed/podcast/123/private/abc.rss",
        "https://private.captivate.fm/feed/abc",
        "https://show.castos.com/feed?uuid=1234",
        "https://babylonbee.com/premium-feed/abc",
        "https://feeds.redcircle.com/abc-123/pf/xyz",
        "https://api.podcache.net/shows/abc/pf/xyz",
        "https://feed.pod.co/0f8e3c52-1d2b-4c6a-9a7e-1b2c3d4e5f60/11111111-2222-3333-4444-555555555555",
    ],
)
def test_private(url: str) -> None:
    assert is_private_feed_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://feeds.megaphone.fm/ABC1234567",
        "https://anchor.fm/s/1234abcd/podcast/rss",
        "https://ex.com/feed?page=2&format=mp3",
        "https://www.patreon.com/someshow",  # a public page, not the private feed
        "https://notpatreon.com/rss/x",
        "https://feeds.npr.org/510289/podcast.xml",
        "https://ex.substack.com/feed",
        "https://feeds.redcircle.com/abc-123",
        "https://feed.pod.co/myshow",
        "https://www.slate.com/podcasts/feed",
        "https://keyboard.example/feed",
        "not a url",
        "https://[broken",
        "",
    ],
)
def test_public(url: str) -> None:
    assert not is_private_feed_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ex.com/feed?token=abc123", f"https://ex.com/feed?token={REDACTED}"),
        ("https://ex.com/feed?page=2&Key=abc&x=1", f"https://ex.com/feed?page=2&Key={REDACTED}&x=1"),
        ("https://user:pass@ex.com/feed", f"https://user:{REDACTED}@ex.com/feed"),
        ("https://tok3n1234567890abcdef@ex.com/feed", f"https://{REDACTED}@ex.com/feed"),
        (
            "https://show.supercast.com/feeds/Ab12Cd34Ef56Gh78Ij90?x=1",
            f"https://show.supercast.com/feeds/{REDACTED}?x={REDACTED}",
        ),
        ("https://www.patreon.com/rss/show?auth=abc", f"https://www.patreon.com/rss/show?auth={REDACTED}"),
        ("https://ex.com/feed.xml?page=2", "https://ex.com/feed.xml?page=2"),
        (
            "https://feeds.npr.org/510289/podcast.xml?uid=Ab12Cd34Ef56Gh78",
            f"https://feeds.npr.org/510289/podcast.xml?uid={REDACTED}",
        ),
        (
            "https://ex.substack.com/feed/podcast/123/private/0a1b2c3d4e5f6a7b8c9d.rss",
            f"https://ex.substack.com/feed/podcast/123/private/{REDACTED}",
        ),
        ("https://www.patreon.com/someshow", "https://www.patreon.com/someshow"),
        ("https://ex.com/feed?token=", "https://ex.com/feed?token="),
        ("not a url", "not a url"),
        ("https://[broken", "https://[broken"),
    ],
)
def test_redact(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@settings(max_examples=300, deadline=None)
@given(
    secret=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=30),
    param=st.sampled_from(["token", "key", "auth", "secret", "apikey", "access_token", "TOKEN"]),
    path=st.text(alphabet="abc/", max_size=10),
)
def test_redacted_urls_hide_the_secret(secret: str, param: str, path: str) -> None:
    url = f"https://ex.com/{path}?{param}={secret}"
    assert is_private_feed_url(url)
    redacted = redact_url(url)
    assert secret not in redacted.split("?", 1)[1]
    assert redacted.startswith(f"https://ex.com/{path}?")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100))
def test_private_and_redact_never_raise(url: str) -> None:
    is_private_feed_url(url)
    assert isinstance(redact_url(url), str)


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
        ("http://example.org./a", "http://example.org/a"),
        ("https://user:Pw@Example.org:8443/f", "https://user:Pw@example.org:8443/f"),
        ("podcasts://example.org/x", "http://example.org/x"),
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
        ("https://a\tb/", "contains control characters"),
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


_HOST_LABELS = st.sampled_from(
    ["patreon", "com", "substack", "my", "slate", "supercast", "x", "feed", "pod", "co"]
)


@given(
    st.lists(_HOST_LABELS, min_size=1, max_size=4).map(".".join),
    st.sampled_from(["/rss", "/rss/x", "/private/1", "/pf/2", "/a", "/subscriptions"]),
    st.sampled_from(["", "?uid=1", "?uuid=2", "?q=3"]),
)
def test_host_rules_match_the_host_or_a_parent_domain_only(host: str, path: str, query: str) -> None:
    """The rules' set lookup agrees with matching each rule's domain against the host by suffix."""
    from lytt.feeds import feed_urls

    def matches(domain: str) -> bool:
        return host == domain or host.endswith("." + domain)

    keys = {part.split("=", 1)[0] for part in query.lstrip("?").split("&") if part}
    expected = (
        any(matches(domain) for domain in feed_urls.PRIVATE_HOSTS)
        or any(
            matches(d) and (path == p or path.startswith((p + "/", p + "-")))
            for d, p in feed_urls.PRIVATE_HOST_PATHS
        )
        or any(matches(d) and s in path.split("/") for d, s in feed_urls.PRIVATE_HOST_SEGMENTS)
        or any(matches(d) and k in keys for d, k in feed_urls.PRIVATE_HOST_KEYS)
    )
    assert is_private_feed_url(f"https://{host}{path}{query}") is expected


@given(st.from_regex(r"\Ahttps?://[A-Za-z0-9.\-:@\[\]]{0,20}[/?#]?[a-z]{0,3}\Z"))
def test_resolving_a_plain_host_agrees_with_taking_the_url_apart(url: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018
        expected = bool(parts.hostname)
    except ValueError:
        expected = False
    assert (resolve_url(url, None) is not None) is expected


@given(st.from_regex(r"\Ahttps?://[a-z0-9.\-]{1,12}(:[0-9]{0,6})?(/[a-zA-Z0-9/?#%&=.;@:~!$\[\] ]{0,16})?\Z"))
def test_urls_in_canonical_form_come_back_as_taking_them_apart_gives(url: str) -> None:
    """A URL returned as it is (already canonical) is what the general path gives for it: the same
    URL with its scheme in capitals, which that path alone takes."""
    shouted = "HTTP" + url[4:]
    try:
        expected = normalise_feed_url(shouted)
    except InvalidFeedURL:
        with pytest.raises(InvalidFeedURL):
            normalise_feed_url(url)
        return
    assert normalise_feed_url(url) == expected
