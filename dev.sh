#!/usr/bin/env bash
# The two everyday commands behind the README quickstart, for a fresh Debian machine with Python 3.11+.
#   ./dev.sh serve [lytt serve options]   install into .venv, migrate, load the sample catalogue, serve
#   ./dev.sh test  [pytest options]       install into .venv, lint, type-check, run the suite on SQLite
#                                         and on PostgreSQL (LYTT_TEST_POSTGRES_URL, default 127.0.0.1:5432)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${LYTT_VENV:-.venv}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
    if [ -z "${_APT_UPDATED:-}" ]; then as_root apt-get update -qq; _APT_UPDATED=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_python() {
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "Lytt needs Python 3.11 or newer as '$PYTHON' (set PYTHON=...)." >&2; exit 1
    fi
    if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then apt_install python3-venv; fi
}

ensure_c_toolchain() {  # the parser's native module (Cython's C, hatch_build.py); without it, pure Python
    command -v gcc >/dev/null 2>&1 || apt_install gcc libc6-dev  # gcc: the sanitizer pass uses its libasan
    "$VENV/bin/python" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' || apt_install python3-dev
}

built_for() {  # what the native modules are compiled against: another lxml, libxml2 or Python rebuilds them
    "$VENV/bin/python" -c 'import sys; from lxml import etree
print("python", sys.version.split()[0], "lxml", etree.LXML_VERSION, "libxml2", etree.LIBXML_VERSION)' \
        2>/dev/null || echo "no lxml"
}

install() {  # $1: extras, e.g. "test"
    ensure_python
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    ensure_c_toolchain
    local stamp="$VENV/.installed-${1:-base}" spec="."
    [ -z "$1" ] || spec=".[$1]"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ hatch_build.py -nt "$stamp" ] \
        || [ -n "$(find src \( -name '_c*.pyx' -o -name '_c*.pxi' \) -newer "$stamp")" ] \
        || [ "$(cat "$stamp")" != "$(built_for)" ]; then
        "$VENV/bin/python" -m pip install -q --upgrade pip
        # The native modules are compiled against the venv's own lxml, not the one pip would put in an
        # isolated build environment (the newest): the build requirements first, then no isolation.
        local requires
        mapfile -t requires < <("$VENV/bin/python" -c 'import tomllib
print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")')
        "$VENV/bin/python" -m pip install -q "${requires[@]}" editables  # hatchling's editable builds need it
        "$VENV/bin/python" -m pip install -q --no-build-isolation -e "$spec"
        built_for > "$stamp"
    fi
}

ensure_chromium() {
    if [ ! -x /usr/bin/chromium ]; then
        echo "Installing Debian's chromium for the browser tests..."
        apt_install chromium fonts-dejavu-core
    fi
}

postgres_url() { echo "${LYTT_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"; }

postgres_reachable() {
    "$VENV/bin/python" - "$(postgres_url)" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL at {sys.argv[1]} is not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

run_pytest() {  # pytest's exit 5 (no tests collected) is not a failure for a backend-filtered run
    local rc=0
    "$VENV/bin/python" -m pytest "$@" || rc=$?
    if [ "$rc" = 5 ]; then rc=0; fi
    return "$rc"
}

# The native modules' checks (both run in every `./dev.sh test`, whatever tests it is given):
NATIVE_PURE_TESTS=(tests/feeds tests/catalog tests/crawl)
# Cython against Python, and hostile input, with Cython's C built with AddressSanitizer and UBSan.
NATIVE_SANITIZED_TESTS=(
    tests/feeds/test_cnotes.py tests/feeds/test_notes_hostile.py tests/feeds/test_html_fast_path.py
    tests/feeds/test_c_switch.py tests/feeds/test_parse_hostile.py
)

pure_python_pass() {  # the parser, the catalogue and the crawler as a pure-Python install runs them
    echo "== pytest with LYTT_PURE_PYTHON=1 (SQLite)"
    (unset LYTT_DATABASE_URL; LYTT_PURE_PYTHON=1 run_pytest -n 2 -q -rfE -p no:cacheprovider \
        "${NATIVE_PURE_TESTS[@]}")
}

sanitizer_pass() {  # a copy of the package with its native modules built with -fsanitize=address,undefined
    echo "== pytest with the native modules built with AddressSanitizer and UBSan (SQLite)"
    local dir
    dir="$(mktemp -d -t lytt-sanitized.XXXXXX)"
    CC=gcc CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1" \
        "$VENV/bin/python" hatch_build.py "$dir"
    # ASan's runtime must be loaded before anything else in a Python that was not built with it. CPython
    # leaks on purpose at exit, so leaks are not reported; PYTHONMALLOC=malloc puts every Python object
    # where ASan sees it (pymalloc's arenas would hide an overflow into a neighbour). A finding aborts the
    # test process, which fails the run; the reports go to files, printed here.
    (unset LYTT_DATABASE_URL
     export LYTT_SANITIZED=1 PYTHONPATH="$dir" LD_PRELOAD="$(gcc -print-file-name=libasan.so)" PYTHONMALLOC=malloc \
        ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$dir/finding" \
        UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$dir/finding"
     "$VENV/bin/python" -c 'import sys, lytt.feeds._cnotes as m
sys.exit(not m.__file__.startswith(sys.argv[1]))' "$dir" || { echo "the sanitized modules are not the ones loaded" >&2; exit 1; }
     run_pytest -n 2 -q -rfE -p no:cacheprovider "${NATIVE_SANITIZED_TESTS[@]}") \
        || { cat "$dir"/finding.* >&2 2>/dev/null || true; exit 1; }
    rm -rf "$dir"
}

native_passes() { pure_python_pass; sanitizer_pass; }

lint() {
    echo "== ruff"
    "$VENV/bin/ruff" check src tests bench hatch_build.py
    "$VENV/bin/ruff" format --check src tests bench hatch_build.py
    echo "== mypy"
    "$VENV/bin/mypy"
}

sqlite_pass() {
    echo "== pytest on SQLite"
    (unset LYTT_DATABASE_URL; run_pytest -n 2 -p no:cacheprovider "$@")
}

postgres_pass() {
    echo "== pytest on PostgreSQL"
    if postgres_reachable; then
        LYTT_DATABASE_URL="$(postgres_url)" LYTT_TEST_BACKEND=postgres run_pytest -n 2 -p no:cacheprovider "$@"
    elif [ "${CI:-}" = "true" ]; then
        echo "CI=true and PostgreSQL is missing: failing." >&2; return 1
    else
        echo "PostgreSQL not reachable: the PostgreSQL run is SKIPPED (it is required in CI)." >&2
    fi
}

# A pytest pass spends most of its time waiting, not computing (browsers playing audio in real time, servers
# that answer late on purpose, commands starting, PostgreSQL committing): one at a time they left the two
# cores idle more often than not. So the checks run side by side, each with a data directory of its own and
# its output kept in a file, shown whole (in a fixed order) once it has ended.
declare -A STARTED=()

start() {  # start NAME FUNCTION [args]: FUNCTION in the background, its output in $LOGS/NAME.log
    local name=$1
    shift
    (export LYTT_DATA_DIR="$LOGS/$name.data"; mkdir -p "$LYTT_DATA_DIR"; "$@") >"$LOGS/$name.log" 2>&1 &
    STARTED[$name]=$!
}

finish() {  # finish NAME: wait for it and print its output; its exit status
    local rc=0
    wait "${STARTED[$1]}" || rc=$?
    cat "$LOGS/$1.log"
    [ "$rc" = 0 ] || echo "!! $1 failed (exit $rc)" >&2
    return "$rc"
}

cmd_test() {
    # A native module that does not build fails the test command (elsewhere a warning and pure Python).
    export LYTT_REQUIRE_C=1
    install test
    ensure_chromium
    LOGS="$(mktemp -d -t lytt-test.XXXXXX)"
    local failed=() name
    start lint lint
    start postgres postgres_pass "$@"
    start sqlite sqlite_pass "$@"
    start native native_passes
    for name in lint sqlite postgres native; do
        finish "$name" || failed+=("$name")
    done
    if [ "${#failed[@]}" -gt 0 ]; then
        echo "FAILED: ${failed[*]}" >&2
        exit 1
    fi
    rm -rf "$LOGS"
}

cmd_serve() {
    install ""
    exec "$VENV/bin/lytt" serve "$@"
}

case "${1:-}" in
    test) shift; cmd_test "$@" ;;
    serve) shift; cmd_serve "$@" ;;
    *) echo "usage: ./dev.sh serve [options] | ./dev.sh test [pytest options]" >&2; exit 2 ;;
esac
