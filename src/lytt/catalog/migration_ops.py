"""Schema steps that migrations share and Django's operations do not do without rebuilding a SQLite table."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
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


def lz4_compression(table: str, columns: Sequence[str]) -> migrations.RunPython:
    """The migration step that has PostgreSQL compress `columns` of `table` with lz4 instead of pglz, where
    the server was built with it (it says so in ``default_toast_compression``'s choices); values written
    before keep theirs until rewritten. Reversed, the columns go back to the server's default.

    Long text (show notes, search documents) is compressed as each row is written, and pglz costs several
    times lz4's CPU for it; reads decompress faster too. SQLite compresses nothing: nothing to do there.
    """

    def set_compression(method: str) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
        def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
            if not server_has_lz4(schema_editor.connection):
                return
            quote = schema_editor.quote_name
            for column in columns:
                schema_editor.execute(
                    f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET COMPRESSION {method}"
                )

        return run

    return migrations.RunPython(set_compression("lz4"), set_compression("default"))


def server_has_lz4(connection: BaseDatabaseWrapper) -> bool:
    """Whether `connection` is to a PostgreSQL server that can compress with lz4."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def drop_pattern_indexes(columns: Sequence[tuple[str, str]]) -> migrations.RunPython:
    """The migration step that drops, on PostgreSQL, the ``varchar_pattern_ops`` copy (``..._like``)
    Django makes of the index of each (table, column) of a unique or indexed CharField, and puts one
    back when reversed.

    Those copies serve only ``LIKE 'prefix%'`` on the raw column under a non-C collation; no query Lytt
    runs on these columns is one (``istartswith`` compares ``UPPER()``, which neither index serves),
    and each copy is one more index every INSERT writes at a random place. An `AlterField` of such a
    field makes a new copy: drop it again in that migration."""

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        for table, column in columns:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                    " AND tablename = %s AND indexdef LIKE %s",
                    [table, f"%({column} varchar_pattern_ops)"],
                )
                names = [row[0] for row in cursor.fetchall()]
            for name in names:
                schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        for table, column in columns:
            name = quote(f"{table}_{column}_like")
            schema_editor.execute(
                f"CREATE INDEX {name} ON {quote(table)} ({quote(column)} varchar_pattern_ops)"
            )

    return migrations.RunPython(forwards, backwards)
