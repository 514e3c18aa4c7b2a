"""Django's database sessions, read with a plain statement.

Every signed-in page view loads its session. `SessionStore` is Django's database store (the same table,
rows, expiry and signing) except that the row is read with a plain cursor: building the ORM query, or a
raw query's model instance, cost several times what the database took to answer. Writes, expiry and
logout are Django's own.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _session_data(self) -> str | None:
        """The stored (signed) data of this key's unexpired session, or None (and the key forgotten, as
        Django's store does, so that a new session never takes over an expired key)."""
        key = self.session_key
        if key is None:
            return None
        connection = connections[router.db_for_read(Session)]
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {quote('session_data')} FROM {quote(Session._meta.db_table)}"
            f" WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return str(row[0])

    def load(self) -> dict[str, Any]:
        try:
            data = self._session_data()
        except SuspiciousOperation as error:  # as Django's store: logged, and no session
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            self._session_key = None
            return {}
        return self.decode(data) if data is not None else {}
