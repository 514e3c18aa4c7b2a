"""Chapter stepping has one owner (follow-along.js's window.LyttChapters): the n/p keys (player-extras.js)
and the previous/next chapter buttons land on the same chapter from the same moment, in real Chromium.
Chapters start at 0:00, 0:04 and 10:00 (test_player_extras_browser's episode)."""

from __future__ import annotations

from typing import Any

import pytest

from lytt.catalog.models import Episode

from .test_browser import browser, lytt_server  # noqa: F401 (fixtures)
from .test_player_extras_browser import AUDIO, _open, _play_by_keyboard, _url, episode  # noqa: F401 (fixture)
from .test_resume_browser import silence_url  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

# (where the listener is, the step, where both must land; None: nowhere, they stay)
STEPS = [
    (1.0, "next", 4.0),
    (5.5, "previous", 0.0),  # within 3 s of the chapter's start: the one before
    (300.0, "previous", 4.0),  # later in the chapter: its own start
    (300.0, "next", 600.0),
    (601.0, "next", None),  # after the last chapter's start: no next one
]


def _step(page: Any, start: float, how: str, direction: str) -> float:
    page.evaluate(f"window.LyttPlayer.seek({start})")
    page.wait_for_function(
        f"Math.abs({AUDIO}.currentTime - {start}) < 0.5 && !{AUDIO}.seeking", timeout=10_000
    )
    if how == "key":
        page.evaluate("document.activeElement && document.activeElement.blur()")  # not on a button
        page.keyboard.press("n" if direction == "next" else "p")
    else:
        page.locator(f".chapter-nav__{'next' if direction == 'next' else 'prev'}").click()
    page.wait_for_timeout(300)
    page.wait_for_function(f"!{AUDIO}.seeking", timeout=10_000)
    return float(page.evaluate(f"{AUDIO}.currentTime"))


def test_keys_and_buttons_step_to_the_same_chapter(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    episode: Episode,  # noqa: F811 (fixture)
) -> None:
    context, page, errors = _open(browser, _url(lytt_server, episode), "en")
    _play_by_keyboard(page)
    assert page.locator(".chapter-nav").is_visible()
    for start, direction, expected in STEPS:
        landed = {}
        for how in ("key", "button"):
            landed[how] = _step(page, start, how, direction)
        target = start if expected is None else expected
        for how, seconds in landed.items():
            assert target <= seconds < target + 1.5, (start, direction, how, seconds)
    assert page.evaluate("window.LyttChapters.startsOf(window.LyttPlayer.current().id)") == [0, 4, 600]
    assert not errors
    context.close()
