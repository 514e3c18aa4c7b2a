"""OPML: lenient reading, valid OPML 2.0 writing, and the round trip between them."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from lytt.feeds.errors import FeedError, OPMLError
from lytt.feeds.opml import MAX_OPML_BYTES, OutlineFeed, parse_opml, read_opml, write_opml


def opml(body: str, *, head: str = "<head><title>t</title></head>", prolog: str = "") -> bytes:
    return f'{prolog}<opml version="2.0">{head}<body>{body}</body></opml>'.encode()


def urls(feeds: list[OutlineFeed]) -> list[str]:
    return [feed.url for feed in feeds]


def test_simple_feed_fields() -> None:
    feeds = parse_opml(
        opml(
            '<outline type="rss" text="Show text" title="Show" xmlUrl="https://ex.com/feed.xml" '
            'htmlUrl="https://ex.com/"/>'
        )
    )
    assert feeds == [
        OutlineFeed(
            url="https://ex.com/feed.xml",
            title="Show",
            html_url="https://ex.com/",
            text="Show text",
            categories=[],
        )
    ]


def test_title_falls_back_to_text() -> None:
    (feed,) = parse_opml(opml('<outline text="Only text" xmlUrl="https://ex.com/f"/>'))
    assert feed.title == "Only text"
    assert feed.text == "Only text"


def test_missing_titles_are_none() -> None:
    (feed,) = parse_opml(opml('<outline xmlUrl="https://ex.com/f"/>'))
    assert feed.title is None
    assert feed.text is None
    assert feed.html_url is None


@pytest.mark.parametrize("attribute", ["xmlUrl", "xmlurl", "XMLURL", "xmlURL", "url"])
def test_url_attribute_case_variants(attribute: str) -> None:
    assert urls(parse_opml(opml(f'<outline type="rss" {attribute}="https://ex.com/f"/>'))) == [
        "https://ex.com/f"
    ]


def test_nested_folders_become_categories() -> None:
    body = (
        '<outline text="News"><outline text="Local" title="Local news">'
        '<outline text="A" xmlUrl="https://a.ex/f"/></outline>'
        '<outline text="B" xmlUrl="https://b.ex/f" category="/Politics,/World/"/></outline>'
        '<outline text="C" xmlUrl="https://c.ex/f"/>'
    )
    feeds = parse_opml(opml(body))
    assert [(f.url, f.categories) for f in feeds] == [
        ("https://a.ex/f", ["News", "Local news"]),
        ("https://b.ex/f", ["News", "Politics", "World"]),
        ("https://c.ex/f", []),
    ]


@pytest.mark.parametrize(
    ("outline", "expected"),
    [
        ('<outline type="rss" xmlUrl="https://ex.com/f"/>', ["https://ex.com/f"]),
        ('<outline type="RSS" url="https://ex.com/f"/>', ["https://ex.com/f"]),
        ('<outline type="atom" url="https://ex.com/f"/>', ["https://ex.com/f"]),
        ('<outline url="https://ex.com/f"/>', ["https://ex.com/f"]),
        ('<outline type="link" url="https://ex.com/feed.xml"/>', ["https://ex.com/feed.xml"]),
        ('<outline type="link" url="https://ex.com/about"/>', []),  # a web page, not a feed
        ('<outline type="include" url="https://ex.com/other.opml"/>', []),
        ('<outline type="none" text="just a note"/>', []),
        ('<outline type="link" xmlUrl="https://ex.com/f"/>', ["https://ex.com/f"]),
    ],
)
def test_outline_types(outline: str, expected: list[str]) -> None:
    assert urls(parse_opml(opml(outline))) == expected


def test_duplicates_removed_first_kept() -> None:
    body = (
        '<outline text="first" xmlUrl="https://ex.com/f"/>'
        '<outline text="other" xmlUrl="https://other.ex/f"/>'
        '<outline text="second" xmlUrl="HTTPS://EX.COM/f"/>'
        '<outline text="third" xmlUrl="  https://ex.com/f "/>'
    )
    feeds = parse_opml(opml(body))
    assert [(f.url, f.text) for f in feeds] == [
        ("https://ex.com/f", "first"),
        ("https://other.ex/f", "other"),
    ]


def test_urls_are_resolved_and_junk_skipped() -> None:
    body = (
        '<outline xmlUrl="feed://ex.com/a"/>'
        '<outline xmlUrl="itpc://ex.com/b"/>'
        '<outline xmlUrl="javascript:alert(1)"/>'
        '<outline xmlUrl="relative/feed.xml"/>'
        '<outline xmlUrl=""/>'
        '<outline xmlUrl="https://ex.com/c" htmlUrl="/home"/>'
    )
    feeds = parse_opml(opml(body))
    assert urls(feeds) == ["http://ex.com/a", "http://ex.com/b", "https://ex.com/c"]
    assert feeds[-1].html_url == "https://ex.com/home"


def test_html_entities_and_bare_ampersands() -> None:
    body = (
        '<outline text="Caf&eacute;&nbsp;Talk &amp; more &#233;" xmlUrl="https://ex.com/f?a=1&b=2&amp;c=3"/>'
    )
    (feed,) = parse_opml(opml(body))
    assert feed.text == "Café Talk & more é"
    assert feed.url == "https://ex.com/f?a=1&b=2&c=3"


def test_unknown_entity_is_kept_as_text() -> None:
    (feed,) = parse_opml(opml('<outline text="A &bogus; B" xmlUrl="https://ex.com/f"/>'))
    assert feed.text == "A &bogus; B"


def test_broken_xml_is_recovered() -> None:
    data = b'<opml><body><outline text="A" xmlUrl="https://a.ex/f"><outline text="B" xmlUrl="https://b.ex/f">'
    assert urls(parse_opml(data)) == ["https://a.ex/f", "https://b.ex/f"]


def test_whitespace_in_titles_is_collapsed() -> None:
    (feed,) = parse_opml(opml('<outline text="  A \n  B  " xmlUrl="https://ex.com/f"/>'))
    assert feed.text == "A B"


def test_encodings() -> None:
    latin1 = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><opml><body><outline text="Café" xmlUrl="https://e.x/f"/>'
    )
    assert parse_opml((latin1 + "</body></opml>").encode("latin-1"))[0].text == "Café"
    bom = "\ufeff" + '<opml><body><outline text="Blåbær" xmlUrl="https://e.x/f"/></body></opml>'
    assert parse_opml(bom.encode("utf-8"))[0].text == "Blåbær"
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><opml><body><outline text="Ø" xmlUrl="https://e.x/f"/></body></opml>'
    assert parse_opml(utf16.encode("utf-16"))[0].text == "Ø"


def test_namespaced_and_uppercase_elements() -> None:
    data = (
        b'<OPML xmlns="http://opml.org/spec2"><BODY><Outline text="A" xmlUrl="https://a.ex/f"/></BODY></OPML>'
    )
    assert urls(parse_opml(data)) == ["https://a.ex/f"]


def test_empty_body_gives_no_feeds() -> None:
    assert parse_opml(opml("")) == []


# --- hostile input -----------------------------------------------------------------------------------------


def test_no_external_entities(tmp_path: object) -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline text="&xxe;" xmlUrl="https://ex.com/f"/></body></opml>'
    )
    (feed,) = parse_opml(data)
    assert "root:" not in (feed.text or "")


def test_no_entity_expansion() -> None:
    lol = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE opml [{lol}]><opml><body><outline text="&j;" xmlUrl="https://e.x/f"/></body></opml>'
    start = time.perf_counter()
    feeds = parse_opml(data.encode())
    assert time.perf_counter() - start < 2.0
    assert all(len(f.text or "") < 1000 for f in feeds)


def test_too_large() -> None:
    with pytest.raises(OPMLError, match=r"big\.opml: OPML is larger"):
        parse_opml(b" " * (MAX_OPML_BYTES + 1), source="big.opml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"garbage", "not an OPML document"),
        (b"\x00\x01\x02", "not an OPML document"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "root element is <rss>"),
        (b"<html><body><p>Not found</p></body></html>", "root element is <html>"),
    ],
)
def test_not_opml(data: bytes, message: str) -> None:
    with pytest.raises(OPMLError, match=message) as info:
        parse_opml(data, source="https://ex.com/subs.opml")
    assert str(info.value).startswith("https://ex.com/subs.opml: ")
    assert isinstance(info.value, FeedError)


def test_deep_nesting_is_bounded() -> None:
    data = opml('<outline text="x">' * 5000 + '<outline xmlUrl="https://ex.com/f"/>' + "</outline>" * 5000)
    start = time.perf_counter()
    parse_opml(data)
    assert time.perf_counter() - start < 2.0


# --- writing -------------------------------------------------------------------------------------------


def test_write_is_valid_opml_2() -> None:
    feeds = [
        OutlineFeed(url="https://ex.com/f?a=1&b=2", title="A & B <C>", html_url="https://ex.com/", text=None),
        OutlineFeed(url="https://ex.com/g", title=None, text=None, categories=["News", "Tech"]),
    ]
    data = write_opml(feeds, title='Lytt "export" & more', date=datetime(2024, 5, 21, 12, 0, tzinfo=UTC))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(data)
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == 'Lytt "export" & more'
    assert root.findtext("head/dateCreated") == "Tue, 21 May 2024 12:00:00 GMT"
    outlines = root.findall("body/outline")
    assert [dict(o.attrib) for o in outlines] == [
        {
            "type": "rss",
            "text": "A & B <C>",
            "title": "A & B <C>",
            "xmlUrl": "https://ex.com/f?a=1&b=2",
            "htmlUrl": "https://ex.com/",
        },
        {
            "type": "rss",
            "text": "https://ex.com/g",
            "title": "https://ex.com/g",
            "xmlUrl": "https://ex.com/g",
            "category": "/News,/Tech",
        },
    ]


def test_write_date_is_converted_to_utc() -> None:
    date = datetime(2024, 5, 21, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    root = etree.fromstring(write_opml([], title="t", date=date))
    assert root.findtext("head/dateCreated") == "Tue, 21 May 2024 10:00:00 GMT"


def test_write_without_date_uses_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    root = etree.fromstring(write_opml([], title="t"))
    from email.utils import parsedate_to_datetime

    created = parsedate_to_datetime(root.findtext("head/dateCreated") or "")
    assert before <= created <= datetime.now(UTC)


def test_write_drops_characters_xml_cannot_hold() -> None:
    data = write_opml([OutlineFeed(url="https://ex.com/f", title="a\x00b\x1fc")], title="t\x08")
    (feed,) = parse_opml(data)
    assert feed.title == "abc"


words = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="\ufffe\uffff\x85"
    ),
    min_size=1,
    max_size=12,
)
titles = st.lists(words, min_size=1, max_size=4).map(" ".join)
url_paths = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.~/&=?%+;,'\"<>", max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(titles, st.sampled_from(["ex.com", "a.example.org", "xn--blbr-roa.no"]), url_paths, titles),
        max_size=6,
        unique_by=lambda t: (t[1], t[2]),
    ),
    titles,
)
def test_round_trip(items: list[tuple[str, str, str, str]], title: str) -> None:
    feeds = [
        OutlineFeed(url=f"https://{host}/{path}", title=name, text=text, html_url=f"https://{host}/")
        for name, host, path, text in items
    ]
    parsed = parse_opml(write_opml(feeds, title=title), source="round-trip")
    assert parsed == feeds


def test_read_opml_names_the_outlines_it_skipped_and_whether_it_recovered() -> None:
    whole = read_opml(
        b'<opml version="2.0"><body><outline xmlUrl="https://a.org/f"/><outline xmlUrl="mailto:x@y"/>'
        b'<outline xmlUrl="  "/><outline text="folder"/></body></opml>'
    )
    assert [feed.url for feed in whole.feeds] == ["https://a.org/f"]
    assert whole.skipped == ["mailto:x@y"]
    assert whole.damage is None
    cut = read_opml(
        b'<opml version="2.0"><body><outline xmlUrl="https://a.org/f"/><outline xmlUrl="https://b'
    )
    assert [feed.url for feed in cut.feeds] == ["https://a.org/f"]
    assert cut.damage is not None
    assert cut.damage.startswith("line 1: ")
