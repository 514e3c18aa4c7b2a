"""Fixtures for the parser tests: every parse test runs with Lytt's C modules (the item reader, long CDATA
sections lifted out before libxml2 reads them, the notes fast path, the date path and the row builder)
and without any of them (what a pure-Python install runs)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from tests.conftest import SANITIZED

from lytt.catalog import rows
from lytt.feeds import _item_reader, _lift, dates, html


def c_reader_required() -> bool:
    """In CI and under the test command (LYTT_REQUIRE_C=1), a C module that was not built is a failure;
    except in the test command's pure-Python pass (LYTT_PURE_PYTHON=1), where none is loaded."""
    if os.environ.get("LYTT_PURE_PYTHON") == "1":
        return False
    return os.environ.get("CI") == "true" or os.environ.get("LYTT_REQUIRE_C") == "1"


def c_modules_loaded() -> bool:
    """Whether every C module the parser and the row builder can use is loaded here."""
    return None not in (
        _item_reader.C_READER,
        _lift.new_lifter(),
        html.C_SAFE_NOTES,
        dates.C_RFC822,
        rows.C_EPISODE_ROW,
    )


def pure_python(patch: pytest.MonkeyPatch) -> None:
    """Switch every C module off, as LYTT_PURE_PYTHON=1 does at import."""
    patch.setattr(_item_reader, "collect_item", _item_reader.python_collect_item)
    patch.setattr(_lift, "new_lifter", lambda: None)
    patch.setattr(html, "_safe_notes", html._safe_notes_python)
    patch.setattr(dates, "C_RFC822", None)
    patch.setattr(rows, "episode_row", rows.python_episode_row)


@pytest.fixture(scope="module", params=["c", "python"])
def item_reader(request: pytest.FixtureRequest) -> Iterator[str]:
    """Which code `parse_feed` (and the row builder) runs in this test: every C module, or none of them."""
    if request.param == "python" and SANITIZED:
        pytest.skip("the sanitizer pass checks the C code; the Python variant ran in the SQLite pass")
    if request.param == "c" and not c_modules_loaded():
        if c_reader_required():
            pytest.fail("Lytt's C modules are not all built (or not all loaded: see lytt.compiled's warning)")
        pytest.skip("the C modules are not built here, or are turned off (LYTT_PURE_PYTHON=1)")
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "python":
            pure_python(patch)
        yield request.param
