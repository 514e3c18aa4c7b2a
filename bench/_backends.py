"""Scratch databases for the benchmarks, on SQLite and on PostgreSQL: the one owner of their set-up.

A benchmark that measures a backend runs its work in a child process whose environment points at a scratch
database: on SQLite a data directory of its own (``LYTT_DATA_DIR``, which holds the database file), on
PostgreSQL a database created on the server of ``--database-url`` (the test server by default) and dropped
afterwards. Scratch PostgreSQL databases are named ``<prefix>_<kind>``, the prefix ``lytt_bench`` unless
``LYTT_BENCH_DATABASE_PREFIX`` says otherwise (on a shared server, a name of one's own).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
"""The server the benchmarks use by default (the test server); scratch databases are created beside `test`."""
BACKENDS = ("sqlite", "postgres")


def database_name(kind: str) -> str:
    """The name of a scratch database for `kind` (e.g. ``browse_1234``)."""
    return f"{os.environ.get('LYTT_BENCH_DATABASE_PREFIX', 'lytt_bench')}_{kind}"


def database_url(url: str, name: str) -> str:
    """`url` with its database replaced by `name`."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def execute(url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on the server of `url`."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def create_database(url: str, name: str, *, template: str | None = None, exist_ok: bool = False) -> None:
    """Create the database `name` on the server of `url` (a copy of `template` when given)."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        if exist_ok and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
    copy = f' TEMPLATE "{template}"' if template else ""
    execute(url, f'CREATE DATABASE "{name}"{copy}')


def drop_database(url: str, name: str) -> None:
    execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_backend(
    backend: str, kind: str, url: str = POSTGRES_URL, *, keep: bool = False, scratch_dir: str | None = None
) -> Iterator[dict[str, str]]:
    """The environment of a child process running against a scratch database of `backend` named for `kind`:
    a data directory of its own, and on PostgreSQL a database created for it. Both are removed afterwards
    unless `keep` (a second run then finds the data the first one made, if `kind` names it alike). The data
    directory is made under `scratch_dir` (the system's temporary directory by default)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r} (expected one of {', '.join(BACKENDS)})")
    env = {key: value for key, value in os.environ.items() if key != "LYTT_DATABASE_URL"}
    data_dir = Path(scratch_dir or tempfile.gettempdir()) / f"lytt-bench-{kind}-{backend}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env["LYTT_DATA_DIR"] = str(data_dir)
    name = database_name(kind)
    if backend == "postgres":
        create_database(url, name, exist_ok=keep)
        env["LYTT_DATABASE_URL"] = database_url(url, name)
    try:
        yield env
    finally:
        if not keep:
            if backend == "postgres":
                drop_database(url, name)
            shutil.rmtree(data_dir, ignore_errors=True)


def child_result(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a benchmark's child `command`; the JSON of the line it printed as ``RESULT {...}`` (its other
    output is printed)."""
    output = subprocess.run(command, env=env, check=True, text=True, stdout=subprocess.PIPE)
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT ") :])
            return result
        print(line)
    raise SystemExit(f"{command[1]}: the child printed no result")
