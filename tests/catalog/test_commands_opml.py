"""`lytt import-opml` and `lytt export-opml`, run through `lytt.cli.main`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.catalog.factories import feed
from tests.feedserver import FeedServer

from lytt.catalog.ingest import ingest_feed
from lytt.catalog.models import FeedSource
from lytt.cli import main

pytestmark = pytest.mark.django_db

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Mine</title></head><body>
<outline text="Tech"><outline type="rss" text="A" xmlUrl="https://a.example/feed"/>
<outline type="rss" text="B &amp; C" xmlUrl="https://b.example/rss?x=1&amp;y=2"/></outline>
<outline type="rss" text="Bad" xmlUrl="ftp://c.example/feed"/>
</body></opml>"""


def test_import_opml_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "subs.opml"
    path.write_bytes(OPML)
    FeedSource.objects.create(url="https://a.example/feed")
    # The OPML reader drops outlines without an http(s) feed URL (the ftp one).
    assert main(["import-opml", str(path)]) == 0
    assert "1 added, 1 already known, 0 invalid" in capsys.readouterr().err
    assert set(FeedSource.objects.values_list("url", flat=True)) == {
        "https://a.example/feed",
        "https://b.example/rss?x=1&y=2",
    }


def test_import_opml_from_url(feed_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    url = feed_server.add("/subs.opml", OPML, content_type="text/x-opml")
    assert main(["import-opml", url]) == 0
    assert "2 added" in capsys.readouterr().err
    gone = feed_server.add("/gone.opml", status=404)
    assert main(["import-opml", gone]) == 1
    assert "HTTP 404" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body>not opml</body></html>", "error"),
        (b"\x00\x01garbage", "error"),
        (b'<?xml version="1.0"?><opml version="2.0"><head/><body></body></opml>', "lists no feeds"),
    ],
)
def test_import_broken_opml_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "broken.opml"
    path.write_bytes(content)
    assert main(["import-opml", str(path)]) == 1
    assert message in capsys.readouterr().err
    assert not FeedSource.objects.exists()


def test_export_opml_round_trips_and_hides_private(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    from lytt.feeds.opml import parse_opml

    public = FeedSource.objects.create(url="https://a.example/feed")
    ingest_feed(public, feed(1, title="Show & Tell <Live>"), now=datetime(2025, 1, 1, tzinfo=UTC))
    FeedSource.objects.create(url="https://m.example/rss?token=abcdef0123456789", private=True)
    FeedSource.objects.create(url="https://dup.example/feed", status=FeedSource.Status.DUPLICATE)
    assert main(["export-opml"]) == 0
    outlines = parse_opml(capsysbinary.readouterr().out)
    assert [(o.url, o.title) for o in outlines] == [("https://a.example/feed", "Show & Tell <Live>")]
    assert main(["export-opml", "--include-private"]) == 0
    urls = [o.url for o in parse_opml(capsysbinary.readouterr().out)]
    assert urls == ["https://a.example/feed", "https://m.example/rss?token=abcdef0123456789"]


def test_import_big_opml_in_batches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outlines = "".join(
        f'<outline type="rss" text="F{n}" xmlUrl="https://h{n % 97}.example/feed/{n}"/>'
        for n in range(10_500)
    )
    path = tmp_path / "big.opml"
    path.write_text(f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>')
    assert main(["import-opml", str(path), "--no-progress"]) == 0
    assert "10500 added, 0 already known, 0 invalid" in capsys.readouterr().err
    assert FeedSource.objects.count() == 10_500


def test_import_opml_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(OPML)))
    assert main(["import-opml", "-"]) == 0
    assert "2 added" in capsys.readouterr().err
