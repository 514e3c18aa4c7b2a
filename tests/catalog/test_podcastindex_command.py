"""`lytt import-podcastindex` through `lytt.cli.main`: the published .tgz, and files that are no dump."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.catalog.pidumps import GENERATOR, pi_row, write_rows

from lytt.catalog.models import FeedSource, Show
from lytt.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def thawed_heap() -> Iterator[None]:
    """The command settles the heap (`lytt.heap.settle_heap`); each test starts and ends thawed."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def said(capsys: pytest.CaptureFixture[str]) -> str:
    """What the command wrote to stderr, as one line (rich wraps lines at the terminal's width)."""
    return " ".join(capsys.readouterr().err.split())


def test_the_published_tgz_is_imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = write_rows(tmp_path / "podcastindex_feeds.db", [pi_row(1), pi_row(2, dead=1), pi_row(3, url="x")])
    archive = GENERATOR.write_tgz(db, tmp_path / "podcastindex_feeds.db.tgz")
    db.unlink()
    assert main(["import-podcastindex", str(archive), "--no-progress"]) == 0
    err = said(capsys)
    assert "3 rows: 1 added" in err
    assert "1 dead skipped" in err
    assert "1 unreadable" in err
    assert "row 3: column 'url'" in err
    assert list(FeedSource.objects.values_list("podcastindex_id", flat=True)) == [1]
    assert Show.objects.get().title == "Show 1"


def test_a_file_that_is_not_sqlite_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "feeds.db"
    path.write_bytes(b"this is not a database, just some text " * 200)
    assert main(["import-podcastindex", str(path)]) == 1
    assert f"{path}: not an SQLite database" in said(capsys)


def test_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-podcastindex", "/nonexistent/podcastindex_feeds.db"]) == 1
    assert "/nonexistent/podcastindex_feeds.db: no such file" in said(capsys)


def test_a_missing_table_or_column_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE episodes (id INTEGER)").connection.commit()
    assert main(["import-podcastindex", str(other)]) == 1
    assert f"{other}: no table 'podcasts'" in said(capsys)
    narrow = tmp_path / "narrow.db"
    schema = GENERATOR.SCHEMA.replace(", itunesId INTEGER", "").replace(", category7 TEXT", "")
    sqlite3.connect(narrow).execute(schema).connection.commit()
    assert main(["import-podcastindex", str(narrow)]) == 1
    assert "table 'podcasts' has no column 'itunesId', 'category7'" in said(capsys)


def test_a_truncated_tgz_is_an_error_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = GENERATOR.write_dump(tmp_path / "podcastindex_feeds.db", 500)
    whole = GENERATOR.write_tgz(db, tmp_path / "whole.tgz").read_bytes()
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(whole[: len(whole) // 2])
    assert main(["import-podcastindex", str(cut)]) == 1
    assert f"{cut}: truncated or damaged archive" in said(capsys)
    assert not FeedSource.objects.exists()


def test_the_command_gives_imported_feeds_their_tier(tmp_path: Path) -> None:
    rows = [pi_row(1, popularityScore=50, newestItemPubdate=1), pi_row(2, newestItemPubdate=946_684_800)]
    assert main(["import-podcastindex", str(write_rows(tmp_path / "pi.db", rows)), "--no-progress"]) == 0
    tiers = dict(FeedSource.objects.values_list("podcastindex_id", "tier"))
    assert tiers == {1: "active", 2: "dormant"}  # popular with no date known; silent since 2000
