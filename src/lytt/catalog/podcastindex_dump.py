"""Opening the Podcast Index dump: `podcastindex_feeds.db`, or the `.tgz` it is published as, whose
member is streamed out to a temporary file (SQLite needs a file). Errors name the file and what is wrong
with it: not SQLite, a truncated archive, no `podcasts` table, a column missing."""

from __future__ import annotations

import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lytt.catalog.podcastindex_rows import COLUMNS, TABLE

_COPY_CHUNK = 1024 * 1024


class DumpError(Exception):
    """The dump cannot be read: the message names the file and the fault."""


@dataclass(frozen=True, slots=True)
class Dump:
    connection: sqlite3.Connection  # read-only
    name: str  # the path as given, for messages
    made_at: datetime  # when the dump was written (the archive member's or the file's time)


@contextmanager
def open_dump(path: str | Path) -> Iterator[Dump]:
    """The dump at `path` (a `.db` file or a `.tgz` holding one), checked to have the columns the import
    reads; a temporary copy of an archive's member is removed afterwards."""
    source = Path(path)
    name = str(path)
    if not source.is_file():
        raise DumpError(f"{name}: no such file")
    if _is_gzip(source):
        with tempfile.TemporaryDirectory(prefix="lytt-podcastindex-") as scratch:
            target = Path(scratch) / "podcastindex_feeds.db"
            made_at = _extract(source, name, target)
            with _connected(target, name, made_at) as dump:
                yield dump
    else:
        made_at = datetime.fromtimestamp(source.stat().st_mtime, tz=UTC)
        with _connected(source, name, made_at) as dump:
            yield dump


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _extract(source: Path, name: str, target: Path) -> datetime:
    """Stream the archive's first `.db` member (else its only file) to `target`; its modification time."""
    try:
        with tarfile.open(source, "r|gz") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                handle = archive.extractfile(member)
                if handle is None:  # pragma: no cover - isfile() members always have content
                    continue
                with target.open("wb") as out:
                    shutil.copyfileobj(handle, out, _COPY_CHUNK)
                if member.size and target.stat().st_size != member.size:
                    raise DumpError(f"{name}: truncated archive ({member.name} is cut short)")
                return datetime.fromtimestamp(member.mtime, tz=UTC)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise DumpError(f"{name}: truncated or damaged archive ({error})") from None
    raise DumpError(f"{name}: the archive holds no file")


@contextmanager
def _connected(path: Path, name: str, made_at: datetime) -> Iterator[Dump]:
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise DumpError(f"{name}: cannot open ({error})") from None
    try:
        check_columns(connection, name)
        yield Dump(connection, name, made_at)
    finally:
        connection.close()


def check_columns(connection: sqlite3.Connection, name: str) -> None:
    """`DumpError` unless the dump has the `podcasts` table with every column the import reads."""
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if TABLE not in tables:
            raise DumpError(f"{name}: no table {TABLE!r} (is this the Podcast Index dump?)")
        present = {row[1].lower() for row in connection.execute(f"PRAGMA table_info({TABLE})")}
    except sqlite3.DatabaseError as error:
        raise DumpError(f"{name}: not an SQLite database ({error})") from None
    missing = [column for column in COLUMNS if column.lower() not in present]
    if missing:
        listed = ", ".join(repr(column) for column in missing)
        raise DumpError(f"{name}: table {TABLE!r} has no column {listed}")


def count_rows(dump: Dump) -> int:
    return int(_query(dump, f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0])


def shared_guids(dump: Dump) -> frozenset[str]:
    """The podcast GUIDs (lower-cased) that more than one row of the dump carries."""
    sql = (
        f"SELECT lower(podcastGuid) FROM {TABLE} WHERE podcastGuid IS NOT NULL AND podcastGuid != ''"
        " GROUP BY lower(podcastGuid) HAVING COUNT(*) > 1"
    )
    return frozenset(str(row[0]) for row in _query(dump, sql))


def batches(dump: Dump, size: int) -> Iterator[list[tuple[object, ...]]]:
    """The rows' `COLUMNS` values in id order, `size` at a time."""
    columns = ", ".join(f'"{column}"' for column in COLUMNS)
    cursor = _query(dump, f"SELECT {columns} FROM {TABLE} ORDER BY id")
    while True:
        try:
            rows = cursor.fetchmany(size)
        except sqlite3.DatabaseError as error:
            raise DumpError(f"{dump.name}: cannot read table {TABLE!r} ({error})") from None
        if not rows:
            return
        yield rows


def _query(dump: Dump, sql: str) -> sqlite3.Cursor:
    try:
        return dump.connection.execute(sql)
    except sqlite3.DatabaseError as error:
        raise DumpError(f"{dump.name}: cannot read table {TABLE!r} ({error})") from None
