"""The spelling vocabulary (`SpellingWord`) and its indexes for typo candidates and prefixes.

SQLite: ``search_spelling_grams``, a contentless FTS5 table with the trigram tokenizer over each word's
folded form padded with ``^`` and ``$`` (`lytt.search.spelling.trigrams`: padded, a four-letter word
one edit away still shares a trigram), kept in step by triggers on the vocabulary table.
PostgreSQL: the pg_trgm extension (created when missing) and a GIN trigram index on ``fold`` (pg_trgm
pads words itself), and a ``text_pattern_ops`` index on ``fold`` so that ``LIKE 'kode%'`` finds
completions in the index whatever the database's collation.

The vocabulary is counted here from the index rows there are (as `lytt reindex` counts it; about half a
minute per 200,000 rows), and grows with every ingest after that.
"""

from collections.abc import Callable

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

PADDED_NEW = "'^' || new.fold || '$'"
PADDED_OLD = "'^' || old.fold || '$'"

SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_spelling_grams USING fts5(padded, tokenize='trigram', content='')",
    "CREATE TRIGGER search_spelling_insert AFTER INSERT ON search_spellingword BEGIN "
    f"INSERT INTO search_spelling_grams(rowid, padded) VALUES (new.id, {PADDED_NEW}); END",
    "CREATE TRIGGER search_spelling_delete AFTER DELETE ON search_spellingword BEGIN "
    "INSERT INTO search_spelling_grams(search_spelling_grams, rowid, padded) "
    f"VALUES ('delete', old.id, {PADDED_OLD}); END",
    "CREATE TRIGGER search_spelling_update AFTER UPDATE OF fold ON search_spellingword BEGIN "
    "INSERT INTO search_spelling_grams(search_spelling_grams, rowid, padded) "
    f"VALUES ('delete', old.id, {PADDED_OLD}); "
    f"INSERT INTO search_spelling_grams(rowid, padded) VALUES (new.id, {PADDED_NEW}); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_spelling_update",
    "DROP TRIGGER IF EXISTS search_spelling_delete",
    "DROP TRIGGER IF EXISTS search_spelling_insert",
    "DROP TABLE IF EXISTS search_spelling_grams",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX search_spelling_fold_trgm ON search_spellingword USING gin (fold gin_trgm_ops)",
    "CREATE INDEX search_spelling_fold_prefix ON search_spellingword (fold text_pattern_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_spelling_fold_prefix",
    "DROP INDEX IF EXISTS search_spelling_fold_trgm",
]


def _run(sqlite: list[str], postgres: list[str]) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        statements = sqlite if schema_editor.connection.vendor == "sqlite" else postgres
        for statement in statements:
            schema_editor.execute(statement)

    return run


def _fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from lytt.search import vocabulary

    vocabulary.rebuild()


class Migration(migrations.Migration):
    dependencies = [("search", "0009_fewer_merges")]

    operations = [
        migrations.CreateModel(
            name="SpellingWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=64, unique=True)),
                ("fold", models.CharField(db_index=True, max_length=64)),
                ("stem_nb", models.CharField(db_index=True, max_length=64)),
                ("stem_en", models.CharField(db_index=True, max_length=64)),
                ("frequency", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(_run(SQLITE_UP, POSTGRES_UP), _run(SQLITE_DOWN, POSTGRES_DOWN)),
        migrations.RunPython(_fill, migrations.RunPython.noop),
    ]
