"""The account pages speak Bokmål when asked: every page, with data and errors, shows no English label."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from lytt.accounts import services
from lytt.accounts.models import Device, EpisodeAction
from lytt.catalog.models import Show

pytestmark = pytest.mark.django_db

PO = Path(__file__).parents[2] / "src/lytt/accounts/locale/nb/LC_MESSAGES/django.po"

# Labels Django's own forms put on these pages, and the episode actions the history lists.
DJANGO_LABELS = [
    "Username",
    "Password",
    "Password confirmation",
    "Old password",
    "New password",
    "New password confirmation",
    "Email",
    "Required",
    "This field is required",
]
ACTIONS = ["play", "download", "delete", "new", "flattr"]


def english_labels() -> list[str]:
    """Every English source string of the account pages whose Bokmål text differs, plus Django's labels."""
    text = PO.read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', text, re.MULTILINE)
    own = [msgid for msgid, msgstr in pairs if msgid != msgstr and "%(" not in msgid]
    return own + DJANGO_LABELS + ACTIONS


def visible_text(html: str) -> str:
    """The text a reader sees in <main>: tags and scripts dropped, attributes that are read out kept."""
    main = re.search(r"<main\b.*?</main>", html, re.DOTALL)
    body = main.group(0) if main else html
    body = re.sub(r"<script\b.*?</script>", " ", body, flags=re.DOTALL)
    spoken = " ".join(re.findall(r'(?:aria-label|placeholder|title|alt)="([^"]*)"', body))
    return re.sub(r"<[^>]+>", " ", body) + " " + spoken


def english_in(html: str) -> list[str]:
    text = visible_text(html)
    return [label for label in english_labels() if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)]


@pytest.fixture
def listener(user: User, show: Show) -> Client:
    """Kari, signed in, with a follow, a feed still to fetch, app and web listening, and progress."""
    services.follow_show(user, show)
    services.apply_subscription_changes(user, None, ["https://pending.example.org/feed"], [])
    phone = Device.objects.create(user=user, device_id="phone", caption="Phone")
    episode = show.episodes.order_by("pk").first()
    assert episode is not None
    when = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
    for n, action in enumerate(ACTIONS):
        EpisodeAction.objects.create(
            user=user,
            device=phone,
            podcast_url="https://feeds.example.org/dagens.xml",
            episode_url=episode.enclosure_url or "https://media.example.org/0.mp3",
            show=show,
            episode=episode,
            action=action,
            timestamp=when + dt.timedelta(minutes=n),
            **({"started": 0, "position": 600, "total": 3600} if action == "play" else {}),
        )
    services.record_web_progress(user, episode, position=300, total=3600, started=0)
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    client.force_login(user)
    return client


ANONYMOUS_PAGES = [
    "accounts:login",
    "accounts:signup",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_complete",
]
SIGNED_IN_PAGES = [
    "accounts:my_shows",
    "accounts:history",
    "accounts:continue_listening",
    "accounts:opml_import",
    "accounts:password_change",
    "accounts:password_change_done",
]


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_anonymous_account_pages_in_bokmal(name: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="nb").get(reverse(name))
    assert response.status_code == 200
    assert english_in(response.content.decode()) == []


@pytest.mark.parametrize("name", ["accounts:login", "accounts:signup"])
def test_sign_in_to_follow_pages_in_bokmal(show: Show, name: str) -> None:
    url = f"{reverse(name)}?next=/podcast/{show.slug}/&follow={show.slug}"
    html = Client(HTTP_ACCEPT_LANGUAGE="nb").get(url).content.decode()
    assert f"å følge {show.title}." in html
    assert english_in(html) == []


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_account_pages_in_bokmal(listener: Client, name: str) -> None:
    response = listener.get(reverse(name))
    assert response.status_code == 200
    assert english_in(response.content.decode()) == []


def test_the_check_finds_english(listener: Client) -> None:
    """The check itself: the same pages in English are full of the labels it looks for."""
    listener.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    found = english_in(listener.get(reverse("accounts:history")).content.decode())
    assert "Listening history" in found
    found = english_in(Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("accounts:signup")).content.decode())
    assert {"Email", "Username", "Create account"} <= set(found)


def test_forms_with_errors_in_bokmal(user: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    login = client.post(reverse("accounts:login"), {"username": "kari", "password": "wrong"})
    signup = client.post(reverse("accounts:signup"), {"username": "kari", "email": "not an address"})
    for response in (login, signup):
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
        assert english_in(response.content.decode()) == []


def test_password_reset_confirm_in_bokmal(user: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="nb")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    response = client.get(url, follow=True)
    html = response.content.decode()
    assert 'name="new_password1"' in html
    assert english_in(html) == []
    invalid = client.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": "x-y"}))
    assert english_in(invalid.content.decode()) == []


@pytest.mark.parametrize(("language", "text"), [("nb", "Opprett konto"), ("en", "Create account")])
def test_signup_page_language(language: str, text: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("accounts:signup"))
    assert response.status_code == 200
    assert f"<h1>{text}</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "change", "reset", "confirm"),
    [
        ("en", "Change password", "Send reset link", "Set password"),
        ("nb", "Endre passord", "Send lenke", "Lagre nytt passord"),
    ],
)
def test_password_buttons_say_what_they_do(
    user: User, language: str, change: str, reset: str, confirm: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert (
        f'<button type="submit">{reset}</button>'
        in client.get(reverse("accounts:password_reset")).content.decode()
    )
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    url = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)},
    )
    html = client.get(url, follow=True).content.decode()
    assert f'<button type="submit">{confirm}</button>' in html
    client.force_login(user)
    html = client.get(reverse("accounts:password_change")).content.decode()
    assert f'<button type="submit">{change}</button>' in html
