"""Lytt's optional C modules (``src/lytt/**/_c*.c``, compiled at install time by hatch_build.py).

Each one speeds up work Python code already does, and that Python code stays the definition: a module
that was not built, or ``LYTT_PURE_PYTHON=1`` in the environment (read when the module using it is
imported), leaves the Python code in charge, e.g. to compare the two or to rule the C code out when
chasing a bug.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def compiled(name: str) -> ModuleType | None:
    """The C module `name` (``lytt.feeds._citem``), or None when it is not built or turned off."""
    if os.environ.get("LYTT_PURE_PYTHON") == "1":
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
