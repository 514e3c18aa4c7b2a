"""`lytt migrate`, and database commands refusing a database that lacks migrations (lytt.schema)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lytt.cli import main


def lytt(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The `lytt` command on a SQLite database of its own in `data_dir` (whatever this pass's backend)."""
    env = {k: v for k, v in os.environ.items() if k not in {"LYTT_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["LYTT_DATA_DIR"] = str(data_dir)
    command = [sys.executable, "-m", "lytt.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def tables(data_dir: Path) -> set[str]:
    path = data_dir / "lytt.sqlite3"
    if not path.exists():
        return set()
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A data directory `lytt migrate` set up from nothing, and what the command said. Each test works on a
    copy: migrating from nothing is the slowest command there is, and one run of it shows what it does."""
    data_dir = tmp_path_factory.mktemp("migrated")
    return data_dir, lytt(data_dir, "migrate")


def copy_of(migrated: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> Path:
    shutil.copyfile(migrated[0] / "lytt.sqlite3", tmp_path / "lytt.sqlite3")
    return tmp_path


def test_commands_refuse_a_database_without_tables_and_say_how_to_set_it_up(tmp_path: Path) -> None:
    refused = lytt(tmp_path, "add", "https://example.com/feed.xml")
    assert refused.returncode == 1
    assert "lytt migrate" in refused.stderr
    assert str(tmp_path / "lytt.sqlite3") in refused.stderr
    assert "Traceback" not in refused.stderr
    assert "catalog_feedsource" not in tables(tmp_path)


def test_migrate_sets_up_an_empty_database_and_then_has_nothing_to_do(
    migrated: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    data_dir, first = migrated
    assert first.returncode == 0, first.stderr
    assert "Applied" in first.stderr
    assert {"catalog_feedsource", "catalog_episode", "search_searchentry"} <= tables(data_dir)
    again = lytt(copy_of(migrated, tmp_path), "migrate")
    assert (again.returncode, "up to date" in again.stderr) == (0, True)

    added = lytt(tmp_path, "add", "https://example.com/feed.xml")
    assert added.returncode == 0, added.stderr
    with sqlite3.connect(tmp_path / "lytt.sqlite3") as db:
        assert db.execute("SELECT url FROM catalog_feedsource").fetchall() == [
            ("https://example.com/feed.xml",)
        ]


def test_a_database_missing_its_newest_migration_is_refused(
    migrated: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    copy_of(migrated, tmp_path)
    with sqlite3.connect(tmp_path / "lytt.sqlite3") as db:  # as if the code had been upgraded since
        newest = db.execute("SELECT app, name FROM django_migrations ORDER BY id DESC LIMIT 1").fetchone()
        db.execute("DELETE FROM django_migrations WHERE app = ? AND name = ?", newest)
    refused = lytt(tmp_path, "feeds")
    assert refused.returncode == 1
    assert f"lacks 1 migration (first: {newest[0]}.{newest[1]})" in refused.stderr


@pytest.mark.django_db
def test_a_migrated_database_runs_commands_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feeds"]) == 0
    assert "lytt migrate" not in capsys.readouterr().err


@pytest.mark.parametrize("command", ["feeds", "migrate"])
def test_a_database_that_cannot_be_used_is_named_in_one_line(tmp_path: Path, command: str) -> None:
    (tmp_path / "lytt.sqlite3").write_bytes(b"this is not a database, it is a text file\n" * 200)
    refused = lytt(tmp_path, command)
    assert refused.returncode == 1
    assert refused.stderr.startswith("lytt: cannot use the database (SQLite ")
    assert "file is not a database" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
