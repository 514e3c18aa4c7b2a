"""Resume across devices in real Chromium: an app's position (uploaded with mygpoclient, the real gpodder.net
client) is where the web player starts in a fresh browser, apps get back a position no older than theirs,
a deliberate seek back is kept, and reloading or closing the page loses at most about a second.

The episode's audio is 25 minutes of silence from a small HTTP server of this module that answers Range
requests (browsers seek only in media served that way), computed per byte range rather than stored.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.contrib.auth.models import User
from mygpoclient import api

from lytt.accounts.models import PlayProgress
from lytt.catalog.models import Episode, FeedSource, Show

from .test_browser import browser, lytt_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

FEED = "https://feeds.example.org/resume.xml"
PASSWORD = "a long enough passphrase"
SECONDS = 25 * 60
RATE = 8000  # 8-bit mono PCM: one byte per sample
AUDIO = "document.getElementById('lytt-audio')"


def _wav_header(data_bytes: int) -> bytes:
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, RATE, RATE, 1, 8)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


class _SilenceHandler(BaseHTTPRequestHandler):
    """GET /silence.wav: a WAV of SECONDS of silence, whole (200) or a byte range (206)."""

    def do_GET(self) -> None:
        header = _wav_header(SECONDS * RATE)
        size = len(header) + SECONDS * RATE
        first, last = 0, size - 1
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if match:
            first = int(match.group(1))
            last = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
            if first >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.end_headers()
                return
        self.send_response(206 if match else 200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(last - first + 1))
        if match:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        position = first
        try:
            while position <= last:
                end = min(last + 1, position + 65536)
                chunk = header[position:end] if position < len(header) else b""
                self.wfile.write(chunk + b"\x80" * (end - position - len(chunk)))
                position = end
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser read what it needed

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def silence_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SilenceHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/silence.wav"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def episode(lytt_server: str, silence_url: str) -> Episode:  # noqa: F811 (fixture)
    User.objects.create_user("kari", "kari@example.org", PASSWORD)
    show = Show.objects.create(slug="resume", title="Resume Radio", episode_count=1)
    FeedSource.objects.create(url=FEED, show=show)
    return Episode.objects.create(
        show=show,
        slug="long-one",
        match_key="resume-1",
        guid="resume-guid-1",
        title="The long one",
        published_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        duration_seconds=SECONDS,
        enclosure_url=silence_url,
        enclosure_type="audio/wav",
    )


def _signed_in_page(browser: Any, base: str, episode: Episode, **options: Any) -> tuple[Any, Any]:  # noqa: F811
    """A fresh browser context (no storage), signed in as kari, on the episode page."""
    context = browser.new_context(**options)
    page = context.new_page()
    url = f"/podcast/{episode.show.slug}/{episode.slug}/"
    page.goto(f"{base}/accounts/login/?next={url}")
    page.fill("input[name=username]", "kari")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(f"**{url}")
    return context, page


def _app_play(episode: Episode, position: int, when: dt.datetime) -> api.EpisodeAction:
    return api.EpisodeAction(
        FEED,
        episode.enclosure_url,
        "play",
        device="phone",
        timestamp=when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        started=0,
        position=position,
        total=SECONDS,
    )


def _newest_app_view(gpo: api.MygPodderClient, episode: Episode) -> Any:
    """The play action an app applies: the newest by timestamp among all it downloads."""
    plays = [
        a
        for a in gpo.download_episode_actions(since=0).actions
        if a.action == "play" and a.episode == episode.enclosure_url
    ]
    return max(plays, key=lambda a: a.timestamp)


def _wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the server to store the position")
        time.sleep(0.1)


@pytest.mark.parametrize(("locale", "label"), [("nb-NO", "Fortsett fra 20:00"), ("en-GB", "Resume at 20:00")])
def test_app_position_is_where_the_web_player_starts_and_apps_get_it_back(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
    locale: str,
    label: str,
) -> None:
    gpo = api.MygPodderClient("kari", PASSWORD, root_url=lytt_server)
    uploaded_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=2)
    gpo.upload_episode_actions([_app_play(episode, 1200, uploaded_at)])

    context, page = _signed_in_page(browser, lytt_server, episode, locale=locale)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    button = page.locator(".play-episode")
    assert button.inner_text() == f"▶ {label}"
    button.click()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > 1200.5", timeout=15_000)
    assert page.evaluate(f"{AUDIO}.currentTime") < 1210
    with page.expect_response(lambda r: r.url.endswith("/me/progress/") and r.request.method == "POST"):
        page.locator(".player__toggle").click()
    stored = PlayProgress.objects.get(user__username="kari", episode=episode)
    assert 1200 <= stored.position < 1210

    newest = _newest_app_view(gpo, episode)
    assert newest.position >= 1200
    assert dt.datetime.fromisoformat(newest.timestamp) >= uploaded_at.replace(tzinfo=None)

    # A deliberate seek back is a newer action: kept, and what apps get (their timestamps are in whole
    # seconds, so a second later).
    page.wait_for_timeout(1100)
    with page.expect_response(lambda r: r.url.endswith("/me/progress/") and r.request.method == "POST"):
        page.evaluate(
            "() => { const seek = document.querySelector('.player__seek'); seek.value = '300';"
            " seek.dispatchEvent(new Event('change')); }"
        )
    stored.refresh_from_db()
    assert stored.position == 300
    assert _newest_app_view(gpo, episode).position == 300
    assert button.inner_text() == f"▶ {label.replace('20:00', '5:00')}"
    assert not errors
    context.close()


def test_reload_and_closing_lose_at_most_a_second_and_work_on_a_phone(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
) -> None:
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    context, page = _signed_in_page(browser, lytt_server, episode, locale="en-GB", **phone)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    assert page.locator(".play-episode").inner_text() == "▶ Play"
    page.locator(".play-episode").tap()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > 2.5", timeout=15_000)

    # Pause, then reload: the player comes back where it was paused.
    page.locator(".player__toggle").tap()
    page.wait_for_function(f"{AUDIO}.paused")
    paused_at = page.evaluate(f"{AUDIO}.currentTime")
    page.reload()
    page.wait_for_function(
        f"{AUDIO}.readyState >= 1 && Math.abs({AUDIO}.currentTime - {paused_at}) <= 1", timeout=10_000
    )
    assert page.locator(".play-episode").inner_text() == f"▶ Resume at 0:0{int(paused_at)}"

    # Play on, then close the page while playing: the beacon carries the position to the account.
    page.locator(".play-episode").tap()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > {paused_at} + 2", timeout=15_000)
    closed_at = page.evaluate(f"{AUDIO}.currentTime")
    page.close(run_before_unload=True)

    def stored_near_close() -> bool:
        progress = PlayProgress.objects.filter(user__username="kari", episode=episode).first()
        return progress is not None and progress.position >= closed_at - 1

    _wait_for(stored_near_close)
    assert not errors
    context.close()

    # Another browser (no local storage) starts there.
    context, page = _signed_in_page(browser, lytt_server, episode, locale="en-GB", **phone)
    stored = PlayProgress.objects.get(user__username="kari", episode=episode).position
    assert stored <= closed_at + 2
    assert page.locator(".play-episode").inner_text() == f"▶ Resume at 0:{stored:02d}"
    page.locator(".play-episode").tap()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime >= {stored}", timeout=15_000)
    assert page.evaluate(f"{AUDIO}.currentTime") < closed_at + 3
    context.close()


def test_without_javascript_the_plain_player_resumes(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
) -> None:
    gpo = api.MygPodderClient("kari", PASSWORD, root_url=lytt_server)
    gpo.upload_episode_actions([_app_play(episode, 1200, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))])
    context, page = _signed_in_page(browser, lytt_server, episode, locale="nb-NO", java_script_enabled=False)
    assert page.locator(".episode-player audio[controls]").is_visible()
    assert page.locator(".episode-player__resume").inner_text() == "Fortsett fra 20:00"
    assert page.locator(".episode-player audio").get_attribute("src") == f"{episode.enclosure_url}#t=1200"
    assert page.locator(".play-episode").count() == 0
    context.close()


def test_progress_is_reported_periodically_while_playing(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
) -> None:
    context, page = _signed_in_page(browser, lytt_server, episode, locale="en-GB")
    page.clock.install()
    page.reload()
    reports: list[str] = []
    page.on("request", lambda r: reports.append(r.url) if r.url.endswith("/me/progress/") else None)
    page.locator(".play-episode").click()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > 1", timeout=15_000)
    assert reports == []  # nothing yet: the first report comes a period after playing starts
    with page.expect_response(lambda r: r.url.endswith("/me/progress/") and r.request.method == "POST"):
        page.clock.fast_forward("00:16")
    assert page.evaluate(f"!{AUDIO}.paused")
    stored = PlayProgress.objects.get(user__username="kari", episode=episode)
    assert stored.position >= 1
    context.close()
