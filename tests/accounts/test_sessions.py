"""The session store and the user look-up that every signed-in page view runs: one plain statement for
the session and its user, the row's user id kept in step with its data, and Django's checks (expiry, auth
hash, is_active) still deciding who is signed in."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as OldSession
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.listeners import PASSWORD, change_password

from lytt.accounts.backends import CaseInsensitiveModelBackend
from lytt.accounts.models import Session
from lytt.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db

move = importlib.import_module("lytt.accounts.migrations.0006_session_with_user")


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


def _user_reads(sql: list[str]) -> tuple[int, int]:
    """How many statements read the user on its own, and how many with the session."""
    users = connection.ops.quote_name(User._meta.db_table)
    alone = sum(f"FROM {users}" in statement for statement in sql)
    joined = sum(f"LEFT JOIN {users}" in statement for statement in sql)
    return alone, joined


def test_a_page_view_reads_the_session_and_its_user_in_one_statement(user: User) -> None:
    client, key = _signed_in(user)
    assert Session.objects.get(session_key=key).user_id == user.pk
    with CaptureQueriesContext(connection) as queries:
        assert _is_signed_in(client)
    assert _user_reads([query["sql"] for query in queries.captured_queries]) == (0, 1)


def test_signing_in_and_out_keeps_the_user_id_in_step(user: User) -> None:
    client = Client()
    client.get(reverse("accounts:login"))
    response = client.post(reverse("accounts:login"), {"username": "KARI", "password": PASSWORD})
    assert response.status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.get(session_key=key).user_id == user.pk
    assert Session.objects.filter(user=user).count() == 1  # the key was cycled, not copied
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(user=user).exists()
    assert not _is_signed_in(client)


def test_a_deleted_user_is_signed_out(user: User) -> None:
    client, key = _signed_in(user)
    other = User.objects.create_user("ola", "ola@example.org", PASSWORD)
    other_client, other_key = _signed_in(other)
    user.delete()
    assert not Session.objects.filter(session_key=key).exists()  # Django's delete takes the sessions along
    assert not _is_signed_in(client)
    # A user row gone without Django (no constraint, no cascade): the session signs no one in.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(User._meta.db_table)} WHERE id = %s",
            [other.pk],
        )
    assert Session.objects.get(session_key=other_key).user_id == other.pk
    assert not _is_signed_in(other_client)


def test_an_inactive_user_is_signed_out(user: User) -> None:
    client, _ = _signed_in(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not _is_signed_in(client)
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert _is_signed_in(client)


def test_a_password_changed_elsewhere_signs_the_session_out_and_the_changer_stays_in(user: User) -> None:
    changer, _ = _signed_in(user)
    elsewhere, key = _signed_in(user)
    response = change_password(changer, "another long passphrase")
    assert response.status_code == 302
    assert _is_signed_in(changer)
    assert not _is_signed_in(elsewhere)
    assert not Session.objects.filter(session_key=key).exists()  # Django's get_user flushed it


def test_a_row_without_a_user_id_still_signs_in_and_gets_one(user: User) -> None:
    client, key = _signed_in(user)
    Session.objects.filter(session_key=key).update(user=None)
    with CaptureQueriesContext(connection) as queries:
        assert _is_signed_in(client)
    assert _user_reads([query["sql"] for query in queries.captured_queries]) == (1, 1)
    assert Session.objects.get(session_key=key).user_id == user.pk
    assert _is_signed_in(client)


def test_a_row_naming_another_user_than_its_data_is_not_trusted(user: User) -> None:
    other = User.objects.create_user("ola", "ola@example.org", PASSWORD)
    client, key = _signed_in(user)
    Session.objects.filter(session_key=key).update(user=other)
    response = client.get(reverse("accounts:my_shows"))
    assert response.status_code == 200
    assert response.context["user"].pk == user.pk  # the signed data decides; the user is read by itself


def test_the_migration_moves_unexpired_sessions_with_their_users(user: User) -> None:
    Session.objects.all().delete()
    old = DjangoSessionStore()
    old.update({"_auth_user_id": str(user.pk), "_auth_user_backend": settings.AUTHENTICATION_BACKENDS[0]})
    old["_auth_user_hash"] = user.get_session_auth_hash()
    old.save()
    anonymous = DjangoSessionStore()
    anonymous["lytt.queue"] = [1, 2]
    anonymous.save()
    expired = DjangoSessionStore()
    expired.update({"_auth_user_id": str(user.pk)})
    expired.save()
    OldSession.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - dt.timedelta(days=1)
    )
    move.move_sessions(apps, None)
    assert not OldSession.objects.exists()
    moved = {s.session_key: s.user_id for s in Session.objects.all()}
    assert moved == {old.session_key: user.pk, anonymous.session_key: None}
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = old.session_key
    assert _is_signed_in(client)
    move.move_back(apps, None)
    assert set(OldSession.objects.values_list("session_key", flat=True)) == set(moved)
