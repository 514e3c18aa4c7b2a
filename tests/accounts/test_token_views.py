"""The API token page (make, shown once, list, revoke) and the listener's data export, in nb and en."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lytt.accounts import listening, services, tokens
from lytt.accounts.models import ApiToken
from lytt.catalog.models import Episode, Show

pytestmark = pytest.mark.django_db


def signed_in(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def shown_token(html: str) -> str | None:
    found = re.search(r'<code class="token-value">([^<]+)</code>', html)
    return found.group(1) if found else None


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/me/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Client().get("/me/export.json").status_code == 302


def test_make_a_token_see_it_once_use_it_and_revoke_it(user: User) -> None:
    client = signed_in(user)
    assert "You have no tokens." in client.get("/me/tokens/").content.decode()
    response = client.post("/me/tokens/", {"name": "Kasts on my phone"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    token = shown_token(html)
    assert token is not None
    assert "shown only once" in html
    assert Client().get("/api/v1/me/queue", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    again = client.get("/me/tokens/").content.decode()
    assert shown_token(again) is None
    assert token not in again
    record = ApiToken.objects.get(user=user)
    assert "Kasts on my phone" in again
    assert f"{record.prefix}…" in again
    response = client.post(f"/me/tokens/{record.pk}/revoke/", follow=True)
    assert "The token was revoked" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert Client().get("/api/v1/me/queue", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_nameless_token_is_refused_with_the_field_named(user: User) -> None:
    response = signed_in(user).post("/me/tokens/", {"name": ""})
    assert response.status_code == 400
    assert shown_token(response.content.decode()) is None
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_needs_post_and_touches_only_ones_own_tokens(
    user: User, make_user: Callable[..., User]
) -> None:
    other = make_user("ola")
    record, _ = tokens.create_token(other, "ola's app")
    client = signed_in(user)
    assert client.get(f"/me/tokens/{record.pk}/revoke/").status_code == 405
    assert client.post(f"/me/tokens/{record.pk}/revoke/").status_code == 302
    assert ApiToken.objects.filter(pk=record.pk).exists()
    assert "ola&#x27;s app" not in client.get("/me/tokens/").content.decode()


def test_revoking_needs_the_csrf_token(user: User) -> None:
    record, _ = tokens.create_token(user, "app")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(f"/me/tokens/{record.pk}/revoke/").status_code == 403
    assert ApiToken.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("nb", ["<h1>API-nøkler</h1>", "Lag en nøkkel", "Trekk tilbake", "Kopier den nye nøkkelen nå"]),
        ("en", ["<h1>API tokens</h1>", "Make a token", "Revoke", "Copy your new token now"]),
    ],
)
def test_token_page_language(user: User, language: str, texts: list[str]) -> None:
    html = signed_in(user, language).post("/me/tokens/", {"name": "app"}).content.decode()
    for text in texts:
        assert text in html


def test_the_account_page_links_tokens_and_export(user: User) -> None:
    html = signed_in(user, "nb").get("/me/shows/").content.decode()
    assert 'href="/me/tokens/"' in html
    assert 'href="/me/export.json"' in html
    assert "Last ned dataene mine" in html


def test_the_export_holds_queue_bookmarks_progress_and_token_names(
    user: User, make_user: Callable[..., User], show: Show
) -> None:
    first, second = Episode.objects.filter(show=show).order_by("pk")
    listening.replace_queue(user, [second.pk, first.pk])
    listening.add_bookmark(user, first.pk, 754, "the good bit")
    services.follow_show(user, show)
    services.record_web_progress(user, first, position=300, total=3600, started=0)
    _, secret = tokens.create_token(user, "Kasts")
    other = make_user("ola")
    listening.add_bookmark(other, second.pk, 1, "not kari's")

    response = signed_in(user).get("/me/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="lytt-kari-')
    data = json.loads(response.content)
    assert (data["format"], data["version"], data["account"]["username"]) == (
        "lytt-listener-export",
        1,
        "kari",
    )
    assert [(q["episode_id"], q["enclosure_url"]) for q in data["queue"]] == [
        (second.pk, second.enclosure_url),
        (first.pk, first.enclosure_url),
    ]
    assert [(b["episode_id"], b["position"], b["note"]) for b in data["bookmarks"]] == [
        (first.pk, 754, "the good bit")
    ]
    assert [(p["episode_id"], p["position"]) for p in data["progress"]] == [(first.pk, 300)]
    assert [f["show"] for f in data["follows"]] == [show.title]
    assert [a["action"] for a in data["episode_actions"]] == ["play"]
    assert [t["name"] for t in data["api_tokens"]] == ["Kasts"]
    assert secret not in response.content.decode()
    assert ApiToken.objects.get().token_hash not in response.content.decode()
