"""Schema steps that migrations share and Django's operations do not do without rebuilding a SQLite table."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def drop_single_column_indexes(schema_editor: BaseDatabaseSchemaEditor, table: str, column: str) -> list[str]:
    """Drop every plain (not unique, not primary key) index on exactly `column` of `table`, whatever its
    name; returns the names dropped."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    dropped = []
    for name, info in sorted(constraints.items()):
        plain = info["index"] and not info["unique"] and not info["primary_key"]
        if plain and info["columns"] == [column]:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")
            dropped.append(name)
    return dropped


def single_column_index(schema_editor: BaseDatabaseSchemaEditor, table: str, column: str) -> None:
    """Create a plain index on `column` of `table` (the reverse of `drop_single_column_indexes`)."""
    name = schema_editor.quote_name(f"{table}_{column}_idx")
    schema_editor.execute(
        f"CREATE INDEX {name} ON {schema_editor.quote_name(table)} ({schema_editor.quote_name(column)})"
    )


def drop_own_indexes(table: str, columns: Sequence[str]) -> migrations.RunPython:
    """The migration step that drops each column's plain single-column indexes (and puts one back when
    reversed), for fields whose `db_index` became False in a `SeparateDatabaseAndState`."""

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for column in columns:
            drop_single_column_indexes(schema_editor, table, column)

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for column in columns:
            single_column_index(schema_editor, table, column)

    return migrations.RunPython(forwards, backwards)
