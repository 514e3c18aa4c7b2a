"""The player's extras in real Chromium on a 360x740 phone screen, in Bokmål and English: the keyboard
shortcuts dialog, volume and mute, the sleep timer (with Playwright's clock for the minutes), speed
remembered per show, and "Share from 12:34". The dialog, volume and sleep timer are driven by the keyboard
alone; the audio is the silence server of test_resume_browser (25 minutes, Range requests).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from lytt.catalog.models import Episode, Show

from .test_browser import _screenshot_dir, browser, lytt_server  # noqa: F401 (fixtures)
from .test_resume_browser import SECONDS, silence_url  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

AUDIO = "document.getElementById('lytt-audio')"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
LOCALES = {"nb": "nb-NO", "en": "en-GB"}
TEXT = {
    "nb": {
        "dialog": "Hurtigtaster",
        "mute_row": "Slå lyden av eller på",
        "muted": "Lyd av",
        "unmuted": "Lyd på",
        "volume": "Volum 80 %",
        "sleep_in": "Stopper om 5:00",
        "sleep_chapter": "Stopper når kapitlet er slutt",
        "sleep_episode": "Stopper når episoden er slutt",
        "sleep_off": "Sovetimer av",
        "sleep_done": "Sovetimer: satt på pause",
        "speed": "Hastighet 1.5×",
        "share_from": "Del fra 12:34",
        "copied": "Lenke kopiert",
        "copy_this": "Kopier denne lenken:",
        "link": "Lenke til denne episoden",
    },
    "en": {
        "dialog": "Keyboard shortcuts",
        "mute_row": "Mute or unmute",
        "muted": "Muted",
        "unmuted": "Sound on",
        "volume": "Volume 80 %",
        "sleep_in": "Stops in 5:00",
        "sleep_chapter": "Stops at the end of the chapter",
        "sleep_episode": "Stops at the end of the episode",
        "sleep_off": "Sleep timer off",
        "sleep_done": "Sleep timer: paused",
        "speed": "Speed 1.5×",
        "share_from": "Share from 12:34",
        "copied": "Link copied",
        "copy_this": "Copy this link:",
        "link": "Link to this episode",
    },
}


def _show(slug: str, audio: str, chapters: list[dict[str, Any]] | None = None) -> Episode:
    show = Show.objects.create(slug=slug, title=f"Show {slug}", episode_count=1)
    return Episode.objects.create(
        show=show,
        slug="first",
        match_key=f"{slug}-1",
        guid=f"{slug}-guid-1",
        title=f"First of {slug}",
        published_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        duration_seconds=SECONDS,
        enclosure_url=audio,
        enclosure_type="audio/wav",
        chapters=chapters or [],
    )


@pytest.fixture
def episode(lytt_server: str, silence_url: str) -> Episode:  # noqa: F811 (fixture)
    chapters = [
        {"start_seconds": 0, "title": "Intro"},
        {"start_seconds": 4, "title": "Talk"},
        {"start_seconds": 600, "title": "Outro"},
    ]
    return _show("extras", silence_url, chapters)


def _url(base: str, episode: Episode) -> str:
    return f"{base}/podcast/{episode.show.slug}/{episode.slug}/"


def _open(browser: Any, url: str, language: str, **options: Any) -> tuple[Any, Any, list[str]]:  # noqa: F811
    context = browser.new_context(locale=LOCALES[language], **PHONE, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    return context, page, errors


def _play_by_keyboard(page: Any) -> None:
    page.focus(".play-episode")
    page.keyboard.press("Enter")
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > 0.2", timeout=15_000)


def _announced(page: Any, text: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('.player__announce').textContent === t", arg=text, timeout=5_000
    )


def _fits_the_screen(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    overflowing = page.evaluate(
        "() => [...document.querySelectorAll('#lytt-player *')].filter(e => e.getClientRects().length"
        " && !e.closest('[hidden]') && e.getBoundingClientRect().right > 360.5).map(e => e.className)"
    )
    assert overflowing == []


@pytest.mark.parametrize("language", ["nb", "en"])
def test_shortcuts_dialog_by_keyboard(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
    language: str,
    tmp_path: Path,
) -> None:
    text = TEXT[language]
    context, page, errors = _open(browser, _url(lytt_server, episode), language)
    dialog = page.locator("#lytt-shortcuts")
    # Typing "?" in the search box types it; nothing opens.
    page.focus("#site-search-q")
    page.keyboard.type("?")
    assert page.input_value("#site-search-q") == "?"
    assert not dialog.evaluate("d => d.open")
    page.focus(".play-episode")
    page.keyboard.press("Control+?")  # with a modifier: not a shortcut
    assert not dialog.evaluate("d => d.open")

    page.keyboard.press("?")
    assert dialog.evaluate("d => d.open")
    assert page.locator("#lytt-shortcuts-title").inner_text() == text["dialog"]
    assert page.evaluate("document.activeElement.className") == "shortcuts__close"
    rows = dialog.locator("tr")
    assert rows.count() == 9
    assert text["mute_row"] in dialog.inner_text()
    box = dialog.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 360
    page.screenshot(path=str(_screenshot_dir(tmp_path) / f"shortcuts-{language}-phone.png"))
    # The page behind is inert: the shortcut keys do nothing while the dialog is open.
    page.keyboard.press("m")
    assert not page.evaluate(f"{AUDIO}.muted")
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    assert page.evaluate("document.activeElement.classList.contains('play-episode')")

    # From the player's "more" panel too, and the close button closes it.
    _play_by_keyboard(page)
    page.focus(".player__more")
    page.keyboard.press("Enter")
    assert page.locator(".player__panel").is_visible()
    page.focus(".player__keys")
    page.keyboard.press("Enter")
    assert dialog.evaluate("d => d.open")
    page.keyboard.press("Enter")  # the focused close button
    assert not dialog.evaluate("d => d.open")
    assert page.evaluate("document.activeElement.classList.contains('player__keys')")
    _fits_the_screen(page)
    page.locator(".player__show").click()  # a click elsewhere closes the panel
    assert page.locator(".player__panel").is_hidden()
    assert page.get_attribute(".player__more", "aria-expanded") == "false"
    assert not errors
    context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_volume_and_mute_by_keyboard_are_remembered(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
    language: str,
) -> None:
    text = TEXT[language]
    context, page, errors = _open(browser, _url(lytt_server, episode), language)
    _play_by_keyboard(page)
    page.keyboard.press("m")
    assert page.evaluate(f"{AUDIO}.muted")
    _announced(page, text["muted"])
    page.keyboard.press("m")
    assert not page.evaluate(f"{AUDIO}.muted")
    _announced(page, text["unmuted"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(f"{AUDIO}.volume") == pytest.approx(0.8)
    _announced(page, text["volume"])

    # The panel, by keyboard: the more button, Tab to mute, Tab to the slider, arrows move it.
    page.focus(".player__more")
    page.keyboard.press("Enter")
    assert page.get_attribute(".player__more", "aria-expanded") == "true"
    _fits_the_screen(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('player__mute')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('player__volume-level')")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(f"{AUDIO}.volume") == pytest.approx(0.75)
    assert page.get_attribute(".player__volume-level", "aria-valuetext") == "75 %"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # the mute button
    assert page.evaluate(f"{AUDIO}.muted")
    assert page.get_attribute(".player__mute", "aria-pressed") == "true"
    assert page.get_attribute(".player__volume-level", "aria-valuetext") == f"75 %, {text['muted']}"
    page.keyboard.press("Escape")
    assert page.locator(".player__panel").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('player__more')")

    page.reload()
    page.wait_for_function(f"{AUDIO}.readyState >= 1")
    assert page.evaluate(f"{AUDIO}.muted")
    assert page.evaluate(f"{AUDIO}.volume") == pytest.approx(0.75)
    assert page.input_value(".player__volume-level") == "75"
    assert not errors
    context.close()


def _open_panel_and_tab_to(page: Any, selector: str) -> None:
    page.focus(".player__more")
    if page.get_attribute(".player__more", "aria-expanded") != "true":
        page.keyboard.press("Enter")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_sleep_timer_minutes_fade_pause_and_cancel_by_keyboard(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
    language: str,
    tmp_path: Path,
) -> None:
    text = TEXT[language]
    context, page, errors = _open(browser, _url(lytt_server, episode), language)
    page.clock.install()
    page.reload()
    _play_by_keyboard(page)
    _open_panel_and_tab_to(page, '[data-sleep="5"]')
    page.keyboard.press("Enter")
    assert page.get_attribute('[data-sleep="5"]', "aria-pressed") == "true"
    page.screenshot(path=str(_screenshot_dir(tmp_path) / f"player-more-{language}-phone.png"))
    assert page.locator(".player__sleep-text").inner_text() == text["sleep_in"]
    assert page.locator(".player__sleep-left").inner_text() == "☾ 5:00"
    _announced(page, text["sleep_in"])
    _fits_the_screen(page)

    page.clock.fast_forward("04:56")
    assert page.evaluate(f"!{AUDIO}.paused")
    assert page.locator(".player__sleep-left").inner_text() == "☾ 0:04"
    assert 0 < page.evaluate(f"{AUDIO}.volume") < 0.6  # fading out
    page.clock.fast_forward("00:05")
    page.wait_for_function(f"{AUDIO}.paused")
    _announced(page, text["sleep_done"])
    assert page.locator(".player__sleep-left").is_hidden()
    assert page.evaluate(f"{AUDIO}.volume") == 1  # the listener's volume is back for next time

    # Set another, then cancel it with the keyboard.
    page.keyboard.press("Escape")
    page.focus(".player__toggle")
    page.keyboard.press("Enter")
    page.wait_for_function(f"!{AUDIO}.paused")
    _open_panel_and_tab_to(page, '[data-sleep="15"]')
    page.keyboard.press("Enter")
    _open_panel_and_tab_to(page, ".player__sleep-cancel")
    page.keyboard.press("Enter")
    _announced(page, text["sleep_off"])
    assert page.locator(".player__sleep-status").is_hidden()
    assert page.get_attribute('[data-sleep="15"]', "aria-pressed") == "false"
    page.clock.fast_forward("16:00")
    assert page.evaluate(f"!{AUDIO}.paused")
    assert not errors
    context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_sleep_timer_end_of_chapter_and_end_of_episode(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
    silence_url: str,  # noqa: F811 (fixture)
    language: str,
) -> None:
    text = TEXT[language]
    context, page, errors = _open(browser, _url(lytt_server, episode), language)
    _play_by_keyboard(page)
    _open_panel_and_tab_to(page, '[data-sleep="chapter"]')
    page.keyboard.press("Enter")
    assert page.locator(".player__sleep-text").inner_text() == text["sleep_chapter"]
    # The first chapter ends at 0:04, where the next starts.
    page.wait_for_function(f"{AUDIO}.paused", timeout=15_000)
    assert 3 <= page.evaluate(f"{AUDIO}.currentTime") <= 4.6
    _announced(page, text["sleep_done"])

    # End of episode: stops there, and says so to a queue while it runs.
    _open_panel_and_tab_to(page, '[data-sleep="episode"]')
    page.keyboard.press("Enter")
    assert page.locator(".player__sleep-text").inner_text() == text["sleep_episode"]
    assert page.evaluate("window.LyttPlayer.sleepAtEnd") is True
    page.evaluate(f"window.LyttPlayer.seek({SECONDS - 3})")
    page.keyboard.press("Escape")
    page.focus(".player__toggle")
    page.keyboard.press("Enter")
    page.wait_for_function(f"{AUDIO}.ended", timeout=15_000)
    _announced(page, text["sleep_done"])
    assert page.evaluate("window.LyttPlayer.sleepAtEnd") is False
    assert page.locator(".player__sleep-status").is_hidden()

    # An episode without chapters offers no "end of chapter".
    other = _show("plain", silence_url)
    page.goto(_url(lytt_server, other))
    _play_by_keyboard(page)
    page.focus(".player__more")
    page.keyboard.press("Enter")
    assert page.locator('[data-sleep="chapter"]').is_hidden()
    assert page.locator('[data-sleep="episode"]').is_visible()
    assert not errors
    context.close()


def test_chapter_shortcuts(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
) -> None:
    context, page, errors = _open(browser, _url(lytt_server, episode), "en")
    _play_by_keyboard(page)
    page.keyboard.press("n")
    page.wait_for_function(f"{AUDIO}.currentTime >= 4 && {AUDIO}.currentTime < 8")
    page.keyboard.press("n")
    page.wait_for_function(f"{AUDIO}.currentTime >= 600")
    page.keyboard.press("p")  # within 3 s of the chapter's start: the one before
    page.wait_for_function(f"{AUDIO}.currentTime >= 4 && {AUDIO}.currentTime < 100")
    assert not errors
    context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_speed_is_remembered_per_show(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
    silence_url: str,  # noqa: F811 (fixture)
    language: str,
) -> None:
    other = _show("other", silence_url)
    context, page, errors = _open(browser, _url(lytt_server, episode), language)
    _play_by_keyboard(page)
    page.keyboard.press(">")
    page.keyboard.press(">")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.5
    assert page.input_value(".player__speed") == "1.5"
    _announced(page, TEXT[language]["speed"])

    # A show never played takes the last speed chosen; changing it there is that show's.
    page.goto(_url(lytt_server, other))
    _play_by_keyboard(page)
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.5
    page.keyboard.press("<")
    page.keyboard.press("<")
    page.keyboard.press("<")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 0.75

    # Each show keeps its own.
    page.goto(_url(lytt_server, episode))
    _play_by_keyboard(page)
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.5
    assert page.input_value(".player__speed") == "1.5"
    page.goto(_url(lytt_server, other))
    _play_by_keyboard(page)
    assert page.evaluate(f"{AUDIO}.playbackRate") == 0.75
    assert page.input_value(".player__speed") == "0.75"
    assert not errors
    context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_share_from_the_time(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
    language: str,
) -> None:
    text = TEXT[language]
    url = _url(lytt_server, episode)
    context, page, errors = _open(
        browser, url + "?t=12:34", language, permissions=["clipboard-read", "clipboard-write"]
    )
    button = page.locator(".episode-share .share-button")
    assert button.inner_text() == text["share_from"]
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "t => document.querySelector('.episode-share .share-result').textContent === t", arg=text["copied"]
    )
    assert page.evaluate("navigator.clipboard.readText()") == url + "?t=754"
    _announced(page, text["copied"])

    # The shared link starts there.
    page.goto(page.evaluate("navigator.clipboard.readText()"))
    assert page.get_attribute(".play-episode", "data-start") == "754"

    # `s` while playing shares from where the player is.
    _play_by_keyboard(page)
    page.evaluate("window.LyttPlayer.seek(61)")
    page.wait_for_function(f"{AUDIO}.currentTime >= 61 && {AUDIO}.currentTime < 62")
    page.keyboard.press("s")
    page.wait_for_function("() => navigator.clipboard.readText().then(t => t.endsWith('?t=61'))")
    assert page.evaluate("navigator.clipboard.readText()") == url + "?t=61"
    context.close()

    # With no clipboard, the link is shown in a field, selected, to copy by hand.
    context, page, errors = _open(browser, url + "?t=754", language)
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.reload()
    page.locator(".episode-share .share-button").focus()
    page.keyboard.press("Enter")
    field = page.locator(".episode-share .share-field")
    assert field.input_value() == url + "?t=754"
    assert page.evaluate("document.activeElement.classList.contains('share-field')")
    assert text["copy_this"] in page.locator(".episode-share .share-result").inner_text()
    assert not errors
    context.close()

    # Where the browser has a share sheet (phones), it gets the link. Headless Chromium on Linux has none,
    # so the page is given a recording navigator.share before it loads.
    context, page, errors = _open(browser, url + "?t=754", language)
    page.add_init_script("navigator.share = data => { window.__shared = data; return Promise.resolve(); }")
    page.reload()
    page.locator(".episode-share .share-button").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("window.__shared !== undefined")
    assert page.evaluate("window.__shared.url") == url + "?t=754"
    assert page.evaluate("window.__shared.title") == episode.title
    assert not errors
    context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_without_javascript_a_plain_link(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,
    language: str,
) -> None:
    url = _url(lytt_server, episode)
    context, page, _ = _open(browser, url + "?t=754", language, java_script_enabled=False)
    link = page.locator(".episode-share a.share-link")
    assert link.inner_text() == TEXT[language]["link"]
    assert link.get_attribute("href") == url
    assert page.locator("#lytt-shortcuts").is_hidden()
    context.close()
