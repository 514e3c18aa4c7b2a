"""Retry-After and Cache-Control parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lytt.crawl.headers import MAX_NOT_BEFORE, not_before_from, parse_max_age, parse_retry_after

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_retry_after_seconds_and_dates() -> None:
    assert parse_retry_after("120", NOW) == NOW + timedelta(seconds=120)
    assert parse_retry_after("Wed, 04 Mar 2026 13:00:00 GMT", NOW) == NOW + timedelta(hours=1)
    assert parse_retry_after("Wed, 04 Mar 2026 11:00:00 GMT", NOW) is None
    assert parse_retry_after("0", NOW) is None
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None
    assert parse_retry_after("99999999", NOW) == NOW + MAX_NOT_BEFORE


def test_max_age() -> None:
    assert parse_max_age("public, max-age=3600") == 3600
    assert parse_max_age('max-age="60", must-revalidate') == 60
    assert parse_max_age("no-cache") is None
    assert parse_max_age("max-age=-1") is None
    assert parse_max_age("s-maxage=100") is None
    assert parse_max_age(None) is None


def test_not_before_uses_the_header_that_applies() -> None:
    def nb(status: int, retry: str | None = None, cc: str | None = None) -> datetime | None:
        return not_before_from(status_code=status, retry_after=retry, cache_control=cc, now=NOW)

    assert nb(503, "60") == NOW + timedelta(seconds=60)
    assert nb(429, "60") == NOW + timedelta(seconds=60)
    assert nb(500, "60") is None
    assert nb(200, "60") is None
    assert nb(200, cc="max-age=60") == NOW + timedelta(seconds=60)
    assert nb(304, cc="max-age=60") == NOW + timedelta(seconds=60)
    assert nb(503, cc="max-age=60") is None


def test_retry_after_odd_digits_and_huge_delays() -> None:
    assert parse_retry_after("²", NOW) is None  # a digit to str.isdigit(), not to int()
    assert parse_retry_after("٣", NOW) is None  # Arabic-Indic three: not an HTTP delay-seconds
    assert parse_retry_after("9" * 40, NOW) == NOW + MAX_NOT_BEFORE


@given(st.text(max_size=40), st.text(max_size=40), st.integers(min_value=100, max_value=599))
def test_not_before_never_crashes_and_is_bounded(retry: str, cc: str, status: int) -> None:
    moment = not_before_from(status_code=status, retry_after=retry, cache_control=cc, now=NOW)
    assert moment is None or NOW < moment <= NOW + MAX_NOT_BEFORE
