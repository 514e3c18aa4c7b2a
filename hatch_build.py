"""Hatch build hook: compiles Lytt's optional C accelerators (``src/lytt/**/_c*.c``).

Each ``_cNAME.c`` becomes the extension module ``lytt.<package>._cNAME``. The C modules only speed up
work that pure Python already does (the parser, its dates and the row builder fall back to Python when
they are missing), so a machine without a C compiler or Python's headers still gets a working install,
with a warning; set ``LYTT_REQUIRE_C=1`` (CI does) to make a failed compile fail the build instead.

Editable installs (``pip install -e``) put the compiled module next to its source, where the editable
package is imported from; wheels carry it at the same place inside the package.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

_WARNINGS = (
    "-Wall",
    "-Wextra",
    "-Werror=implicit-function-declaration",
    "-Werror=incompatible-pointer-types",
)


def _include_dirs() -> list[str]:
    dirs = [sysconfig.get_paths()["include"]]
    try:
        import lxml  # the item reader walks lxml's elements; lxml ships its (and libxml2's) headers

        dirs.extend(lxml.get_include())
    except ImportError:
        pass
    return dirs


def compile_extension(source: Path, target: Path) -> None:
    """Compile one C file into a loadable extension module at `target` (raises on failure)."""
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    command = [
        *compiler,
        "-O2",
        "-fPIC",
        "-shared",
        "-std=c11",
        *_WARNINGS,
        *(f"-I{path}" for path in _include_dirs()),
        str(source),
        "-o",
        str(target),
    ]
    subprocess.run(command, check=True)


class CExtensionsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        sources = sorted(Path(self.root, "src").rglob("_c*.c"))
        if not sources:
            return
        required = os.environ.get("LYTT_REQUIRE_C") == "1"
        editable = version == "editable"
        # A wheel takes the modules from a directory of their own, which must outlive this hook.
        out_dir = None if editable else Path(tempfile.mkdtemp(prefix="lytt-c-"))
        built = 0
        for source in sources:
            relative = source.relative_to(Path(self.root, "src"))
            module = relative.with_name(source.stem + suffix)
            target = source.with_name(module.name) if out_dir is None else out_dir / module.name
            try:
                compile_extension(source, target)
            except (OSError, subprocess.CalledProcessError) as exc:
                message = f"lytt: could not compile {relative} ({exc}); the pure-Python code is used instead"
                if required:
                    raise RuntimeError(message) from exc
                print(f"WARNING: {message}", file=sys.stderr)
                continue
            built += 1
            if not editable:
                build_data["force_include"][str(target)] = str(module)
        if built:
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
