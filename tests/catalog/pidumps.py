"""Podcast Index dumps for the tests: bench/podcastindex_dump.py's synthetic ones (the published schema,
the dump's quirks), and small ones written row by row."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

_PATH = Path(__file__).resolve().parents[2] / "bench" / "podcastindex_dump.py"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("podcastindex_dump", _PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = generator()


def pi_row(pi_id: int, **values: Any) -> dict[str, Any]:
    """A live row with plain values; `values` override columns by name."""
    row: dict[str, Any] = dict.fromkeys(GENERATOR.COLUMNS)
    row.update(
        id=pi_id,
        url=f"https://feeds.example.com/{pi_id}.xml",
        title=f"Show {pi_id}",
        dead=0,
        itunesId=1_000_000 + pi_id,
        itunesAuthor=f"Author {pi_id}",
        description=f"<p>About show {pi_id}</p>",
        language="en",
        explicit=0,
    )
    row.update(values)
    return row


def write_rows(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A dump holding exactly `rows` (column → value), in the published schema."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    connection.execute(GENERATOR.SCHEMA)
    columns = GENERATOR.COLUMNS
    connection.executemany(
        f"INSERT INTO podcasts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [[row.get(column) for column in columns] for row in rows],
    )
    connection.commit()
    connection.close()
    return path
