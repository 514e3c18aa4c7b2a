"""parse_feed on a full podcast feed: one test per field group (channel, iTunes, Podcasting 2.0, items)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lytt.feeds import Episode, Feed, feed_to_dict, parse_feed

pytestmark = pytest.mark.usefixtures("native_code")

DATA = Path(__file__).parent / "data"
FEED_URL = "https://podcast.example/politisk/feed.xml"


@pytest.fixture(scope="module")
def feed(native_code: str) -> Feed:
    with (DATA / "full.xml").open("rb") as stream:
        return parse_feed(stream, url=FEED_URL)


@pytest.fixture(scope="module")
def newest(feed: Feed):
    return feed.episodes[0]


def test_channel_core(feed: Feed) -> None:
    assert feed.format == "rss"
    assert feed.title == "Politisk kvarter"
    assert feed.link == "https://podcast.example/politisk/"
    assert feed.feed_url == FEED_URL
    assert feed.self_url == "https://podcast.example/politisk/feed.xml"
    assert feed.hub_url == "https://pubsubhubbub.example/"
    assert feed.language == "nb-NO"
    assert feed.copyright == "© 2024 Kvarter AS"
    assert feed.generator == "Hand written"
    assert feed.published == datetime(2025, 12, 28, 5, 0, tzinfo=UTC)
    assert feed.last_build == datetime(2025, 12, 28, 7, 0, tzinfo=UTC)
    assert feed.warnings == []


def test_channel_description_prefers_description_over_summary_and_is_sanitised(feed: Feed) -> None:
    assert feed.description_html is not None
    assert "<b>politics</b>" in feed.description_html
    assert "script" not in feed.description_html
    assert "alert" not in feed.description_html
    assert feed.description_text is not None
    assert feed.description_text.startswith("Weekly politics from Oslo.")
    assert "<" not in feed.description_text


def test_channel_schedule_hints(feed: Feed) -> None:
    assert feed.ttl_minutes == 30
    assert feed.update_period == "daily"
    assert feed.update_frequency == 2
    assert feed.skip_hours == [1, 2]
    assert feed.skip_days == ["Saturday", "Sunday"]


def test_channel_itunes(feed: Feed) -> None:
    assert feed.author == "Kvarter AS"
    assert feed.owner is not None
    assert (feed.owner.name, feed.owner.email) == ("Kari Nordmann", "kari@podcast.example")
    assert feed.image == "https://podcast.example/cover.jpg"  # itunes:image wins over <image>
    assert feed.subtitle == "Politics, weekly"
    assert feed.categories == [
        ("News", "Politics"),
        ("News", "Daily News"),
        ("Society & Culture", None),
    ]
    assert feed.explicit is False
    assert feed.type == "episodic"
    assert feed.keywords == ["politikk", "nyheter", "Oslo"]
    assert feed.new_feed_url == "https://new.example/politisk.xml"
    assert feed.complete is True
    assert feed.block is False


def test_channel_podcasting20(feed: Feed) -> None:
    assert feed.podcast_guid == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert feed.locked is True
    assert feed.locked_owner == "kari@podcast.example"
    assert [(f.url, f.text) for f in feed.funding] == [
        ("https://podcast.example/support", "Støtt oss"),
        ("https://podcast.example/patreon", "Patreon"),  # relative, resolved against the feed URL
    ]
    assert [(p.name, p.role, p.group) for p in feed.persons] == [("Kari Nordmann", "host", "cast")]
    assert feed.location is not None
    assert (feed.location.name, feed.location.geo, feed.location.osm) == (
        "Oslo",
        "geo:59.91,10.75",
        "R406091",
    )
    assert feed.license is not None
    assert feed.license.name == "cc-by-4.0"
    assert feed.license.url == "https://creativecommons.org/licenses/by/4.0/"
    assert feed.medium == "podcast"
    assert feed.images == ["https://podcast.example/cover-1500.jpg", "https://podcast.example/cover-600.jpg"]
    assert [(t.text, t.purpose) for t in feed.txt] == [("S6lpp-7ZCn8-dZfGc-OoyaG", "verify")]


def test_channel_trailer_podroll_value(feed: Feed) -> None:
    [trailer] = feed.trailers
    assert trailer.url == "https://podcast.example/trailer.mp3"
    assert trailer.title == "Season 2 trailer"
    assert trailer.published == datetime(2021, 4, 1, 13, 0, tzinfo=UTC)
    assert (trailer.length, trailer.type, trailer.season) == (12345678, "audio/mpeg", 2)
    assert [(p.feed_guid, p.feed_url) for p in feed.podroll] == [
        ("a94f5cc9-8c58-55fc-91fe-a324087a655b", None),
        ("8c8f8e1e-a3b4-5f0e-b5d1-0e5f6b6f0c4a", "https://other.example/feed.xml"),
    ]
    assert feed.value is not None
    assert (feed.value.type, feed.value.method, feed.value.suggested) == (
        "lightning",
        "keysend",
        "0.00000005000",
    )
    first, second = feed.value.recipients
    assert (first.name, first.split, first.fee) == ("Kari", 95, False)
    assert (second.name, second.split, second.fee) == ("App", 5, True)
    assert (second.custom_key, second.custom_value) == ("696969", "eChoVKtO1KujpAA5HCoB")


def test_unknown_podcast_elements_are_kept(feed: Feed, newest) -> None:
    names = {(u.namespace, u.name) for u in feed.unknown}
    assert ("https://podcastindex.org/namespace/1.0", "updateFrequency") in names
    frequency = next(u for u in feed.unknown if u.name == "updateFrequency")
    assert frequency.attributes == {"rrule": "FREQ=WEEKLY"}
    assert frequency.text == "Weekly"
    assert "socialInteract" in {u.name for u in newest.unknown}


def test_episodes_newest_first(feed: Feed) -> None:
    assert [e.guid for e in feed.episodes] == ["kvarter-511", "kvarter-510"]


def test_episode_core(newest) -> None:
    assert newest.title == "Statsbudsjettet & deg"  # <title> wins over itunes:title
    assert newest.link == "https://podcast.example/politisk/511"
    assert newest.published == datetime(2025, 12, 28, 5, 0, tzinfo=UTC)
    assert newest.published_raw is None
    assert newest.enclosure is not None
    assert (newest.enclosure.url, newest.enclosure.type, newest.enclosure.length) == (
        "https://cdn.podcast.example/511.mp3",
        "audio/mpeg",
        83886080,
    )


def test_episode_itunes(newest) -> None:
    assert newest.duration_seconds == 5223
    assert newest.episode_number == 511
    assert newest.season == 7
    assert newest.episode_type == "full"
    assert newest.explicit is True
    assert newest.image == "https://podcast.example/511.jpg"
    assert newest.author == "Kari Nordmann"
    assert newest.subtitle == "Budget talk"
    assert newest.keywords == ["budsjett", "skatt"]


def test_episode_notes_prefer_content_encoded_and_are_sanitised(newest) -> None:
    html = newest.description_html
    assert html is not None
    assert "show notes" in html
    assert "https://podcast.example/notes/511" in html  # relative link resolved
    for hostile in ("<script", "onclick", "onmouseover", "<iframe", "alert(", "steal"):
        assert hostile not in html
    assert newest.description_text is not None
    assert "Full show notes." in newest.description_text
    assert "<" not in newest.description_text


def test_escaped_html_description(feed: Feed) -> None:
    older = feed.episodes[1]
    assert older.description_html is not None
    assert "<i>escaped</i>" in older.description_html
    assert older.description_text == "Plain escaped notes"
    assert older.duration_seconds == 5223


def test_episode_podcasting20(newest) -> None:
    assert newest.season_name == "Høst"
    assert newest.episode_display == "Episode 511"
    assert [(t.url, t.type, t.language, t.rel) for t in newest.transcripts] == [
        ("https://podcast.example/511.vtt", "text/vtt", "nb", "captions"),
        ("https://podcast.example/511.json", "application/json", None, None),
    ]
    assert [(p.name, p.role, p.group, p.href, p.img) for p in newest.persons] == [
        ("Ola Nordmann", "guest", "cast", "https://www.example/ola", "https://www.example/ola.jpg"),
        ("Kari Nordmann", "host", "cast", None, None),
    ]
    assert [(s.start_seconds, s.duration_seconds, s.title) for s in newest.soundbites] == [
        (73.0, 60.0, "The budget line"),
        (1234.5, 42.25, None),
    ]
    assert newest.location is not None
    assert newest.location.name == "Bergen"
    assert newest.license is not None
    assert newest.license.name == "cc-by-nc-4.0"
    assert newest.images == ["https://podcast.example/511-1500.jpg", "https://podcast.example/511-600.jpg"]
    assert [t.text for t in newest.txt] == ["episode note"]
    assert newest.value is not None
    assert [r.address for r in newest.value.recipients] == ["02abc"]


def test_alternate_enclosure(newest) -> None:
    [alternate] = newest.alternate_enclosures
    assert alternate.type == "audio/opus"
    assert alternate.length == 32400000
    assert alternate.bitrate == 96000.0
    assert alternate.title == "Opus"
    assert alternate.lang == "nb"
    assert alternate.default is True
    assert alternate.sources[0] == "https://cdn.podcast.example/511.opus"


def test_chapters_url_and_inline_podlove(newest) -> None:
    chapters = newest.chapters
    assert chapters is not None
    assert chapters.url == "https://podcast.example/511-chapters.json"
    assert chapters.type == "application/json+chapters"
    assert [(c.start_seconds, c.title) for c in chapters.inline] == [
        (0.0, "Intro"),
        (750.5, "Budsjettet"),
        (3723.0, "Spørsmål"),
    ]
    second = chapters.inline[1]
    assert second.href == "https://podcast.example/budget"
    assert second.image == "https://podcast.example/ch2.jpg"


def test_bytes_and_stream_give_the_same_result(feed: Feed) -> None:
    data = (DATA / "full.xml").read_bytes()
    assert parse_feed(data, url=FEED_URL) == feed


def test_feed_to_dict_is_json_ready(feed: Feed) -> None:
    doc = feed_to_dict(feed)
    assert json.loads(json.dumps(doc)) == doc
    assert doc["published"] == "2025-12-28T05:00:00Z"
    assert doc["categories"] == [["News", "Politics"], ["News", "Daily News"], ["Society & Culture", None]]
    assert doc["episodes"][0]["published"] == "2025-12-28T05:00:00Z"
    assert doc["episodes"][1]["link"] is None
    assert doc["trailers"][0]["published"] == "2021-04-01T13:00:00Z"


def test_feed_to_dict_turns_empty_strings_into_none() -> None:
    episode = Episode(guid="", title="T")
    assert feed_to_dict(Feed(title="", episodes=[episode]))["episodes"][0]["guid"] is None


def _items_with_people(count: int, distinct_roles: int = 1) -> bytes:
    items = "".join(
        f"""<item><guid>g{n}</guid><title>E{n}</title><itunes:author>The Show</itunes:author>
        <enclosure url="https://ex.com/{n}.mp3" type="audio/mpeg" length="1"/>
        <podcast:person role="role{n % distinct_roles}" href="https://ex.com/ann">Ann</podcast:person>
        <podcast:transcript url="https://ex.com/{n}.vtt" type="text/vtt" language="en"/></item>"""
        for n in range(count)
    )
    return (
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
        ' xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>T</title>'
        f"{items}</channel></rss>"
    ).encode()


def test_values_repeated_across_episodes_are_one_string() -> None:
    first, second = parse_feed(_items_with_people(2)).episodes
    assert first.persons[0].name == "Ann"
    assert first.persons[0].name is second.persons[0].name
    assert first.persons[0].href is second.persons[0].href
    assert first.author is second.author
    assert first.enclosure is not None
    assert second.enclosure is not None
    assert first.enclosure.type is second.enclosure.type
    assert first.transcripts[0].type is second.transcripts[0].type
    assert first.transcripts[0].language is second.transcripts[0].language


def test_shared_string_table_is_bounded() -> None:
    from lytt.feeds._common import MAX_SHARED_STRINGS, Context

    ctx = Context(None)
    for n in range(MAX_SHARED_STRINGS + 50):
        assert ctx.shared(f"role{n}") == f"role{n}"
    assert len(ctx.strings) == MAX_SHARED_STRINGS
    episodes = parse_feed(_items_with_people(60, distinct_roles=60)).episodes
    assert sorted(e.persons[0].role for e in episodes) == sorted(f"role{n}" for n in range(60))
