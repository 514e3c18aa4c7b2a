"""The Open Podcast API's pure message code: times, parameters, bodies, entries and page links."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lytt.api.openpodcast.payloads import (
    Entry,
    OpaError,
    entry_out,
    format_time,
    load_body,
    page_links,
    parse_new_subscriptions,
    parse_positive,
    parse_since,
    parse_update,
)

T0 = dt.datetime(2023, 2, 23, 14, 0, 0, 123456, tzinfo=dt.UTC)
moments = st.datetimes(
    min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2999, 12, 30), timezones=st.just(dt.UTC)
)


def test_times_are_written_as_the_specification_writes_them() -> None:
    assert format_time(T0) == "2023-02-23T14:00:00.123Z"
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert format_time(T0.astimezone(plus_two)) == "2023-02-23T14:00:00.123Z"


@given(moments)
def test_a_written_time_reads_back_to_the_millisecond(when: dt.datetime) -> None:
    back = parse_since(format_time(when))
    assert back == when.replace(microsecond=when.microsecond // 1000 * 1000)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("2022-04-23T18:25:43.511Z", dt.datetime(2022, 4, 23, 18, 25, 43, 511000, tzinfo=dt.UTC)),
        ("2022-04-23T18:25:43", dt.datetime(2022, 4, 23, 18, 25, 43, tzinfo=dt.UTC)),
        ("2022-04-23T20:25:43+02:00", dt.datetime(2022, 4, 23, 18, 25, 43, tzinfo=dt.UTC)),
    ],
)
def test_since_reads_iso_8601_in_utc(raw: str | None, expected: dt.datetime | None) -> None:
    assert parse_since(raw) == expected


@pytest.mark.parametrize(
    "raw", ["2022-04-23", "1650738343", "soon", "2022-02-30T00:00:00Z", "0001-01-01T00:00:00+01:00"]
)
def test_since_refuses_what_is_not_a_date_and_time(raw: str) -> None:
    with pytest.raises(OpaError) as caught:
        parse_since(raw)
    assert caught.value.field == "since"
    assert caught.value.status == 405


@given(st.integers(min_value=1, max_value=1000))
def test_whole_numbers_in_range_are_taken(value: int) -> None:
    assert parse_positive(str(value), "per_page", 50, 1000) == value
    assert parse_positive(f"{value}.0", "per_page", 50, 1000) == value


@pytest.mark.parametrize("raw", ["0", "-1", "1001", "2.5", "x", "nan", "inf"])
def test_other_numbers_are_refused_naming_the_parameter(raw: str) -> None:
    with pytest.raises(OpaError, match="per_page") as caught:
        parse_positive(raw, "per_page", 50, 1000)
    assert caught.value.field == "per_page"


@given(st.integers(min_value=0, max_value=300), st.integers(min_value=1, max_value=40))
def test_following_next_from_page_one_visits_every_page_once(total: int, per_page: int) -> None:
    pages, page = [], 1
    while True:
        pages.append(page)
        links = page_links({"since": "x"}, page, per_page, total)
        if page > 1:
            assert links["previous"]["page"] == str(page - 1)
        if "next" not in links:
            break
        assert links["next"]["since"] == "x"
        assert links["next"]["per_page"] == str(per_page)
        page = int(links["next"]["page"])
    assert pages == list(range(1, max(1, -(-total // per_page)) + 1))


def test_a_page_beyond_the_end_points_back_to_the_last() -> None:
    assert page_links({}, 9, 3, 7) == {"previous": {"page": "3", "per_page": "3"}}


def test_bodies_are_json_whatever_the_content_type_but_xml() -> None:
    assert load_body(b'{"a": 1}', "application/x-www-form-urlencoded") == {"a": 1}
    assert load_body('\ufeff{"a": 1}'.encode(), "") == {"a": 1}
    with pytest.raises(OpaError) as caught:
        load_body(b"<subscriptions/>", "application/xml; charset=utf-8")
    assert caught.value.status == 415


def test_new_subscriptions_keep_what_was_sent_and_the_canonical_url() -> None:
    guid = str(uuid.uuid4())
    feeds = parse_new_subscriptions(
        {
            "subscriptions": [
                {"feed_url": " HTTPS://Example.ORG/feed "},
                {"feed_url": "itpc://x.example/f", "guid": guid.upper()},
                {"feed_url": "example.com/rss4"},
            ]
        }
    )
    assert [(f.url, f.guid) for f in feeds[:2]] == [
        ("https://example.org/feed", None),
        ("http://x.example/f", guid),
    ]
    assert feeds[2].url is None
    assert feeds[2].sent == "example.com/rss4"
    assert feeds[2].problem


def test_an_update_needs_a_known_field() -> None:
    assert parse_update({"is_subscribed": False}).is_subscribed is False
    assert parse_update({"new_feed_url": "feed://x.example/f"}).new_feed_url == "http://x.example/f"
    for body, field in (
        ({"is_subscribed": None}, "body"),
        ({"guid": "x"}, "guid"),
        ({"is_subscribed": 0}, "is_subscribed"),
    ):
        with pytest.raises(OpaError) as caught:
            parse_update(body)
        assert caught.value.field == field


def entry(**changes: object) -> Entry:
    fields: dict[str, object] = {
        "feed_url": "https://x.example/f",
        "guid": "g1",
        "new_guid": "",
        "is_subscribed": True,
        "subscription_changed": T0,
        "guid_changed": None,
        "deleted": None,
    }
    return Entry(**{**fields, **changes})  # type: ignore[arg-type]


def test_an_entry_shows_new_guid_and_deleted_only_when_there_are_some() -> None:
    assert entry_out(entry()) == {
        "feed_url": "https://x.example/f",
        "guid": "g1",
        "is_subscribed": True,
        "subscription_changed": "2023-02-23T14:00:00.123Z",
    }
    later = T0 + dt.timedelta(days=1)
    moved = entry_out(entry(new_guid="g2", guid_changed=later))
    assert (moved["guid"], moved["new_guid"], moved["guid_changed"]) == (
        "g1",
        "g2",
        "2023-02-24T14:00:00.123Z",
    )
    assert entry_out(entry(is_subscribed=False, deleted=later))["deleted"] == "2023-02-24T14:00:00.123Z"


def test_since_after_a_guid_change_shows_the_newer_guid_as_the_guid() -> None:
    changed = entry(new_guid="g2", guid_changed=T0)
    assert entry_out(changed, T0 - dt.timedelta(seconds=1))["guid"] == "g1"
    after = entry_out(changed, T0 + dt.timedelta(seconds=1))
    assert after["guid"] == "g2"
    assert "new_guid" not in after
