"""Sign-in by user name in any case: user names are unique regardless of case (sign-up and `lytt user
create` refuse "Kari" beside "kari"), so "KARI" names the same account on the website and in apps.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.http import HttpRequest

from lytt.accounts import sessions
from lytt.accounts.userrows import user_from_row, user_read

# The dotted path to hand to `django.contrib.auth.login` when a view signs a user in itself.
BACKEND = "lytt.accounts.backends.CaseInsensitiveModelBackend"


def same_username(a: str, b: str) -> bool:
    """Whether two spellings name the same account (as sign-in compares them)."""
    return a.casefold() == b.casefold()


def find_user(username: str) -> User | None:
    """The account whose user name is `username` in any case; an exact match wins if old data holds two."""
    matches = list(User.objects.filter(username__iexact=username).order_by("pk")[:10])
    exact = [user for user in matches if user.username == username]
    if exact:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


class CaseInsensitiveModelBackend(ModelBackend):
    """Django's ModelBackend, looking the user name up case-insensitively.

    A failed attempt raises PermissionDenied, which stops `authenticate` there: ModelBackend, listed
    after this one only so that sessions signed in before it came keep working, never checks the same
    password a second time.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = find_user(username)
        if user is None:
            # Run the hasher once anyway, so that a missing user takes as long as a wrong password.
            User().set_password(password)
            raise PermissionDenied
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        raise PermissionDenied

    def get_user(self, user_id: Any) -> User | None:
        """ModelBackend's, without a statement of its own when the request's session was read with its
        user (`sessions.joined_user`), else with the row read by a plain cursor (every signed-in request
        reads it, and the ORM's building of a `get`, or of a raw query's instance, cost more than the
        database's answer)."""
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        joined = sessions.joined_user(pk)
        if joined is not sessions.NOT_JOINED:
            user = joined
        else:
            db = connections[router.db_for_read(User)]
            quote = db.ops.quote_name
            table, pk_column = quote(User._meta.db_table), quote(str(User._meta.pk.column))
            sql = f"SELECT {user_read(db).columns} FROM {table} WHERE {table}.{pk_column} = %s"
            with db.cursor() as cursor:
                cursor.execute(sql, [pk])
                row = cursor.fetchone()
            user = None if row is None else user_from_row(db, row)
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)
