"""Sign-in by user name in any case: user names are unique regardless of case (sign-up and `lytt user
create` refuse "Kari" beside "kari"), so "KARI" names the same account on the website and in apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.http import HttpRequest

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


@dataclass(frozen=True, slots=True)
class _UserRead:
    """How one database vendor reads an `auth_user` row: the statement, the fields in its column order,
    and the fields whose values the backend converts (SQLite's naive datetimes and integer booleans)."""

    sql: str
    fields: list[str]
    converted: list[tuple[int, Field[Any, Any]]]


_USER_READS: dict[str, _UserRead] = {}


def _user_read(db: BaseDatabaseWrapper) -> _UserRead:
    read = _USER_READS.get(db.vendor)
    if read is None:
        quote = db.ops.quote_name
        concrete = User._meta.concrete_fields
        columns = ", ".join(quote(str(field.column)) for field in concrete)
        pk = quote(str(User._meta.pk.column))
        read = _UserRead(
            sql=f"SELECT {columns} FROM {quote(User._meta.db_table)} WHERE {pk} = %s",
            fields=[field.attname for field in concrete],
            converted=[
                (n, field)
                for n, field in enumerate(concrete)
                if db.ops.get_db_converters(field.get_col(User._meta.db_table)) or field.get_db_converters(db)
            ],
        )
        _USER_READS[db.vendor] = read
    return read


def _converted(db: BaseDatabaseWrapper, read: _UserRead, row: tuple[Any, ...]) -> list[Any]:
    """A plain read's row as the ORM gives it: the backend's converters applied, as Django's compiler
    applies them to every query it runs."""
    values = list(row)
    for n, field in read.converted:
        column = field.get_col(User._meta.db_table)
        for converter in db.ops.get_db_converters(column) + field.get_db_converters(db):
            values[n] = converter(values[n], column, db)
    return values


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
        """ModelBackend's, with the row read by a plain cursor (every signed-in request reads it, and the
        ORM's building of a `get`, or of a raw query's instance, cost more than the database's answer)."""
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        db = connections[router.db_for_read(User)]
        read = _user_read(db)
        with db.cursor() as cursor:
            cursor.execute(read.sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = User.from_db(db.alias, read.fields, _converted(db, read, row))
        return user if self.user_can_authenticate(user) else None

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)
