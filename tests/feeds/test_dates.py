"""parse_date: every date shape feeds use, to aware UTC; None (never an exception) for the rest."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import examples

from lytt.feeds import dates
from lytt.feeds.dates import parse_date


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # RFC 822 / 2822 as the spec wants it, and as feeds get it wrong.
        ("Tue, 21 May 2024 10:00:00 GMT", utc(2024, 5, 21, 10)),
        ("Tue, 21 May 2024 10:00:00 +0000", utc(2024, 5, 21, 10)),
        ("Tue, 21 May 2024 10:00:00 +0200", utc(2024, 5, 21, 8)),
        ("Tue, 21 May 2024 10:00:00 +02:00", utc(2024, 5, 21, 8)),
        ("Tue, 21 May 2024 10:00:00 -0530", utc(2024, 5, 21, 15, 30)),
        ("Fri, 21 May 2024 10:00:00 GMT", utc(2024, 5, 21, 10)),  # wrong day name
        ("21 May 2024 10:00:00 GMT", utc(2024, 5, 21, 10)),  # no day name
        ("Tuesday, 21 May 2024 10:00:00 GMT", utc(2024, 5, 21, 10)),
        ("Tue,21 May 2024 10:00:00 GMT", utc(2024, 5, 21, 10)),
        ("Tue, 21 May 2024 10:00 GMT", utc(2024, 5, 21, 10)),  # no seconds
        ("Tue, 21 May 2024 10:00:00", utc(2024, 5, 21, 10)),  # no zone means UTC
        ("Tue, 21 May 2024", utc(2024, 5, 21)),
        ("Tue, 21 May 24 10:00:00 GMT", utc(2024, 5, 21, 10)),  # two-digit year
        ("Tue, 21 May 99 10:00:00 GMT", utc(1999, 5, 21, 10)),
        ("Tue, 1 May 2024 9:05:03 GMT", utc(2024, 5, 1, 9, 5, 3)),
        ("Tue, 21 May 2024 10:00:00 UT", utc(2024, 5, 21, 10)),
        ("Tue, 21 May 2024 10:00:00 UTC", utc(2024, 5, 21, 10)),
        ("Tue, 21 May 2024 10:00:00 Z", utc(2024, 5, 21, 10)),
        ("Tue, 21 May 2024 10:00:00 EST", utc(2024, 5, 21, 15)),
        ("Tue, 21 May 2024 10:00:00 EDT", utc(2024, 5, 21, 14)),
        ("Tue, 21 May 2024 10:00:00 CST", utc(2024, 5, 21, 16)),
        ("Tue, 21 May 2024 10:00:00 CDT", utc(2024, 5, 21, 15)),
        ("Tue, 21 May 2024 10:00:00 MST", utc(2024, 5, 21, 17)),
        ("Tue, 21 May 2024 10:00:00 MDT", utc(2024, 5, 21, 16)),
        ("Tue, 21 May 2024 10:00:00 PST", utc(2024, 5, 21, 18)),
        ("Tue, 21 May 2024 10:00:00 PDT", utc(2024, 5, 21, 17)),
        ("Tue, 21 May 2024 10:00:00 BST", utc(2024, 5, 21, 9)),
        ("Tue, 21 May 2024 10:00:00 CET", utc(2024, 5, 21, 9)),
        ("Tue, 21 May 2024 10:00:00 CEST", utc(2024, 5, 21, 8)),
        ("Tue, 21 May 2024 10:00:00 gmt", utc(2024, 5, 21, 10)),
        ("Tue, 21 May 2024 10:00:00 GMT+2", utc(2024, 5, 21, 8)),
        ("Tue, 21 May 2024 10:00:00 UTC+02:00", utc(2024, 5, 21, 8)),
        ("Tue, 21 May 2024 10:00:00 XYZ", utc(2024, 5, 21, 10)),  # unknown zone name: as UTC
        ("Tue, 21 May 2024 10:00:00 -0500 (EST)", utc(2024, 5, 21, 15)),  # trailing comment
        ("  Tue,   21  May  2024  10:00:00  GMT  ", utc(2024, 5, 21, 10)),  # extra whitespace
        ("Tue, 21 May 2024 10:00:00 GMT<br/>junk", utc(2024, 5, 21, 10)),  # trailing junk
        ("Tue, 21 May 2024 10:00:60 GMT", utc(2024, 5, 21, 10, 0, 59)),  # leap second
        ("Tue, 21 May 2024 10:00:00.123 GMT", utc(2024, 5, 21, 10)),
        ("Tue, 21 May 2024 10:00:00 PM EST", utc(2024, 5, 22, 3)),
        ("Tue, 21 May 2024 12:30 am GMT", utc(2024, 5, 21, 0, 30)),
        ("Tue, 21-May-2024 10:00:00 GMT", utc(2024, 5, 21, 10)),
        ("Tue, 21 Sept 2024 10:00:00 GMT", utc(2024, 9, 21, 10)),
        ("Tue, 21 September 2024 10:00:00 GMT", utc(2024, 9, 21, 10)),
        ("Tue, 21 may 2024 10:00:00 GMT", utc(2024, 5, 21, 10)),
        ("Tue, 21st May 2024", utc(2024, 5, 21)),
        # ISO 8601 / RFC 3339.
        ("2024-05-21T10:00:00Z", utc(2024, 5, 21, 10)),
        ("2024-05-21T10:00:00+02:00", utc(2024, 5, 21, 8)),
        ("2024-05-21T10:00:00+0200", utc(2024, 5, 21, 8)),
        ("2024-05-21T10:00:00-05:00", utc(2024, 5, 21, 15)),
        ("2024-05-21T10:00:00.250Z", utc(2024, 5, 21, 10, 0, 0, 250000)),
        ("2024-05-21T10:00:00", utc(2024, 5, 21, 10)),
        ("2024-05-21T10:00Z", utc(2024, 5, 21, 10)),
        ("2024-05-21", utc(2024, 5, 21)),
        ("2024-05-21 10:00:00", utc(2024, 5, 21, 10)),
        ("2024-05-21 10:00:00 +0200", utc(2024, 5, 21, 8)),
        ("2024-05-21 10:00:00 GMT", utc(2024, 5, 21, 10)),
        ("2024-05-21T10:00:00Z (approx)", utc(2024, 5, 21, 10)),
        ("2024-5-1T10:00:00Z", utc(2024, 5, 1, 10)),
        ("2024/05/21 10:00", utc(2024, 5, 21, 10)),
        # Local languages, the shapes on the reference page among them.
        ("21 mai 2024", utc(2024, 5, 21)),
        ("21 Mai 2024", utc(2024, 5, 21)),
        ("28 Des 2025", utc(2025, 12, 28)),
        ("Di, 12 Okt 2021", utc(2021, 10, 12)),
        ("Di, 12 Okt 2021 08:00:00 +0200", utc(2021, 10, 12, 6)),
        ("ti, 21 mai 2024 10:00:00 +0200", utc(2024, 5, 21, 8)),  # Norwegian
        ("Lør, 28 des. 2025 12:00", utc(2025, 12, 28, 12)),
        ("21. März 2024", utc(2024, 3, 21)),  # German
        ("Mi, 01 Dez 2021 10:00:00 +0100", utc(2021, 12, 1, 9)),
        ("1 févr. 2024 10:00", utc(2024, 2, 1, 10)),  # French
        ("mar., 21 juil. 2024 10:00:00 +0200", utc(2024, 7, 21, 8)),
        ("21 juin 2024", utc(2024, 6, 21)),
        ("21 août 2024", utc(2024, 8, 21)),
        ("Mié, 21 Ene 2024 10:00:00 GMT", utc(2024, 1, 21, 10)),  # Spanish
        ("21 dic 2024", utc(2024, 12, 21)),
        ("21 abril 2024", utc(2024, 4, 21)),
        ("21 mrt 2024", utc(2024, 3, 21)),  # Dutch
        ("21 mei 2024", utc(2024, 5, 21)),
        ("21 okt. 2024", utc(2024, 10, 21)),
        ("21 maj 2024", utc(2024, 5, 21)),  # Swedish, Danish
        ("21 augusti 2024", utc(2024, 8, 21)),
        ("Sáb, 21 Out 2024 10:00:00 -0300", utc(2024, 10, 21, 13)),  # Portuguese
        ("21 dezembro 2024", utc(2024, 12, 21)),
        ("21 gennaio 2024", utc(2024, 1, 21)),  # Italian
        ("21 lug 2024", utc(2024, 7, 21)),
        # Dotted and numeric day-first.
        ("21.05.2024", utc(2024, 5, 21)),
        ("21.05.2024 14:30", utc(2024, 5, 21, 14, 30)),
        ("21.05.2024 kl. 14.30", utc(2024, 5, 21, 14, 30)),
        ("1.5.2024", utc(2024, 5, 1)),
        ("21/05/2024", utc(2024, 5, 21)),
        ("05/21/2024", utc(2024, 5, 21)),  # US order, the only valid reading
        ("05/06/2024", utc(2024, 6, 5)),  # ambiguous: day first
        # Unix time.
        ("1716285600", utc(2024, 5, 21, 10)),
        ("1716285600000", utc(2024, 5, 21, 10)),
        ("Tuesday, May 21, 2024 - 10:00", utc(2024, 5, 21, 10)),
        ("May 21st, 2024 at 10:00 AM", utc(2024, 5, 21, 10)),
        # Month first (US, and JavaScript's Date.toString).
        ("May 21, 2024", utc(2024, 5, 21)),
        ("May 21, 2024 10:00:00 PDT", utc(2024, 5, 21, 17)),
        ("Tue May 21 2024 10:00:00 GMT+0200 (Central European Summer Time)", utc(2024, 5, 21, 8)),
        ("Tue May 21 10:00:00 2024", utc(2024, 5, 21, 10)),  # asctime
        ("Tue May 21 10:00:00 CEST 2024", utc(2024, 5, 21, 8)),  # date(1)
    ],
)
def test_parses(raw: str, expected: datetime) -> None:
    parsed = parse_date(raw)
    assert parsed == expected
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "garbage",
        "not a date at all",
        "Tue, 32 May 2024 10:00:00 GMT",  # day out of range
        "Tue, 31 Feb 2024 10:00:00 GMT",
        "Tue, 21 Foo 2024 10:00:00 GMT",  # no such month
        "Tue, 21 May 2024 25:00:00 GMT",  # no such hour
        "Tue, 21 May 2024 10:61:00 GMT",
        "Tue, 21 May 2024 13:00 PM GMT",
        "Tue, 21 May 2024 10:00:00 +9900",  # no such offset
        "21 May 1900",  # absurd years
        "21 May 2150",
        "1969-12-31T12:00:00Z",
        "2101-01-01T00:00:00Z",
        "0000-00-00 00:00:00",
        "2024-13-01",
        "32.05.2024",
        "12345",
        "123456",  # digits, but not a Unix time
        "99999999999999",
        "13/13/2024",
        "May",
    ],
)
def test_rejects(raw: str | None) -> None:
    assert parse_date(raw) is None


def test_zone_that_crosses_the_year_boundary() -> None:
    assert parse_date("Sat, 01 Jan 2000 00:30:00 +0100") == utc(1999, 12, 31, 23, 30)


def test_long_input_is_cut_and_fast() -> None:
    hostile = [
        "1" * 1_000_000,
        "Tue, " + " " * 500_000 + "21 May 2024",
        "a" * 1_000_000,
        "2024-05-21T" + "9" * 1_000_000,
        ("21 " * 300_000),
        "Tue, 21 May 2024 10:00:00 " + "+" * 1_000_000,
    ]
    start = time.perf_counter()
    for value in hostile:
        parse_date(value)
    assert time.perf_counter() - start < 1.0


# Hypothesis: formatted, then parsed back, to the second.
aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2099, 12, 30),
    timezones=st.builds(
        timezone, st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m))
    ),
).map(lambda d: d.replace(microsecond=0))

FORMATS = [
    lambda d: format_datetime(d),  # RFC 2822 with numeric zone
    lambda d: format_datetime(d.astimezone(UTC), usegmt=True),
    lambda d: d.isoformat(),
    lambda d: d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S%z"),
    lambda d: d.strftime("%Y-%m-%d %H:%M:%S %z"),
    lambda d: d.strftime("%d %b %Y %H:%M:%S %z"),
    lambda d: d.strftime("%A, %d %B %Y %H:%M:%S %z"),
    lambda d: d.strftime("%a %b %d %Y %H:%M:%S GMT%z"),
    lambda d: d.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S UT"),
]


@settings(max_examples=examples(300), deadline=None)
@given(moment=aware_datetimes, variant=st.sampled_from(range(len(FORMATS))))
def test_round_trip(moment: datetime, variant: int) -> None:
    text = FORMATS[variant](moment)
    assert parse_date(text) == moment.astimezone(UTC), text


@settings(max_examples=examples(200), deadline=None)
@given(moment=aware_datetimes)
def test_round_trip_without_seconds(moment: datetime) -> None:
    text = moment.strftime("%a, %d %b %Y %H:%M %z")
    assert parse_date(text) == moment.replace(second=0).astimezone(UTC)


@settings(max_examples=examples(500), deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_text(value: str) -> None:
    result = parse_date(value)
    assert result is None or (result.tzinfo is not None and 1970 <= result.year <= 2100)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.from_regex(
        r"[A-Za-z]{0,4},? ?\d{1,2} [A-Za-zé]{3,8}\.? \d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?( [ -~]{0,8})?",
        fullmatch=True,
    )
)
def test_never_raises_on_date_like_text(value: str) -> None:
    result = parse_date(value)
    assert result is None or result.utcoffset() == timedelta(0)


# -- the strict RFC 822 path (the shape most feeds write), before the lenient one ---------------------------


def _strict(text: str) -> datetime | None:
    match = dates._RFC822_STRICT.fullmatch(text)
    return dates._strict(match) if match else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon, 10 Jan 2022 06:00:00 GMT", utc(2022, 1, 10, 6)),
        ("1 Dec 2024 23:59:59 -1230", utc(2024, 12, 2, 12, 29, 59)),
        ("Mon, 10 Jan 2022 06:00:00 UT", utc(2022, 1, 10, 6)),
        ("Mon, 10 Jan 2022 06:00:00 Z", utc(2022, 1, 10, 6)),
        ("10 Jan 2022 06:00:00 UTC", utc(2022, 1, 10, 6)),
        ("Thu, 31 Dec 2099 23:00:00 -0100", utc(2100, 1, 1, 0)),  # 2100 is still in, ...
        ("Fri, 31 Dec 2100 23:00:00 -0100", None),  # ... 2101 is not
        ("Mon, 29 Feb 2023 06:00:00 GMT", None),  # no such day
        ("Mon, 10 Jan 2022 24:00:00 GMT", None),
        ("Mon, 10 Jan 2022 06:00:00 +1900", None),
        ("Mon, 10 Jan 2022 06:00:00 +0160", None),
        ("Mon, 10 Jan 2022 06:00:00 EST", None),  # a named zone: the lenient path
        ("Mon,10 Jan 2022 06:00:00 GMT", None),
        ("Mon, 10 Jan 2022 06:00:00 GMT ", None),
        ("Mon, 01 Jan 0001 00:30:00 +0100", None),  # before year 1 in UTC
        ("Fri, 31 Dec 9999 23:30:00 -0100", None),  # after year 9999 in UTC
    ],
)
def test_the_strict_path_at_the_edges(text: str, expected: datetime | None) -> None:
    assert _strict(text) == expected
    result = parse_date(text)  # never raises, even past the ends of datetime's range
    if expected is not None:
        assert result == expected
