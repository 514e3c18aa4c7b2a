"""Plain multi-row INSERT and executemany UPDATE for model instances, for ingest's hot path.

Django's `bulk_create`/`bulk_update` spend most of their time compiling SQL value by value (and
`bulk_update` writes a CASE per column per row). Ingest writes tens of thousands of episodes a minute, so
it uses these: the same values, adapted by each field's own `get_db_prep_save` only where that matters
(dates, JSON), the same SQL on SQLite and PostgreSQL. No signals are sent, as with `bulk_create`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.db.models import Field
from django.utils import timezone

_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)


def _adapter(field: Field[Any, Any]) -> Callable[[Any], Any] | None:
    """None when the value goes to the driver as it is, else how to adapt it (dates, JSON)."""
    kind = field.get_internal_type()
    if kind in _PLAIN:
        return None
    ops = connection.ops
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        return lambda value: ops.adapt_json_value(value, encoder)
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    return lambda value: field.get_db_prep_save(value, connection)


_Column = tuple[str, str, Callable[[Any], Any] | None]  # attname, column, adapter


#: Columns per database connection (its `ops` adapt the values) and model: building them looks every
#: field up again, which cost as much as a small INSERT.
_COLUMNS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], list[_Column]]] = weakref.WeakKeyDictionary()


def _columns(model: type[models.Model], names: Sequence[str] | None) -> list[_Column]:
    """The named concrete fields, or all but the primary key (what `bulk_create` writes)."""
    cache = _COLUMNS.setdefault(connection.ops, {})
    key = (model, None if names is None else tuple(names))
    found = cache.get(key)
    if found is None:
        found = cache[key] = _build_columns(model, names)
    return found


def _build_columns(model: type[models.Model], names: Sequence[str] | None) -> list[_Column]:
    if names is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    else:
        fields = [model._meta.get_field(name) for name in names]  # type: ignore[misc]
    out: list[_Column] = []
    for field in fields:
        assert isinstance(field, Field)
        out.append((field.attname, str(field.column), _adapter(field)))
    return out


def _values(obj: models.Model, columns: list[_Column]) -> list[Any]:
    values = []
    for attname, _, adapt in columns:
        value = getattr(obj, attname)
        values.append(adapt(value) if adapt is not None and value is not None else value)
    return values


def _memoised(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`adapt`, run once per distinct value: the rows of one insert repeat most of them (one `now` in every
    timestamp column, empty JSON lists and objects), and Django's adapters are the costly part of a row."""
    seen: dict[tuple[type, Any], Any] = {}

    def run(value: Any) -> Any:
        kind = value.__class__
        if kind is list or kind is dict:
            if value:
                return adapt(value)  # unhashable
            key: tuple[type, Any] = (kind, None)
        else:
            key = (kind, value)
        try:
            return seen[key]
        except KeyError:
            seen[key] = adapted = adapt(value)
            return adapted
        except TypeError:  # unhashable
            return adapt(value)

    return run


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> list[int]:
    """INSERT the objects (every field but the primary key); returns the new keys in order, and sets them."""
    stamped = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for field in stamped:
            if getattr(obj, field.attname) is None:
                field.pre_save(obj, add=True)  # stamp like save() would, unless the caller set a time
    attnames = [attname for attname, _, _ in _columns(model, None)]
    ids = insert_values(model, [{name: getattr(obj, name) for name in attnames} for obj in objs])
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = connection.alias
    return ids


def insert_values(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, ignore_conflicts: bool = False
) -> list[int]:
    """INSERT rows given as {attname: value} (missing fields get their default); returns the new keys.

    Cheaper than building model instances when the caller has the values already (ingest does). With
    `ignore_conflicts`, rows that would break a unique constraint are skipped (``ON CONFLICT DO NOTHING``)
    and no keys are returned.

    A row's values are read with one `itemgetter` call; only the columns that need adapting (dates,
    JSON) are touched one by one, each distinct value adapted once per call.
    """
    if not rows:
        return []
    columns = _columns(model, None)
    attnames = [attname for attname, _, _ in columns]
    missing = _missing(attnames, rows)
    if missing:
        stamp = timezone.now()
        defaults = {
            f.attname: stamp
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default()
            for f in model._meta.concrete_fields
            if f.attname in missing
        }
        rows = [{**defaults, **row} if not row.keys() >= missing else row for row in rows]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_sql = ", ".join(quote(column) for _, column, _ in columns)
    assert model._meta.pk is not None
    pk = quote(str(model._meta.pk.column))
    per_batch = max(1, min(500, _max_params() // len(columns)))
    read = _reader(attnames)
    adapters = [(index, _memoised(adapt)) for index, (_, _, adapt) in enumerate(columns) if adapt is not None]
    ids: list[int] = []
    cursor, mark = _cursor()
    row_sql = "(" + ", ".join([mark] * len(columns)) + ")"
    with cursor:
        for start in range(0, len(rows), per_batch):
            batch = rows[start : start + per_batch]
            params: list[Any] = []
            for row in batch:
                values = read(row)
                if adapters:
                    values = list(values)
                    for index, adapt in adapters:
                        value = values[index]
                        if value is not None:
                            values[index] = adapt(value)
                params += values
            values_sql = ", ".join([row_sql] * len(batch))
            sql = f"INSERT INTO {table} ({column_sql}) VALUES {values_sql}"
            if ignore_conflicts:
                cursor.execute(f"{sql} ON CONFLICT DO NOTHING", params)
            else:
                cursor.execute(f"{sql} RETURNING {pk}", params)
                ids += [row[0] for row in cursor.fetchall()]
    return ids


def _missing(attnames: list[str], rows: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """The attnames some row lacks (rows built by one function share their keys: one set comparison)."""
    first = rows[0].keys()
    if all(row.keys() == first for row in rows):
        return frozenset(name for name in attnames if name not in first)
    return frozenset(name for name in attnames if any(name not in row for row in rows))


def _reader(attnames: list[str]) -> Callable[[Mapping[str, Any]], Sequence[Any]]:
    """A function giving a row's values in column order, as a tuple (one C call per row)."""
    if len(attnames) == 1:
        name = attnames[0]
        return lambda row: (row[name],)
    return itemgetter(*attnames)


def _cursor() -> tuple[Any, str]:
    """A cursor and its placeholder. On SQLite, unless queries are being logged, a Django cursor around
    the driver's own cursor, which takes ``?`` as it is: Django's SQLite cursor rewrites every ``%s``
    of a statement with a regex first, ~1.5 ms for 500 search rows. Django's wrapper stays, so database
    errors are still Django's and execute wrappers still run. (The debug cursor that logs queries
    formats the SQL with ``%``, so it gets ``%s``.)"""
    if connection.vendor != "sqlite" or connection.queries_logged:
        return connection.cursor(), "%s"
    connection.ensure_connection()
    connection.validate_thread_sharing()
    assert connection.connection is not None
    with connection.wrap_database_errors:
        return connection.make_cursor(connection.connection.cursor()), "?"


def _max_params() -> int:
    """How many parameters one statement may carry. Django says 999 for SQLite (the limit before SQLite
    3.32); the driver knows the real one (32,766 since 3.32), so a feed's episodes fit one statement."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        if raw is not None and hasattr(raw, "getlimit"):
            import sqlite3

            return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return connection.features.max_query_params or 65535


def update(model: type[models.Model], objs: Sequence[models.Model], names: Sequence[str]) -> None:
    """UPDATE the objects' `names` fields by primary key, one executemany."""
    if not objs:
        return
    columns = _columns(model, names)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for _, column, _ in columns)
    pk = model._meta.pk
    assert pk is not None
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(str(pk.column))} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*_values(obj, columns), obj.pk] for obj in objs])
