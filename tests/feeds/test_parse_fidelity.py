"""Feed fidelity: the guid as link, the old <redirect> move notice, and podcast:block, with both readers."""

from __future__ import annotations

import pytest

from lytt.feeds import parse_feed

PODCAST = "https://podcastindex.org/namespace/1.0"


def feed_with(channel: str, *, base: str = "") -> bytes:
    xml_base = f' xml:base="{base}"' if base else ""
    head = f'<rss version="2.0" xmlns:podcast="{PODCAST}"><channel{xml_base}>'
    return f"{head}<title>T</title>{channel}</channel></rss>".encode()


@pytest.mark.parametrize(
    ("guid", "base", "link"),
    [
        ("<guid>https://x.example/ep/1</guid>", "", "https://x.example/ep/1"),  # no attribute: RSS's default
        ('<guid isPermaLink="true">https://x.example/ep/1</guid>', "", "https://x.example/ep/1"),
        (
            '<guid isPermaLink="true">ep/1</guid>',
            "https://base.example/show/",
            "https://base.example/show/ep/1",
        ),
        ('<guid isPermaLink="TRUE">/ep/2</guid>', "https://base.example/show/", "https://base.example/ep/2"),
        ("<guid>ep/1</guid>", "https://base.example/show/", None),  # no attribute: only an absolute URL
        ("<guid>urn:uuid:4f1b</guid>", "", None),
        ('<guid isPermaLink="false">https://x.example/ep/1</guid>', "", None),
        ('<guid isPermaLink="False">https://x.example/ep/1</guid>', "", None),
        ('<guid isPermaLink="true">mailto:a@x.example</guid>', "", None),
    ],
)
def test_guid_is_the_link_when_it_is_a_permalink(guid: str, base: str, link: str | None) -> None:
    [episode] = parse_feed(feed_with(f"<item><title>E</title>{guid}</item>", base=base)).episodes
    assert episode.link == link


def test_an_item_link_wins_over_the_guid() -> None:
    item = "<item><link>https://x.example/page</link><guid>https://x.example/guid</guid></item>"
    [episode] = parse_feed(feed_with(item)).episodes
    assert episode.link == "https://x.example/page"
    assert episode.guid == "https://x.example/guid"


def test_redirect_new_location_moves_the_feed() -> None:
    feed = parse_feed(
        feed_with("<redirect><newLocation> https://new.example/feed.xml </newLocation></redirect>")
    )
    assert feed.new_feed_url == "https://new.example/feed.xml"


def test_itunes_new_feed_url_wins_over_redirect() -> None:
    itunes = 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
    data = (
        f'<rss version="2.0" {itunes}><channel><title>T</title>'
        "<redirect><newLocation>https://old-style.example/f</newLocation></redirect>"
        "<itunes:new-feed-url>https://itunes.example/f</itunes:new-feed-url></channel></rss>"
    ).encode()
    assert parse_feed(data).new_feed_url == "https://itunes.example/f"


def test_empty_redirect_is_no_move() -> None:
    assert parse_feed(feed_with("<redirect><newLocation> </newLocation></redirect>")).new_feed_url is None


def test_podcast_block_per_platform() -> None:
    feed = parse_feed(
        feed_with(
            "<podcast:block>yes</podcast:block>"
            '<podcast:block id="Lytt">no</podcast:block>'
            '<podcast:block id="spotify">yes</podcast:block>'
            '<podcast:block id="spotify">no</podcast:block>'
        )
    )
    assert feed.platform_blocks == {"": True, "lytt": False, "spotify": True}  # the first word per id counts


def test_podcast_block_without_a_yes_or_no_is_kept_as_unknown() -> None:
    feed = parse_feed(feed_with("<podcast:block>perhaps</podcast:block>"))
    assert feed.platform_blocks == {}
    assert [(element.namespace, element.name) for element in feed.unknown] == [(PODCAST, "block")]


def test_podcast_block_on_an_item_is_not_the_show_s() -> None:
    feed = parse_feed(feed_with("<item><title>E</title><podcast:block>yes</podcast:block></item>"))
    assert feed.platform_blocks == {}
    assert not feed.episodes[0].block
