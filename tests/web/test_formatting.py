from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lytt.web.formatting import (
    excerpt,
    format_clock,
    format_count,
    format_day,
    format_duration,
    iso_duration,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("seconds", "nb", "en"),
    [
        (5220, "1 t 27 min", "1h 27min"),  # the reference's "Neither Free Nor Fair"
        (7680, "2 t 8 min", "2h 8min"),
        (3600, "1 t", "1h"),
        (2700, "45 min", "45min"),
        (59, "59 sek", "59s"),
        (0, "0 sek", "0s"),
        (89, "1 min", "1min"),
        (3599, "1 t", "1h"),  # 59.98 minutes rounds to the hour, never "0 t 60 min"
    ],
)
def test_format_duration(seconds: int, nb: str, en: str) -> None:
    assert format_duration(seconds, "nb") == nb
    assert format_duration(seconds, "en") == en


def test_format_duration_unknown_is_empty() -> None:
    assert format_duration(None, "nb") == ""
    assert format_duration(-1, "en") == ""


@given(st.integers(min_value=60, max_value=10 * 24 * 3600))
def test_format_duration_never_shows_sixty_minutes(seconds: int) -> None:
    text = format_duration(seconds, "en")
    assert "60min" not in text
    assert text.endswith(("h", "min"))


def test_format_day_matches_reference() -> None:
    assert format_day(date(2024, 5, 21), "nb") == "21. mai 2024"
    assert format_day(date(2024, 5, 21), "en") == "21 May 2024"
    assert format_day(datetime(2025, 12, 28, 10, 0), "nb") == "28. desember 2025"
    assert format_day(None, "en") == ""


def test_format_count_groups_digits() -> None:
    assert format_count(511, "nb") == "511"
    assert format_count(10000, "en") == "10,000"
    assert format_count(10000, "nb").replace("\xa0", " ") == "10 000"


def test_excerpt_cuts_at_a_word_and_ends_with_ellipsis() -> None:
    text = "Episode #457: Brang Min, a Kachin State civil society organizer and student activist " * 5
    short = excerpt(text, 100)
    assert short.endswith("…")
    assert len(short) <= 100
    assert text.startswith(short[:-1].rstrip())


def test_excerpt_keeps_short_text_whole() -> None:
    assert excerpt("  Short\n text ", 100) == "Short text"
    assert excerpt(None) == ""


@given(st.text(), st.integers(min_value=10, max_value=300))
def test_excerpt_is_bounded(text: str, limit: int) -> None:
    assert len(excerpt(text, limit)) <= limit


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1h2m3s", 3723),
        ("2m", 120),
        ("90", 90),
        ("45s", 45),
        ("1:02:03", 3723),
        ("62:03", 3723),
        ("0:07", 7),
    ],
)
def test_parse_timestamp(value: str, seconds: int) -> None:
    assert parse_timestamp(value) == seconds


@pytest.mark.parametrize("value", [None, "", "abc", "1h2x", "h", "1:2:3:4", "-5"])
def test_parse_timestamp_rejects(value: str | None) -> None:
    assert parse_timestamp(value) is None


@given(st.integers(min_value=0, max_value=100 * 3600))
def test_clock_round_trips_through_parse(seconds: int) -> None:
    assert parse_timestamp(format_clock(seconds)) == seconds


def test_iso_duration() -> None:
    assert iso_duration(5220) == "PT1H27M"
    assert iso_duration(0) == "PT0S"
    assert iso_duration(61) == "PT1M1S"
    assert iso_duration(None) is None
