"""SQLite: prefix indexes for titles only. Prefix queries come from search as you type alone, which matches
titles (`lytt.search.engine.run_suggest`), yet FTS5's prefix indexes (``prefix='2 3 4'``) held every
token of every column, show notes included: two thirds of the index's cost on every row written.

``search_fts`` is re-created without them, and ``search_titles`` (the title and the ``kind`` marker, the
same content table) keeps them for titles. The triggers keep both in step; both are rebuilt from the
rows. PostgreSQL needs nothing: its title prefixes are lexemes of their own (migration 0005).
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

COLUMNS = "title, author, people, categories, body, kind"
TITLE_COLUMNS = "title, kind"
TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"
PREFIXES = "prefix='2 3 4'"
CONTENT = "content='search_searchentry', content_rowid='id'"


def _values(prefix: str, columns: str) -> str:
    return ", ".join(f"{prefix}.{column.strip()}" for column in columns.split(","))


def _insert(table: str, columns: str) -> str:
    return f"INSERT INTO {table}(rowid, {columns}) VALUES (new.id, {_values('new', columns)});"


def _delete(table: str, columns: str) -> str:
    return (
        f"INSERT INTO {table}({table}, rowid, {columns}) "
        f"VALUES ('delete', old.id, {_values('old', columns)});"
    )


def _statements(tables: dict[str, tuple[str, str]]) -> list[str]:
    """Drop the FTS5 tables and triggers there may be, then create `tables` (name → columns, options),
    their triggers, and fill them from the content table."""
    inserts = " ".join(_insert(name, columns) for name, (columns, _) in tables.items())
    deletes = " ".join(_delete(name, columns) for name, (columns, _) in tables.items())
    return [
        "DROP TRIGGER IF EXISTS search_fts_update",
        "DROP TRIGGER IF EXISTS search_fts_delete",
        "DROP TRIGGER IF EXISTS search_fts_insert",
        "DROP TABLE IF EXISTS search_titles",
        "DROP TABLE IF EXISTS search_fts",
        *(
            f"CREATE VIRTUAL TABLE {name} USING fts5({columns}, {CONTENT}, {TOKENIZE}{options})"
            for name, (columns, options) in tables.items()
        ),
        f"CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN {inserts} END",
        f"CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN {deletes} END",
        f"CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchentry BEGIN {deletes} {inserts} END",
        *(f"INSERT INTO {name}({name}) VALUES ('rebuild')" for name in tables),
    ]


TITLES_APART = {"search_fts": (COLUMNS, ""), "search_titles": (TITLE_COLUMNS, ", " + PREFIXES)}
ALL_PREFIXED = {"search_fts": (COLUMNS, ", " + PREFIXES)}


def _rebuild(tables: dict[str, tuple[str, str]]) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in _statements(tables):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0007_indexes_written_once")]

    operations = [migrations.RunPython(_rebuild(TITLES_APART), _rebuild(ALL_PREFIXED))]
