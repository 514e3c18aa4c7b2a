"""A feed on one local server, its transcript and chapters file on another origin, crawled by the real
crawler (`lytt crawl --once`), shown on the episode page in Chromium: read without JavaScript, followed
and seekable with it."""

from __future__ import annotations

import io
import struct
import wave
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from tests.crawl.attachment_feeds import CHAPTERS, VTT, feed_with_files
from tests.crawl.test_attachments import files  # noqa: F401 - the files' origin, a fixture
from tests.feedserver import FeedServer
from tests.web.test_browser import _screenshot_dir, browser, lytt_server  # noqa: F401 - fixtures

from lytt.catalog.models import Category, Episode, FeedSource
from lytt.catalog.taxonomy import sync_categories
from lytt.cli import main

pytestmark = pytest.mark.browser

AUDIO = "document.getElementById('lytt-audio')"


def _silence(seconds: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(b"\x80" * 8000 * seconds)
    return out.getvalue()


def _png(size: int = 48) -> bytes:
    """A plain square PNG (the third chapter's image)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x0b\x5c\x4a" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def crawled_episode(
    lytt_server: str,  # noqa: F811
    feed_server: FeedServer,
    files: FeedServer,  # noqa: F811
    settings: Any,
) -> str:
    """The episode page URL, after `lytt crawl --once` fetched the feed and then its files."""
    with transaction.atomic():  # one commit, not one per category
        sync_categories(Category)
    settings.ALLOW_PRIVATE_FEEDS = True
    # Another origin: another host name and port than the feed's; no CORS headers, as on most hosts.
    transcript = files.add("/t/ep1.vtt", VTT, content_type="text/plain").replace("127.0.0.1", "localhost")
    chapters = files.add("/t/ep1.json", CHAPTERS, content_type="application/json").replace(
        "127.0.0.1", "localhost"
    )
    files.add("/t/art/ch3.png", _png(), content_type="image/png")
    feed = feed_with_files("Follow Along", transcript_url=transcript, chapters_url=chapters)
    feed = feed.replace(
        "https://cdn.example.com/one.mp3",
        feed_server.add("/one.wav", _silence(30), content_type="audio/wav", ranges=True),
    )
    FeedSource.objects.create(url=feed_server.add("/feed.xml", feed))
    assert main(["crawl", "--once", "--no-progress", "--parsers", "0", "--timeout", "10"]) == 0
    assert files.hits["/t/ep1.vtt"] == 1
    assert files.hits["/t/ep1.json"] == 1
    episode = Episode.objects.select_related("show").get()
    return f"{lytt_server}/podcast/{episode.show.slug}/{episode.slug}/"


def test_transcript_and_chapters_from_another_origin_follow_the_audio(
    browser: Any,  # noqa: F811
    crawled_episode: str,
    tmp_path: Path,
) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(crawled_episode)
    lines = page.locator(".transcript__lines p")
    assert lines.all_inner_texts() == [
        "Ada\n0:00 Welcome to the show about follow-along transcripts.",
        "0:04 Today we fetch files from another origin.",
        "Ben\n0:09 And the crawler stores them parsed & safe.",
    ]
    assert page.locator(".chapter__title").all_inner_texts() == [
        "Opening words",
        "Fetching on the server",
        "Storing it parsed",
    ]
    assert page.locator(".chapter-nav").is_visible()

    # Clicking a line (its text, not its link) starts the episode there; the line and chapter light up.
    lines.nth(2).locator("text=crawler stores").click()
    page.wait_for_function(f"{AUDIO}.currentTime >= 9 && !{AUDIO}.paused", timeout=10_000)
    page.wait_for_selector(".transcript__lines p.is-current[data-seek='9']", timeout=5_000)
    current_chapter = ".chapter-list li.is-current .chapter__title"
    assert page.locator(current_chapter).inner_text() == "Fetching on the server"
    assert page.locator(".transcript__lines p[aria-current='true']").count() == 1
    assert page.evaluate("navigator.mediaSession.metadata.title") == "Fetching on the server"
    assert page.evaluate("navigator.mediaSession.metadata.album") == "Follow Along one"

    # Next chapter, then previous: just begun, so it goes to the chapter before, not back to this one.
    page.locator(".chapter-nav__next").click()
    page.wait_for_function(f"{AUDIO}.currentTime >= 10", timeout=10_000)
    page.wait_for_selector(".chapter-list li.is-current >> text=Storing it parsed", timeout=5_000)
    assert page.locator(".chapter-nav__now").inner_text() == "Storing it parsed"
    page.wait_for_function("navigator.mediaSession.metadata.title === 'Storing it parsed'", timeout=5_000)
    page.locator(".chapter-nav__prev").click()
    page.wait_for_function(f"{AUDIO}.currentTime >= 5 && {AUDIO}.currentTime < 9", timeout=10_000)
    page.wait_for_selector(".chapter-list li.is-current >> text=Fetching on the server", timeout=5_000)

    # Keyboard: a line's time link, then Enter.
    lines.nth(0).locator("a").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"{AUDIO}.currentTime < 4", timeout=10_000)
    page.wait_for_selector(".transcript__lines p.is-current[data-seek='0']", timeout=5_000)

    shots = _screenshot_dir(tmp_path)
    page.screenshot(path=str(shots / "episode-followalong-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator(".transcript__lines").bounding_box()["width"] <= 390
    page.screenshot(path=str(shots / "episode-followalong-phone.png"), full_page=True)
    assert not errors
    context.close()


def test_transcript_and_chapters_are_readable_without_javascript(
    browser: Any,  # noqa: F811
    crawled_episode: str,
) -> None:
    context = browser.new_context(locale="nb-NO", java_script_enabled=False)
    page = context.new_page()
    page.goto(crawled_episode)
    assert page.locator("#transcript-heading").inner_text() == "Transkripsjon"
    assert "Today we fetch files from another origin." in page.locator(".transcript__lines").inner_text()
    assert page.locator(".chapter-nav").is_hidden()
    page.locator(".chapter-list a[href='?t=5']").click()
    page.wait_for_url("**?t=5")
    assert page.locator("audio[controls]").get_attribute("src").endswith("/one.wav#t=5")
    context.close()
