"""Plain multi-row INSERT and executemany UPDATE, from model instances or plain rows, for the hot paths.

Django's `bulk_create`/`bulk_update` spend most of their time compiling SQL value by value (and
`bulk_update` writes a CASE per column per row). Ingest writes tens of thousands of episodes a minute and
the crawler records hundreds of outcomes a second, so they use these: the same values, adapted by each
field's own `get_db_prep_save` only where that matters (dates, JSON). INSERTs are multi-row statements
on SQLite and a pipelined executemany with server-side binding on PostgreSQL (`_insert_server_bound`).
No signals are sent, as with `bulk_create`. Also the plain-SQL helpers of those paths' lookups
(`quote`, `table`, `execute`, `existing`, `select_in`, `placeholders`).
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
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


def placeholders(count: int) -> str:
    """The placeholders of `count` values, for an IN list or a VALUES row of plain SQL."""
    return ", ".join(["%s"] * count)


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
    JSON) are touched one by one, each distinct value adapted once per call (one `now` in every
    timestamp column, empty JSON lists and objects: Django's adapters are the costly part of a row).
    """
    if not rows:
        return []
    db = connections[DEFAULT_DB_ALIAS]  # the `connection` proxy looks the thread's connection up each time
    plan, values = _planned_values(db, model, rows)
    return _insert(db, plan, values, ignore_conflicts)


def copy_values(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """`insert_values` for rows whose keys nobody needs back and that break no unique constraint: on
    PostgreSQL one ``COPY ... FROM STDIN`` (psycopg writes the rows in C; an executemany spends tens of
    microseconds of Python per row), elsewhere `insert_values`. Row triggers fire as for INSERTs."""
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or db.queries_logged:
        insert_values(model, rows)
        return
    from psycopg import Cursor

    plan, values = _planned_values(db, model, rows)
    _connect(db)
    sql = f"COPY {plan.table} ({plan.column_sql}) FROM STDIN"
    with db.wrap_database_errors, Cursor(db.connection) as cursor, cursor.copy(sql) as copy:
        for row in values:
            copy.write_row(row)


def _planned_values(
    db: Any, model: type[models.Model], rows: Sequence[Mapping[str, Any]]
) -> tuple[_Plan, Sequence[Sequence[Any]]]:
    """The plan of the INSERT and each row's values in its column order, adapted, each missing field
    given its default (timestamps `auto_now*` now).

    When every row has the same keys (rows built by one function), the plan's columns are those keys,
    then the missing fields, whose defaults are adapted once and added to every row's values: no merged
    dict per row, and no adapter call per row for a value that is the same in all of them."""
    plan = _plan(db, model)
    missing = _missing(plan.attnames, rows)
    if not missing:
        return plan, _row_values(plan, rows)
    first = rows[0].keys()
    if not all(row.keys() == first for row in rows):
        return plan, _row_values(plan, _with_defaults(model, missing, rows))
    present = tuple(name for name in plan.attnames if name not in missing)
    absent = tuple(name for name in plan.attnames if name in missing)
    plan = _plan(db, model, present + absent)
    defaults = [_defaults(model, missing)[name] for name in absent]
    _adapt_in_place([(i, adapt) for i, adapt in plan.adapters if i >= len(present)], [defaults], len(present))
    read, tail = _reader(list(present)), tuple(defaults)
    head_adapters = [(i, adapt) for i, adapt in plan.adapters if i < len(present)]
    if not head_adapters:
        return plan, [read(row) + tail for row in rows]
    values = [[*read(row), *tail] for row in rows]
    _adapt_in_place(head_adapters, values)
    return plan, values


def _defaults(model: type[models.Model], names: frozenset[str]) -> dict[str, Any]:
    """The default values of the fields `names` (timestamps `auto_now*` now)."""
    stamp = timezone.now()
    return {
        f.attname: stamp
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in model._meta.concrete_fields
        if f.attname in names
    }


def _with_defaults(
    model: type[models.Model], missing: frozenset[str], rows: Sequence[Mapping[str, Any]]
) -> Sequence[Mapping[str, Any]]:
    """The rows, each missing field given its default (for rows whose keys differ)."""
    defaults = _defaults(model, missing)
    return [{**defaults, **row} if not row.keys() >= missing else row for row in rows]


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: Sequence[list[Any]]) -> list[int]:
    """INSERT rows given as lists of values in `attnames` order, which must name every field but the
    primary key; returns the new keys. The lists are adapted in place (dates, JSON; each distinct value
    once per call).

    For callers that build each row's values in column order anyway: no dict per row to build and read
    back (ingest's new episodes, whose feed values come from the parser processes as tuples)."""
    if not rows:
        return []
    db = connections[DEFAULT_DB_ALIAS]
    plan = _plan(db, model, tuple(attnames))
    _adapt_in_place(plan.adapters, rows)
    return _insert(db, plan, rows, ignore_conflicts=False)


def _insert(db: Any, plan: _Plan, values: Sequence[Sequence[Any]], ignore_conflicts: bool) -> list[int]:
    """Run the INSERTs of adapted `values` (each row in `plan`'s column order)."""
    if db.vendor == "postgresql" and not db.queries_logged:
        return _insert_server_bound(db, plan, values, ignore_conflicts)
    per_batch = max(1, min(500, _max_params(db) // len(plan.attnames)))
    ids: list[int] = []
    cursor, row_sql = _cursor(db, plan)
    with cursor:
        for start in range(0, len(values), per_batch):
            batch = values[start : start + per_batch]
            params = [value for row in batch for value in row]
            sql = f"INSERT INTO {plan.table} ({plan.column_sql}) VALUES {', '.join([row_sql] * len(batch))}"
            if ignore_conflicts:
                cursor.execute(f"{sql} ON CONFLICT DO NOTHING", params)
            else:
                cursor.execute(f"{sql} RETURNING {plan.pk}", params)
                ids += [row[0] for row in cursor.fetchall()]
    return ids


def _row_values(plan: _Plan, rows: Sequence[Mapping[str, Any]]) -> Sequence[Sequence[Any]]:
    """Each row's values in column order, dates and JSON adapted (each distinct value once per call)."""
    read = plan.read
    if not plan.adapters:
        return [read(row) for row in rows]
    values = [list(read(row)) for row in rows]
    _adapt_in_place(plan.adapters, values)
    return values


def _adapt_in_place(
    adapters: Sequence[tuple[int, Callable[[Any], Any]]], rows: Sequence[list[Any]], offset: int = 0
) -> None:
    """Adapt the columns that need it (column index, adapter; the index less `offset` is the row's),
    each distinct value once per column (by type and value; empty lists and objects by type alone).
    The lookup is inlined: this loop runs for every date and JSON cell of a bulk write."""
    for index, adapt in adapters:
        index -= offset
        seen: dict[Any, Any] = {}
        for row in rows:
            value = row[index]
            if value is None:
                continue
            kind = value.__class__
            if kind is list or kind is dict:
                if value:
                    row[index] = adapt(value)  # unhashable
                    continue
                key: Any = kind
            else:
                key = (kind, value)
            try:
                row[index] = seen[key]
            except KeyError:
                row[index] = seen[key] = adapt(value)
            except TypeError:  # unhashable
                row[index] = adapt(value)


def _insert_server_bound(
    db: Any, plan: _Plan, values: Sequence[Sequence[Any]], ignore_conflicts: bool
) -> list[int]:
    """PostgreSQL: a one-row INSERT, executemany'd on a server-side binding cursor of Django's connection
    (same transaction), which psycopg sends as one pipeline.

    Django's psycopg cursors bind on the client: a multi-row INSERT's thousand ``%s`` were re-parsed by
    psycopg in Python on every statement (it caches the parsing only for statements of at most 50
    parameters) and every value quoted into the SQL: most of the crawler's main thread on a first ingest.
    A one-row statement is parsed once. Errors are Django's, as through its own cursors; execute wrappers
    do not see these statements (nor does query logging, which takes the path above instead)."""
    from psycopg import Cursor  # the PostgreSQL backend's driver; imported only when it is in use

    sql = f"INSERT INTO {plan.table} ({plan.column_sql}) VALUES ({placeholders(len(plan.attnames))})"
    _connect(db)
    with db.wrap_database_errors, Cursor(db.connection) as cursor:
        if ignore_conflicts:
            cursor.executemany(f"{sql} ON CONFLICT DO NOTHING", values)
            return []
        cursor.executemany(f"{sql} RETURNING {plan.pk}", values, returning=True)
        ids: list[int] = []
        while True:
            row = cursor.fetchone()
            assert row is not None  # RETURNING gives one row per INSERT
            ids.append(row[0])
            if not cursor.nextset():
                return ids


@dataclass(frozen=True, slots=True)
class _Plan:
    """What an INSERT into one model needs besides the rows, built once per connection."""

    attnames: list[str]
    read: Callable[[Mapping[str, Any]], Sequence[Any]]
    adapters: list[tuple[int, Callable[[Any], Any]]]  # (column index, adapter) of columns that need one
    table: str
    column_sql: str
    pk: str


_PLANS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], _Plan]] = weakref.WeakKeyDictionary()


def _plan(db: Any, model: type[models.Model], names: tuple[str, ...] | None = None) -> _Plan:
    """The plan for INSERTs of the fields `names`, in that order (None: every field but the key)."""
    plans = _PLANS.setdefault(db, {})
    plan = plans.get((model, names))
    if plan is None:
        columns = _columns(model, names)
        if names is not None:
            _check_complete(model, names)
        quote = db.ops.quote_name
        assert model._meta.pk is not None
        plan = plans[(model, names)] = _Plan(
            attnames=[attname for attname, _, _ in columns],
            read=_reader([attname for attname, _, _ in columns]),
            adapters=[(index, adapt) for index, (_, _, adapt) in enumerate(columns) if adapt is not None],
            table=quote(model._meta.db_table),
            column_sql=", ".join(quote(column) for _, column, _ in columns),
            pk=quote(str(model._meta.pk.column)),
        )
    return plan


def _check_complete(model: type[models.Model], names: tuple[str, ...]) -> None:
    """`insert_rows` writes no defaults: its columns must be every field but the primary key, once each."""
    wanted = sorted(f.attname for f in model._meta.concrete_fields if not f.primary_key)
    if sorted(names) != wanted:
        raise ValueError(f"{model.__name__}: INSERT columns {list(names)} are not its fields {wanted}")


def _missing(attnames: list[str], rows: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """The attnames some row lacks (rows built by one function share their keys: one set comparison)."""
    first = rows[0].keys()
    if all(row.keys() == first for row in rows):
        return frozenset(name for name in attnames if name not in first)
    return frozenset(name for name in attnames if any(name not in row for row in rows))


def _reader(attnames: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function giving a row's values in column order, as a tuple (one C call per row)."""
    if len(attnames) == 1:
        name = attnames[0]
        return lambda row: (row[name],)
    return itemgetter(*attnames)


def _cursor(db: Any, plan: _Plan) -> tuple[Any, str]:
    """A cursor and the placeholders of one row. On SQLite, unless queries are being logged, a Django
    cursor around the driver's own cursor, which takes ``?`` as it is: Django's SQLite cursor rewrites
    every ``%s`` of a statement with a regex first, a cost per parameter. Django's wrapper stays,
    so database errors are still Django's and execute wrappers still run. (The debug cursor that logs
    queries formats the SQL with ``%``, so it gets ``%s``.)"""
    if db.vendor != "sqlite" or db.queries_logged:
        return db.cursor(), "(" + placeholders(len(plan.attnames)) + ")"
    _connect(db)
    with db.wrap_database_errors:
        return db.make_cursor(db.connection.cursor()), "(" + ", ".join(["?"] * len(plan.attnames)) + ")"


def _connect(db: Any) -> None:
    """What Django's own `cursor()` does first, for the paths that take the driver's cursor instead."""
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()


def _max_params(db: Any) -> int:
    """How many parameters one statement may carry. Django says 999 for SQLite (the limit before SQLite
    3.32); the driver knows the real one (32,766 since 3.32), so a feed's episodes fit one statement."""
    if db.vendor == "sqlite":
        db.ensure_connection()
        raw = db.connection
        if raw is not None and hasattr(raw, "getlimit"):
            return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return int(db.features.max_query_params or 65535)


def update(model: type[models.Model], objs: Sequence[models.Model], names: Sequence[str]) -> None:
    """UPDATE the objects' `names` fields by primary key, one executemany."""
    if not objs:
        return
    read = attrgetter(*[attname for attname, _, _ in _columns(model, names)], "pk")
    update_values(model, names, [read(obj) for obj in objs])


def update_values(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """UPDATE rows by primary key, one executemany: each row is the `names` fields' values in that order,
    then the key. For callers that hold plain values (the crawler's outcomes); dates and JSON are adapted
    as in `insert_values`, each distinct value once per call."""
    if not rows:
        return
    columns = _columns(model, names)
    adapters = [(index, adapt) for index, (_, _, adapt) in enumerate(columns) if adapt is not None]
    params: Sequence[Sequence[Any]] = rows
    if adapters:
        copies = [list(row) for row in rows]
        _adapt_in_place(adapters, copies)
        params = copies
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for _, column, _ in columns)
    pk = model._meta.pk
    assert pk is not None
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(str(pk.column))} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


#: Values per IN list in the lookups that split long lists (`existing`, ingest's deletes and people).
BATCH = 500


def existing(model: type[models.Model], column: str, values: list[str]) -> list[str]:
    """Those of `values` that some row of `model` has in `column` (`BATCH` looked up per query)."""
    found: list[str] = []
    for start in range(0, len(values), BATCH):
        chunk = values[start : start + BATCH]
        found += (
            value
            for (value,) in execute(
                f"SELECT DISTINCT {quote(column)} FROM {table(model)}"
                f" WHERE {quote(column)} IN ({placeholders(len(chunk))})",
                chunk,
            )
        )
    return found


def select_in(
    model: type[models.Model], columns: Sequence[str], column: str, values: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """`columns` (column names) of the rows of `model` whose `column` is one of `values`, `BATCH` looked
    up per query: an IN list in plain SQL, which the ORM would compile value by value."""
    selected = ", ".join(quote(name) for name in columns)
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(values), BATCH):
        chunk = list(values[start : start + BATCH])
        found += execute(
            f"SELECT {selected} FROM {table(model)} WHERE {quote(column)} IN ({placeholders(len(chunk))})",
            chunk,
        )
    return found


def returned(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[list[Any]]:
    """Rows of plain SQL whose columns are the `names` fields of `model` (an UPDATE's RETURNING), with
    their dates through the backend's own converters, as the ORM would read them."""
    ops = connection.ops
    dates = []
    for index, name in enumerate(names):
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        if field.get_internal_type() == "DateTimeField":
            col = field.cached_col
            dates += [(index, convert, col) for convert in ops.get_db_converters(col)]
    out = [list(row) for row in rows]
    for index, convert, col in dates:
        for values in out:
            values[index] = convert(values[index], col, connection)
    return out


def columns_sql(model: type[models.Model], names: Sequence[str]) -> str:
    """The `names` fields' columns of `model`, quoted and comma-separated (a SELECT or RETURNING list)."""
    return ", ".join(quote(column) for _, column, _ in _columns(model, names))


def quote(name: str) -> str:
    """`name` quoted as an identifier of this connection's database."""
    return connection.ops.quote_name(name)


def table(model: type[models.Model]) -> str:
    """`model`'s table name, quoted."""
    return quote(model._meta.db_table)


def execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run plain SQL (hot paths: no query compiling); the rows, if it returns any."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []
