"""Website views: sign-up/sign-in, follows, progress, history, continue listening, OPML."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from tests.listeners import change_password

from lytt.accounts import ratelimit
from lytt.accounts.models import EpisodeAction, Follow, PlayProgress, Subscription
from lytt.catalog.models import Show

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """Messages are asserted in English; Bokmål is covered in test_i18n."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


def signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf(client: Client, url: str) -> str:
    client.get(url)
    return str(client.cookies["csrftoken"].value)


def test_signup_creates_user_and_signs_in() -> None:
    client = Client()
    response = client.post(
        reverse("accounts:signup"),
        {"username": "ola", "email": "ola@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:my_shows")
    assert client.get(reverse("accounts:my_shows")).status_code == 200
    assert User.objects.get(username="ola").email == "ola@example.org"


def test_signup_rejects_mismatched_passwords() -> None:
    response = Client().post(
        reverse("accounts:signup"), {"username": "ola", "password1": PASSWORD, "password2": PASSWORD + "x"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="ola").exists()


def test_login_and_logout(user: User) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "kari", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:my_shows")
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:my_shows")).status_code == 302


@pytest.mark.parametrize("typed", ["KARI", "Kari", "kArI"])
def test_login_ignores_case_of_the_user_name(user: User, typed: str) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:my_shows")).wsgi_request.user == user


def test_login_in_another_case_still_needs_the_password(user: User) -> None:
    response = Client().post(reverse("accounts:login"), {"username": "KARI", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_login_prefers_the_exact_name_when_old_data_holds_two_cases(make_user: Callable[..., User]) -> None:
    # Created before names were compared regardless of case (sign-up refuses this now).
    lower, upper = make_user("ola"), User.objects.create_user("OLA", "", PASSWORD + "!")
    client = Client()
    client.post(reverse("accounts:login"), {"username": "OLA", "password": PASSWORD + "!"})
    assert client.get(reverse("accounts:my_shows")).wsgi_request.user == upper
    client = Client()
    client.post(reverse("accounts:login"), {"username": "ola", "password": PASSWORD})
    assert client.get(reverse("accounts:my_shows")).wsgi_request.user == lower
    # A third spelling matches neither exactly: it is ambiguous and signs no one in.
    response = Client().post(reverse("accounts:login"), {"username": "Ola", "password": PASSWORD})
    assert "_auth_user_id" not in response.wsgi_request.session


def test_signup_refuses_a_name_taken_in_another_case(user: User) -> None:
    response = Client().post(
        reverse("accounts:signup"), {"username": "KARI", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert User.objects.filter(username__iexact="kari").count() == 1


def test_login_rate_limited_per_username(user: User) -> None:
    for n in range(ratelimit.MAX_FAILURES_PER_USERNAME):
        client = Client(REMOTE_ADDR=f"10.0.0.{n}")
        response = client.post(reverse("accounts:login"), {"username": "kari", "password": "wrong"})
        assert response.status_code == 200
    # Now even the right password is refused, from a fresh address, with a clear message.
    response = Client(REMOTE_ADDR="10.0.1.1").post(
        reverse("accounts:login"), {"username": "kari", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_login_rate_limited_per_ip(make_user: Callable[..., User]) -> None:
    make_user("victim")
    client = Client(REMOTE_ADDR="192.0.2.9")
    for n in range(ratelimit.MAX_FAILURES_PER_IP):
        client.post(reverse("accounts:login"), {"username": f"guess{n}", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "victim", "password": PASSWORD})
    assert response.status_code == 429
    # Another address is not affected.
    other = Client(REMOTE_ADDR="192.0.2.10")
    assert (
        other.post(reverse("accounts:login"), {"username": "victim", "password": PASSWORD}).status_code == 302
    )


def test_password_change(user: User) -> None:
    client = Client()
    client.force_login(user)
    response = change_password(client, "another long passphrase")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another long passphrase")


def test_password_reset_flow(user: User) -> None:
    client = Client()
    response = client.post(reverse("accounts:password_reset"), {"email": "kari@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "brand new passphrase", "new_password2": "brand new passphrase"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand new passphrase")
    # The link works once.
    assert "invalid" in client.get("/" + path, follow=True).content.decode()


def test_follow_and_unfollow(user: User, show: Show) -> None:
    client = signed_in(user)
    token = csrf(client, reverse("accounts:my_shows"))
    response = client.post(
        reverse("accounts:follow", kwargs={"slug": show.slug}), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Follow.objects.filter(user=user, show=show).exists()
    sub = Subscription.objects.get(user=user)
    assert sub.url == "https://feeds.example.org/dagens.xml"
    assert sub.active
    page = client.get(reverse("accounts:my_shows")).content.decode()
    assert "Show dagens" in page
    assert "Episode 1 of dagens" in page  # "New from your shows"
    client.post(reverse("accounts:unfollow", kwargs={"slug": show.slug}), {"csrfmiddlewaretoken": token})
    assert not Follow.objects.filter(user=user).exists()
    assert not Subscription.objects.get(user=user).active


def test_follow_needs_csrf(user: User, show: Show) -> None:
    client = signed_in(user)
    response = client.post(reverse("accounts:follow", kwargs={"slug": show.slug}))
    assert response.status_code == 403
    assert not Follow.objects.exists()


def test_sign_in_to_follow_follows_after_sign_in(user: User, show: Show) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"{reverse('accounts:login')}?next=/podcast/dagens/&follow=dagens").content.decode()
    assert "Sign in to follow Show dagens." in page
    assert '<input type="hidden" name="follow" value="dagens">' in page
    assert "/accounts/signup/?next=%2Fpodcast%2Fdagens%2F&amp;follow=dagens" in page
    token = str(client.cookies["csrftoken"].value)
    fields = {"username": "kari", "password": PASSWORD, "next": "/podcast/dagens/", "follow": "dagens"}
    # The follow rides on the sign-in form, so it needs the form's CSRF token like any follow.
    assert client.post(reverse("accounts:login"), fields).status_code == 403
    assert not Follow.objects.exists()
    response = client.post(reverse("accounts:login"), {**fields, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == "/podcast/dagens/"
    assert Follow.objects.filter(user=user, show=show).exists()
    assert Subscription.objects.filter(user=user, active=True).count() == 1


def test_sign_in_to_follow_needs_the_right_password(user: User, show: Show) -> None:
    fields = {"username": "kari", "password": "wrong", "next": "/podcast/dagens/", "follow": "dagens"}
    response = Client().post(reverse("accounts:login"), fields)
    assert response.status_code == 200
    assert '<input type="hidden" name="follow" value="dagens">' in response.content.decode()
    assert not Follow.objects.exists()


def test_sign_in_to_follow_an_unknown_show_just_signs_in(user: User) -> None:
    fields = {"username": "kari", "password": PASSWORD, "next": "/", "follow": "no-such-show"}
    response = Client().post(reverse("accounts:login"), fields)
    assert response.status_code == 302
    assert not Follow.objects.exists()


def test_sign_up_to_follow(show: Show) -> None:
    client = Client()
    page = client.get(f"{reverse('accounts:signup')}?next=/podcast/dagens/&follow=dagens").content.decode()
    assert "Create an account to follow Show dagens." in page
    assert "/accounts/login/?next=%2Fpodcast%2Fdagens%2F&amp;follow=dagens" in page
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "ola",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "/podcast/dagens/",
            "follow": "dagens",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/podcast/dagens/"
    assert Follow.objects.filter(user__username="ola", show=show).exists()


def test_follow_anonymous_redirects_to_login(show: Show) -> None:
    response = Client().post(reverse("accounts:follow", kwargs={"slug": show.slug}))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Fpodcast%2Fdagens%2F&follow=dagens"
    assert not Follow.objects.exists()


def test_follow_unknown_show_is_404(user: User) -> None:
    client = signed_in(user)
    token = csrf(client, reverse("accounts:my_shows"))
    response = client.post(
        reverse("accounts:follow", kwargs={"slug": "nope"}), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 404


def post_progress(client: Client, token: str, payload: object) -> object:
    return client.post(
        reverse("accounts:progress"),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )


def test_progress_saves_and_shows_in_continue_and_history(user: User, show: Show) -> None:
    episode = show.episodes.get(slug="ep-0")
    client = signed_in(user)
    token = csrf(client, reverse("accounts:my_shows"))
    response = post_progress(
        client, token, {"episode": episode.pk, "position": 120, "total": 3600, "started": 0}
    )
    assert response.status_code == 204  # type: ignore[attr-defined]
    progress = PlayProgress.objects.get(user=user, episode=episode)
    assert (progress.position, progress.total, progress.finished) == (120, 3600, False)
    # Periodic reports within one session update one action.
    post_progress(client, token, {"episode": episode.pk, "position": 150, "total": 3600, "started": 0})
    action = EpisodeAction.objects.get(user=user)
    assert (action.action, action.position, action.episode_url) == ("play", 150, episode.enclosure_url)
    assert action.podcast_url == "https://feeds.example.org/dagens.xml"
    page = client.get(reverse("accounts:continue_listening")).content.decode()
    assert episode.title in page
    assert client.get(reverse("accounts:history")).content.decode().count("history-item--play") == 1
    # Near the end counts as finished and leaves "continue listening".
    post_progress(client, token, {"episode": episode.pk, "position": 3500, "total": 3600, "started": 0})
    assert PlayProgress.objects.get(user=user, episode=episode).finished
    assert episode.title not in client.get(reverse("accounts:continue_listening")).content.decode()


def test_progress_bulk_import_skips_unknown_episodes(user: User, show: Show) -> None:
    episodes = list(show.episodes.all())
    client = signed_in(user)
    token = csrf(client, reverse("accounts:my_shows"))
    payload = [{"episode": e.pk, "position": 60} for e in episodes] + [{"episode": 999999, "position": 5}]
    response = post_progress(client, token, payload)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.json() == {"saved": 2, "unknown_episodes": [999999]}  # type: ignore[attr-defined]
    assert PlayProgress.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("not json", "not JSON"),
        ({"position": 5}, "'episode'"),
        ({"episode": 1}, "'position' is required"),
        ({"episode": 1, "position": -4}, "out of range"),
        ({"episode": 1, "position": "ten"}, "number of seconds"),
        ({"episode": 1, "position": 4, "at": "1970-01-01T00:00:00Z"}, "plausible"),
        ([], "empty"),
    ],
)
def test_progress_rejects_bad_input(user: User, show: Show, payload: object, fragment: str) -> None:
    client = signed_in(user)
    token = csrf(client, reverse("accounts:my_shows"))
    body = payload if isinstance(payload, str) else json.dumps(payload)
    response = client.post(
        reverse("accounts:progress"), data=body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert not EpisodeAction.objects.exists()


def test_progress_unknown_episode_is_404(user: User) -> None:
    client = signed_in(user)
    token = csrf(client, reverse("accounts:my_shows"))
    response = post_progress(client, token, {"episode": 424242, "position": 5})
    assert response.status_code == 404  # type: ignore[attr-defined]


def test_progress_anonymous_is_403(show: Show) -> None:
    episode = show.episodes.first()
    assert episode is not None
    response = Client().post(
        reverse("accounts:progress"),
        data=json.dumps({"episode": episode.pk, "position": 5}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not EpisodeAction.objects.exists()


def test_progress_beacon_sends_the_csrf_token_in_the_form(user: User, show: Show) -> None:
    """What navigator.sendBeacon posts (it can set no header): a form with the token and the report."""
    episode = show.episodes.get(slug="ep-0")
    client = signed_in(user)
    token = csrf(client, reverse("accounts:my_shows"))
    report = json.dumps({"episode": episode.pk, "position": 95, "started": 0})
    refused = client.post(reverse("accounts:progress"), data={"progress": report})
    assert refused.status_code == 403
    forged = client.post(
        reverse("accounts:progress"), data={"progress": report, "csrfmiddlewaretoken": "x" * 64}
    )
    assert forged.status_code == 403
    assert not PlayProgress.objects.exists()
    response = client.post(
        reverse("accounts:progress"), data={"progress": report, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 204
    assert PlayProgress.objects.get(user=user, episode=episode).position == 95
    empty = client.post(reverse("accounts:progress"), data={"csrfmiddlewaretoken": token})
    assert empty.status_code == 400
    assert "empty" in empty.json()["error"] or "episode" in empty.json()["error"]


def test_progress_refused_when_the_account_knows_newer(user: User, show: Show) -> None:
    episode = show.episodes.get(slug="ep-0")
    client = signed_in(user)
    token = csrf(client, reverse("accounts:my_shows"))
    post_progress(client, token, {"episode": episode.pk, "position": 1200})
    response = post_progress(client, token, {"episode": episode.pk, "position": 4})
    assert response.status_code == 200  # type: ignore[attr-defined]
    result = response.json()  # type: ignore[attr-defined]
    assert result["saved"] == 0
    assert [(n["episode"], n["position"]) for n in result["newer"]] == [(episode.pk, 1200)]
    seek_back = post_progress(client, token, {"episode": episode.pk, "position": 4, "deliberate": True})
    assert seek_back.status_code == 204  # type: ignore[attr-defined]
    assert PlayProgress.objects.get(user=user, episode=episode).position == 4


def test_progress_read_back(user: User, show: Show, make_user: Callable[..., User]) -> None:
    episode = show.episodes.get(slug="ep-0")
    client = signed_in(user)
    url = reverse("accounts:progress")
    assert client.get(url, {"episode": episode.pk}).status_code == 404
    assert "episode id" in client.get(url, {"episode": "x"}).json()["error"]
    token = csrf(client, reverse("accounts:my_shows"))
    post_progress(client, token, {"episode": episode.pk, "position": 61, "at": "2026-12-01T10:00:00Z"})
    data = client.get(url, {"episode": episode.pk}).json()
    assert data == {
        "episode": episode.pk,
        "position": 61,
        "at": "2026-12-01T10:00:00+00:00",
        "finished": False,
    }
    # Each listener sees only their own.
    assert signed_in(make_user("other")).get(url, {"episode": episode.pk}).status_code == 404
    assert Client().get(url, {"episode": episode.pk}).status_code == 403


def test_opml_export_and_import(user: User, show: Show, make_show: Callable[..., Show]) -> None:
    other = make_show("other")
    client = signed_in(user)
    token = csrf(client, reverse("accounts:my_shows"))
    client.post(reverse("accounts:follow", kwargs={"slug": show.slug}), {"csrfmiddlewaretoken": token})
    exported = client.get(reverse("accounts:opml_export"))
    assert exported.status_code == 200
    assert b'xmlUrl="https://feeds.example.org/dagens.xml"' in exported.content
    assert b"Show dagens" in exported.content
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><head/><body>'
        b'<outline text="o" xmlUrl="https://feeds.example.org/other.xml"/>'
        b'<outline text="bad" xmlUrl="javascript:alert(1)"/></body></opml>'
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("accounts:opml_import"),
        {"file": SimpleUploadedFile("subs.opml", opml), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert set(Follow.objects.filter(user=user).values_list("show__slug", flat=True)) == {"dagens", "other"}
    assert other.pk in Follow.objects.values_list("show_id", flat=True)


def test_opml_import_rejects_non_opml(user: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(user)
    token = csrf(client, reverse("accounts:opml_import"))
    response = client.post(
        reverse("accounts:opml_import"),
        {"file": SimpleUploadedFile("x.opml", b"<html><body/></html>"), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    assert "not an OPML document" in response.content.decode()
    assert not Subscription.objects.exists()


def test_pages_need_sign_in() -> None:
    client = Client()
    for name in ("my_shows", "history", "continue_listening", "opml_export", "opml_import"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_follow_button_tag(user: User, show: Show) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory
    from django.utils import translation

    template = Template("{% load lytt_accounts %}{% follow_button show %}")
    request = RequestFactory().get("/podcast/dagens/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    html = template.render(Context({"request": request, "show": show}))
    link = 'href="/accounts/login/?next=/podcast/dagens/&amp;follow=dagens"'
    assert f'class="follow-button follow-button--signin" {link}' in html
    request.user = user
    html = template.render(Context({"request": request, "show": show}))
    assert reverse("accounts:follow", kwargs={"slug": show.slug}) in html
    assert "csrfmiddlewaretoken" in html
    assert 'class="follow-button" aria-pressed="false">' in html
    Follow.objects.create(user=user, show=show)
    request = RequestFactory().get("/podcast/dagens/?from=<x>")
    request.user = user
    with translation.override("en"):
        html = template.render(Context({"request": request, "show": show}))
    assert reverse("accounts:unfollow", kwargs={"slug": show.slug}) in html
    assert '<input type="hidden" name="next" value="/podcast/dagens/?from=%3Cx%3E">' in html
    assert 'class="follow-button follow-button--following" aria-pressed="true">Following · Unfollow<' in html


def test_admin_lists_sync_data(make_user: Callable[..., User], user: User, show: Show) -> None:
    from lytt.accounts.services import follow_show

    follow_show(user, show)
    admin_user = make_user("operator")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    for model in ("device", "follow", "subscription", "episodeaction"):
        assert client.get(f"/admin/accounts/{model}/").status_code == 200, model
    assert "feeds.example.org/dagens.xml" in client.get("/admin/accounts/subscription/").content.decode()
    assert client.get("/admin/accounts/follow/add/").status_code == 403
