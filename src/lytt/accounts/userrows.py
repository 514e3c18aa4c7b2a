"""An `auth_user` row read by a plain cursor and built as the ORM builds it.

Every signed-in page view reads its user (alone, or joined to its session): building the ORM query, or a
raw query's model instance, cost more than the database's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field


@dataclass(frozen=True, slots=True)
class UserRead:
    """How one database vendor reads an `auth_user` row: its columns (qualified by the table, so that a
    join can list them), the fields in their order, and the fields whose values the backend converts
    (SQLite's naive datetimes and integer booleans)."""

    columns: str
    fields: list[str]
    converted: list[tuple[int, Field[Any, Any]]]


_USER_READS: dict[str, UserRead] = {}


def user_read(db: BaseDatabaseWrapper) -> UserRead:
    read = _USER_READS.get(db.vendor)
    if read is None:
        quote = db.ops.quote_name
        concrete = User._meta.concrete_fields
        table = quote(User._meta.db_table)
        read = UserRead(
            columns=", ".join(f"{table}.{quote(str(field.column))}" for field in concrete),
            fields=[field.attname for field in concrete],
            converted=[
                (n, field)
                for n, field in enumerate(concrete)
                if db.ops.get_db_converters(field.get_col(User._meta.db_table)) or field.get_db_converters(db)
            ],
        )
        _USER_READS[db.vendor] = read
    return read


def user_from_row(db: BaseDatabaseWrapper, row: Sequence[Any]) -> User:
    """A plain read's `auth_user` row (in `user_read`'s column order) as the ORM gives it: the backend's
    converters applied, as Django's compiler applies them to every query it runs."""
    read = user_read(db)
    values = list(row)
    for n, field in read.converted:
        column = field.get_col(User._meta.db_table)
        for converter in db.ops.get_db_converters(column) + field.get_db_converters(db):
            values[n] = converter(values[n], column, db)
    return User.from_db(db.alias, read.fields, values)
