"""Byte ranges per RFC 9110 section 14."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lytt.web.ranges import RangeAnswer, answer_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (206, 0, 100, "bytes 0-99/1000")),
        ("bytes=0-", (206, 0, 1000, "bytes 0-999/1000")),
        ("bytes=990-", (206, 990, 1000, "bytes 990-999/1000")),
        ("bytes=500-5000", (206, 500, 1000, "bytes 500-999/1000")),  # last-pos past the end is clipped
        ("bytes=-10", (206, 990, 1000, "bytes 990-999/1000")),  # the last 10 bytes
        ("bytes=-5000", (206, 0, 1000, "bytes 0-999/1000")),
        ("BYTES = 7-7", (206, 7, 8, "bytes 7-7/1000")),  # the unit is case-insensitive
        ("bytes= 2000-, 3-4", (206, 3, 5, "bytes 3-4/1000")),  # the unsatisfiable one is left out
        ("bytes=1000-", (416, 0, 0, "bytes */1000")),
        ("bytes=1000-2000, 5000-", (416, 0, 0, "bytes */1000")),
        ("bytes=-0", (416, 0, 0, "bytes */1000")),
        ("bytes=0-1,5-9", (200, 0, 1000, None)),  # several ranges: the whole representation
        ("bytes=5-1", (200, 0, 1000, None)),  # invalid: ignored
        ("bytes=a-b", (200, 0, 1000, None)),
        ("bytes=-", (200, 0, 1000, None)),
        ("bytes=", (200, 0, 1000, None)),
        ("items=0-5", (200, 0, 1000, None)),  # another unit: ignored
        ("0-5", (200, 0, 1000, None)),
    ],
)
def test_answers(header: str, expected: tuple[int, int, int, str | None]) -> None:
    answer = answer_range(header, SIZE)
    assert (answer.status, answer.start, answer.stop, answer.content_range) == expected


def test_no_header_or_a_stale_if_range_gives_the_whole() -> None:
    assert answer_range(None, SIZE) == RangeAnswer(200, 0, SIZE, SIZE)
    assert answer_range("bytes=0-9", SIZE, if_range_ok=False) == RangeAnswer(200, 0, SIZE, SIZE)


def test_an_empty_representation_satisfies_no_range() -> None:
    assert answer_range("bytes=0-", 0).status == 416
    assert answer_range("bytes=-5", 0).status == 416


@given(first=st.integers(min_value=0, max_value=3000), last=st.integers(min_value=0, max_value=3000))
def test_an_int_range_is_the_requested_bytes_within_the_size(first: int, last: int) -> None:
    answer = answer_range(f"bytes={first}-{last}", SIZE)
    if last < first:
        assert answer.status == 200
    elif first >= SIZE:
        assert answer.status == 416
    else:
        assert answer.status == 206
        assert (answer.start, answer.stop) == (first, min(last + 1, SIZE))
        assert list(range(SIZE))[answer.start : answer.stop] == list(range(first, min(last, SIZE - 1) + 1))


@given(header=st.text(max_size=40))
def test_any_header_gives_a_span_inside_the_representation(header: str) -> None:
    answer = answer_range(header, SIZE)
    assert answer.status in {200, 206, 416}
    assert 0 <= answer.start <= answer.stop <= SIZE
    if answer.status == 206:
        assert answer.stop > answer.start
