"""The full-text index behind SearchEntry, created per database vendor.

SQLite: an external-content FTS5 table (unicode61 tokenizer, diacritics removed, prefix indexes for
2-4 characters) kept in step by triggers. PostgreSQL: a tsvector column weighted title A, author and
people B, categories C, notes D, filled by a trigger using the row's text-search config, with a GIN index.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, author, people, categories, body,
        content='search_searchentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3 4'
    )
    """,
    """
    CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title, author, people, categories, body)
        VALUES (new.id, new.title, new.author, new.people, new.categories, new.body);
    END
    """,
    """
    CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, author, people, categories, body)
        VALUES ('delete', old.id, old.title, old.author, old.people, old.categories, old.body);
    END
    """,
    """
    CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, author, people, categories, body)
        VALUES ('delete', old.id, old.title, old.author, old.people, old.categories, old.body);
        INSERT INTO search_fts(rowid, title, author, people, categories, body)
        VALUES (new.id, new.title, new.author, new.people, new.categories, new.body);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_FORWARD = [
    "ALTER TABLE search_searchentry ADD COLUMN document tsvector",
    """
    CREATE FUNCTION search_entry_document() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.document :=
            setweight(to_tsvector(NEW.config::regconfig, coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector(NEW.config::regconfig,
                coalesce(NEW.author, '') || ' ' || coalesce(NEW.people, '')), 'B') ||
            setweight(to_tsvector(NEW.config::regconfig, coalesce(NEW.categories, '')), 'C') ||
            setweight(to_tsvector(NEW.config::regconfig, coalesce(NEW.body, '')), 'D');
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER search_entry_document BEFORE INSERT OR UPDATE ON search_searchentry
    FOR EACH ROW EXECUTE FUNCTION search_entry_document()
    """,
    "CREATE INDEX search_entry_document_gin ON search_searchentry USING GIN (document)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_document_gin",
    "DROP TRIGGER IF EXISTS search_entry_document ON search_searchentry",
    "DROP FUNCTION IF EXISTS search_entry_document()",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS document",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"lytt.search supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}"
            )
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
