"""Hostile and broken input: bombs, XXE, huge and truncated feeds, garbage. Only FeedError ever escapes."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import SANITIZED, examples, seconds

from lytt.feeds import (
    FeedError,
    FeedSyntaxError,
    FeedTooLarge,
    NotAFeed,
    UnsafeXML,
    feed_to_dict,
    parse_feed,
)

pytestmark = pytest.mark.usefixtures("native_code")

DATA = Path(__file__).parent / "data"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss><channel><title>&lol9;</title></channel></rss>"""


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(UnsafeXML, match="entities"):
        parse_feed(BILLION_LAUGHS, url="https://evil.example/feed")
    assert time.monotonic() - started < 2


def test_xxe_external_entity_is_refused_and_the_file_never_leaks(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<rss><channel><title>&xxe;</title><item><title>&xxe;</title></item></channel></rss>"
    ).encode()
    with pytest.raises(UnsafeXML) as raised:
        parse_feed(data)
    assert "TOP-SECRET" not in str(raised.value)


def test_parameter_entity_xxe_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY leak "TOP-SECRET-4711">')
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % ext SYSTEM "file://{secret}"> %ext;]>'
        "<rss><channel><title>&leak;</title></channel></rss>"
    ).encode()
    with pytest.raises(UnsafeXML):
        parse_feed(data)


def test_external_dtd_is_never_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "TOP-SECRET-4711">')
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "file://{dtd}">'
        "<rss><channel><title>Show &leak;</title><item><guid>1</guid></item></channel></rss>"
    ).encode()
    feed = parse_feed(data)
    assert "TOP-SECRET" not in repr(feed_to_dict(feed))
    assert feed.title is not None
    assert feed.title.startswith("Show")


class GeneratedFeed(io.RawIOBase):
    """An endless-looking feed produced on the fly (100 MB), counting what the parser reads."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.served = 0
        head = b'<?xml version="1.0"?><rss><channel><title>Big</title>'
        item = b"<item><title>Episode</title><description>" + b"x" * 2000 + b"</description></item>\n"
        self._pending = head
        self._item = item

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self.served >= self.total:
            return 0
        while len(self._pending) < len(buffer):
            self._pending += self._item * 64
        size = min(len(buffer), self.total - self.served)
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self.served += size
        return size


def test_100_mb_feed_against_a_lower_cap_stops_reading_early() -> None:
    stream = GeneratedFeed(100 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(FeedTooLarge, match="5,000,000-byte limit"):
        parse_feed(stream, url="https://big.example/feed", max_bytes=5_000_000)  # type: ignore[arg-type]
    assert time.monotonic() - started < seconds(10)
    assert stream.served < 6_000_000


def test_bytes_over_the_cap_are_refused_before_parsing() -> None:
    with pytest.raises(FeedTooLarge, match=r"https://big\.example/feed"):
        parse_feed(b"<rss>" + b" " * 2000 + b"</rss>", url="https://big.example/feed", max_bytes=1000)


def test_truncated_feed_is_recovered_with_a_warning() -> None:
    data = (DATA / "full.xml").read_bytes()
    cut = data.index(b"<podcast:soundbite")
    feed = parse_feed(data[:cut])
    assert feed.title == "Politisk kvarter"
    assert "kvarter-510" in [e.guid for e in feed.episodes]
    assert any(w.startswith("recovered broken XML") and "line" in w for w in feed.warnings)


def test_unclosed_tags_are_recovered() -> None:
    data = b"<rss><channel><title>T</title><item><guid>1</guid><title>A<b>bold</title></item></channel></rss>"
    feed = parse_feed(data)
    assert feed.title == "T"
    assert feed.warnings


@pytest.mark.parametrize(
    "data",
    [b"this is not xml at all", b'{"json": true}', b"<<<>>>", b"\x00\x01\x02\x03"],
)
def test_garbage_is_a_syntax_error_naming_the_source(data: bytes) -> None:
    with pytest.raises(FeedError, match=r"https://x\.example/feed") as raised:
        parse_feed(data, url="https://x.example/feed")
    assert isinstance(raised.value, FeedSyntaxError | NotAFeed)


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(FeedSyntaxError, match=r"line \d+, column \d+"):
        parse_feed(b"<?xml version='1.0'?>\n<rss\n  <<<")


@pytest.mark.parametrize("data", [b"", b"   \n  "])
def test_empty_document(data: bytes) -> None:
    with pytest.raises(FeedSyntaxError, match="empty"):
        parse_feed(data)


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><head><title>Hi</title></head><body><p>Not a feed<br></body></html>",
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        b"\n<HTML><BODY onload='x()'>hello</BODY></HTML>",
    ],
)
def test_html_pages_are_not_feeds(data: bytes) -> None:
    with pytest.raises(NotAFeed, match="HTML page"):
        parse_feed(data, url="https://x.example/")


def test_other_xml_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed, match="<svg>"):
        parse_feed(b"<svg><g/></svg>")


def test_scripts_and_event_handlers_never_reach_the_output() -> None:
    notes = (
        '<p onload="a()">Hi<img src="x.png" onerror="b()"></p><script>c()</script>'
        '<a href="javascript:d()">link</a><style>body{}</style><svg onload="e()"></svg>'
    )
    data = (
        "<rss><channel><title>T</title><item><guid>1</guid>"
        f"<description><![CDATA[{notes}]]></description></item></channel></rss>"
    )
    episode = parse_feed(data.encode(), url="https://x.example/feed").episodes[0]
    html = episode.description_html or ""
    for hostile in (
        "onload",
        "onerror",
        "<script",
        "javascript:",
        "<style",
        "a()",
        "b()",
        "c()",
        "d()",
        "e()",
    ):
        assert hostile not in html
    assert "Hi" in html


def test_deep_nesting_does_not_crash() -> None:
    data = b"<rss><channel><title>T</title><item><guid>1</guid>" + b"<x>" * 20000 + b"</item></channel></rss>"
    try:
        feed = parse_feed(data)
    except FeedError:
        return
    assert feed.title == "T"


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_only_ever_raise_feed_error(data: bytes) -> None:
    with contextlib.suppress(FeedError):
        parse_feed(data)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_real_feed_only_ever_raises_feed_error(data: st.DataObject) -> None:
    original = (DATA / "full.xml").read_bytes()
    cut = data.draw(st.integers(min_value=0, max_value=len(original)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), max_size=5))
    mutated = bytearray(original[:cut])
    for position, value in flips:
        if position < len(mutated):
            mutated[position] = value
    try:
        feed = parse_feed(bytes(mutated))
    except FeedError:
        return
    feed_to_dict(feed)


_MEMORY_PROBE = r"""
import os, sys


def status_kib(field):
    # VmHWM is this process's own peak; ru_maxrss would include the parent's size at fork time.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)

from lytt.feeds import parse_feed

path = sys.argv[1]
with open(path, "wb") as out:
    # 12 MB, mostly a second <description> per item that the parser ignores (the first one wins).
    out.write(b"<rss><channel><title>Flat</title>")
    for n in range(600):
        out.write(b"<item><guid>%d</guid><description>short</description><description>" % n)
        out.write(b"y" * 20000 + b"</description></item>")
    out.write(b"</channel></rss>")
before = status_kib("VmRSS")
with open(path, "rb") as stream:
    feed = parse_feed(stream)
assert len(feed.episodes) == 600
print(status_kib("VmHWM") - before)
"""


@pytest.mark.skipif(SANITIZED, reason="ASan's quarantine keeps freed memory: peak memory means nothing there")
def test_memory_stays_flat_while_streaming_a_large_feed(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(tmp_path / "flat.xml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    growth_kib = int(result.stdout.strip())
    assert growth_kib < 6 * 1024, f"peak memory grew by {growth_kib} KiB while parsing a 12 MB feed"


@pytest.mark.parametrize(
    "data",
    [
        b"<" * 1_000_000,
        b"<" + b"a" * 1_000_000,
        b"<" + b"a " * 500_000,
        b'<rss a="' + b"x" * 1_000_000,
        b"<!DOCTYPE " + b"x" * 1_000_000,
        b'<?xml version="1.0" ' + b"e" * 1_000_000,
        b"<!--" + b"x" * 1_000_000,
        b"<rss><channel><title>" + b"&" * 1_000_000 + b"</title></channel></rss>",
    ],
    ids=[
        "lt",
        "long-name",
        "long-name-spaces",
        "open-attribute",
        "open-doctype",
        "open-decl",
        "open-comment",
        "amps",
    ],
)
def test_pathological_input_fails_fast(data: bytes) -> None:
    started = time.monotonic()
    with contextlib.suppress(FeedError):
        parse_feed(data)
    assert time.monotonic() - started < seconds(5)


def test_a_text_stream_is_a_clear_error() -> None:
    with pytest.raises(FeedError, match="binary stream"):
        parse_feed(io.StringIO("<rss><channel><title>T</title></channel></rss>"))  # type: ignore[arg-type]


def test_a_str_is_a_clear_error() -> None:
    with pytest.raises(FeedError, match="got str"):
        parse_feed("<rss/>")  # type: ignore[arg-type]


def test_a_decimal_reference_past_pythons_int_digit_limit_is_not_an_error() -> None:
    # html.unescape raises ValueError for "&#" and more than 4,300 digits (int()'s limit).
    notes = b"&lt;p&gt;&amp;#" + b"1" * 5000 + b";&lt;/p&gt;"
    padded = b"&amp;#" + b"0" * 5000 + b"65; and text"
    feed = parse_feed(
        b"<rss><channel><item><guid>a</guid><description>" + notes + b"</description></item>"
        b"<item><guid>b</guid><description>" + padded + b"</description></item></channel></rss>"
    )
    texts = {episode.guid: episode.description_text for episode in feed.episodes}
    assert texts == {"a": "\ufffd", "b": "A and text"}
