"""The session store and the user look-up that every signed-in page view runs (plain reads)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lytt.accounts.backends import CaseInsensitiveModelBackend
from lytt.accounts.models import Session
from lytt.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _signed_in(user: User) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def _is_signed_in(client: Client) -> bool:
    return client.get(reverse("accounts:my_shows")).status_code == 200


def test_the_site_uses_the_plain_read_session_store() -> None:
    assert settings.SESSION_ENGINE == "lytt.accounts.sessions"


def test_a_stored_session_loads_and_an_expired_or_unknown_one_does_not(user: User) -> None:
    client, key = _signed_in(user)
    assert SessionStore(key).load()["_auth_user_id"] == str(user.pk)
    assert _is_signed_in(client)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None  # as Django's store: a new session, never the expired key
    assert not _is_signed_in(client)
    assert SessionStore("x" * 32).load() == {}


def test_signing_out_ends_the_session_everywhere(user: User) -> None:
    client, key = _signed_in(user)
    elsewhere = Client()
    elsewhere.cookies[settings.SESSION_COOKIE_NAME] = key
    assert _is_signed_in(elsewhere)
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not _is_signed_in(elsewhere)


def test_tampered_session_data_is_no_session(user: User) -> None:
    client, key = _signed_in(user)
    Session.objects.filter(session_key=key).update(session_data="not-signed-data")
    assert SessionStore(key).load() == {}
    assert not _is_signed_in(client)


def test_get_user_reads_the_account_as_the_orm_does(user: User) -> None:
    backend = CaseInsensitiveModelBackend()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    found = backend.get_user(user.pk)
    assert found is not None
    stored = User.objects.get(pk=user.pk)
    assert (found.pk, found.username, found.password, found.last_login, found.date_joined) == (
        stored.pk,
        stored.username,
        stored.password,
        stored.last_login,
        stored.date_joined,
    )
    assert found.last_login is not None
    assert found.last_login.utcoffset() == dt.timedelta(0)
    assert backend.get_user(str(user.pk)) is not None  # sessions hold the id as text
    assert backend.get_user(user.pk + 1000) is None
    assert backend.get_user("not a number") is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None


def test_a_changed_password_signs_the_other_sessions_out(user: User) -> None:
    client, _ = _signed_in(user)
    assert _is_signed_in(client)
    user.set_password("another password 123")
    user.save()
    assert not _is_signed_in(client)
