"""The PostgreSQL search windows (pure): which blocks of ids a search looks in, and in what order."""

from __future__ import annotations

import math
import re

from hypothesis import given
from hypothesis import strategies as st

from lytt.search.pgplan import (
    MAX_BLOCKS,
    MAX_GROWTH,
    MIN_GROWTH,
    WINDOW_SHIFTS,
    first_window_rows,
    next_window_rows,
    window,
    window_span,
)

_MARKER = re.compile(r"' w(\d+) (\d+)'")


def _blocks(marker: str) -> list[tuple[int, int]]:
    return [(int(shift), int(block)) for shift, block in _MARKER.findall(marker)]


def _lowest_id(marker: str) -> int:
    shift, block = _blocks(marker)[0]
    return block << shift


def test_the_finest_blocks_that_span_the_rows() -> None:
    assert window(1_000_000, 100) == "' w9 1952' | ' w9 1953'"
    assert window(1_000_000, 10_000) == "' w12 241' | ' w12 242' | ' w12 243' | ' w12 244'"
    assert window(1_000_000, 100_000) == "' w15 26' | ' w15 27' | ' w15 28' | ' w15 29' | ' w15 30'"


def test_a_window_reaching_the_first_ids_is_the_whole_index() -> None:
    assert window(600, 100) is None
    assert window(1_000_000, 900_000) is None


@given(st.integers(min_value=0, max_value=2**40), st.floats(min_value=1, max_value=2**40))
def test_a_window_holds_the_newest_ids_and_at_least_the_rows_asked(top: int, rows: float) -> None:
    marker = window(top, rows)
    if marker is None:
        return
    blocks = _blocks(marker)
    shift = blocks[0][0]
    assert shift in WINDOW_SHIFTS
    assert {s for s, _ in blocks} == {shift}
    numbers = [b for _, b in blocks]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert len(numbers) <= MAX_BLOCKS
    assert numbers[-1] == top >> shift  # the newest row is inside
    assert numbers[0] > 0  # a window never covers the whole index
    assert top - _lowest_id(marker) + 1 >= rows


def test_the_first_window_spans_the_rows_expected_to_hold_what_is_wanted() -> None:
    assert first_window_rows(0.25, 300) == 1_200
    assert first_window_rows(0.0, 300) == math.inf  # nothing expected: straight to the whole index
    assert window(1_000_000, first_window_rows(0.0, 300)) is None
    assert window(1_000, first_window_rows(0.5, 300)) is None  # a small index has no windows


def test_the_span_is_what_the_window_covers() -> None:
    assert window(1_000_000, 100) == "' w9 1952' | ' w9 1953'"
    assert window_span(1_000_000, 100) == 1_000_000 - (1952 << 9) + 1
    assert window_span(1_000_000, 2_000_000) == 1_000_000


def test_the_next_window_is_sized_from_the_matches_found() -> None:
    assert next_window_rows(10_000, 150, 300) == 25_000  # half found: twice as wide, with a margin
    assert next_window_rows(10_000, 290, 300) == 10_000 * MIN_GROWTH  # nearly all: still wider
    assert next_window_rows(10_000, 1, 300) == 10_000 * MAX_GROWTH  # a handful says little
    assert next_window_rows(10_000, 0, 300) == 10_000 * MAX_GROWTH


@given(
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=0, max_value=2**40),
    st.lists(st.integers(min_value=0, max_value=299), min_size=80, max_size=80),
)
def test_each_window_is_wider_than_the_last_and_the_whole_index_ends(
    share: float, top: int, found: list[int]
) -> None:
    """However few matches each window finds, the windows widen and the whole index comes in the end."""
    rows = first_window_rows(share, 300)
    lowest: list[int] = []
    for count in found:
        marker = window(top, rows)
        if marker is None:
            break
        lowest.append(_lowest_id(marker))
        rows = next_window_rows(window_span(top, rows), count, 300)
    else:
        raise AssertionError("no whole-index step after 80 windows")
    assert lowest == sorted(lowest, reverse=True)
    assert len(set(lowest)) == len(lowest)
