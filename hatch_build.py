"""Hatch build hook: compiles Lytt's optional native accelerators (``src/lytt/**/_c*.pyx``, in Cython).

Each ``_cNAME.pyx`` is translated to C by Cython (a build requirement, in pyproject.toml) into a
scratch directory, never beside the source, and becomes the extension module ``lytt.<package>._cNAME``.
The native modules only speed up work that pure Python already does (the notes fast path's checks fall
back to Python when the module is missing), so a machine without a C compiler or Python's headers still
gets a working install, with a warning; set ``LYTT_REQUIRE_C=1`` (CI does) to make a failed compile fail
the build instead.

Editable installs (``pip install -e``) put the compiled module next to its source, where the editable
package is imported from; wheels carry it at the same place inside the package.

Beside the modules goes ``lytt/compiled.json``: for each module, what it was compiled against (Python's
ABI, and for the modules that include lxml's and libxml2's headers, lxml's version and libxml2's from
those headers). `lytt.compiled` loads a module only when the running Python, lxml and libxml2 are those.

Run as a script, ``python hatch_build.py DIR`` copies the package to ``DIR/lytt`` and compiles the native
modules into that copy, with ``CFLAGS`` added (the test command builds a sanitizer copy this way).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
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
RECORD = "compiled.json"
"""The build record's name inside the package, beside compiled.py (which reads it)."""


def _include_dirs() -> list[str]:
    dirs = [sysconfig.get_paths()["include"]]
    try:
        import lxml  # for a module that reads lxml's elements: lxml ships its (and libxml2's) headers

        dirs.extend(lxml.get_include())
    except ImportError:
        pass
    return dirs


def _command(*flags: str) -> list[str]:
    """The compiler with `flags`, the include directories, then ``CFLAGS`` (which so win, e.g. -O1)."""
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    extra = shlex.split(os.environ.get("CFLAGS", ""))
    return [*compiler, "-std=c11", *flags, *(f"-I{path}" for path in _include_dirs()), *extra]


def cythonize(source: Path, module: str, scratch: Path) -> Path:
    """The C that Cython makes of `source` (the module `module`), written under `scratch`."""
    generated = scratch / (source.stem + ".c")
    command = [sys.executable, "-m", "cython", "-3", "--module-name", module, "-o", str(generated)]
    subprocess.run([*command, str(source)], check=True)
    return generated


def compile_extension(source: Path, target: Path) -> None:
    """Compile one C file into a loadable extension module at `target` (raises on failure)."""
    command = _command("-O2", "-fPIC", "-shared", *_WARNINGS)
    subprocess.run([*command, str(source), "-o", str(target)], check=True)


def compiled_against(source: Path) -> dict[str, str]:
    """What the module built from `source` depends on, as its headers say: Python's ABI always; lxml's
    version when it includes lxml's C API, libxml2's when it includes libxml2's headers."""
    macros = subprocess.run(
        _command("-E", "-dM", str(source)), check=True, capture_output=True, text=True
    ).stdout
    versions = {"python": sysconfig.get_config_var("SOABI") or sys.implementation.cache_tag}
    if "#define __PYX_HAVE_API__lxml__etree" in macros:
        from lxml import etree

        versions["lxml"] = ".".join(map(str, etree.LXML_VERSION))
    libxml = re.search(r"^#define LIBXML_VERSION (\d+)$", macros, re.MULTILINE)
    if libxml is not None:
        number = int(libxml[1])
        versions["libxml2"] = f"{number // 10000}.{number // 100 % 100}.{number % 100}"
    return versions


def build(sources: list[Path], src: Path, place: Path | None, required: bool) -> dict[str, Path]:
    """Compile `sources` (under `src`), each next to its source or into `place` when given, and write the
    build record beside them. Returns where each built file is, by its path inside the wheel."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    record: dict[str, dict[str, str]] = {}
    built: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="lytt-cython-") as scratch:  # Cython's C, not kept
        for source in sources:
            relative = source.relative_to(src)
            name = ".".join(relative.with_suffix("").parts)
            module = relative.with_name(source.stem + suffix)
            target = source.with_name(module.name) if place is None else place / module.name
            try:
                generated = cythonize(source, name, Path(scratch))
                compile_extension(generated, target)
                against = compiled_against(generated)
            except (OSError, subprocess.CalledProcessError) as exc:
                message = f"lytt: could not compile {relative} ({exc}); the pure-Python code is used instead"
                if required:
                    raise RuntimeError(message) from exc
                print(f"WARNING: {message}", file=sys.stderr)
                continue
            record[name] = against
            built[str(module)] = target
    target = src / "lytt" / RECORD if place is None else place / RECORD
    target.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    if built:
        built[str(Path("lytt", RECORD))] = target
    return built


class CExtensionsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        src = Path(self.root, "src")
        sources = sorted(src.rglob("_c*.pyx"))
        if not sources:
            return
        required = os.environ.get("LYTT_REQUIRE_C") == "1"
        # A wheel takes the modules from a directory of their own, which must outlive this hook.
        place = None if version == "editable" else Path(tempfile.mkdtemp(prefix="lytt-c-"))
        built = build(sources, src, place, required)
        if not built:
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if place is not None:
            for inside, target in built.items():
                build_data["force_include"][str(target)] = inside


def copy_and_build(root: Path, dest: Path) -> None:
    """Copy the package (without compiled modules) to `dest`/lytt and compile the native modules into it."""
    package = dest / "lytt"
    shutil.rmtree(package, ignore_errors=True)
    shutil.copytree(
        root / "src" / "lytt", package, ignore=shutil.ignore_patterns("*.so", "__pycache__", RECORD)
    )
    build(sorted(package.rglob("_c*.pyx")), dest, None, required=True)


if __name__ == "__main__":
    copy_and_build(Path(__file__).resolve().parent, Path(sys.argv[1]).resolve())
