"""The README's screenshots, taken in real Chromium from the bundled sample catalogue (set
LYTT_SAVE_SCREENSHOTS=1 to write them to docs/screenshots/): a signed-in listener's home page with Continue
listening, and the episode page while it plays (the player, the current chapter and transcript line, the
listener's bookmarks), on a desktop and on a phone (390x844). Each picture is checked for what it must show
before it is taken.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from lytt.accounts import listening
from lytt.accounts.models import PlayProgress
from lytt.catalog.models import Episode

from .test_bookmarks_browser import _signed_in
from .test_browser import _screenshot_dir, browser, lytt_server, reference_url  # noqa: F401 (fixtures)
from .test_resume_browser import PASSWORD

pytestmark = pytest.mark.browser

AUDIO = "document.getElementById('lytt-audio')"
DESKTOP = {"width": 1280, "height": 900}
DESKTOP_TALL = {"width": 1280, "height": 1500}
PHONE = {"width": 390, "height": 844}
CONTINUE = {"nb": "Fortsett å lytte", "en": "Continue listening"}


@pytest.fixture
def listener(reference_url: str) -> User:  # noqa: F811 (fixture)
    """A listener halfway through two sample episodes, with two bookmarks in The Great Escape."""
    user = User.objects.create_user("kari", "kari@example.org", PASSWORD)
    now = dt.datetime.now(dt.UTC)
    for minutes_ago, (number, position) in enumerate([(457, 1622), (453, 2400)]):
        episode = Episode.objects.get(show__title="Insight Myanmar", episode_number=number)
        PlayProgress.objects.create(
            user=user,
            episode=episode,
            position=position,
            total=episode.duration_seconds,
            timestamp=now - dt.timedelta(minutes=5 + minutes_ago),
        )
    escape = Episode.objects.get(show__title="Insight Myanmar", episode_number=238)
    listening.add_bookmark(user, escape.pk, 948, "Why defections were so rare")
    listening.add_bookmark(user, escape.pk, 3474, "")
    return user


def _screen(phone: bool) -> dict[str, Any]:
    if phone:
        return {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    return {"viewport": DESKTOP, "is_mobile": False, "has_touch": False}


@pytest.mark.parametrize(("language", "phone"), [("nb", False), ("nb", True), ("en", False)])
def test_home_with_continue_listening(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    listener: User,
    language: str,
    phone: bool,
    tmp_path: Path,
) -> None:
    context, page, errors = _signed_in(browser, lytt_server, "/", language, **_screen(phone))
    section = page.locator(".continue-listening")
    assert section.locator("h2").inner_text() == CONTINUE[language]
    assert section.locator("h3").all_inner_texts() == ["Neither Free Nor Fair", "Facing a Fraying World"]
    assert page.evaluate("document.documentElement.scrollWidth") <= (PHONE if phone else DESKTOP)["width"]
    # Artwork below the fold loads lazily: scroll it in, so that the full-page picture has no empty boxes.
    for top in range(0, page.evaluate("document.documentElement.scrollHeight"), 400):
        page.evaluate(f"window.scrollTo(0, {top})")
        page.wait_for_timeout(50)
    page.wait_for_function(
        "[...document.images].filter(i => i.getAttribute('src')).every(i => i.complete && i.naturalWidth)",
        timeout=10_000,
    )
    page.evaluate("window.scrollTo(0, 0)")
    name = f"home-continue-{language}-{'phone' if phone else 'desktop'}.png"
    page.screenshot(path=str(_screenshot_dir(tmp_path) / name), full_page=True)
    assert not errors
    context.close()


@pytest.mark.parametrize(("language", "phone"), [("nb", False), ("nb", True), ("en", False), ("en", True)])
def test_episode_page_while_playing(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    reference_url: str,  # noqa: F811 (fixture)
    listener: User,
    language: str,
    phone: bool,
    tmp_path: Path,
) -> None:
    path = reference_url.removeprefix(lytt_server)
    context, page, errors = _signed_in(browser, lytt_server, path, language, **_screen(phone))
    page.locator(".play-episode").click()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > 0.2", timeout=15_000)
    page.locator(".chapters a").nth(2).click()  # "How the CDM helps defectors", 36:06
    page.wait_for_function(f"{AUDIO}.currentTime >= 2166", timeout=10_000)
    page.locator(".player__toggle").click()
    page.wait_for_function(f"{AUDIO}.paused")
    assert page.locator(".chapter-list li.is-current").inner_text().endswith("How the CDM helps defectors")
    current_line = page.locator(".transcript__lines p.is-current").inner_text()
    assert "The CDM and the ethnic armed organisations" in current_line
    assert page.locator("#lytt-player").is_visible()
    assert page.locator(".bookmark__time").all_inner_texts() == ["15:48", "57:54"]
    assert page.locator(".bookmark-form__add").inner_text() in ("Bokmerk 36:06", "Bookmark 36:06")
    width = (PHONE if phone else DESKTOP)["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # What one screen shows, with the player docked at its foot (a full-page picture would draw the docked
    # player in the middle of the page): on a phone from the bookmarks down, on a desktop a tall window.
    if phone:
        page.locator(".bookmarks").evaluate("e => window.scrollTo(0, e.offsetTop - 8)")
    else:
        page.set_viewport_size(DESKTOP_TALL)
        page.evaluate("window.scrollTo(0, 0)")
    name = f"episode-{language}-{'phone' if phone else 'desktop'}.png"
    page.screenshot(path=str(_screenshot_dir(tmp_path) / name))
    assert not errors
    context.close()
