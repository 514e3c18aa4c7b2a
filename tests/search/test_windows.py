"""The PostgreSQL search windows (pure): which blocks of ids a search looks in first."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lytt.search.engine import PG_WINDOW_SHIFTS, window_markers

_MARKER = re.compile(r"' w(\d+) (\d+)'")


def _blocks(window: str) -> list[tuple[int, int]]:
    return [(int(shift), int(block)) for shift, block in _MARKER.findall(window)]


def test_a_small_index_has_no_windows() -> None:
    assert window_markers(0) == []
    assert window_markers(3 * 4096 - 1) == []


def test_a_million_rows_look_in_three_windows() -> None:
    assert window_markers(1_000_000) == [
        "' w12 242' | ' w12 243' | ' w12 244'",
        "' w15 28' | ' w15 29' | ' w15 30'",
        "' w18 1' | ' w18 2' | ' w18 3'",
    ]


@given(st.integers(min_value=0, max_value=2**62))
def test_windows_hold_the_newest_rows_and_widen(top: int) -> None:
    windows = window_markers(top)
    lowest_ids = []
    for window in windows:
        blocks = _blocks(window)
        shifts = {shift for shift, _ in blocks}
        assert len(shifts) == 1
        assert shifts <= set(PG_WINDOW_SHIFTS)
        shift = shifts.pop()
        assert [block for _, block in blocks] == list(range(blocks[0][1], blocks[0][1] + 3))
        assert blocks[-1][1] == top >> shift  # the newest row is inside
        assert blocks[0][1] > 0  # a window never covers the whole index
        lowest_ids.append(blocks[0][1] << shift)
        assert top - lowest_ids[-1] >= 2 << shift  # at least two whole blocks below the newest row
    assert lowest_ids == sorted(lowest_ids, reverse=True)
