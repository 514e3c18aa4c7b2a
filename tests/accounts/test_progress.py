"""The pure position rules: which write may become the newest position, client clocks, the payload."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lytt.accounts.progress import (
    Mark,
    ProgressError,
    accepts,
    action_time,
    parse_progress_payload,
)

NOW = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)
T0 = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)

times = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
)
# The machine is shared: a slow first draw is load, not a strategy problem.
_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
marks = st.builds(Mark, position=st.integers(0, 7 * 24 * 3600), at=times)


def test_first_position_is_always_taken() -> None:
    assert accepts(None, Mark(0, T0), deliberate=False)


def test_app_at_20_minutes_then_a_stale_browser_reporting_near_zero_is_refused() -> None:
    app = Mark(1200, T0)
    assert not accepts(app, Mark(3, T0 + dt.timedelta(minutes=5)), deliberate=False)


def test_a_deliberate_seek_back_is_taken() -> None:
    assert accepts(Mark(1200, T0), Mark(300, T0 + dt.timedelta(seconds=1)), deliberate=True)


def test_listening_on_from_the_newest_position_is_taken() -> None:
    assert accepts(Mark(1200, T0), Mark(1215, T0 + dt.timedelta(seconds=15)), deliberate=False)


def test_an_older_action_is_refused_even_when_deliberate_or_further() -> None:
    known = Mark(1200, T0)
    assert not accepts(known, Mark(1500, T0 - dt.timedelta(seconds=1)), deliberate=False)
    assert not accepts(known, Mark(100, T0 - dt.timedelta(seconds=1)), deliberate=True)


@_SETTINGS
@given(known=marks, incoming=marks, deliberate=st.booleans())
def test_never_an_older_action(known: Mark, incoming: Mark, deliberate: bool) -> None:
    if incoming.at < known.at:
        assert not accepts(known, incoming, deliberate)


@_SETTINGS
@given(known=marks, incoming=marks)
def test_an_accident_never_moves_back(known: Mark, incoming: Mark) -> None:
    if accepts(known, incoming, deliberate=False):
        assert incoming.position >= known.position
        assert incoming.at >= known.at


@_SETTINGS
@given(known=marks, incoming=marks, deliberate=st.booleans())
def test_deliberate_only_ever_widens(known: Mark, incoming: Mark, deliberate: bool) -> None:
    if accepts(known, incoming, deliberate=False):
        assert accepts(known, incoming, deliberate=True)
    # A deliberate write at or after the newest one is always taken.
    if incoming.at >= known.at:
        assert accepts(known, incoming, deliberate=True)


@_SETTINGS
@given(writes=st.lists(st.tuples(marks, st.booleans()), min_size=1, max_size=30))
def test_the_newest_stored_time_never_goes_back(writes: list[tuple[Mark, bool]]) -> None:
    """Applying writes in any order: the stored mark's time only grows, and its position only shrinks
    through a deliberate write."""
    stored: Mark | None = None
    for incoming, deliberate in writes:
        if accepts(stored, incoming, deliberate):
            if stored is not None:
                assert incoming.at >= stored.at
                assert incoming.position >= stored.position or deliberate
            stored = incoming


def test_action_time_takes_out_the_client_clock_offset() -> None:
    # The client's clock is 10 minutes slow: it was at the position 30 s before it sent the report.
    slow = NOW - dt.timedelta(minutes=10)
    assert action_time(slow - dt.timedelta(seconds=30), slow, NOW) == NOW - dt.timedelta(seconds=30)
    assert action_time(None, None, NOW) == NOW
    # Without the send time: as given, but never later than now.
    assert action_time(NOW + dt.timedelta(hours=1), None, NOW) == NOW
    assert action_time(T0, None, NOW) == T0


@_SETTINGS
@given(at=times, sent=times)
def test_action_time_is_never_in_the_future(at: dt.datetime, sent: dt.datetime) -> None:
    assert action_time(at, sent, NOW) <= NOW


def test_payload_reads_deliberate_and_times() -> None:
    body = json.dumps(
        {
            "episode": 7,
            "position": 1200,
            "at": "2026-12-07T15:59:00Z",
            "sent": "2026-12-07T16:00:00Z",
            "deliberate": True,
        }
    ).encode()
    [item] = parse_progress_payload(body, NOW)
    assert (item.episode_id, item.position, item.deliberate) == (7, 1200, True)
    assert item.at == NOW - dt.timedelta(minutes=1)
    [plain] = parse_progress_payload(b'{"episode": 7, "position": 3}', NOW)
    assert (plain.at, plain.deliberate) == (NOW, False)


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ({"episode": 1, "position": 4, "deliberate": "yes"}, "'deliberate' must be true or false"),
        ({"episode": 1, "position": 4, "sent": 5}, "'sent' must be an ISO 8601 time"),
        ({"episode": 1, "position": 4, "sent": "soon"}, "'sent' is not an ISO 8601 time"),
        ({"episode": 1, "position": 4, "at": "2099-01-01T00:00:00Z"}, "'at' is not a plausible time"),
    ],
)
def test_payload_errors_name_the_field(item: dict[str, object], fragment: str) -> None:
    with pytest.raises(ProgressError, match=fragment):
        parse_progress_payload(json.dumps(item).encode(), NOW)
