"""Play from anywhere, in real Chromium: every episode list's play button plays in the persistent player
from where the listener left it, rows show progress ("15 min igjen", "Spilt av"), episodes are marked played
and unplayed by hand, the show page hides played ones, and the home page's Continue listening resumes; signed
out and in, in Bokmål and English, on a phone-sized screen, and with JavaScript off.

The audio is the 25 minutes of silence of `test_resume_browser`, served with Range support.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from lytt.accounts.models import EpisodeAction, PlayProgress
from lytt.catalog.models import Category, Episode, FeedSource, Show, ShowCategory
from lytt.search import rebuild

from .test_browser import browser, lytt_server  # noqa: F401 (fixtures)
from .test_resume_browser import PASSWORD, silence_url  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

SECONDS = 25 * 60
AUDIO = "document.getElementById('lytt-audio')"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def listed(lytt_server: str, silence_url: str) -> list[Episode]:  # noqa: F811 (fixture)
    """A show in a category with three silent episodes (newest first), a listener, the search index."""
    User.objects.create_user("kari", "kari@example.org", PASSWORD)
    category = Category.objects.create(slug="t-lyd", apple_name="Sound", name_en="Sound", name_nb="Lyd")
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    show = Show.objects.create(
        slug="lydradio", title="Lydradio", episode_count=3, latest_episode_at=start + dt.timedelta(days=2)
    )
    ShowCategory.objects.create(show=show, category=category)
    FeedSource.objects.create(url="https://feeds.example.org/lydradio.xml", show=show, private=False)
    episodes = [
        Episode.objects.create(
            show=show,
            slug=f"del-{n}",
            match_key=f"lyd-{n}",
            guid=f"lyd-guid-{n}",
            title=f"Stille del {n}",
            published_at=start + dt.timedelta(days=n - 1),
            duration_seconds=SECONDS,
            enclosure_url=f"{silence_url}?n={n}",
            enclosure_type="audio/wav",
        )
        for n in (1, 2, 3)
    ]
    rebuild()
    return episodes[::-1]


@pytest.fixture
def new_page(browser: Any, lytt_server: str) -> Iterator[Callable[..., Any]]:  # noqa: F811 (fixture)
    """Pages in fresh contexts (no storage), closed before the server stops; `page.js_errors` collects
    uncaught errors."""
    contexts: list[Any] = []

    def make(locale: str = "nb-NO", **options: Any) -> Any:
        context = browser.new_context(locale=locale, **options)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()


def _sign_in(page: Any, base: str, then: str) -> None:
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("input[name=username]", "kari")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(f"**{then}")


def _row(page: Any, episode: Episode) -> Any:
    return page.locator(f'.row-actions[data-episode-id="{episode.pk}"]').first


def _play_row(page: Any, episode: Episode) -> None:
    _row(page, episode).locator("[data-play-episode]").click()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.src.endsWith('n={episode.slug[-1]}')", timeout=15_000)
    assert page.locator(".player__title").inner_text() == episode.title
    assert _row(page, episode).locator("[data-play-episode]").get_attribute("aria-pressed") == "true"


@pytest.mark.parametrize(("locale", "play"), [("nb-NO", "Spill av"), ("en-GB", "Play")])
def test_every_list_plays_its_episodes_in_the_player(
    new_page: Callable[..., Any],
    lytt_server: str,  # noqa: F811 (fixture)
    listed: list[Episode],
    locale: str,
    play: str,
) -> None:
    page = new_page(locale)
    newest, middle, oldest = listed
    page.goto(f"{lytt_server}/")
    assert _row(page, newest).locator(".play-button__label").inner_text() == play
    _play_row(page, newest)
    # The player stays while browsing; each list plays its own row.
    page.click("a[href='/podcast/lydradio/']")
    page.wait_for_url("**/podcast/lydradio/")
    _play_row(page, middle)
    page.goto(f"{lytt_server}/category/t-lyd/")
    _play_row(page, oldest)
    page.goto(f"{lytt_server}/search/?q=stille")
    _play_row(page, newest)
    page.goto(f"{lytt_server}/podcast/lydradio/{oldest.slug}/")  # the show's list on an episode page
    page.locator(f'.episodes .row-actions[data-episode-id="{middle.pk}"] [data-play-episode]').click()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.src.endsWith('n=2')", timeout=15_000)
    assert page.js_errors == []


@pytest.mark.parametrize(
    ("locale", "left", "played", "mark", "unmark"),
    [
        ("nb-NO", "15 min igjen", "Spilt av", "Merk som spilt", "Merk som uspilt"),
        ("en-GB", "15 min left", "Played", "Mark as played", "Mark as unplayed"),
    ],
)
def test_signed_out_marks_come_from_this_browser(
    new_page: Callable[..., Any],
    lytt_server: str,  # noqa: F811 (fixture)
    listed: list[Episode],
    locale: str,
    left: str,
    played: str,
    mark: str,
    unmark: str,
) -> None:
    page = new_page(locale)
    newest, middle, _ = listed
    page.goto(f"{lytt_server}/podcast/lydradio/")
    assert _row(page, newest).locator(".listen-mark").count() == 0
    _play_row(page, newest)
    page.evaluate(
        "() => { const seek = document.querySelector('.player__seek'); seek.value = '600';"
        " seek.dispatchEvent(new Event('change')); }"
    )
    page.locator(".player__toggle").click()
    page.wait_for_function(f"{AUDIO}.paused")
    page.reload()
    expect(_row(page, newest).locator(".listen-mark__text")).to_have_text(left)
    expect(_row(page, newest).locator("progress")).to_have_attribute("value", "40")
    # Mark by hand: played rows say so and look played; the show page can hide them.
    _row(page, middle).get_by_role("button", name=mark).click()
    expect(_row(page, middle).locator(".listen-mark__text")).to_have_text(f"✓ {played}")
    page.goto(f"{lytt_server}/podcast/lydradio/?hide=played")
    assert not _row(page, middle).is_visible()
    assert _row(page, newest).is_visible()
    page.goto(f"{lytt_server}/podcast/lydradio/")
    _row(page, middle).get_by_role("button", name=unmark).click()
    expect(_row(page, middle).locator(".listen-mark--played")).to_have_count(0)
    assert page.js_errors == []


@pytest.mark.parametrize(
    ("locale", "resume", "left", "played"),
    [
        ("nb-NO", "Fortsett fra 20:00", "5 min igjen", "Spilt av"),
        ("en-GB", "Resume at 20:00", "5 min left", "Played"),
    ],
)
def test_signed_in_continue_listening_marks_and_hiding(
    new_page: Callable[..., Any],
    lytt_server: str,  # noqa: F811 (fixture)
    listed: list[Episode],
    locale: str,
    resume: str,
    left: str,
    played: str,
) -> None:
    newest, middle, oldest = listed
    user = User.objects.get(username="kari")
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    PlayProgress.objects.create(user=user, episode=middle, position=1200, total=SECONDS, timestamp=when)
    PlayProgress.objects.create(
        user=user, episode=oldest, position=SECONDS, total=SECONDS, finished=True, timestamp=when
    )
    page = new_page(locale, **PHONE)
    _sign_in(page, lytt_server, "/")
    continuing = page.locator(".continue-listening .row-actions")
    assert continuing.count() == 1
    assert continuing.locator(".listen-mark__text").inner_text() == left
    assert continuing.locator(".play-button__label").inner_text() == resume
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone
    continuing.locator("[data-play-episode]").click()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > 1200.5", timeout=15_000)
    assert page.evaluate(f"{AUDIO}.currentTime") < 1210
    page.locator(".player__toggle").click()

    page.goto(f"{lytt_server}/podcast/lydradio/")
    assert _row(page, oldest).locator(".listen-mark__text").inner_text() == f"✓ {played}"
    # Marked played on the account (fetch), and then unplayed: apps get a play action at the end, then `new`.
    with page.expect_response(lambda r: r.url.endswith("/me/played/")):
        _row(page, newest).locator(".played-form button").click()
    expect(_row(page, newest).locator(".listen-mark--played")).to_have_count(1)
    stored = PlayProgress.objects.get(user=user, episode=newest)
    assert (stored.finished, stored.position) == (True, SECONDS)
    with page.expect_response(lambda r: r.url.endswith("/me/played/")):
        _row(page, newest).locator(".played-form button").click()
    expect(_row(page, newest).locator(".listen-mark--played")).to_have_count(0)
    actions = EpisodeAction.objects.filter(user=user, episode=newest).order_by("id")
    assert [(a.action, a.position) for a in actions] == [("play", SECONDS), ("new", None)]
    # Hiding played episodes is remembered for the listener.
    page.goto(f"{lytt_server}/podcast/lydradio/?hide=played")
    assert not _row(page, oldest).is_visible()
    page.goto(f"{lytt_server}/podcast/lydradio/")
    assert not _row(page, oldest).is_visible()
    assert _row(page, middle).is_visible()
    assert page.js_errors == []


def test_without_javascript_lists_link_to_the_episode_page_and_marks_still_work(
    new_page: Callable[..., Any],
    lytt_server: str,  # noqa: F811 (fixture)
    listed: list[Episode],
) -> None:
    newest = listed[0]
    page = new_page("nb-NO", java_script_enabled=False)
    page.goto(f"{lytt_server}/podcast/lydradio/")
    assert page.locator(".episode-row h3").all_inner_texts() == [e.title for e in listed]
    page.click(f'[data-play-episode="{newest.pk}"]')
    page.wait_for_url(f"**/podcast/lydradio/{newest.slug}/")
    assert page.locator(".episode-player audio[controls]").count() == 1
    _sign_in(page, lytt_server, "/podcast/lydradio/")
    _row(page, newest).get_by_role("button", name="Merk som spilt").click()
    page.wait_for_url("**/podcast/lydradio/")
    assert _row(page, newest).locator(".listen-mark__text").inner_text() == "✓ Spilt av"
    assert PlayProgress.objects.get(user__username="kari", episode=newest).finished
