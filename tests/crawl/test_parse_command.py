"""`lytt parse` run as a real subprocess: files, stdin, a local HTTP server, exit codes, JSON keys."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "feeds" / "data"

CHANNEL_KEYS = {
    "title",
    "link",
    "description_html",
    "description_text",
    "author",
    "owner",
    "image",
    "language",
    "categories",
    "explicit",
    "type",
    "podcast_guid",
    "locked",
    "funding",
    "new_feed_url",
    "complete",
    "episodes",
}
EPISODE_KEYS = {
    "guid",
    "title",
    "link",
    "published",
    "duration_seconds",
    "enclosure",
    "episode_number",
    "season",
    "episode_type",
    "explicit",
    "image",
    "description_html",
    "description_text",
    "transcripts",
    "chapters",
    "persons",
    "soundbites",
}


def lytt(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "lytt.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def _no_empty_strings(value: object) -> bool:
    if value == "":
        return False
    if isinstance(value, dict):
        return all(_no_empty_strings(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_empty_strings(v) for v in value)
    return True


def test_parse_json_from_a_file() -> None:
    result = lytt("parse", str(DATA / "full.xml"), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) >= CHANNEL_KEYS
    assert doc["title"] == "Politisk kvarter"
    assert doc["owner"] == {"name": "Kari Nordmann", "email": "kari@podcast.example"}
    assert doc["categories"][0] == ["News", "Politics"]
    assert doc["funding"][0] == {"url": "https://podcast.example/support", "text": "Støtt oss"}
    episode = doc["episodes"][0]
    assert set(episode) >= EPISODE_KEYS
    assert episode["published"] == "2025-12-28T05:00:00Z"
    assert episode["enclosure"] == {
        "url": "https://cdn.podcast.example/511.mp3",
        "type": "audio/mpeg",
        "length": 83886080,
    }
    assert episode["transcripts"][0] == {
        "url": "https://podcast.example/511.vtt",
        "type": "text/vtt",
        "language": "nb",
        "rel": "captions",
    }
    assert set(episode["chapters"]) >= {"url", "type", "inline"}
    assert episode["chapters"]["inline"][1] == {
        "start_seconds": 750.5,
        "title": "Budsjettet",
        "href": "https://podcast.example/budget",
        "image": None,  # relative "/ch2.jpg" cannot be resolved without a feed URL
    }
    assert set(episode["persons"][0]) == {"name", "role", "group", "href", "img"}
    assert episode["soundbites"][0]["start_seconds"] == 73.0
    assert doc["episodes"][1]["link"] is None
    assert _no_empty_strings(doc)


def test_parse_summary_from_stdin() -> None:
    result = lytt("parse", "-", stdin=(DATA / "full.xml").read_bytes())
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert out.startswith("Politisk kvarter  [rss]")
    assert "2 episodes" in out
    assert "2025-12-28   1:27:03  Statsbudsjettet & deg" in out


@pytest.fixture
def feed_server() -> Iterator[str]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(DATA), **kwargs)

        def do_GET(self) -> None:
            if self.path == "/moved":
                self.send_response(301)
                self.send_header("Location", "/atom.xml")
                self.end_headers()
                return
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_parse_a_url(feed_server: str) -> None:
    result = lytt("parse", f"{feed_server}/atom.xml", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["format"] == "atom"
    assert doc["feed_url"] == f"{feed_server}/atom.xml"
    assert len(doc["episodes"]) == 2


def test_parse_follows_redirects_and_uses_the_final_url(feed_server: str) -> None:
    result = lytt("parse", f"{feed_server}/moved", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["feed_url"] == f"{feed_server}/atom.xml"


def test_url_not_found_exits_1(feed_server: str) -> None:
    result = lytt("parse", f"{feed_server}/missing.xml")
    assert result.returncode == 1
    assert b"HTTP 404" in result.stderr
    assert b"Traceback" not in result.stderr


def test_url_over_the_size_cap_exits_1(feed_server: str) -> None:
    result = lytt("parse", f"{feed_server}/full.xml", "--max-bytes", "1000")
    assert result.returncode == 1
    assert b"1,000-byte limit" in result.stderr


def test_broken_feed_exits_1_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<?xml version='1.0'?>\n<rss\n <<<")
    result = lytt("parse", str(path), "--json")
    assert result.returncode == 1
    assert result.stdout == b""
    assert b"broken XML at line" in result.stderr
    assert b"Traceback" not in result.stderr


def test_html_page_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"<!DOCTYPE html><html><body>hi</body></html>")
    result = lytt("parse", str(path))
    assert result.returncode == 1
    assert b"not an RSS or Atom feed" in result.stderr


def test_missing_file_exits_1(tmp_path: Path) -> None:
    result = lytt("parse", str(tmp_path / "nope.xml"))
    assert result.returncode == 1
    assert b"nope.xml" in result.stderr
    assert b"Traceback" not in result.stderr


def test_recovered_feed_prints_the_warning_and_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "truncated.xml"
    data = (DATA / "full.xml").read_bytes()
    path.write_bytes(data[: data.index(b"<podcast:soundbite")])
    result = lytt("parse", str(path), "--json")
    assert result.returncode == 0
    assert b"warning: recovered broken XML" in result.stderr
    assert json.loads(result.stdout)["title"] == "Politisk kvarter"
