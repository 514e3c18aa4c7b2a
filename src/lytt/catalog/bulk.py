"""Plain multi-row INSERT and executemany UPDATE for model instances, for ingest's hot path.

Django's `bulk_create`/`bulk_update` spend most of their time compiling SQL value by value (and
`bulk_update` writes a CASE per column per row). Ingest writes tens of thousands of episodes a minute, so
it uses these: the same values, adapted by each field's own `get_db_prep_save` only where that matters
(dates, JSON), the same SQL on SQLite and PostgreSQL. No signals are sent, as with `bulk_create`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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


def _columns(model: type[models.Model], names: Sequence[str] | None) -> list[_Column]:
    """The named concrete fields, or all but the primary key (what `bulk_create` writes)."""
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
        key = (type(value), value) if not isinstance(value, list | dict) or value else (type(value), None)
        try:
            return seen[key]
        except KeyError:
            seen[key] = adapted = adapt(value)
            return adapted
        except TypeError:  # unhashable and not empty
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
    """
    if not rows:
        return []
    columns = _columns(model, None)
    missing = {attname for attname, _, _ in columns if any(attname not in row for row in rows)}
    stamp = timezone.now()
    defaults = {
        f.attname: stamp
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in model._meta.concrete_fields
        if f.attname in missing
    }
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_sql = ", ".join(quote(column) for _, column, _ in columns)
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    assert model._meta.pk is not None
    pk = quote(str(model._meta.pk.column))
    max_params = connection.features.max_query_params or 65535
    per_batch = max(1, min(500, max_params // len(columns)))
    adapters = [(attname, _memoised(adapt) if adapt is not None else None) for attname, _, adapt in columns]
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_batch):
            batch = rows[start : start + per_batch]
            params: list[Any] = []
            for row in batch:
                for attname, adapt in adapters:
                    value = row[attname] if attname in row else defaults[attname]
                    params.append(adapt(value) if adapt is not None and value is not None else value)
            values_sql = ", ".join([row_sql] * len(batch))
            sql = f"INSERT INTO {table} ({column_sql}) VALUES {values_sql}"
            if ignore_conflicts:
                cursor.execute(f"{sql} ON CONFLICT DO NOTHING", params)
            else:
                cursor.execute(f"{sql} RETURNING {pk}", params)
                ids += [row[0] for row in cursor.fetchall()]
    return ids


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
