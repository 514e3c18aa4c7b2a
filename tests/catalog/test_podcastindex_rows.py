"""Reading one row of the Podcast Index dump (pure): its quirks, and categories back onto the taxonomy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from tests.catalog.pidumps import GENERATOR, pi_row

from lytt.catalog import rows
from lytt.catalog.podcastindex_categories import apple_categories
from lytt.catalog.podcastindex_rows import COLUMNS, BadRow, DumpRow, dump_popularity, read_row

GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def read(shared: frozenset[str] = frozenset(), **values: Any) -> DumpRow:
    row = pi_row(7, **values)
    return read_row([row[column] for column in COLUMNS], shared)


def test_a_plain_row_becomes_a_feed_url_and_show_fields() -> None:
    got = read(
        url="HTTPS://Feeds.Example.COM/7.xml", itunesType="Serial", explicit=1, itunesOwnerName="Owner"
    )
    assert (got.pi_id, got.url, got.dead, got.itunes_id) == (
        7,
        "https://feeds.example.com/7.xml",
        False,
        1_000_007,
    )
    feed = got.feed
    assert (feed.title, feed.author, feed.type, feed.explicit) == ("Show 7", "Author 7", "serial", True)
    assert feed.owner is not None
    assert feed.owner.name == "Owner"
    assert feed.description_html == "<p>About show 7</p>"
    assert feed.description_text == "About show 7"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(123456, 123456), ("987", 987), ("", None), (None, None), ("id12x", None), (0, None), (-5, None)],
)
def test_itunes_id_is_kept_only_when_it_is_a_positive_integer(cell: object, expected: int | None) -> None:
    assert read(itunesId=cell).itunes_id == expected


@pytest.mark.parametrize(("cell", "expected"), [("EN-us", "EN-us"), ("  nb ", "nb"), ("", None), (" ", None)])
def test_language_is_trimmed_and_blank_is_none(cell: str, expected: str | None) -> None:
    """Lower-casing is `rows.show_fields`' job, as for a crawled feed (tests/catalog/test_podcastindex)."""
    assert read(language=cell).feed.language == expected


def test_a_guid_shared_by_other_rows_or_not_a_uuid_is_dropped() -> None:
    assert read(podcastGuid=GUID.upper()).feed.podcast_guid == GUID
    assert read(frozenset({GUID}), podcastGuid=GUID).feed.podcast_guid is None
    assert read(podcastGuid="not-a-guid").feed.podcast_guid is None
    assert read(podcastGuid=None).feed.podcast_guid is None


def test_html_descriptions_are_sanitised_like_show_notes() -> None:
    feed = read(
        description="<p onclick=x>Hi &amp; bye<script>alert(1)</script></p><img src=x onerror=y>"
    ).feed
    assert feed.description_html is not None
    assert "script" not in feed.description_html
    assert "onclick" not in feed.description_html
    assert "onerror" not in feed.description_html
    assert feed.description_text == "Hi & bye"


@pytest.mark.parametrize(
    ("cell", "dead"), [(1, True), ("1", True), (0, False), (None, False), ("true", True)]
)
def test_dead_flags_in_any_form(cell: object, dead: bool) -> None:
    assert read(dead=cell).dead is dead


def test_images_and_links_that_are_not_http_urls_are_dropped() -> None:
    feed = read(imageUrl="javascript:alert(1)", link="https://show.example/").feed
    assert (feed.image, feed.link) == (None, "https://show.example/")


@pytest.mark.parametrize(
    ("values", "column"),
    [({"url": "ftp://x.example/feed"}, "'url'"), ({"url": None}, "'url'"), ({"id": "seven"}, "'id'")],
)
def test_a_row_without_a_feed_url_or_id_is_a_bad_row_naming_the_column(
    values: dict[str, Any], column: str
) -> None:
    with pytest.raises(BadRow, match=column):
        read(**values)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("Society", "Culture"), [("Society & Culture", None)]),
        (
            ("Health", "Fitness", "Mental"),
            [("Health & Fitness", None), ("Health & Fitness", "Mental Health")],
        ),
        (("Science", "Fiction"), [("Fiction", "Science Fiction")]),
        (("News", "Politics"), [("News", None), ("News", "Politics")]),
        (("Tv", "Film", "After-Shows"), [("TV & Film", None), ("TV & Film", "After Shows")]),
        (("Leisure", "Video-Games"), [("Leisure", None), ("Leisure", "Video Games")]),
        (("Society & Culture",), [("Society & Culture", None)]),
        (("Technology", "Nonsense", ""), [("Technology", None)]),
        ((), []),
    ],
)
def test_podcast_index_words_map_back_onto_the_taxonomy(
    names: tuple[str, ...], expected: list[tuple[str, str | None]]
) -> None:
    assert list(apple_categories(names)) == expected


def test_popularity_counts_score_and_a_tenth_of_priority() -> None:
    assert dump_popularity(7, 3) == 7.3
    assert dump_popularity(None, None) == dump_popularity(-4, -1) == 0.0
    assert dump_popularity(10**9, 10**9) == 1000.9
    assert dump_popularity(2, 5) > dump_popularity(2, 4) > dump_popularity(1, 9)


@pytest.mark.parametrize(
    ("score", "priority", "points"),
    [(12, 3, 12.3), ("12", "3", 12.3), ("", None, 0.0), ("high", "-1", 0.0), (-5, 2, 0.2)],
)
def test_popularity_cells_in_any_shape(score: Any, priority: Any, points: float) -> None:
    assert read(popularityScore=score, priority=priority).popularity == points


@pytest.mark.parametrize(
    ("cell", "date"),
    [
        (1_767_225_600, datetime(2026, 1, 1, tzinfo=UTC)),
        ("1767225600", datetime(2026, 1, 1, tzinfo=UTC)),
        (0, None),
        ("", None),
        (None, None),
        ("soon", None),
        (99_999_999_999, None),
    ],
)
def test_newest_item_date_is_unix_time_or_nothing(cell: Any, date: datetime | None) -> None:
    assert read(newestItemPubdate=cell).newest_item_at == date


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"title": None},
        {"title": "\x00"},
        {"title": "  T\x00itle  ", "itunesAuthor": "A\x00", "itunesOwnerName": " ", "language": "EN-us "},
        {"title": "x" * 1200, "link": "ftp://no", "imageUrl": "//cdn.example/i.png", "itunesType": "SERIAL"},
        {"description": None, "podcastGuid": GUID.upper(), "explicit": "yes", "itunesId": "12"},
        {"url": "feed://Only.Host.example", "title": ""},
    ],
)
def test_the_show_values_are_rows_show_fields_of_the_feed(values: dict[str, Any]) -> None:
    """`DumpRow.show` is computed from the cells; it must be what a crawl's `rows.show_fields` makes of
    the row's feed, the URL's host its fallback title."""
    got = read(**values)
    fallback = "" if got.feed.title else urlsplit(got.url).hostname or got.url
    assert got.show == {**rows.show_fields(got.feed, fallback_title=fallback), "itunes_id": got.itunes_id}


def test_the_show_values_of_generated_rows_are_rows_show_fields_of_their_feeds() -> None:
    make = GENERATOR.row
    for pi_id in range(1, 400):
        for week in (1, 2):
            cells = make(pi_id, week)
            if cells is None:
                continue
            try:
                got = read_row([dict(zip(GENERATOR.COLUMNS, cells, strict=True))[c] for c in COLUMNS])
            except BadRow:
                continue
            fallback = "" if got.feed.title else urlsplit(got.url).hostname or got.url
            expected = {**rows.show_fields(got.feed, fallback_title=fallback), "itunes_id": got.itunes_id}
            assert got.show == expected
            assert list(got.feed.categories) == list(got.categories)
