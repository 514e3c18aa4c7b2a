"""The PostgreSQL search windows (pure): which blocks of ids a search looks in, and in what order."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lytt.search.pgplan import MAX_BLOCKS, WINDOW_SHIFTS, window, windows_to_try

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


def test_windows_start_where_the_estimate_says_and_widen() -> None:
    tried = windows_to_try(0.25, 1_000_000, 300)  # about 1,200 rows hold 300 matches
    assert tried[0] == window(1_000_000, 1_200)
    assert tried[-1] is None
    assert windows_to_try(0.0001, 1_000_000, 300) == [None]  # rare: straight to the whole index
    assert windows_to_try(0.0, 1_000_000, 300) == [None]
    assert windows_to_try(0.5, 1_000, 300) == [None]  # a small index has no windows


@given(st.floats(min_value=0, max_value=1), st.integers(min_value=0, max_value=2**40))
def test_each_window_is_wider_than_the_last_and_the_whole_index_ends(share: float, top: int) -> None:
    tried = windows_to_try(share, top, 300)
    assert tried[-1] is None
    lowest = [_lowest_id(m) for m in tried[:-1] if m is not None]
    assert len(lowest) == len(tried) - 1
    assert lowest == sorted(lowest, reverse=True)
    assert len(set(lowest)) == len(lowest)
