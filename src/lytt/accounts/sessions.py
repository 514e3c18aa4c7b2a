"""Django's database sessions, read with a plain statement.

Every signed-in page view loads its session. `SessionStore` is Django's database store (the same table,
rows, expiry and signing) except that the row is read with a raw query: building the ORM query cost
several times what the database took to answer it. Writes, expiry and logout are Django's own.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        if key is None:
            return None
        connection = connections[router.db_for_read(Session)]
        quote = connection.ops.quote_name
        table = quote(Session._meta.db_table)
        sql = (
            f"SELECT {quote('session_key')}, {quote('session_data')}, {quote('expire_date')} FROM {table}"
            f" WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        try:
            found = next(iter(Session.objects.raw(sql, [key, now])), None)
        except SuspiciousOperation as error:  # as Django's store: logged, and no session
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            found = None
        if found is None:
            self._session_key = None
        return found
