"""Schema steps that migrations share and Django's operations do not do without rebuilding a SQLite table."""

from __future__ import annotations

from django.db.backends.base.schema import BaseDatabaseSchemaEditor


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
