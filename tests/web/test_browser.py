"""The reference episode page in real Chromium (Playwright driving Debian's /usr/bin/chromium).

Runs against pytest-django's live server with the bundled sample catalogue loaded through the real parser
and ingest. Screenshots go to a temporary directory, or to docs/screenshots/ with LYTT_SAVE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import transaction

from lytt.catalog.models import Episode

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (./dev.sh test installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's database calls from the
    # test body are still synchronous and safe, so tell Django not to refuse them (for this module only).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class _WaitingServer(ThreadedWSGIServer):
    """Django's live server, made to wait for the requests still in flight when it closes.

    Each request thread shares the test's in-memory SQLite connection and closes it when it ends.
    pytest-django's `LiveServer.stop` makes the connection unshareable right after closing the server, so
    a request the browser sent just before (a media range, a late fetch) failed in its thread with
    "DatabaseWrapper objects created in a thread can only be used in that same thread".
    """

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, connections_override=connections_override, **kwargs)
        self._in_flight = 0
        self._idle = threading.Condition()
        # One SQLite connection in memory, shared by every request thread, runs one request at a time:
        # two at once (the player's last position and the queue's removal when an episode ends) broke
        # each other's savepoints ("SQL statements in progress"), where a deployment gives each thread a
        # connection of its own. The body is sent outside the lock, so a long media response blocks nothing.
        self._one_at_a_time = threading.Lock() if connections_override else None

    def set_app(self, application: Any) -> None:
        lock = self._one_at_a_time
        if lock is None:
            super().set_app(application)
            return

        def one_at_a_time(environ: Any, start_response: Any) -> Any:
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._idle:  # counted here, before its thread starts, so `server_close` cannot miss it
            self._in_flight += 1
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def server_close(self) -> None:
        super().server_close()
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=10)


@pytest.fixture
def lytt_server(restore_taxonomy: None, transactional_db: None) -> Iterator[str]:
    """A live server whose static files come from WhiteNoise, as in production.

    pytest-django's `live_server` serves /static/ with Django's StaticFilesHandler, which ignores Range
    requests, and browsers cannot seek in audio served that way.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda app: app  # let WhiteNoise (in the middleware) answer /static/
    server.thread.server_class = _WaitingServer
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def reference_url(lytt_server: str) -> str:
    from lytt.catalog.models import Category
    from lytt.catalog.taxonomy import sync_categories
    from lytt.charts.ranking import recompute_popularity
    from lytt.web.sample import load_sample_catalogue

    with transaction.atomic():  # transactional tests flush the data migration's taxonomy after each test
        sync_categories(Category)
    assert load_sample_catalogue().loaded
    recompute_popularity()
    episode = Episode.objects.select_related("show").get(show__title="Insight Myanmar", episode_number=238)
    return f"{lytt_server}/podcast/{episode.show.slug}/{episode.slug}/"


def _screenshot_dir(tmp_path: Path) -> Path:
    if os.environ.get("LYTT_SAVE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path


EXPECTED = {
    "en": {
        "date": "21 May 2024",
        "episodes": "Episodes (9)",
        "newest_date": "28 December 2025",
        "newest_duration": "1h 27min",
        "popular": "Popular in Politics",
        "play": "Play",
    },
    "nb": {
        "date": "21. mai 2024",
        "episodes": "Episoder (9)",
        "newest_date": "28. desember 2025",
        "newest_duration": "1 t 27 min",
        "popular": "Populært innen Politikk",
        "play": "Spill av",
    },
}


@pytest.mark.parametrize("language", ["en", "nb"])
def test_reference_episode_page(browser: Any, reference_url: str, language: str) -> None:
    expected = EXPECTED[language]
    context = browser.new_context(
        locale="en-GB" if language == "en" else "nb-NO", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(reference_url)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == "The Great Escape"
    assert page.locator(".hero__show").inner_text() == "Insight Myanmar"
    assert page.locator(".hero__art").is_visible()
    hero = page.locator(".hero").inner_text()
    assert expected["date"] in hero
    notes = page.locator(".notes").inner_text()
    assert notes.startswith("Episode #238: Helene Maria Kyed")
    assert "the resilience, and impressive strategies and practices of the revolutionary movement" in notes
    assert page.locator(".chapters li").count() == 4
    assert page.locator('.episode-links a[href$=".vtt"]').count() == 1
    assert page.locator("#episodes-heading").inner_text() == expected["episodes"]
    first = page.locator("#episode-list > li").first
    assert first.locator("h3").inner_text() == "Neither Free Nor Fair"
    first_text = first.inner_text()
    assert "Episode #457: Brang Min" in first_text
    assert "…" in first_text
    assert expected["newest_date"] in first_text
    assert expected["newest_duration"] in first_text
    titles = page.locator("#episode-list h3").all_inner_texts()
    assert titles[:8] == [
        "Neither Free Nor Fair",
        "Abandoned in Plain Sight",
        "The Bloodiest Election",
        "Into The Mystic",
        "Facing a Fraying World",
        "Fever Pitch",
        "Paved By Good Intentions",
        "Learning To Fly",
    ]
    assert page.locator("#popular-heading").inner_text() == expected["popular"]
    assert page.locator(".popular-list li").count() >= 1
    # Enhanced: the inline <audio> became a play button for the persistent player.
    assert expected["play"] in page.locator(".play-episode").inner_text()
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert page.locator('link[rel="canonical"]').get_attribute("href") == reference_url
    assert page.locator("a.skip-link").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    assert (
        page.evaluate("document.documentElement.scrollWidth") <= 390
    )  # (pictures: test_screenshots_browser)
    assert not errors
    context.close()


def test_player_survives_navigation_and_resumes(browser: Any, reference_url: str) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(reference_url)
    audio = "document.getElementById('lytt-audio')"

    page.locator(".play-episode").click()
    page.wait_for_function(f"{audio}.currentTime > 0.3 && !{audio}.paused", timeout=10_000)
    assert page.locator("#lytt-player").is_visible()
    assert page.locator(".player__title").inner_text() == "The Great Escape"
    # Lock-screen metadata (Media Session): the chapter as title (follow-along.js), the episode as album.
    page.wait_for_function("navigator.mediaSession.metadata.title === 'Introduction'", timeout=5_000)
    assert page.evaluate("navigator.mediaSession.metadata.album") == "The Great Escape"
    assert page.evaluate("navigator.mediaSession.metadata.artist") == "Insight Myanmar"
    page.locator(".player__speed").select_option("1.5")
    assert page.evaluate(f"{audio}.playbackRate") == 1.5
    page.locator(".player__speed").select_option("1")

    # Seek with a chapter link (chapter 3 starts at 36:06, 48 % into the sample audio's 1:15:12).
    page.locator(".chapters a").nth(2).click()
    page.wait_for_function(f"{audio}.currentTime >= 2166", timeout=10_000)
    # Skip back 15 s with the keyboard (j), and the audio keeps playing.
    page.locator("body").press("j")
    page.wait_for_function(f"{audio}.currentTime < 2160 && {audio}.currentTime > 2140", timeout=5_000)
    page.locator(".chapters a").nth(2).click()
    page.wait_for_function(f"{audio}.currentTime >= 2166", timeout=10_000)

    # "Show more" appends the next page of episodes in place.
    page.evaluate("window.__sameDocument = true")
    assert page.locator("#episode-list > li").count() == 8
    page.locator("a.show-more").click()
    page.wait_for_function("document.querySelectorAll('#episode-list > li').length === 9")
    assert page.locator("a.show-more").count() == 0
    assert page.locator("#episode-list > li h3").last.inner_text() == "The Great Escape"

    # Navigate to the show page: <main> is swapped, the player (and the audio) stays.
    page.locator(".hero__show").click()
    page.wait_for_url("**/podcast/*/")
    page.wait_for_selector("h1:has-text('Insight Myanmar')")
    assert page.evaluate("window.__sameDocument === true")
    position = page.evaluate(f"{audio}.currentTime")
    page.wait_for_function(f"{audio}.currentTime > {position} + 0.3 && !{audio}.paused", timeout=10_000)
    # The header's search form is swapped in the same way (the search page belongs to lytt.search).
    page.locator("#site-search-q").fill("Myanmar")
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url("**/search/?q=Myanmar")
    assert page.evaluate("window.__sameDocument === true")
    assert page.evaluate(f"!{audio}.paused")
    page.go_back()
    page.wait_for_selector("h1:has-text('Insight Myanmar')")
    # Back to the episode with the browser's back button: still the same document, still playing.
    page.go_back()
    page.wait_for_selector("h1:has-text('The Great Escape')")
    assert page.evaluate("window.__sameDocument === true")

    # Pause, remember the position, reload: the player comes back paused at the same place.
    page.locator(".player__toggle").click()
    page.wait_for_function(f"{audio}.paused")
    saved = page.evaluate(f"{audio}.currentTime")
    assert saved >= 2166
    page.reload()
    page.wait_for_function(
        f"{audio}.readyState >= 1 && Math.abs({audio}.currentTime - {int(saved)}) < 2", timeout=10_000
    )
    assert page.locator(".player__title").inner_text() == "The Great Escape"
    page.locator(".play-episode").click()
    page.wait_for_function(f"!{audio}.paused && {audio}.currentTime > {int(saved)}", timeout=10_000)

    # Podcasting 2.0 chapters (a JSON file) are fetched and listed, and seek like inline ones.
    newest = Episode.objects.get(show__title="Insight Myanmar", episode_number=457)
    page.goto(reference_url.rsplit("/", 2)[0] + f"/{newest.slug}/")
    page.wait_for_function("document.querySelectorAll('.chapters li').length === 3", timeout=10_000)
    assert page.locator(".chapters li").nth(1).inner_text() == "27:02 The staged election"
    page.locator(".chapters a").nth(1).click()
    page.wait_for_function(f"{audio}.currentTime >= 1622 && !{audio}.paused", timeout=10_000)
    assert page.locator(".player__title").inner_text() == "Neither Free Nor Fair"

    # A timestamp link in the URL starts there.
    page.goto(reference_url + "?t=0m5s")
    page.locator(".play-episode").click()
    page.wait_for_function(f"{audio}.currentTime >= 5 && {audio}.currentTime < 9", timeout=10_000)
    assert not errors
    context.close()
