"""The catalogue's commands, run through `lytt.cli.main` as an operator would."""

from __future__ import annotations

import pytest

from lytt.catalog.models import FeedSource
from lytt.cli import main

pytestmark = pytest.mark.django_db

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Mine</title></head><body>
<outline text="Tech"><outline type="rss" text="A" xmlUrl="https://a.example/feed"/>
<outline type="rss" text="B &amp; C" xmlUrl="https://b.example/rss?x=1&amp;y=2"/></outline>
<outline type="rss" text="Bad" xmlUrl="ftp://c.example/feed"/>
</body></opml>"""


def test_add_reports_each_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", "https://a.example/feed", "feed://b.example/rss"]) == 0
    err = capsys.readouterr().err
    assert "added: https://a.example/feed" in err
    assert "2 added, 0 already known, 0 invalid" in err
    assert main(["add", "https://a.example/feed", "nonsense"]) == 1
    err = capsys.readouterr().err
    assert "already known: https://a.example/feed" in err
    assert "nonsense: not an http(s) URL" in err
    assert FeedSource.objects.count() == 2


def test_import_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-opml", "/nonexistent/subs.opml"]) == 1
    assert "/nonexistent/subs.opml: no such file" in capsys.readouterr().err


def test_feeds_table_filters(capsys: pytest.CaptureFixture[str]) -> None:
    FeedSource.objects.create(url="https://ok.example/feed", status=FeedSource.Status.ACTIVE)
    FeedSource.objects.create(
        url="https://bad.example/feed",
        status=FeedSource.Status.ERROR,
        error_count=3,
        last_error="HTTP 503 Service Unavailable",
    )
    FeedSource.objects.create(url="https://m.example/rss?token=abcdef0123456789", private=True)
    assert main(["feeds"]) == 0
    out = capsys.readouterr().out
    assert "3 feed(s)" in out
    assert "abcdef0123456789" not in out
    assert main(["feeds", "--failing"]) == 0
    out = capsys.readouterr().out
    assert "bad.example" in out
    assert "HTTP 503 Service Unavailable" in out
    assert "ok.example" not in out
    assert main(["feeds", "--status", "active"]) == 0
    out = capsys.readouterr().out
    assert "ok.example" in out
    assert "bad.example" not in out


def test_feeds_rejects_unknown_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["feeds", "--status", "bogus"])
    assert "invalid choice" in capsys.readouterr().err
