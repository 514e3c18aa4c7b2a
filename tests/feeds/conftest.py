"""Fixtures for the parser tests: every parse test runs with Lytt's native module (`_cnotes`, the checks of
the show notes' fast path) and without it (what a pure-Python install runs)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from tests.conftest import SANITIZED

from lytt.feeds import safe_notes


def c_reader_required() -> bool:
    """In CI and under the test command (LYTT_REQUIRE_C=1), a C module that was not built is a failure;
    except in the test command's pure-Python pass (LYTT_PURE_PYTHON=1), where none is loaded."""
    if os.environ.get("LYTT_PURE_PYTHON") == "1":
        return False
    return os.environ.get("CI") == "true" or os.environ.get("LYTT_REQUIRE_C") == "1"


def c_modules_loaded() -> bool:
    """Whether every C module the parser can use is loaded here."""
    return safe_notes.C_SAFE_NOTES is not None


def pure_python(patch: pytest.MonkeyPatch) -> None:
    """Switch every C module off, as LYTT_PURE_PYTHON=1 does at import."""
    patch.setattr(safe_notes, "_safe_notes", safe_notes._safe_notes_python)


@pytest.fixture(scope="module", params=["c", "python"])
def native_code(request: pytest.FixtureRequest) -> Iterator[str]:
    """Which code `parse_feed` runs in this test: with Lytt's C module, or without it."""
    if request.param == "python" and SANITIZED:
        pytest.skip("the sanitizer pass checks the C code; the Python variant ran in the SQLite pass")
    if request.param == "c" and not c_modules_loaded():
        if c_reader_required():
            pytest.fail("Lytt's C module is not built (or not loaded: see lytt.compiled's warning)")
        pytest.skip("the C module is not built here, or is turned off (LYTT_PURE_PYTHON=1)")
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "python":
            pure_python(patch)
        yield request.param
