"""The native modules are used only with the Python (and, for a module reading lxml's structures, the lxml and
libxml2) they were compiled against (`lytt.compiled`), as hatch_build.py records them."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
from lxml import etree
from tests.feeds.conftest import c_reader_required

from lytt import compiled as compiled_module
from lytt.compiled import build_mismatch, compiled, running_version, turned_off

MODULES = ("lytt.feeds._cnotes",)
ROOT = Path(__file__).resolve().parents[1]


def _record_of_this_install() -> dict[str, dict[str, str]]:
    record = compiled_module._record()
    if not record and not c_reader_required():
        pytest.skip("the C modules are not built here (pure-Python install)")
    return record


def test_every_module_was_recorded_as_compiled_against_what_runs_here() -> None:
    record = _record_of_this_install()
    assert sorted(record) == sorted(MODULES)
    for name in MODULES:
        assert build_mismatch(name, record) is None
    # _cnotes reads Python strings only: it depends on Python's ABI, not on lxml or libxml2.
    assert set(record["lytt.feeds._cnotes"]) == {"python"}


def test_a_module_compiled_against_another_lxml_is_not_used_and_says_why_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _record_of_this_install()
    monkeypatch.delenv("LYTT_PURE_PYTHON", raising=False)
    running_lxml = running_version("lxml")
    record = {
        "lytt.feeds._cnotes": {"python": running_version("python"), "lxml": "5.3.0.0", "libxml2": "2.12.9"},
    }
    monkeypatch.setattr(compiled_module, "_record", lambda: record)
    monkeypatch.setattr(compiled_module, "_warned", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert compiled("lytt.feeds._cnotes") is None
        assert compiled("lytt.feeds._cnotes") is None
    assert len(caught) == 1
    message = str(caught[0].message)
    assert caught[0].category is RuntimeWarning
    assert "lytt.feeds._cnotes" in message
    assert f"lxml 5.3.0.0 but runs with {running_lxml}" in message
    assert f"libxml2 2.12.9 but runs with {running_version('libxml2')}" in message


def test_a_module_of_another_python_abi_is_not_used() -> None:
    record = {"lytt.feeds._cnotes": {"python": "cpython-399-x86_64-linux-gnu"}}
    running = running_version("python")
    assert running.startswith("cpython-3")
    expected = f"was compiled against python cpython-399-x86_64-linux-gnu but runs with {running}"
    assert build_mismatch("lytt.feeds._cnotes", record) == expected


def test_a_module_without_a_record_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    _record_of_this_install()
    monkeypatch.delenv("LYTT_PURE_PYTHON", raising=False)
    monkeypatch.setattr(compiled_module, "_record", dict)
    monkeypatch.setattr(compiled_module, "_warned", set())
    with pytest.warns(RuntimeWarning, match="has no record of what it was compiled against"):
        assert compiled("lytt.feeds._cnotes") is None


def test_a_module_compiled_against_what_runs_is_used_and_pure_python_turns_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _record_of_this_install()
    monkeypatch.delenv("LYTT_PURE_PYTHON", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module = compiled("lytt.feeds._cnotes")
        assert module is not None
        assert module.__name__ == "lytt.feeds._cnotes"
        monkeypatch.setenv("LYTT_PURE_PYTHON", "1")
        assert compiled("lytt.feeds._cnotes") is None


@pytest.mark.parametrize(
    ("setting", "off"),
    [
        ("", set()),
        ("0", set()),
        ("1", {"lytt.feeds._cnotes", "lytt.catalog._cother"}),
        (" 1 ", {"lytt.feeds._cnotes", "lytt.catalog._cother"}),
        ("_cnotes", {"lytt.feeds._cnotes"}),
        ("_cother, _cnotes", {"lytt.feeds._cnotes", "lytt.catalog._cother"}),
        ("cnotes,lytt.catalog._cother", set()),
    ],
)
def test_pure_python_turns_off_all_or_the_modules_it_names(setting: str, off: set[str]) -> None:
    names = {"lytt.feeds._cnotes", "lytt.catalog._cother"}
    assert {name for name in names if turned_off(name, setting)} == off


def test_a_module_that_is_not_there_is_none_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compiled("lytt.feeds._cnothing") is None


def test_the_build_records_what_each_source_includes(tmp_path: Path) -> None:
    """hatch_build.py reads the versions from the headers the compiler sees for each source."""
    sys.path.insert(0, str(ROOT))
    try:
        import hatch_build
    finally:
        sys.path.remove(str(ROOT))
    source = tmp_path / "_creader.c"  # a module that would read lxml's elements and libxml2's nodes
    source.write_text('#include <Python.h>\n#include <libxml/tree.h>\n#include "etree_api.h"\n')
    lxml_reader = hatch_build.compiled_against(source)
    assert lxml_reader == {
        "python": running_version("python"),
        "lxml": running_version("lxml"),
        "libxml2": ".".join(map(str, etree.LIBXML_COMPILED_VERSION)),
    }
    # The C that Cython makes of _cnotes.pyx includes Python's headers only.
    generated = hatch_build.cythonize(ROOT / "src/lytt/feeds/_cnotes.pyx", "lytt.feeds._cnotes", tmp_path)
    assert hatch_build.compiled_against(generated) == {"python": running_version("python")}
