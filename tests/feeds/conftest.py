"""Fixtures for the parser tests: every parse test runs with both item readers, C and Python."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from lytt.feeds import _item_reader


def c_reader_required() -> bool:
    """In CI and under the test command (LYTT_REQUIRE_C=1), a C reader that was not built is a failure."""
    return os.environ.get("CI") == "true" or os.environ.get("LYTT_REQUIRE_C") == "1"


@pytest.fixture(scope="module", params=["c", "python"])
def item_reader(request: pytest.FixtureRequest) -> Iterator[str]:
    """Which reader `parse_feed` uses for RSS items in this test: the C one, or the Python one."""
    if request.param == "c" and _item_reader.C_READER is None:
        if c_reader_required():
            pytest.fail("the C item reader (lytt.feeds._citem) is not built")
        pytest.skip("the C item reader is not built here (pure-Python install)")
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "python":
            patch.setattr(_item_reader, "collect_item", _item_reader.python_collect_item)
        yield request.param
