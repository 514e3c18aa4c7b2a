"""Make "the newest matches first" cheap on both databases (see lytt.search.engine, CANDIDATES).

SQLite: search_fts gets the row's ``kind`` as a sixth column, so a search for shows narrows inside FTS5
instead of walking every matching episode; the table is re-created and refilled from its content table.
PostgreSQL: a (kind, id) index to walk backwards (added by the model's Meta for both databases).
"""

from django.db import migrations, models

COLUMNS = "title, author, people, categories, body, kind"


def _fts(columns):
    new = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    return [
        "DROP TRIGGER IF EXISTS search_fts_update",
        "DROP TRIGGER IF EXISTS search_fts_delete",
        "DROP TRIGGER IF EXISTS search_fts_insert",
        "DROP TABLE IF EXISTS search_fts",
        f"""
        CREATE VIRTUAL TABLE search_fts USING fts5(
            {columns},
            content='search_searchentry', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3 4'
        )
        """,
        f"""
        CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN
            INSERT INTO search_fts(rowid, {columns}) VALUES (new.id, {new});
        END
        """,
        f"""
        CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN
            INSERT INTO search_fts(search_fts, rowid, {columns}) VALUES ('delete', old.id, {old});
        END
        """,
        f"""
        CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchentry BEGIN
            INSERT INTO search_fts(search_fts, rowid, {columns}) VALUES ('delete', old.id, {old});
            INSERT INTO search_fts(rowid, {columns}) VALUES (new.id, {new});
        END
        """,
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ]


def _run(columns):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in _fts(columns):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_index")]

    operations = [
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["kind", "id"], name="searchentry_kind_id"),
        ),
        migrations.RunPython(_run(COLUMNS), _run("title, author, people, categories, body")),
    ]
