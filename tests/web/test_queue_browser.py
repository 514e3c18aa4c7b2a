"""Up next in real Chromium: add next or last from episode rows, reorder by keyboard and by drag, remove,
play on when an episode ends (unless the sleep timer stops at its end), a signed-out queue carried into the
account at sign-in, and an app reading the order the browser set (API v1, Bearer token). Bokmål and
English, a phone-sized screen, keyboard only where it matters.

The episodes play Lytt's generated sample audio at a few seconds each, so one ends during the test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import expect

from lytt.accounts import listening, tokens
from lytt.catalog.models import Episode, FeedSource, Show

from .test_browser import _screenshot_dir, browser, lytt_server  # noqa: F401 (fixtures)
from .test_lists_browser import PHONE, _sign_in, new_page  # noqa: F401 (fixture)
from .test_resume_browser import PASSWORD

pytestmark = pytest.mark.browser

AUDIO = "document.getElementById('lytt-audio')"


@pytest.fixture
def queued(lytt_server: str) -> list[Episode]:  # noqa: F811 (fixture)
    """A show with four short sample episodes (newest first: Del 4 .. Del 1) and a listener, kari."""
    User.objects.create_user("kari", "kari@example.org", PASSWORD)
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    show = Show.objects.create(
        slug="kort", title="Kortradio", episode_count=4, latest_episode_at=start + dt.timedelta(days=3)
    )
    FeedSource.objects.create(url="https://feeds.example.org/kort.xml", show=show, private=False)
    episodes = [
        Episode.objects.create(
            show=show,
            slug=f"del-{n}",
            match_key=f"kort-{n}",
            guid=f"kort-guid-{n}",
            title=f"Del {n}",
            published_at=start + dt.timedelta(days=n - 1),
            duration_seconds=2 + n,
            enclosure_url=f"https://sample.lytt.invalid/audio/tone-{'ab'[n % 2]}/{2 + n}.wav",
            enclosure_type="audio/wav",
        )
        for n in (1, 2, 3, 4)
    ]
    return episodes


def _named(label: str, title: str) -> re.Pattern[str]:
    """A button's accessible name: its label and, visually hidden, the episode's title."""
    return re.compile(rf"^{re.escape(label)}\s*: {re.escape(title)}$")


def _row(page: Any, episode: Episode) -> Any:
    return page.locator(f'.row-actions[data-episode-id="{episode.pk}"]').first


def _panel_titles(page: Any) -> list[str]:
    return list(page.locator("#lytt-queue .queue-item__title").all_inner_texts())


def _account(name: str = "kari") -> list[int]:
    return listening.queue_episode_ids(User.objects.get(username=name))


def _wait_account(page: Any, expected: list[int]) -> None:
    for _ in range(100):
        if _account() == expected:
            return
        page.wait_for_timeout(100)
    assert _account() == expected


def _start_player(page: Any, episode: Episode) -> None:
    """Play a row's episode, then pause it: the player (with its Up next button) is on screen."""
    _row(page, episode).locator("[data-play-episode]").click()
    page.wait_for_function(f"!{AUDIO}.paused")
    page.evaluate(f"{AUDIO}.pause()")


@pytest.mark.parametrize(
    ("locale", "play_next", "add", "moved", "up_next"),
    [
        ("nb-NO", "Spill neste", "Legg i køen", "nå 1 av 3", "Neste"),
        ("en-GB", "Play next", "Add to queue", "now 1 of 3", "Up next"),
    ],
)
def test_signed_in_rows_add_and_the_panel_reorders_removes_and_an_app_sees_it(
    new_page: Callable[..., Any],  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    queued: list[Episode],
    locale: str,
    play_next: str,
    add: str,
    moved: str,
    up_next: str,
) -> None:
    one, two, three, four = queued
    page = new_page(locale)
    _sign_in(page, lytt_server, "/podcast/kort/")
    _row(page, one).get_by_role("button", name=_named(f"{add}", "Del 1")).click()
    expect(page.locator("#lytt-queue-status")).to_have_text(
        f"{'Lagt i køen' if locale == 'nb-NO' else 'Added to the queue'}: Del 1"
    )
    _row(page, two).get_by_role("button", name=_named(f"{add}", "Del 2")).click()
    _row(page, three).get_by_role("button", name=_named(f"{play_next}", "Del 3")).click()
    _wait_account(page, [three.pk, one.pk, two.pk])

    _start_player(page, four)
    opener = page.locator(".player__queue")
    expect(opener).to_contain_text(up_next)
    expect(opener).to_contain_text("(3)")
    opener.click()
    expect(page.locator("#lytt-queue")).to_be_visible()
    expect(page.locator("#lytt-queue .queue-item")).to_have_count(3)
    assert _panel_titles(page) == ["Del 3", "Del 1", "Del 2"]

    # Keyboard: Alt+ArrowUp on the focused entry moves it, and focus stays with it.
    page.locator(f'#lytt-queue [data-episode-id="{two.pk}"] [data-action=handle]').focus()
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#lytt-queue-status")).to_contain_text(moved)
    assert _panel_titles(page) == ["Del 2", "Del 3", "Del 1"]
    _wait_account(page, [two.pk, three.pk, one.pk])
    assert page.evaluate("document.activeElement.closest('.queue-item').dataset.episodeId") == str(two.pk)
    # The move-down button, by keyboard.
    page.locator(f'#lytt-queue [data-episode-id="{three.pk}"] [data-action=down]').focus()
    page.keyboard.press("Enter")
    _wait_account(page, [two.pk, one.pk, three.pk])
    expect(page.locator("#lytt-queue .queue-item").last).to_have_attribute("data-episode-id", str(three.pk))

    # Drag by the handle: the last entry to the top.
    handle = page.locator(f'#lytt-queue [data-episode-id="{three.pk}"] [data-action=handle]').bounding_box()
    top = page.locator(f'#lytt-queue [data-episode-id="{two.pk}"]').bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + handle["width"] / 2, top["y"] + 2, steps=8)
    page.mouse.up()
    expect(page.locator("#lytt-queue .queue-item").first).to_have_attribute("data-episode-id", str(three.pk))
    _wait_account(page, [three.pk, two.pk, one.pk])

    # Remove.
    page.locator("#lytt-queue").get_by_role(
        "button", name=_named(f"{'Fjern' if locale == 'nb-NO' else 'Remove'}", "Del 2")
    ).click()
    _wait_account(page, [three.pk, one.pk])
    expect(page.locator("#lytt-queue .queue-item")).to_have_count(2)

    # An app (API v1, Bearer token) reads the order the browser set.
    _, token = tokens.create_token(User.objects.get(username="kari"), "app")
    answer = Client().get("/api/v1/me/queue", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [e["id"] for e in answer.json()["episodes"]] == [three.pk, one.pk]
    # Escape closes the panel and returns to its button.
    page.locator("#lytt-queue .queue-panel__title").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#lytt-queue")).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('player__queue')")
    assert page.js_errors == []


def test_an_ended_episode_leaves_the_queue_and_the_next_plays_unless_the_sleep_timer_stops(
    new_page: Callable[..., Any],  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    queued: list[Episode],
) -> None:
    one, two, three, _ = queued
    user = User.objects.get(username="kari")
    listening.replace_queue(user, [one.pk, two.pk, three.pk])
    page = new_page("en-GB")
    _sign_in(page, lytt_server, "/me/queue/")
    expect(page.locator("main .queue-item")).to_have_count(3)
    page.locator(f'main [data-episode-id="{one.pk}"]').get_by_role(
        "button", name=_named("Play", "Del 1")
    ).click()
    # Del 1 (3 s) ends: it leaves the queue and Del 2 plays.
    page.wait_for_function(f"{AUDIO}.src.endsWith('/4.wav') && !{AUDIO}.paused", timeout=20_000)
    assert page.locator(".player__title").inner_text() == "Del 2"
    _wait_account(page, [two.pk, three.pk])
    expect(page.locator("main .queue-item").first).to_contain_text("Playing")
    # The sleep timer stops at the end of Del 2: it leaves the queue, and nothing more plays.
    page.locator(".player__more").click()
    page.locator('[data-sleep="episode"]').click()
    assert page.evaluate("window.LyttPlayer.sleepAtEnd")
    page.wait_for_function(f"{AUDIO}.ended", timeout=20_000)
    _wait_account(page, [three.pk])
    page.wait_for_timeout(1000)
    assert page.evaluate(f"{AUDIO}.src").endswith("/4.wav")
    assert page.evaluate(f"{AUDIO}.paused")
    # Next track (lock screen, headset): no chapters, so the next queued episode.
    assert page.evaluate("window.LyttPlayer.step(1)")
    page.wait_for_function(f"{AUDIO}.src.endsWith('/5.wav') && !{AUDIO}.paused", timeout=20_000)
    assert page.js_errors == []


def test_signed_out_queue_lives_in_the_browser_and_joins_the_account_at_sign_in(
    new_page: Callable[..., Any],  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    queued: list[Episode],
    tmp_path: Path,
) -> None:
    one, two, three, four = queued
    listening.replace_queue(User.objects.get(username="kari"), [two.pk])
    page = new_page("nb-NO", **PHONE)
    page.goto(f"{lytt_server}/podcast/kort/")
    _row(page, one).get_by_role("button", name=_named("Legg i køen", "Del 1")).click()
    _row(page, two).get_by_role("button", name=_named("Legg i køen", "Del 2")).click()
    page.goto(f"{lytt_server}/podcast/kort/{three.slug}/")  # the episode page's own row
    page.locator(".episode-mark").get_by_role("button", name=_named("Spill neste", "Del 3")).click()
    stored = json.loads(page.evaluate("localStorage.getItem('lytt:queue')"))
    assert [int(item["id"]) for item in stored] == [three.pk, one.pk, two.pk]
    page.goto(f"{lytt_server}/podcast/kort/")
    _start_player(page, four)
    page.locator(".player__queue").click()
    panel = page.locator("#lytt-queue")
    expect(panel.locator(".queue-item")).to_have_count(3)
    box = panel.bounding_box()
    assert box["x"] >= 0  # on a phone's screen
    assert box["x"] + box["width"] <= 390
    assert box["y"] >= 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    panel.get_by_role("button", name=_named("Flytt ned", "Del 3")).click()
    assert _panel_titles(page) == ["Del 1", "Del 3", "Del 2"]
    shots = _screenshot_dir(tmp_path)
    page.screenshot(path=str(shots / "queue-nb-phone.png"))
    # The queue page without an account shows the same queue, from this browser.
    page.goto(f"{lytt_server}/me/queue/")
    expect(page.locator("main .queue-item")).to_have_count(3)

    # Sign in: the account's queue first, then this browser's, without duplicates; the browser forgets it.
    _sign_in(page, lytt_server, "/podcast/kort/")
    _wait_account(page, [two.pk, one.pk, three.pk])
    page.wait_for_function("localStorage.getItem('lytt:queue') === null")
    assert page.js_errors == []


def test_the_queue_page_works_without_javascript(
    browser: Any,  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    queued: list[Episode],
) -> None:
    one, two, three, _ = queued
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in(page, lytt_server, "/podcast/kort/")
        _row(page, one).get_by_role("button", name="Add to queue").click()
        page.wait_for_url("**/podcast/kort/")
        _row(page, two).get_by_role("button", name="Add to queue").click()
        _row(page, three).get_by_role("button", name="Play next").click()
        assert _account() == [three.pk, one.pk, two.pk]
        page.goto(f"{lytt_server}/me/queue/")
        page.get_by_role("button", name=_named("Move down", "Del 3")).click()
        assert _account() == [one.pk, three.pk, two.pk]
        page.get_by_role("button", name=_named("Remove", "Del 1")).click()
        assert _account() == [three.pk, two.pk]
        assert page.locator("main .queue-item__title").all_inner_texts() == ["Del 3", "Del 2"]
        page.get_by_role("button", name="Clear the queue").click()
        assert _account() == []
    finally:
        context.close()


def test_queue_panel_screenshot_on_a_desktop(
    new_page: Callable[..., Any],  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    queued: list[Episode],
    tmp_path: Path,
) -> None:
    one, two, three, four = queued
    listening.replace_queue(User.objects.get(username="kari"), [four.pk, three.pk, two.pk, one.pk])
    page = new_page("en-GB", viewport={"width": 1280, "height": 800})
    _sign_in(page, lytt_server, "/podcast/kort/")
    _start_player(page, four)
    page.locator(".player__queue").click()
    expect(page.locator("#lytt-queue .queue-item")).to_have_count(4)
    expect(page.locator("#lytt-queue .queue-item.is-playing")).to_have_count(1)
    page.screenshot(path=str(_screenshot_dir(tmp_path) / "queue-en-desktop.png"))
    assert page.js_errors == []
