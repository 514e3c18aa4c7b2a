"""From an episode page to a person's page, in real Chromium on a phone-sized screen: the person's link,
their episodes across shows with roles, and an episode played from there in the persistent player; with
JavaScript off the page and its paging still work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from lytt.catalog.models import Episode, EpisodePerson, Person, Show, ShowPerson

from .test_browser import browser, lytt_server  # noqa: F401 (fixtures)
from .test_lists_browser import new_page  # noqa: F401 (fixture)
from .test_resume_browser import silence_url  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

AUDIO = "document.getElementById('lytt-audio')"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def guest(lytt_server: str, silence_url: str) -> dict[str, Episode]:  # noqa: F811 (fixture)
    """Kari Gjest hosts Lydradio and is a guest on one episode of Prateradio."""
    kari = Person.objects.create(name="Kari Gjest", slug="kari-gjest", href="https://kari.example/")
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    made: dict[str, Episode] = {}
    for offset, (slug, title) in enumerate((("lydradio", "Lydradio"), ("prateradio", "Prateradio"))):
        show = Show.objects.create(slug=slug, title=title, episode_count=1, latest_episode_at=start)
        made[slug] = Episode.objects.create(
            show=show,
            slug="del-1",
            match_key=f"{slug}-1",
            title=f"{title}: første del",
            published_at=start + dt.timedelta(days=offset),
            duration_seconds=1500,
            enclosure_url=f"{silence_url}?n={slug}",
            enclosure_type="audio/wav",
        )
    ShowPerson.objects.create(show=made["lydradio"].show, person=kari, role="host")
    EpisodePerson.objects.create(episode=made["lydradio"], person=kari, role="host")
    EpisodePerson.objects.create(episode=made["prateradio"], person=kari, role="guest")
    return made


@pytest.mark.parametrize(("locale", "guest_role"), [("nb-NO", "Gjest"), ("en-GB", "Guest")])
def test_from_an_episode_to_a_person_and_play_there(
    new_page: Callable[..., Any],  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    guest: dict[str, Episode],
    locale: str,
    guest_role: str,
) -> None:
    page = new_page(locale, **PHONE)
    page.goto(f"{lytt_server}/podcast/lydradio/del-1/")
    page.locator(".people-list a", has_text="Kari Gjest").click()
    page.wait_for_url("**/people/kari-gjest/")
    expect(page.locator("h1")).to_have_text("Kari Gjest")
    rows = page.locator("#episode-list > li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("h3")).to_have_text("Prateradio: første del")  # newest first
    expect(rows.nth(0).locator(".episode-row__roles")).to_have_text(guest_role)
    # Nothing overflows a phone's width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    episode = guest["prateradio"]
    page.locator(f'.row-actions[data-episode-id="{episode.pk}"] [data-play-episode]').click()
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.src.endsWith('n=prateradio')", timeout=15_000)
    expect(page.locator(".player__title")).to_have_text(episode.title)
    assert page.js_errors == []


def test_the_person_page_works_without_javascript(
    new_page: Callable[..., Any],  # noqa: F811 (fixture)
    lytt_server: str,  # noqa: F811 (fixture)
    guest: dict[str, Episode],
) -> None:
    page = new_page("en-GB", java_script_enabled=False, **PHONE)
    page.goto(f"{lytt_server}/podcast/prateradio/del-1/")
    page.locator(".people-list a", has_text="Kari Gjest").click()
    page.wait_for_url("**/people/kari-gjest/")
    expect(page.locator(".person-shows")).to_contain_text("Lydradio")
    page.locator("#episode-list h3 a", has_text="Lydradio: første del").click()
    page.wait_for_url("**/podcast/lydradio/del-1/")
    expect(page.locator("audio[controls]")).to_have_count(1)
