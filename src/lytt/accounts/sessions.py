"""Django's database sessions, read with their user in one plain statement.

Every signed-in page view loads its session and its user. `SessionStore` is Django's database store (the
same signing, expiry, key cycling, writes and deletion) over `lytt.accounts.models.Session`, whose rows
keep the signed-in user's id beside the signed data, written from that data on every save. `load` reads
the row, and the user's row joined to it, with a plain cursor: building the ORM query, or a raw query's
model instance, cost several times what the database took to answer.

The user still comes from Django's own `django.contrib.auth.get_user`, so the session's auth hash is
verified (a changed password signs the other sessions out, a rotated secret's fallbacks are honoured) and
the backend's `user_can_authenticate` (`is_active`) applies: `AuthenticationMiddleware` runs it with the
request's session in `_reading`, and the backend's `get_user` takes the joined user from `joined_user`
instead of reading it again. Anywhere else (`request.auser`, a test calling the backend) the backend reads
the user itself. A row saved before the column existed holds no user id: it loads as before, its user is
read on its own, and the response saves the row with the id.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from django.contrib import auth
from django.contrib.auth import middleware
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from lytt.accounts.userrows import user_from_row, user_read

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.sessions.backends.base import SessionBase
    from django.contrib.sessions.base_session import AbstractBaseSession

    from lytt.accounts.models import Session


class _NotJoined(Enum):
    NOT_JOINED = "not joined"


NOT_JOINED = _NotJoined.NOT_JOINED
"""`joined_user`'s answer when no session read the user asked for: the caller reads it itself."""

_reading: ContextVar[SessionStore | None] = ContextVar("lytt_session_reading_user", default=None)
_LOADS: dict[str, str] = {}


def _user_id(data: dict[str, Any]) -> int | None:
    """The id of the user the session's data signs in, if any."""
    try:
        return int(data[auth.SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


def _load_sql(connection: BaseDatabaseWrapper, model: type[AbstractBaseSession]) -> str:
    sql = _LOADS.get(connection.vendor)
    if sql is None:
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        users, pk = quote(User._meta.db_table), quote(str(User._meta.pk.column))
        data, user_id = f"{table}.{quote('session_data')}", f"{table}.{quote('user_id')}"
        sql = (
            f"SELECT {data}, {user_id}, {user_read(connection).columns}"
            f" FROM {table} LEFT JOIN {users} ON {users}.{pk} = {user_id}"
            f" WHERE {table}.{quote('session_key')} = %s AND {table}.{quote('expire_date')} > %s"
        )
        _LOADS[connection.vendor] = sql
    return sql


class SessionStore(db.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        # From the last load: the row's user id and that user (None when the row is gone), if it had one.
        self._joined: tuple[int, User | None] | None = None

    @classmethod
    def get_model_class(cls) -> type[Session]:
        from lytt.accounts.models import Session

        return Session

    def _read(self) -> tuple[str, int | None, User | None] | None:
        """This key's unexpired row: its signed data, its user id and that user; None (and the key
        forgotten, as Django's store does, so that a new session never takes over an expired key)."""
        key = self.session_key
        if key is None:
            return None
        connection = connections[router.db_for_read(self.model)]
        with connection.cursor() as cursor:
            cursor.execute(
                _load_sql(connection, self.model),
                [key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        user = None if row[2] is None else user_from_row(connection, row[2:])
        return str(row[0]), row[1], user

    def load(self) -> dict[str, Any]:
        self._joined = None
        try:
            row = self._read()
            data = {} if row is None else self.decode(row[0])
        except SuspiciousOperation as error:  # as Django's store: logged, and no session
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            self._session_key = None
            return {}
        if row is not None and row[1] is not None:
            self._joined = (row[1], row[2])
        elif _user_id(data) is not None:
            self.modified = True  # a row from before the column: saved with its user id by this response
        return data

    def joined_user(self, user_id: int) -> User | _NotJoined | None:
        """The user read with this session, if the row named `user_id` (None: that user row is gone)."""
        if self._joined is None or self._joined[0] != user_id:
            return NOT_JOINED
        return self._joined[1]

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        session = cast("Session", super().create_model_instance(data))
        session.user_id = _user_id(data)
        return session

    async def acreate_model_instance(self, data: dict[str, Any]) -> Session:
        session = cast("Session", await super().acreate_model_instance(data))
        session.user_id = _user_id(data)
        return session


def joined_user(user_id: int) -> User | _NotJoined | None:
    """For the backend's `get_user`: the user read with the session of the request whose user
    `AuthenticationMiddleware` is looking up, else NOT_JOINED."""
    store = _reading.get()
    return NOT_JOINED if store is None else store.joined_user(user_id)


@contextmanager
def _reading_user_of(session: SessionBase) -> Iterator[None]:
    token = _reading.set(session if isinstance(session, SessionStore) else None)
    try:
        yield
    finally:
        _reading.reset(token)


def get_user(request: HttpRequest) -> User | AnonymousUser:
    """Django's `auth.get_user`, once per request, with the request's session in `_reading`."""
    if not hasattr(request, "_cached_user"):
        with _reading_user_of(request.session):
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
    user: User | AnonymousUser = request._cached_user  # type: ignore[attr-defined]
    return user


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    """Django's, whose `request.user` takes the user read with the session (`get_user` above);
    `request.auser` is Django's own."""

    def process_request(self, request: HttpRequest) -> None:
        request.user = SimpleLazyObject(lambda: get_user(request))  # type: ignore[assignment]
        request.auser = partial(middleware.auser, request)
