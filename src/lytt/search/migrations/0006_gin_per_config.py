"""PostgreSQL: one GIN index per text-search configuration instead of one for all rows.

A query is looked up in every configuration's spelling of its words, and most words exist in one language
only: two common words of different languages never meet, but one GIN index has to walk the rarer one's
whole posting list to prove it. Per configuration, the English index does not hold the Norwegian word at
all, and the answer is immediate. The third index holds every row that is neither English nor Norwegian.
"""

from django.db import migrations

INDEXES = {
    "search_entry_document_en": "config = 'english'",
    "search_entry_document_nb": "config = 'norwegian'",
    "search_entry_document_other": "config NOT IN ('english', 'norwegian')",
}

FORWARD = [
    *(
        f"CREATE INDEX {name} ON search_searchentry USING GIN (document) "
        f"WITH (gin_pending_list_limit = 256) WHERE {predicate}"
        for name, predicate in INDEXES.items()
    ),
    "DROP INDEX search_entry_document_gin",
]
BACKWARD = [
    "CREATE INDEX search_entry_document_gin ON search_searchentry USING GIN (document) "
    "WITH (gin_pending_list_limit = 256)",
    *(f"DROP INDEX {name}" for name in INDEXES),
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_window_markers")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
