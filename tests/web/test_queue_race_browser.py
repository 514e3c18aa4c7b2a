"""Up next on a slow phone with a slow network, in real Chromium: quick key presses, a removal, "Play next"
and a drag while earlier answers are still on their way.

The answers are held back on cue (Playwright routes) rather than left to timing, so each race happens in
every run: an answer to a read or change sent before a key press arrives between that press and the
next. The renderer runs four times slower than the machine (CDP CPU throttling), as on a cheap phone. The
screen must show each change at once, the next press must build on it, focus must stay with the moved
entry, and the account must end in the order shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from lytt.accounts import listening
from lytt.catalog.models import Episode

from .test_browser import browser, lytt_server  # noqa: F401 (fixtures)
from .test_lists_browser import PHONE, _sign_in, new_page  # noqa: F401 (fixture)
from .test_queue_browser import (
    _named,
    _panel_titles,
    _row,
    _start_player,
    _wait_account,
    queued,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.browser

SLOW_PHONE = 4


class Held:
    """Requests to `pattern` wait here, unsent, until released: a slow network, on cue."""

    def __init__(self, page: Any, pattern: str) -> None:
        self.page = page
        self.pattern = pattern
        self.routes: list[Any] = []
        self.released = False
        page.route(pattern, self._hold)

    def _hold(self, route: Any) -> None:
        if self.released:
            route.continue_()
        else:
            self.routes.append(route)

    def wait(self) -> None:
        """Until the page has sent one."""
        for _ in range(200):
            if self.routes:
                return
            self.page.wait_for_timeout(50)
        assert self.routes, f"no request to {self.pattern}"

    def release(self) -> None:
        self.released = True
        for route in self.routes:
            route.continue_()
        self.page.unroute(self.pattern, self._hold)


@pytest.fixture
def slow_page(
    new_page: Callable[..., Any],  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    queued: list[Episode],  # noqa: F811 (fixture)
) -> Any:
    """Signed in as kari with Del 3, Del 1, Del 2 queued, on a throttled phone, the player paused on Del 4."""
    one, two, three, four = queued
    listening.replace_queue(User.objects.get(username="kari"), [three.pk, one.pk, two.pk])
    page = new_page("en-GB", **PHONE)
    _sign_in(page, lytt_server, "/podcast/kort/")
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": SLOW_PHONE})
    _start_player(page, four)
    return page


def _open(page: Any, count: int) -> None:
    page.locator(".player__queue").click()
    expect(page.locator("#lytt-queue .queue-item")).to_have_count(count)


def _entry(page: Any, episode: Episode, action: str = "handle") -> Any:
    return page.locator(f'#lytt-queue [data-episode-id="{episode.pk}"] [data-action={action}]')


def _focused_entry(page: Any) -> str | None:
    """The episode of the queue entry that has the focus, if one has."""
    return page.evaluate(
        "(document.activeElement && document.activeElement.closest('#lytt-queue .queue-item')"
        " || {dataset: {}}).dataset.episodeId || null"
    )


def test_two_quick_key_presses_move_twice_while_an_earlier_read_is_answered_between_them(
    slow_page: Any,
    queued: list[Episode],  # noqa: F811 (fixture)
) -> None:
    one, two, three, _ = queued
    page = slow_page
    read = Held(page, "**/me/queue.json")
    _open(page, 3)  # drawn from the page's own read; opening reads again, and that answer is held
    read.wait()
    _entry(page, two).focus()
    page.keyboard.press("Alt+ArrowUp")
    assert _panel_titles(page) == ["Del 3", "Del 2", "Del 1"]
    # The read, sent before the press, answers with the old order; the move is sent only after it.
    with page.expect_request("**/me/queue/move/"):
        read.release()
    assert _panel_titles(page) == ["Del 3", "Del 2", "Del 1"]
    assert _focused_entry(page) == str(two.pk)
    page.keyboard.press("Alt+ArrowUp")
    assert _panel_titles(page) == ["Del 2", "Del 3", "Del 1"]
    _wait_account(page, [two.pk, three.pk, one.pk])
    expect(page.locator("#lytt-queue-status")).to_have_text("Del 2: now 1 of 3")
    assert _panel_titles(page) == ["Del 2", "Del 3", "Del 1"]
    assert _focused_entry(page) == str(two.pk)
    assert page.evaluate("document.activeElement.dataset.action") == "handle"
    assert page.js_errors == []


def test_play_next_and_remove_are_drawn_at_once_and_the_next_key_press_builds_on_them(
    slow_page: Any,
    queued: list[Episode],  # noqa: F811 (fixture)
) -> None:
    one, two, three, four = queued
    page = slow_page
    _open(page, 3)
    # "Play next" on a row: in the panel before the account answers.
    added = Held(page, "**/me/queue/add/")
    _row(page, four).get_by_role("button", name=_named("Play next", "Del 4")).click()
    expect(page.locator("#lytt-queue .queue-item")).to_have_count(4)
    assert _panel_titles(page) == ["Del 4", "Del 3", "Del 1", "Del 2"]
    added.wait()
    _entry(page, two).focus()
    page.keyboard.press("Alt+ArrowUp")
    assert _panel_titles(page) == ["Del 4", "Del 3", "Del 2", "Del 1"]
    added.release()
    _wait_account(page, [four.pk, three.pk, two.pk, one.pk])
    assert _panel_titles(page) == ["Del 4", "Del 3", "Del 2", "Del 1"]

    # Remove: gone from the panel before the account answers, and a move right after counts without it.
    removed = Held(page, "**/me/queue/remove/")
    _entry(page, three, "remove").click()
    assert _panel_titles(page) == ["Del 4", "Del 2", "Del 1"]
    removed.wait()
    _entry(page, one).focus()
    page.keyboard.press("Alt+ArrowUp")
    assert _panel_titles(page) == ["Del 4", "Del 1", "Del 2"]
    removed.release()
    _wait_account(page, [four.pk, one.pk, two.pk])
    assert _panel_titles(page) == ["Del 4", "Del 1", "Del 2"]
    assert _focused_entry(page) == str(one.pk)
    assert page.js_errors == []


def test_an_answer_during_a_drag_leaves_the_dragged_entry_under_the_pointer(
    slow_page: Any,
    queued: list[Episode],  # noqa: F811 (fixture)
) -> None:
    one, two, three, _ = queued
    page = slow_page
    page.set_viewport_size({"width": 1280, "height": 800})  # a mouse, on a desktop
    _open(page, 3)
    moves = Held(page, "**/me/queue/move/")
    _entry(page, two).focus()
    page.keyboard.press("Alt+ArrowUp")
    assert _panel_titles(page) == ["Del 3", "Del 2", "Del 1"]
    moves.wait()
    # Drag Del 1 (last) upwards; the move's answer comes while it is held.
    handle = _entry(page, one).bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] - 4, steps=3)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # a read, sent after the answer
    with page.expect_request("**/me/queue.json"):
        moves.release()
    expect(page.locator("#lytt-queue .queue-item.is-dragging")).to_have_count(1)
    top = page.locator(f'#lytt-queue [data-episode-id="{three.pk}"]').bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, top["y"] + 2, steps=6)
    page.mouse.up()
    assert _panel_titles(page) == ["Del 1", "Del 3", "Del 2"]
    _wait_account(page, [one.pk, three.pk, two.pk])
    page.wait_for_timeout(300)  # the last answers are drawn
    assert _panel_titles(page) == ["Del 1", "Del 3", "Del 2"]
    assert page.js_errors == []


def test_a_read_that_fails_is_not_tried_again_in_a_loop(
    slow_page: Any,
    queued: list[Episode],  # noqa: F811 (fixture)
) -> None:
    page = slow_page
    _open(page, 3)
    reads: list[str] = []
    page.route("**/me/queue.json", lambda route: (reads.append(route.request.url), route.abort()))
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#lytt-queue-status")).to_have_text("The queue could not be changed. Try again.")
    page.wait_for_timeout(1000)
    assert len(reads) == 1
    assert _panel_titles(page) == ["Del 3", "Del 1", "Del 2"]
