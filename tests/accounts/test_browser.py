"""Account pages in real Chromium: signing up carries positions kept in the browser into the account."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lytt.accounts.models import PlayProgress
from lytt.catalog.models import Show

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (./dev.sh test installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls stay synchronous.
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


def test_signup_carries_browser_positions(
    browser: Any, live_server: Any, make_show: Callable[..., Show]
) -> None:
    show = make_show("carry")
    episode = show.episodes.get(slug="ep-0")
    page = browser.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/signup/")
        # What player.js leaves behind for a signed-out listener.
        page.evaluate(
            "([id]) => { localStorage.setItem('lytt:pos:' + id, '321');"
            " localStorage.setItem('lytt:pos:999999', '5'); }",
            [episode.pk],
        )
        page.fill("input[name=username]", "browser-listener")
        page.fill("input[name=password1]", "a long enough passphrase")
        page.fill("input[name=password2]", "a long enough passphrase")
        with page.expect_response(lambda r: r.url.endswith("/me/progress/")) as carried:
            page.click("form.account-form button[type=submit]")
        assert carried.value.status == 200  # one unknown episode is reported, the rest saved
        assert page.url.endswith("/me/shows/")
        progress = PlayProgress.objects.get(user__username="browser-listener")
        assert (progress.episode_id, progress.position) == (episode.pk, 321)
        # Carried once: the marker is set, and the next page sends nothing.
        keys = page.evaluate("() => Object.keys(localStorage)")
        assert any(key.startswith("lytt:carried:") for key in keys)
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        page.goto(f"{live_server.url}/me/continue/")
        page.wait_for_load_state("networkidle")
        assert episode.title in page.content()
        assert not [url for url in posts if url.endswith("/me/progress/")]
    finally:
        page.close()


def test_follow_from_the_show_page(browser: Any, live_server: Any, make_show: Callable[..., Show]) -> None:
    from django.contrib.auth.models import User

    from lytt.accounts.models import Follow

    show = make_show("clicky")
    User.objects.create_user("clicker", "", "a long enough passphrase")
    page = browser.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/podcast/clicky/")
        page.fill("input[name=username]", "clicker")
        page.fill("input[name=password]", "a long enough passphrase")
        page.click("form.account-form button[type=submit]")
        page.wait_for_url("**/podcast/clicky/")
        page.click("form.follow-form button.follow-button")
        page.wait_for_selector("button.follow-button--following")
        assert Follow.objects.filter(user__username="clicker", show=show).exists()
        page.goto(f"{live_server.url}/me/shows/")
        assert show.title in page.content()
    finally:
        page.close()


FOLLOW_TEXT = {
    "nb": {
        "signin": "Logg inn for å følge",
        "following": "Følger",
        "note": "Logg inn for å følge Show {slug}.",
    },
    "en": {"signin": "Sign in to follow", "following": "Following", "note": "Sign in to follow Show {slug}."},
}


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("how", ["sign-in", "sign-up"])
def test_sign_in_to_follow_lands_following(
    browser: Any, live_server: Any, make_show: Callable[..., Show], language: str, how: str
) -> None:
    """From "Sign in to follow" on a show page, signing in or signing up lands on the show, following."""
    from django.contrib.auth.models import User

    from lytt.accounts.models import Follow

    show = make_show(f"{how}-{language}")
    User.objects.create_user("follower", "", "a long enough passphrase")
    text = FOLLOW_TEXT[language]
    context = browser.new_context(locale="nb-NO" if language == "nb" else "en-GB")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/podcast/{show.slug}/")
        page.get_by_role("link", name=text["signin"]).click()
        page.wait_for_url("**/accounts/login/**")
        assert text["note"].format(slug=show.slug) in page.inner_text("main")
        if how == "sign-in":
            username = "Follower"  # in any case
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", "a long enough passphrase")
        else:
            username = f"new-{language}"
            page.click("main a[href^='/accounts/signup/']")
            page.wait_for_url("**/accounts/signup/**")
            page.fill("input[name=username]", username)
            page.fill("input[name=password1]", "a long enough passphrase")
            page.fill("input[name=password2]", "a long enough passphrase")
        page.click("form.account-form button[type=submit]")
        page.wait_for_url(f"**/podcast/{show.slug}/")
        button = page.locator("button.follow-button--following")
        assert text["following"] in button.inner_text()
        assert button.get_attribute("aria-pressed") == "true"
        assert Follow.objects.filter(user__username__iexact=username, show=show).count() == 1
    finally:
        context.close()


def test_api_token_page_and_the_session_on_the_listener_api(
    browser: Any, live_server: Any, make_show: Callable[..., Show]
) -> None:
    """On a phone-sized screen, by keyboard: make a token, use it and the session (with CSRF), revoke it."""
    import httpx
    from django.contrib.auth.models import User

    from lytt.accounts.models import ApiToken

    show = make_show("tokens")
    episode = show.episodes.get(slug="ep-0")
    User.objects.create_user("scripter", "", "a long enough passphrase")
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="nb-NO")
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/me/tokens/")
        page.fill("input[name=username]", "scripter")
        page.fill("input[name=password]", "a long enough passphrase")
        page.press("input[name=password]", "Enter")
        page.wait_for_url("**/me/tokens/")
        assert page.inner_text("h1") == "API-nøkler"
        page.focus("input[name=name]")
        page.keyboard.type("Mitt skript")
        page.keyboard.press("Enter")
        page.wait_for_selector("code.token-value")
        token = page.inner_text("code.token-value")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        api = f"{live_server.url}/api/v1/me/queue"
        answer = httpx.post(api, json={"episode": episode.pk}, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        # The page's own session reads the queue; a change needs the CSRF token, as forms do.
        script = """async ([url, body, csrf]) => {
            const headers = {"Content-Type": "application/json"};
            if (csrf) headers["X-CSRFToken"] = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const get = await fetch(url);
            const put = await fetch(url, {method: "PUT", headers, body});
            return [get.status, (await get.json()).episodes.map(e => e.id), put.status];
        }"""
        body = '{"episodes": []}'
        assert page.evaluate(script, [api, body, False]) == [200, [episode.pk], 403]
        assert page.evaluate(script, [api, body, True]) == [200, [episode.pk], 200]
        page.reload()
        assert page.query_selector("code.token-value") is None
        assert "Mitt skript" in page.inner_text("table.token-list")
        page.focus("table.token-list button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=Du har ingen nøkler.")
        assert not ApiToken.objects.exists()
        assert httpx.get(api, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    finally:
        page.close()
