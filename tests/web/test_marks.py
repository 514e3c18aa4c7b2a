"""Play buttons and progress marks on episode lists (lytt.web.marks), Continue listening, the show page's
feed link and played filter, the category page's newest episodes: through the test client, real templates."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from lytt.accounts import services
from lytt.accounts.models import PlayProgress
from lytt.catalog.models import Category, FeedSource, Show
from lytt.web import marks

from .conftest import MakeShow


def _get(client: Client, path: str, language: str = "nb") -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, path
    return response.content.decode()


def _fed(show: Show) -> Show:
    """Listeners' actions name a show by its feed (gpodder.net): give it one."""
    FeedSource.objects.create(url=f"https://feeds.example.org/{show.slug}.xml", show=show)
    return show


def _listener() -> User:
    return get_user_model().objects.create_user("reader", password="x" * 12)


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("nb", ("Spilt av", "12 min igjen", "1 min igjen", "Fortsett fra 20:00", "")),
        ("en", ("Played", "12 min left", "1 min left", "Resume at 20:00", "")),
    ],
)
def test_mark_text(language: str, texts: tuple[str, ...]) -> None:
    with translation.override(language):
        assert marks.mark_text(100, 3600, True) == texts[0]
        assert marks.mark_text(3600 - 12 * 60, 3600, False) == texts[1]
        assert marks.mark_text(3599, 3600, False) == texts[2]  # at least a minute
        assert marks.mark_text(1200, None, False) == texts[3]  # unknown length: where play resumes
        assert marks.mark_text(0, 3600, False) == texts[4]


def _rows(html: str) -> dict[int, str]:
    """Each row's actions (play button and mark) by episode id."""
    found = re.findall(r'<div class="row-actions" data-episode-id="(\d+)">(.*?)</div>', html, re.S)
    return {int(episode_id): body for episode_id, body in found}


def test_show_page_rows_play_and_carry_the_listeners_marks(client: Client, make_show: MakeShow) -> None:
    show = _fed(make_show("insight", episodes=3))
    first, second, third = show.episodes.order_by("slug")
    anonymous = _rows(_get(client, "/podcast/insight/"))
    assert set(anonymous) == {first.pk, second.pk, third.pk}
    button = anonymous[first.pk]
    assert 'href="/podcast/insight/episode-1/"' in button  # without JavaScript: the episode page
    assert f'data-play-episode="{first.pk}"' in button
    assert 'data-src="https://audio.example/insight/1.mp3"' in button
    assert 'data-show="Insight"' in button
    assert 'data-duration="5221"' in button
    assert 'data-artwork="https://img.example/insight.png"' in button
    assert f"<!--lytt-mark:{first.pk}-->" in button  # signed out: lists.js draws this browser's marks
    assert "played-form" not in button

    user = _listener()
    services.record_web_progress(user, first, 2400, 5221, 0)
    services.mark_played(user, second, True)
    client.force_login(user)
    rows = _rows(_get(client, "/podcast/insight/"))
    assert "<!--lytt-mark" not in "".join(rows.values())
    assert "47 min igjen" in rows[first.pk]
    assert '<progress max="100" value="46"' in rows[first.pk]
    assert 'data-known-position="2400"' in rows[first.pk]
    assert "Spilt av" in rows[second.pk]
    assert "listen-mark--played" in rows[second.pk]
    assert 'name="played" value="0"' in rows[second.pk]
    assert "Merk som uspilt" in rows[second.pk]
    assert "listen-mark" not in rows[third.pk]
    assert "Merk som spilt" in rows[third.pk]
    assert 'name="next" value="/podcast/insight/"' in rows[third.pk]
    # In English, the same marks.
    english = _rows(_get(client, "/podcast/insight/", "en"))
    assert "47 min left" in english[first.pk]
    assert "Played" in english[second.pk]


def test_marks_cost_one_query_and_leave_the_shared_fragment_alone(
    client: Client, make_show: MakeShow
) -> None:
    show = _fed(make_show("busy", episodes=20))
    user = _listener()
    for episode in show.episodes.all()[:10]:
        services.record_web_progress(user, episode, 600, 5221, 0)
    _get(client, "/podcast/busy/")  # the anonymous render fills the fragment cache
    client.force_login(user)
    _get(client, "/podcast/busy/")
    with CaptureQueriesContext(connection) as signed_in:
        html = _get(client, "/podcast/busy/")
    listener_queries = [
        q["sql"]
        for q in signed_in.captured_queries
        if "accounts_playprogress" in q["sql"] or "accounts_follow" in q["sql"]
    ]
    assert len(listener_queries) == 1  # the follow button and the marks, in one statement
    assert "accounts_playprogress" in listener_queries[0]
    assert "accounts_follow" in listener_queries[0]
    assert html.count("listen-mark--started") == 10
    assert 'class="follow-button" aria-pressed="false"' in html
    assert "<!--lytt-" not in html  # every placeholder filled
    client.logout()
    assert "listen-mark" not in _get(client, "/podcast/busy/")  # the cached fragment has no one's marks


def test_show_page_links_its_public_feed_only(client: Client, make_show: MakeShow) -> None:
    show = make_show("feedy", episodes=1)
    FeedSource.objects.create(
        url="https://feeds.example.org/feedy.xml?token=s3cret", show=show, private=False
    )
    html = _get(client, "/podcast/feedy/")
    assert "application/rss+xml" not in html  # only a tokenised URL: nothing to show
    other = make_show("open", episodes=1)
    FeedSource.objects.create(url="https://feeds.example.org/open.xml", show=other)
    FeedSource.objects.create(url="https://feeds.example.org/open-private.xml", show=other, private=True)
    html = _get(client, "/podcast/open/")
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Open" href="https://feeds.example.org/open.xml">'
        in html
    )
    assert 'class="feed-link" href="https://feeds.example.org/open.xml"' in html
    assert "RSS-feed" in html
    assert "open-private" not in html
    assert "RSS feed" in _get(client, "/podcast/open/", "en")


def test_hide_played_works_without_javascript_and_is_remembered_when_signed_in(
    client: Client, make_show: MakeShow
) -> None:
    make_show("hideme", episodes=2)
    assert "hide-played" not in _get(client, "/podcast/hideme/").split('class="episode-list-frame')[1][:20]
    assert 'class="episode-list-frame hide-played"' in _get(client, "/podcast/hideme/?hide=played")
    assert 'class="episode-list-frame"' in _get(client, "/podcast/hideme/")  # signed out: not remembered
    assert "sessionid" not in client.cookies
    client.force_login(_listener())
    assert 'href="?hide=none#episodes-heading">Vis spilte episoder' in _get(
        client, "/podcast/hideme/?hide=played"
    )
    assert 'class="episode-list-frame hide-played"' in _get(client, "/podcast/hideme/")
    page = _get(client, "/podcast/hideme/?hide=none")
    assert 'class="episode-list-frame"' in page
    assert "Skjul spilte episoder" in page
    assert 'class="episode-list-frame"' in _get(client, "/podcast/hideme/")


@pytest.mark.parametrize(
    ("language", "heading", "resume", "left"),
    [
        ("nb", "Fortsett å lytte", "Fortsett fra 20:00", "67 min igjen"),
        ("en", "Continue listening", "Resume at 20:00", "67 min left"),
    ],
)
def test_home_continue_listening(
    client: Client, make_show: MakeShow, language: str, heading: str, resume: str, left: str
) -> None:
    show = _fed(make_show("fortsett", episodes=3))
    first, second, third = show.episodes.order_by("slug")
    assert heading not in _get(client, "/", language)  # signed out: nothing to continue
    user = _listener()
    now = timezone.now()
    services.record_web_progress(user, first, 1200, 5221, 0, now - dt.timedelta(hours=1))
    services.record_web_progress(user, third, 300, 5223, 0, now)
    services.mark_played(user, second, True)
    client.force_login(user)
    html = _get(client, "/", language)
    section = html.split('class="continue-listening"')[1].split("</section>")[0]
    assert heading in section
    assert section.index("Episode 3 of fortsett") < section.index("Episode 1 of fortsett")
    assert "Episode 2 of fortsett" not in section
    rows = _rows(section)
    assert resume in rows[first.pk]
    assert left in rows[first.pk]
    assert 'href="/podcast/fortsett/"' in section  # the show


def test_category_page_lists_its_newest_episodes_with_play_buttons(
    client: Client, make_show: MakeShow, news: Category
) -> None:
    make_show("politikk", episodes=3, category=news)
    make_show("elsewhere", episodes=2)
    html = _get(client, f"/category/{news.slug}/")
    section = html.split('id="category-newest-heading"')[1].split("</section>")[0]
    assert "Nye episoder i Politikk" in section
    titles = re.findall(r"<h3><a [^>]*>([^<]+)</a></h3>", section)
    assert titles == ["Episode 3 of politikk", "Episode 2 of politikk", "Episode 1 of politikk"]
    assert section.count("data-play-episode") == 3
    parent = Category.objects.get(slug="t-news")
    assert "Episode 3 of politikk" in _get(client, f"/category/{parent.slug}/")  # subcategories count


def test_my_shows_history_and_continue_pages_have_play_buttons(client: Client, make_show: MakeShow) -> None:
    show = _fed(make_show("mine", episodes=2))
    episode = show.episodes.get(slug="episode-1")
    user = _listener()
    services.follow_show(user, show)
    services.record_web_progress(user, episode, 1200, 5221, 0)
    client.force_login(user)
    for path in ("/me/shows/", "/me/history/", "/me/continue/"):
        rows = _rows(_get(client, path))
        assert "67 min igjen" in rows.get(episode.pk, ""), path
    assert "Fortsett fra 20:00" in _rows(_get(client, "/me/continue/"))[episode.pk]


def test_episode_page_can_be_marked_played(client: Client, make_show: MakeShow) -> None:
    show = make_show("single", episodes=1)
    episode = show.episodes.get()
    user = _listener()
    client.force_login(user)
    html = _get(client, "/podcast/single/episode-1/")
    box = html.split('class="row-actions episode-mark"')[1].split("</div>")[0]
    assert "Merk som spilt" in box
    PlayProgress.objects.create(
        user=user, episode=episode, position=5221, finished=True, timestamp=timezone.now()
    )
    box = _get(client, "/podcast/single/episode-1/").split('class="row-actions episode-mark"')[1]
    assert "Spilt av" in box.split("</div>")[0]


def test_anonymous_pages_are_the_same_for_everyone(client: Client, make_show: MakeShow) -> None:
    """Marks never reach a public (cacheable) response."""
    make_show("shared", episodes=2)
    response = client.get("/podcast/shared/")
    assert "public" in response["Cache-Control"]
    assert b"listen-mark" not in response.content
    assert b"csrfmiddlewaretoken" not in response.content


def test_signed_in_follow_button_and_forms_are_current_and_share_one_token(
    client: Client, make_show: MakeShow
) -> None:
    show = _fed(make_show("fresh", episodes=3))
    user = _listener()
    client.force_login(user)
    for path in ("/podcast/fresh/", f"/podcast/fresh/{show.episodes.order_by('slug')[0].slug}/"):
        html = _get(client, path, "en")
        assert 'class="follow-button" aria-pressed="false">Follow<' in html, path
        assert f'action="{reverse("accounts:follow", kwargs={"slug": show.slug})}"' in html
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        assert len(tokens) == 1, path  # sign-out, follow, played and queue forms: one masked token
        assert len(re.findall(r'name="csrfmiddlewaretoken"', html)) > 3
    services.follow_show(user, show)
    html = _get(client, "/podcast/fresh/", "en")
    assert 'class="follow-button follow-button--following" aria-pressed="true">Following · Unfollow<' in html
    assert _get(client, "/podcast/fresh/", "en").count("follow-form") == 1
    html = _get(client, "/podcast/fresh/", "nb")
    assert 'aria-pressed="true">Følger · Slutt å følge<' in html
    client.logout()
    html = _get(client, "/podcast/fresh/")
    assert "follow-button--signin" in html
    assert "<!--lytt-follow" not in html


def test_a_follow_placeholder_holds_only_a_slug() -> None:
    assert marks.follow_placeholder(7, "dagens-nytt_2") == "<!--lytt-follow:7:dagens-nytt_2-->"
    with pytest.raises(ValueError, match="slug"):
        marks.follow_placeholder(7, "x-->")


def test_the_page_token_is_made_once_per_secret() -> None:
    from django.middleware.csrf import _unmask_cipher_token, rotate_token
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    first = marks.page_token(request)
    assert marks.page_token(request) == first
    rotate_token(request)  # as signing in does
    second = marks.page_token(request)
    assert second != first
    assert _unmask_cipher_token(second) == request.META["CSRF_COOKIE"]  # a token of the new secret


def test_a_page_resends_the_csrf_cookie_only_for_a_secret_the_browser_lacks(
    client: Client, make_show: MakeShow
) -> None:
    """Django would send the cookie again on every page with a form; the browser holding it needs none."""
    _fed(make_show("cookie", episodes=2))
    client.force_login(_listener())
    first = client.get("/podcast/cookie/")
    secret = first.cookies[settings.CSRF_COOKIE_NAME].value  # none yet: made and sent
    assert secret
    again = client.get("/podcast/cookie/")
    assert settings.CSRF_COOKIE_NAME not in again.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', again.content.decode())
    assert token is not None
    assert _unmask_cipher_token(token.group(1)) == secret  # its forms carry the browser's secret
    client.cookies[settings.CSRF_COOKIE_NAME] = "not a secret"  # malformed: replaced
    replaced = client.get("/podcast/cookie/").cookies[settings.CSRF_COOKIE_NAME].value
    assert replaced not in ("", "not a secret", secret)
    client.logout()
    client.get(reverse("accounts:login"))
    signed_in = client.post(reverse("accounts:login"), {"username": "reader", "password": "x" * 12})
    assert signed_in.status_code == 302
    rotated = signed_in.cookies[settings.CSRF_COOKIE_NAME].value  # signing in rotates the secret
    page = client.get("/podcast/cookie/")
    assert settings.CSRF_COOKIE_NAME not in page.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    assert _unmask_cipher_token(token.group(1)) == rotated
