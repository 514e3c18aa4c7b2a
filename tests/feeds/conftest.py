"""Fixtures for the parser tests: every parse test runs with the C code (the item reader, and long CDATA
sections lifted out before libxml2 reads them) and without it (the Python reader, nothing lifted)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from lytt.feeds import _item_reader, _lift


def c_reader_required() -> bool:
    """In CI and under the test command (LYTT_REQUIRE_C=1), a C reader that was not built is a failure."""
    return os.environ.get("CI") == "true" or os.environ.get("LYTT_REQUIRE_C") == "1"


@pytest.fixture(scope="module", params=["c", "python"])
def item_reader(request: pytest.FixtureRequest) -> Iterator[str]:
    """Which code `parse_feed` runs in this test: the C item reader with CDATA lifting, or the Python reader
    with nothing lifted (what a pure-Python install runs)."""
    if request.param == "c" and (_item_reader.C_READER is None or _lift.new_lifter() is None):
        if c_reader_required():
            pytest.fail("the C modules lytt.feeds._citem and lytt.feeds._clift are not built")
        pytest.skip("the C modules are not built here (pure-Python install)")
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "python":
            patch.setattr(_item_reader, "collect_item", _item_reader.python_collect_item)
            patch.setattr(_lift, "new_lifter", lambda: None)
        yield request.param
