"""The ways real feeds break the rules, one test per quirk."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lytt.feeds import parse_feed

pytestmark = pytest.mark.usefixtures("native_code")

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def rss(channel: str, *, attrs: str = "", decl: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return f'{decl}\n<rss version="2.0"{attrs}><channel>{channel}</channel></rss>'.encode()


def test_undeclared_well_known_prefixes() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title><itunes:author>Ann</itunes:author><googleplay:owner>g@x.example</googleplay:owner>"
            "<podcast:guid>pg</podcast:guid>"
            "<item><title>E</title><content:encoded><![CDATA[<p>notes</p>]]></content:encoded>"
            '<media:thumbnail url="https://x.example/t.jpg"/><itunes:duration>61</itunes:duration></item>'
        )
    )
    assert feed.author == "Ann"
    assert feed.podcast_guid == "pg"
    assert feed.owner is not None
    assert feed.owner.email == "g@x.example"
    [episode] = feed.episodes
    assert episode.description_text == "notes"
    assert episode.image == "https://x.example/t.jpg"
    assert episode.duration_seconds == 61
    assert feed.warnings == []


@pytest.mark.parametrize(
    ("prefix", "uri", "element"),
    [
        ("itunes", "https://www.itunes.com/dtds/podcast-1.0.dtd", "<itunes:author>A</itunes:author>"),
        ("itunes", "http://www.itunes.com/DTDs/Podcast-1.0.dtd", "<itunes:author>A</itunes:author>"),
        ("podcast", "https://podcastindex.org/namespace/1.0/", "<podcast:guid>A</podcast:guid>"),
        ("podcast", "http://podcastindex.org/namespace/1.0", "<podcast:guid>A</podcast:guid>"),
        (
            "podcast",
            "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
            "<podcast:guid>A</podcast:guid>",
        ),
        ("p", "https://podcastindex.org/namespace/1.0", "<p:guid>A</p:guid>"),
    ],
)
def test_namespace_uri_variants(prefix: str, uri: str, element: str) -> None:
    feed = parse_feed(rss(f"<title>T</title>{element}", attrs=f' xmlns:{prefix}="{uri}"'))
    assert "A" in (feed.author, feed.podcast_guid)


def test_case_variants_of_tags_and_attributes() -> None:
    feed = parse_feed(
        rss(
            "<Title>T</Title><itunes:Author>A</itunes:Author><itunes:IMAGE HREF='https://x.example/c.jpg'/>"
            "<item><Title>E</Title><PubDate>Tue, 21 May 2024 10:00:00 GMT</PubDate>"
            "<itunes:Duration>10:00</itunes:Duration><itunes:episodeType>BONUS</itunes:episodeType>"
            "<Enclosure URL='https://x.example/a.mp3' Type='audio/mpeg' Length='5'/></item>",
            attrs=f' xmlns:itunes="{ITUNES}"',
        )
    )
    assert (feed.title, feed.author, feed.image) == ("T", "A", "https://x.example/c.jpg")
    [episode] = feed.episodes
    assert episode.published == datetime(2024, 5, 21, 10, tzinfo=UTC)
    assert episode.duration_seconds == 600
    assert episode.episode_type == "bonus"
    assert episode.enclosure is not None
    assert episode.enclosure.url == "https://x.example/a.mp3"


def test_guid_falls_back_to_link_then_enclosure() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title>"
            "<item><title>a</title><link>https://x.example/a</link></item>"
            "<item><title>b</title><enclosure url='https://x.example/b.mp3' type='audio/mpeg'/></item>"
            "<item><title>c</title><guid>https://x.example/c</guid></item>"
        )
    )
    by_title = {e.title: e for e in feed.episodes}
    assert by_title["a"].guid == "https://x.example/a"
    assert by_title["b"].guid == "https://x.example/b.mp3"
    assert by_title["c"].guid == "https://x.example/c"
    assert by_title["c"].link == "https://x.example/c"  # permalink guid doubles as the link


def test_episodic_feeds_are_sorted_newest_first_with_undated_last() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title>"
            "<item><guid>undated</guid></item>"
            "<item><guid>old</guid><pubDate>Mon, 01 Jan 2018 00:00:00 GMT</pubDate></item>"
            "<item><guid>new</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>"
        )
    )
    assert [e.guid for e in feed.episodes] == ["new", "old", "undated"]


def test_serial_feeds_keep_the_publishers_order() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title><itunes:type>serial</itunes:type>"
            "<item><guid>1</guid><pubDate>Mon, 01 Jan 2018 00:00:00 GMT</pubDate></item>"
            "<item><guid>2</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>"
        )
    )
    assert feed.type == "serial"
    assert [e.guid for e in feed.episodes] == ["1", "2"]


def test_relative_urls_use_xml_base_then_the_feed_url() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title><link>/show/</link>"
            "<item xml:base='https://cdn.example/media/'><guid>1</guid>"
            "<enclosure url='ep1.mp3' type='audio/mpeg'/><link>../page/1</link></item>"
            "<item><guid>2</guid><enclosure url='/audio/ep2.mp3'/></item>"
        ),
        url="https://feeds.example/podcasts/feed.xml",
    )
    assert feed.link == "https://feeds.example/show/"
    by_guid = {e.guid: e for e in feed.episodes}
    assert by_guid["1"].enclosure is not None
    assert by_guid["1"].enclosure.url == "https://cdn.example/media/ep1.mp3"
    assert by_guid["1"].link == "https://cdn.example/page/1"
    assert by_guid["2"].enclosure is not None
    assert by_guid["2"].enclosure.url == "https://feeds.example/audio/ep2.mp3"


def test_declared_latin1() -> None:
    data = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>Blåbær</title></channel></rss>'
    assert parse_feed(data.encode("latin-1")).title == "Blåbær"


def test_windows_1252_smart_quotes_under_a_latin1_declaration() -> None:
    data = (
        b'<?xml version="1.0" encoding="iso-8859-1"?>'
        b"<rss><channel><title>\x93Hi\x94 \x96 ok</title></channel></rss>"
    )
    assert parse_feed(data).title == "\u201cHi\u201d \u2013 ok"


def test_wrongly_declared_utf8_with_cp1252_bytes_is_recovered() -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b"<rss><channel><title>Bl\xe5b\xe6r \x96 \xc3\xa6</title></channel></rss>"
    )
    feed = parse_feed(data)
    assert feed.title == "Blåbær – æ"
    assert any("cp1252" in warning for warning in feed.warnings)


def test_http_charset_when_the_document_does_not_declare_one() -> None:
    data = "<rss><channel><title>Søndag</title></channel></rss>".encode("iso-8859-1")
    assert parse_feed(data, content_type="application/rss+xml; charset=ISO-8859-1").title == "Søndag"


def test_declaration_wins_over_a_wrong_http_charset() -> None:
    data = '<?xml version="1.0" encoding="utf-8"?><rss><channel><title>Søndag</title></channel></rss>'
    feed = parse_feed(data.encode(), content_type="text/xml; charset=iso-8859-1")
    assert feed.title == "Søndag"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_byte_order_marks_and_utf16(codec: str) -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><rss><channel><title>Ærlig talt</title></channel></rss>'
    if codec == "utf-8-sig":
        text = text.replace("UTF-16", "UTF-8")
    data = text.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):
        data = ("\ufeff".encode(codec)) + data
    assert parse_feed(data).title == "Ærlig talt"


def test_unknown_encoding_label_falls_back_to_utf8_with_warning() -> None:
    data = '<?xml version="1.0" encoding="x-no-such"?><rss><channel><title>Å</title></channel></rss>'
    feed = parse_feed(data.encode())
    assert feed.title == "Å"
    assert any("x-no-such" in warning for warning in feed.warnings)


def test_leading_whitespace_before_the_declaration() -> None:
    assert (
        parse_feed(b'\n\n  <?xml version="1.0"?><rss><channel><title>T</title></channel></rss>').title == "T"
    )


def test_html_entities_and_control_characters_are_repaired() -> None:
    data = rss("<title>Caf&eacute;&nbsp;Oslo &amp; more&hellip; &bogus;\x0b</title>")
    feed = parse_feed(data)
    assert feed.title == "Café\u00a0Oslo & more… &bogus;"
    assert not any("recovered" in warning for warning in feed.warnings)


def test_raw_html_inside_description_without_cdata() -> None:
    feed = parse_feed(
        rss("<title>T</title><item><guid>1</guid><description><p>Hi <b>there</b></p></description></item>")
    )
    html = feed.episodes[0].description_html
    assert html is not None
    assert "<b>there</b>" in html
    assert feed.episodes[0].description_text == "Hi there"


def test_description_order_content_then_description_then_summary() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title>"
            "<item><guid>a</guid><itunes:summary>S</itunes:summary><description>D</description></item>"
            "<item><guid>b</guid><itunes:summary>S</itunes:summary></item>"
        )
    )
    by_guid = {e.guid: e for e in feed.episodes}
    assert by_guid["a"].description_text == "D"
    assert by_guid["b"].description_text == "S"


def test_media_rss_fallbacks() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title><media:thumbnail url='https://x.example/show.jpg'/>"
            "<item><guid>1</guid><media:group>"
            "<media:content url='https://x.example/cover.jpg' medium='image'/>"
            "<media:content url='https://x.example/a.m4a' type='audio/mp4' fileSize='99' duration='125.4'/>"
            "<media:description type='plain'>Plain &lt;notes&gt;</media:description>"
            "</media:group></item>"
        )
    )
    assert feed.image == "https://x.example/show.jpg"
    [episode] = feed.episodes
    assert episode.enclosure is not None
    assert (episode.enclosure.url, episode.enclosure.type, episode.enclosure.length) == (
        "https://x.example/a.m4a",
        "audio/mp4",
        99,
    )
    assert episode.duration_seconds == 125
    assert episode.image == "https://x.example/cover.jpg"
    assert episode.description_text == "Plain <notes>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("Yes", True),
        ("true", True),
        ("explicit", True),
        ("no", False),
        ("false", False),
        ("clean", False),
        ("maybe", None),
        ("", None),
    ],
)
def test_explicit_variants(value: str, expected: bool | None) -> None:
    feed = parse_feed(
        rss(
            f"<title>T</title><itunes:explicit>{value}</itunes:explicit>"
            f"<item><guid>1</guid><itunes:explicit>{value}</itunes:explicit></item>"
        )
    )
    assert feed.explicit is expected
    assert feed.episodes[0].explicit is expected


def test_googleplay_fallbacks() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title><googleplay:author>G</googleplay:author>"
            "<googleplay:image href='https://x.example/g.jpg'/><googleplay:explicit>yes</googleplay:explicit>"
            "<googleplay:description>Desc</googleplay:description>"
        )
    )
    assert (feed.author, feed.image, feed.explicit, feed.description_text) == (
        "G",
        "https://x.example/g.jpg",
        True,
        "Desc",
    )


def test_itunes_image_url_in_text_or_url_attribute() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title><itunes:image>https://x.example/text.jpg</itunes:image>"
            "<item><guid>1</guid><itunes:image url='https://x.example/attr.jpg'/></item>"
        )
    )
    assert feed.image == "https://x.example/text.jpg"
    assert feed.episodes[0].image == "https://x.example/attr.jpg"


def test_unparseable_date_keeps_the_raw_value() -> None:
    feed = parse_feed(rss("<title>T</title><item><guid>1</guid><pubDate>sometime soon</pubDate></item>"))
    assert feed.episodes[0].published is None
    assert feed.episodes[0].published_raw == "sometime soon"


def test_missing_values_are_none_never_empty_strings() -> None:
    feed = parse_feed(
        rss(
            "<title>  </title><link/><description><![CDATA[ ]]></description><itunes:author/>"
            "<item><title></title><guid> </guid><enclosure url=''/></item>"
        )
    )
    assert (feed.title, feed.link, feed.description_html, feed.author) == (None, None, None, None)
    [episode] = feed.episodes
    assert (episode.title, episode.guid, episode.enclosure) == (None, None, None)


def test_numbers_are_lenient() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title><item><guid>1</guid><itunes:episode> 12 </itunes:episode>"
            "<itunes:season>x</itunes:season><podcast:season>3</podcast:season>"
            "<enclosure url='https://x.example/a.mp3' length='-1'/></item>"
            "<item><guid>2</guid><podcast:episode>204.5</podcast:episode></item>"
        )
    )
    by_guid = {e.guid: e for e in feed.episodes}
    assert by_guid["1"].episode_number == 12
    assert by_guid["1"].season == 3
    assert by_guid["1"].enclosure is not None
    assert by_guid["1"].enclosure.length is None
    assert by_guid["2"].episode_number is None
    assert by_guid["2"].episode_display == "204.5"


def test_rss_091_with_external_doctype() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        b'<rss version="0.91"><channel><title>Old</title><language>en-us</language>'
        b"<item><title>One</title><link>https://x.example/1</link></item></channel></rss>"
    )
    feed = parse_feed(data)
    assert feed.title == "Old"
    assert [e.guid for e in feed.episodes] == ["https://x.example/1"]


def test_rss_10_rdf() -> None:
    data = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://x.example/"><title>RDF show</title><link>https://x.example/</link>
    <description>An RSS 1.0 feed</description><dc:language>en</dc:language></channel>
  <image rdf:about="https://x.example/i.png"><url>https://x.example/i.png</url></image>
  <item rdf:about="https://x.example/1"><title>First</title><link>https://x.example/1</link>
    <dc:date>2024-05-21T10:00:00Z</dc:date><dc:creator>Ann</dc:creator></item>
</rdf:RDF>"""
    feed = parse_feed(data)
    assert feed.format == "rdf"
    assert (feed.title, feed.language, feed.image) == ("RDF show", "en", "https://x.example/i.png")
    [episode] = feed.episodes
    assert episode.title == "First"
    assert episode.author == "Ann"
    assert episode.published == datetime(2024, 5, 21, 10, tzinfo=UTC)


def test_stream_input_that_cannot_seek_is_recovered_too() -> None:
    class Unseekable(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    data = rss("<title>T</title><item><guid>1</guid><title>Caf&eacute;</title></item>")
    feed = parse_feed(Unseekable(data))  # type: ignore[arg-type]
    assert feed.episodes[0].title == "Café"


def test_junk_before_the_xml_declaration_is_skipped() -> None:
    data = (
        b"<br />\n<b>Warning</b>: something in feed.php<br />\n"
        b'<?xml version="1.0"?><rss><channel><title>T</title></channel></rss>'
    )
    feed = parse_feed(data)
    assert feed.title == "T"
    assert "ignored text before the XML declaration" in feed.warnings


def test_utf8_bytes_under_a_latin1_declaration_are_read_as_utf8() -> None:
    data = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>Blåbær</title></channel></rss>'
    feed = parse_feed(data.encode("utf-8"))
    assert feed.title == "Blåbær"
    assert any("bytes are UTF-8" in warning for warning in feed.warnings)


def test_non_ascii_under_an_ascii_declaration() -> None:
    data = '<?xml version="1.0" encoding="us-ascii"?><rss><channel><title>Blåbær</title></channel></rss>'
    assert parse_feed(data.encode("utf-8")).title == "Blåbær"


def test_entities_in_tagless_notes_are_not_escaped_twice() -> None:
    feed = parse_feed(
        rss("<title>T</title><item><guid>1</guid><description>Tom &amp;amp; Jerry</description></item>")
    )
    assert feed.episodes[0].description_text == "Tom & Jerry"
    assert "&amp;amp;" not in (feed.episodes[0].description_html or "")


def test_podcast_elements_in_the_wrong_scope_are_kept_as_unknown() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title><podcast:transcript url='https://x.example/t.vtt'/>"
            "<item><guid>1</guid><podcast:funding url='https://x.example/f'>F</podcast:funding>"
            "<podcast:locked>yes</podcast:locked></item>"
        )
    )
    assert [u.name for u in feed.unknown] == ["transcript"]
    assert [u.name for u in feed.episodes[0].unknown] == ["funding", "locked"]
    assert feed.locked is False
    assert feed.funding == []


_TITLE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=60, deadline=None)
@given(title=_TITLE_TEXT, codec=st.sampled_from(["utf-8", "utf-16", "iso-8859-1", "windows-1252", "koi8-r"]))
def test_any_title_survives_any_declared_encoding(title: str, codec: str) -> None:
    try:
        encoded = title.encode(codec)
    except UnicodeEncodeError:
        assume(False)
    if codec in ("iso-8859-1", "windows-1252") and not encoded.isascii():
        # Single-byte text that is also valid UTF-8 ("Ã©") is read as UTF-8 on purpose: in real feeds a
        # wrong latin-1 declaration is far more common than such text (see _xml._looks_like_utf8).
        try:
            encoded.decode("utf-8")
            assume(False)
        except UnicodeDecodeError:
            pass
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    document = (
        f'<?xml version="1.0" encoding="{codec}"?><rss><channel><title>{escaped}</title></channel></rss>'
    )
    assert parse_feed(document.encode(codec)).title == title


def test_bare_ampersands_are_text() -> None:
    feed = parse_feed(
        rss("<title>Q&A & more &c</title><item><guid>1</guid><title>Tom & Jerry</title></item>")
    )
    assert feed.title == "Q&A & more &c"
    assert feed.episodes[0].title == "Tom & Jerry"


def test_value_time_splits_are_parsed() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title><item><guid>1</guid><podcast:value type='lightning' method='keysend'>"
            "<podcast:valueRecipient type='node' address='02ab' split='100'/>"
            "<podcast:valueTimeSplit startTime='60' duration='237' remotePercentage='95'>"
            "<podcast:remoteItem itemGuid='x' feedGuid='y'/></podcast:valueTimeSplit>"
            "<podcast:valueTimeSplit startTime='300.5' duration='60' remoteStartTime='10'>"
            "<podcast:valueRecipient type='node' address='03cd' split='1'/></podcast:valueTimeSplit>"
            "<podcast:valueTimeSplit duration='60'/>"
            "<podcast:somethingNew/>"
            "</podcast:value></item>"
        )
    )
    episode = feed.episodes[0]
    assert episode.value is not None
    assert [r.address for r in episode.value.recipients] == ["02ab"]  # not the split's recipient
    remote, local = episode.value.time_splits  # the one without a startTime is left out
    assert (remote.start_time, remote.duration, remote.remote_percentage) == (60.0, 237.0, 95)
    assert (remote.remote_feed_guid, remote.remote_item_guid, remote.recipients) == ("y", "x", [])
    assert (local.start_time, local.remote_start_time, local.remote_percentage) == (300.5, 10.0, 100)
    assert [r.address for r in local.recipients] == ["03cd"]
    [other] = episode.unknown
    assert other.name == "somethingNew"


def test_a_media_enclosure_wins_over_an_earlier_image_enclosure() -> None:
    feed = parse_feed(
        rss(
            "<title>T</title><item><guid>1</guid>"
            "<enclosure url='https://x.example/cover.jpg' type='image/jpeg'/>"
            "<enclosure url='https://x.example/a.mp3' type='audio/mpeg'/>"
            "<enclosure url='https://x.example/b.mp3' type='audio/mpeg'/></item>"
            "<item><guid>2</guid><enclosure url='https://x.example/only.pdf' type='application/pdf'/></item>"
        )
    )
    by_guid = {e.guid: e for e in feed.episodes}
    assert by_guid["1"].enclosure is not None
    assert by_guid["1"].enclosure.url == "https://x.example/a.mp3"
    assert by_guid["2"].enclosure is not None
    assert by_guid["2"].enclosure.url == "https://x.example/only.pdf"
