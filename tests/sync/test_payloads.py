"""Pure validation of what clients send."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lytt.sync.payloads import (
    ApiError,
    format_client_time,
    parse_client_time,
    parse_episode_actions,
    parse_since,
    parse_subscription_changes,
    to_since,
)

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-05-01T10:00:00", dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)),  # Kasts, AntennaPod: no offset
        ("2026-05-01T10:00:00Z", dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)),
        ("2026-05-01T12:00:00+02:00", dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)),
        ("2026-05-01T10:00:00.250", dt.datetime(2026, 5, 1, 10, 0, 0, 250000, tzinfo=dt.UTC)),
        (1777629600, dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)),
    ],
)
def test_client_times(raw: object, expected: dt.datetime) -> None:
    assert parse_client_time(raw, NOW, "a") == expected


@pytest.mark.parametrize("raw", ["1970-01-01T00:00:00", "2099-01-01T00:00:00", "yesterday", True, None, [1]])
def test_absurd_or_bad_times(raw: object) -> None:
    with pytest.raises(ApiError, match="timestamp"):
        parse_client_time(raw, NOW, "action 3")


@given(st.datetimes(min_value=dt.datetime(1990, 1, 2), max_value=dt.datetime(2026, 5, 31)))
def test_time_format_round_trips(when: dt.datetime) -> None:
    aware = when.replace(microsecond=0, tzinfo=dt.UTC)
    text = format_client_time(aware)
    assert "+" not in text
    assert not text.endswith("Z")
    assert parse_client_time(text, NOW, "x") == aware


def test_since() -> None:
    assert to_since(parse_since("1700000000")) == 1700000000
    assert to_since(parse_since(None)) == 0
    for bad in ("abc", "-5", "1.5", "99999999999999"):
        with pytest.raises(ApiError, match="since"):
            parse_since(bad)


def test_subscription_changes_sanitised() -> None:
    changes = parse_subscription_changes(
        {"add": ["  https://Example.ORG/feed.xml ", "ftp://x/y", "https://a.org/f"], "remove": []}
    )
    assert changes.add == ["https://example.org/feed.xml", "https://a.org/f"]
    assert changes.update_urls == [
        ("  https://Example.ORG/feed.xml ", "https://example.org/feed.xml"),
        ("ftp://x/y", ""),
    ]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ([], "JSON object"),
        ({"add": "https://a.org/f"}, "list"),
        ({"add": [5]}, "must be a URL"),
        ({"add": ["https://a.org/f"], "remove": ["https://a.org/f "]}, "both add and remove"),
        ({"add": [], "delete": []}, "unknown field"),
    ],
)
def test_subscription_changes_rejected(body: object, fragment: str) -> None:
    with pytest.raises(ApiError, match=fragment):
        parse_subscription_changes(body)


def action(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "podcast": "https://a.org/feed",
        "episode": "https://a.org/1.mp3",
        "action": "play",
        "timestamp": "2026-05-01T10:00:00",
        "started": 0,
        "position": 60,
        "total": 600,
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def test_actions_parsed() -> None:
    actions, update_urls = parse_episode_actions(
        [action(), action(action="DOWNLOAD", started=5, device="phone-1"), action(episode="file:///x")], NOW
    )
    assert update_urls == [("file:///x", "")]
    assert [a.action for a in actions] == ["play", "download"]
    assert (actions[0].started, actions[0].position, actions[0].total) == (0, 60, 600)
    # Non-play actions never carry positions, whatever the client sent.
    assert (actions[1].started, actions[1].position, actions[1].device_id) == (None, None, "phone-1")


def test_action_without_timestamp_gets_now() -> None:
    actions, _ = parse_episode_actions([action(timestamp=None)], NOW)
    assert actions[0].timestamp == NOW


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        (action(action="listen"), "unknown action"),
        (action(action=None), "unknown action"),
        (action(podcast=None), "'podcast' must be a URL"),
        (action(timestamp="2200-01-01T00:00:00"), "plausible"),
        (action(position=-5), "out of range"),
        (action(position="x"), "number of seconds"),
        (action(position=None), "needs a position"),
        (action(device="my phone"), "device"),
        ("play", "expected an object"),
    ],
)
def test_actions_rejected(item: object, fragment: str) -> None:
    with pytest.raises(ApiError, match=fragment):
        parse_episode_actions([action(), item], NOW)


def test_actions_must_be_a_list() -> None:
    with pytest.raises(ApiError, match="list"):
        parse_episode_actions({"actions": []}, NOW)
