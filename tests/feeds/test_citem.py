"""The C item reader (`lytt.feeds._citem`) against the Python one it stands in for.

Every parse test in this directory already runs with both readers (the `item_reader` fixture). Here,
hypothesis writes items from the elements, attribute spellings and values that decide what the readers
do (case variants, blank and padded values, relative URLs and xml:base, non-ASCII text, markup and
entities inside elements, unknown elements), and both readers must give the same feed.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import examples
from tests.feeds.conftest import c_reader_required

from lytt.feeds import FeedError, _item_reader, parse_feed
from lytt.feeds._ns import WELL_KNOWN_PREFIXES

NAMESPACES = {**WELL_KNOWN_PREFIXES, "x": "urn:x-unknown"}

ELEMENTS = [
    *(("", name) for name in ("title", "link", "guid", "pubDate", "description", "author", "enclosure")),
    ("", "category"),
    ("", "comments"),
    *(
        ("itunes", name)
        for name in (
            "title",
            "author",
            "subtitle",
            "summary",
            "image",
            "duration",
            "explicit",
            "episode",
            "season",
            "episodeType",
            "block",
            "keywords",
        )
    ),
    *(("googleplay", name) for name in ("description", "explicit", "image", "author", "block")),
    ("dc", "creator"),
    ("dc", "date"),
    ("dcterms", "created"),
    ("content", "encoded"),
    *(("media", name) for name in ("content", "thumbnail", "title", "keywords", "group", "description")),
    ("psc", "chapters"),
    *(
        ("podcast", name)
        for name in (
            "transcript",
            "chapters",
            "person",
            "season",
            "episode",
            "soundbite",
            "location",
            "alternateEnclosure",
            "images",
            "license",
            "txt",
            "value",
            "guid",
            "funding",
        )
    ),
    ("atom", "link"),
    ("x", "thing"),
]
CHILDREN = [("psc", "chapter"), ("podcast", "source"), ("media", "thumbnail"), ("media", "title"), ("x", "y")]

ATTRIBUTE_NAMES = [
    *"url URL Url href HREF Href type TYPE length role group img startTime starttime duration".split(),
    *"geo osm srcset name display isPermaLink ISPERMALINK Ispermalink medium fileSize filesize".split(),
    *"uri start title image lang bitrate height rel default language method text purpose x:url".split(),
    "xml:base",
]
VALUES = [
    "https://a.example/x.mp3",
    " https://a.example/padded.mp3 ",
    "http://a.example/plain",
    "relative/path.mp3",
    "/absolute/path.jpg",
    "",
    "   ",
    "audio/mpeg",
    "AUDIO/MPEG",
    "video/mp4",
    "image/jpeg",
    "application/pdf",
    "image",
    "Audio",
    "12",
    " 1,234 ",
    "1.5",
    "-3",
    "inf",
    "nan",
    "1e3",
    "00:01:02.5",
    "1:02",
    "7:99:00:00",
    "x",
    "true",
    "Yes",
    "false",
    "FALSE",
    "fAlSe ",
    "host",
    "Guest",
    "ÅSE",
    "https://ø.example/x",
    "mailto:a@b.example",
    "http://a.example/a b",
    "https://a.example/a?b=1&c=2",
    "javascript:alert(1)",
    "Ep. 5",
    "\u0663",
    "\u00a0x\u00a0",
    "\u2003padded\u2003",
    "a, b,,c, ",
    "https://a.example/1.jpg 1500w, /2.jpg 600w,\thttps://a.example/3.jpg",
    "https://a.example/\u00e9",
    "https://a.example/" + "p" * 2100,
]
URLS = [value for value in VALUES if "/" in value or ":" in value]
URL_ATTRIBUTES = {"url", "href", "uri", "img", "image", "srcset", "x:url"}
TEXTS = [
    "",
    "  ",
    "Plain text",
    "  padded text  ",
    "Tom &amp; Jerry",
    "&lt;p&gt;escaped&lt;/p&gt;",
    "<![CDATA[<p>Notes with <a href='https://a.example/'>a link</a></p>]]>",
    "<![CDATA[  ]]>",
    "mixed <b>bold</b> tail",
    "<x:y>nested</x:y>",
    "\u00a0nbsp\u00a0",
    "\u3000wide\u3000",
    "Øystein Åse",
    "12",
    "  42  ",
    "1:02:03",
    "yes",
    "No",
    "https://a.example/text-url",
    "relative/text-url",
    "news, politics ,, bench",
    "full",
    "Trailer",
    "Mon, 05 Jan 2026 08:00:00 +0100",
    "not a date",
]


# The attributes each element is read for, so that generated items exercise them often.
RELEVANT = {
    "enclosure": ["url", "type", "length"],
    "content": ["url", "type", "medium", "fileSize", "duration"],
    "thumbnail": ["url"],
    "image": ["href", "url"],
    "link": ["href", "rel", "type", "length"],
    "guid": ["isPermaLink"],
    "transcript": ["url", "type", "language", "rel"],
    "chapters": ["url", "type"],
    "chapter": ["start", "title", "href", "image"],
    "person": ["role", "group", "href", "img"],
    "season": ["name"],
    "episode": ["display"],
    "soundbite": ["startTime", "duration"],
    "location": ["geo", "osm"],
    "alternateenclosure": ["type", "length", "bitrate", "height", "lang", "title", "rel", "default"],
    "source": ["uri"],
    "images": ["srcset"],
}


def _case(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.lower(), name.upper(), name[:1].upper() + name[1:]])


def _value(attribute: str) -> st.SearchStrategy[str]:
    if attribute.lower() in URL_ATTRIBUTES:
        return st.sampled_from(URLS) | st.sampled_from(VALUES)
    return st.sampled_from(VALUES)


def _tag(prefix: str, local: str) -> str:
    return f"{prefix}:{local}" if prefix else local


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    prefix, local = draw(st.sampled_from(CHILDREN if depth else ELEMENTS))
    tag = _tag(prefix, draw(_case(local)) if draw(st.booleans()) else local)
    relevant = RELEVANT.get(local.lower(), [])
    if draw(st.booleans()):
        names = list(relevant)
    else:
        names = [name for name in draw(st.lists(st.sampled_from(relevant or [""]), unique=True)) if name]
    names += draw(st.lists(st.sampled_from(ATTRIBUTE_NAMES), max_size=3))
    names = list({name.lower(): name for name in names}.values())  # no attribute twice
    attributes = "".join(f" {name}={quoteattr(draw(_value(name)))}" for name in names)
    parts = [draw(st.sampled_from(TEXTS)) if draw(st.booleans()) else escape(draw(st.sampled_from(VALUES)))]
    if depth < 2:
        parts.extend(draw(st.lists(_element(depth + 1), max_size=3)))
    return f"<{tag}{attributes}>{''.join(parts)}</{tag}>"


@st.composite
def _feed(draw: st.DrawFn) -> bytes:
    declarations = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    items = []
    for _ in range(draw(st.integers(1, 3))):
        base = draw(st.sampled_from(["", ' xml:base="https://base.example/dir/"']))
        items.append(f"<item{base}>{''.join(draw(st.lists(_element(), max_size=12)))}</item>")
    channel = f"<channel><title>T</title>{''.join(items)}</channel>"
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"{declarations}>{channel}</rss>'.encode()


def _parse_with(collect: Any, data: bytes, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(_item_reader, "collect_item", collect)
        try:
            return dataclasses.asdict(parse_feed(data, url="https://feed.example/podcast/feed.xml"))
        except FeedError as exc:
            return (type(exc).__name__, str(exc))


@pytest.fixture(scope="module")
def c_collect() -> Any:
    if _item_reader.C_READER is None:
        if c_reader_required():
            pytest.fail("the C item reader (lytt.feeds._citem) is not built")
        pytest.skip("the C item reader is not built here or is turned off (LYTT_PURE_PYTHON=1)")
    return _item_reader.C_READER.collect_item


@settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_feed())
def test_c_reader_gives_what_the_python_reader_gives(
    data: bytes, c_collect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    python = _parse_with(_item_reader.python_collect_item, data, monkeypatch)
    assert _parse_with(c_collect, data, monkeypatch) == python


def test_the_c_reader_is_what_parse_feed_uses(c_collect: Any) -> None:
    assert _item_reader.collect_item is c_collect


def test_c_reader_refuses_what_is_not_an_lxml_element(c_collect: Any) -> None:
    from lytt.feeds._common import Context
    from lytt.feeds.model import Episode

    with pytest.raises(TypeError, match="lxml element"):
        c_collect("<item/>", Episode(), Context(None))


def test_c_reader_refuses_model_classes_it_was_not_written_for(c_collect: Any) -> None:
    from lytt.feeds import model

    @dataclasses.dataclass(slots=True)
    class Person:  # a field added in the middle: slots filled by position would get the wrong values
        name: str
        nickname: str | None = None
        role: str | None = None
        group: str | None = None
        href: str | None = None
        img: str | None = None

    models = {name: getattr(model, name) for name in _item_reader.MODELS}
    assert _item_reader.C_READER is not None
    with pytest.raises(TypeError, match="Person"):
        _item_reader.configure(_item_reader.C_READER, {**models, "Person": Person})
    _item_reader.configure(_item_reader.C_READER)  # and the real classes are still accepted
    assert parse_feed(
        b'<rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><item>'
        b'<podcast:person role="guest">Ann</podcast:person></item></channel></rss>'
    ).episodes[0].persons == [model.Person(name="Ann", role="guest", group="cast")]
