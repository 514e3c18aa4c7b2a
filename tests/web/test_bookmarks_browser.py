"""Bookmarks on the episode page in real Chromium on a phone-sized screen, in Bokmål and English: with
JavaScript the moment the player is at is kept ("Bokmerk 12:34") without stopping playback, listed, seeked
to and deleted, each change announced; without JavaScript the form keeps the time in its field and comes back
to the page; signed out, "sign in to bookmark" comes back to the episode. The audio is the silence server
of test_resume_browser (25 minutes, Range requests), and the episode and listener are its fixture's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lytt.accounts.models import Bookmark
from lytt.catalog.models import Episode

from .test_browser import _screenshot_dir, browser, lytt_server  # noqa: F401 (fixtures)
from .test_player_extras_browser import AUDIO, LOCALES
from .test_resume_browser import PASSWORD, episode, silence_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TEXT = {
    "nb": {
        "bookmark": "Bokmerk 12:34",
        "kept_js": "Bokmerke lagret ved 12:34.",
        "kept": "Bokmerket er lagret.",
        "deleted": "Bokmerket er slettet.",
        "heading": "Dine bokmerker",
        "note": "Notat (valgfritt)",
        "time": "Tid",
        "plain": "Bokmerk",
        "delete": "Slett bokmerket ved 12:34",
        "listen": "Lytt fra 12:34",
        "sign_in": "Logg inn for å bokmerke",
    },
    "en": {
        "bookmark": "Bookmark 12:34",
        "kept_js": "Bookmarked 12:34.",
        "kept": "The bookmark was kept.",
        "deleted": "The bookmark was deleted.",
        "heading": "Your bookmarks",
        "note": "Note (optional)",
        "time": "Time",
        "plain": "Bookmark",
        "delete": "Delete the bookmark at 12:34",
        "listen": "Listen from 12:34",
        "sign_in": "Sign in to bookmark",
    },
}


def _path(of: Episode) -> str:
    return f"/podcast/{of.show.slug}/{of.slug}/"


def _sign_in(page: Any) -> None:
    page.fill("input[name=username]", "kari")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.account-form button[type=submit]")


def _signed_in(
    browser: Any,  # noqa: F811 (fixture)
    base: str,
    path: str,
    language: str,
    **options: Any,
) -> tuple[Any, Any, list[str]]:
    """A fresh context (phone-sized unless `options` say otherwise), signed in as kari, on `path`."""
    context = browser.new_context(locale=LOCALES[language], **{**PHONE, **options})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/accounts/login/?next={path}")
    _sign_in(page)
    page.wait_for_url(f"**{path}")
    return context, page, errors


def _fits_the_screen(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    overflowing = page.evaluate(
        "() => [...document.querySelectorAll('.bookmarks *')].filter(e => e.getClientRects().length"
        " && e.getBoundingClientRect().right > 390.5).map(e => e.className)"
    )
    assert overflowing == []


def _status(page: Any, text: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('.bookmarks__status').textContent.trim() === t", arg=text, timeout=5_000
    )


@pytest.mark.parametrize("language", ["nb", "en"])
def test_bookmark_the_playing_moment_list_seek_and_delete(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,  # noqa: F811 (fixture)
    language: str,
    tmp_path: Path,
) -> None:
    text = TEXT[language]
    context, page, errors = _signed_in(browser, lytt_server, _path(episode), language)
    section = page.locator(".bookmarks")
    assert section.get_by_role("heading").inner_text() == text["heading"]
    assert page.locator(".bookmark-form__time").is_hidden()  # the player's time fills it
    page.locator(".play-episode").click()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > 0.2", timeout=15_000)
    page.evaluate("window.LyttPlayer.seek(754)")
    page.locator(".player__toggle").click()
    page.wait_for_function(f"{AUDIO}.paused")
    add = section.get_by_role("button", name=text["bookmark"])
    add.wait_for(timeout=5_000)
    page.evaluate("window.__sameDocument = true")
    page.get_by_label(text["note"]).fill("The <good> bit")
    page.locator(".player__toggle").click()  # playing on while it is kept
    page.wait_for_function(f"!{AUDIO}.paused")
    page.evaluate("window.LyttPlayer.seek(754)")
    add.click()
    _status(page, text["kept_js"])
    item = section.locator(".bookmark")
    assert item.count() == 1
    assert item.locator(".bookmark__time").inner_text() == "12:34"
    assert item.locator(".bookmark__note").inner_text() == "The <good> bit"
    assert page.get_by_label(text["note"]).input_value() == ""
    assert page.evaluate("window.__sameDocument === true")
    assert page.evaluate(f"!{AUDIO}.paused")
    kept = Bookmark.objects.get()
    assert (kept.episode_id, kept.position, kept.note) == (episode.pk, 754, "The <good> bit")
    _fits_the_screen(page)
    shots = _screenshot_dir(tmp_path)
    page.locator(".bookmarks").screenshot(path=str(shots / f"bookmarks-{language}-phone.png"))

    # The time is a link that seeks there.
    page.evaluate("window.LyttPlayer.seek(60)")
    page.wait_for_function(f"{AUDIO}.currentTime < 100")
    section.get_by_role("link", name=text["listen"]).click()
    page.wait_for_function(f"{AUDIO}.currentTime >= 754 && {AUDIO}.currentTime < 770", timeout=10_000)

    # Deleting it keeps playback going, announces it and leaves focus on the form.
    section.get_by_role("button", name=text["delete"]).click()
    _status(page, text["deleted"])
    assert section.locator(".bookmark").count() == 0
    assert page.locator(".bookmark-list").is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('bookmark-form__add')")
    assert not Bookmark.objects.exists()
    assert page.evaluate("window.__sameDocument === true")
    assert not errors
    context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_bookmarks_without_javascript(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,  # noqa: F811 (fixture)
    language: str,
) -> None:
    text = TEXT[language]
    context, page, _errors = _signed_in(
        browser, lytt_server, _path(episode) + "?t=12m34s", language, java_script_enabled=False
    )
    assert page.locator(".episode-player audio[controls]").is_visible()
    time = page.get_by_label(text["time"])
    assert time.input_value() == "12:34"
    page.get_by_label(text["note"]).fill("here")
    page.get_by_role("button", name=text["plain"], exact=True).click()
    page.wait_for_url("**#bookmarks")
    assert page.locator(".bookmarks__status").inner_text().strip() == text["kept"]
    link = page.get_by_role("link", name=text["listen"])
    assert link.get_attribute("href") == _path(episode) + "?t=754"
    assert page.locator(".bookmark__note").inner_text() == "here"
    _fits_the_screen(page)

    # A time typed by hand.
    page.get_by_label(text["time"]).fill("1:02:03")
    page.get_by_role("button", name=text["plain"], exact=True).click()
    page.wait_for_url("**#bookmarks")
    assert page.locator(".bookmark__time").all_inner_texts() == ["12:34", "1:02:03"]
    assert sorted(Bookmark.objects.values_list("position", flat=True)) == [754, 3723]

    page.get_by_role("button", name=text["delete"]).click()
    page.wait_for_url("**#bookmarks")
    assert page.locator(".bookmarks__status").inner_text().strip() == text["deleted"]
    assert page.locator(".bookmark__time").all_inner_texts() == ["1:02:03"]
    context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_sign_in_to_bookmark_comes_back_to_the_episode(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,  # noqa: F811 (fixture)
    language: str,
) -> None:
    context = browser.new_context(locale=LOCALES[language], **PHONE)
    page = context.new_page()
    page.goto(f"{lytt_server}{_path(episode)}?t=90")
    assert page.locator(".bookmark-form").count() == 0
    page.get_by_role("link", name=TEXT[language]["sign_in"]).click()
    page.wait_for_url("**/accounts/login/**")
    _sign_in(page)
    page.wait_for_url(f"**{_path(episode)}?t=90#bookmarks")
    assert page.get_by_role("button", name=TEXT[language]["bookmark"].replace("12:34", "1:30")).is_visible()
    context.close()
