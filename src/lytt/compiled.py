"""Lytt's optional native modules (``src/lytt/**/_c*.pyx``, Cython, built at install time by hatch_build.py).

Each one speeds up work Python code already does, and that Python code stays the definition: a module
that was not built, or ``LYTT_PURE_PYTHON=1`` in the environment (read when the module using it is
imported), leaves the Python code in charge, e.g. to compare the two or to rule the C code out when
chasing a bug. ``LYTT_PURE_PYTHON`` may instead name modules, comma-separated (``_cnotes``): only
those are turned off (to measure what each one saves, or to rule one out).

The build records what each module was compiled against (``compiled.json``, beside this file): Python's
ABI, and for a module that includes lxml's or libxml2's headers (none does now: `_cnotes` reads Python
strings only) their versions, since such a module built against one lxml and run with another would read
its structures wrongly without any error. A module is used only when the running Python (and lxml and
libxml2) are those; otherwise a warning names both versions, once, and the Python code runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import sysconfig
import warnings
from functools import cache
from pathlib import Path
from types import ModuleType

RECORD = Path(__file__).with_name("compiled.json")
"""What each C module was compiled against, by module name: written by hatch_build.py."""

_warned: set[str] = set()


def compiled(name: str) -> ModuleType | None:
    """The C module `name` (``lytt.feeds._cnotes``), or None when it is not built, was built against other
    versions than run here (with a warning), or is turned off."""
    if turned_off(name, os.environ.get("LYTT_PURE_PYTHON", "")):
        return None
    try:
        spec = importlib.util.find_spec(name)
    except ImportError:
        return None
    if spec is None:
        return None
    mismatch = build_mismatch(name, _record())
    if mismatch is not None:
        if mismatch not in _warned:
            _warned.add(mismatch)
            warnings.warn(
                f"{name} {mismatch}: the pure-Python code runs instead (so for any other C module of"
                " Lytt's compiled alike); reinstall lytt to rebuild them",
                RuntimeWarning,
                stacklevel=2,
            )
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def turned_off(name: str, setting: str) -> bool:
    """Whether ``LYTT_PURE_PYTHON=setting`` turns the C module `name` off: "1" turns off all of them, a
    comma-separated list of module names (the last part of `name`, e.g. ``_cnotes``) those it lists."""
    if setting.strip() == "1":
        return True
    return name.rpartition(".")[2] in {part.strip() for part in setting.split(",")}


def build_mismatch(name: str, record: dict[str, dict[str, str]]) -> str | None:
    """How what `name` was compiled against (per `record`) differs from what runs here, or None when it
    does not."""
    built = record.get(name)
    if built is None:
        return f"has no record of what it was compiled against in {RECORD}"
    running = {what: running_version(what) for what in built}
    differing = [
        f"{what} {built[what]} but runs with {running[what]}"
        for what in sorted(built)
        if built[what] != running[what]
    ]
    return "was compiled against " + ", ".join(differing) if differing else None


def running_version(what: str) -> str:
    """The version of `what` (python, lxml or libxml2) this process runs, spelled as the build record does.
    libxml2's is the loaded library's, followed by the one lxml was compiled against if that differs."""
    if what == "python":
        return str(sysconfig.get_config_var("SOABI") or sys.implementation.cache_tag)
    from lxml import etree

    if what == "lxml":
        return _dotted(etree.LXML_VERSION)
    if what == "libxml2":
        loaded, built = _dotted(etree.LIBXML_VERSION), _dotted(etree.LIBXML_COMPILED_VERSION)
        return loaded if loaded == built else f"{loaded} (lxml compiled against {built})"
    return "unknown"


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


@cache
def _record() -> dict[str, dict[str, str]]:
    try:
        record = json.loads(RECORD.read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}
