"""PostgreSQL: keep the GIN index's pending list small.

New rows go to an unsorted pending list that every search scans in full until (auto)vacuum merges it; at
the default 4 MB that was 20-25 ms per search on a million episodes. 256 kB still batches index writes.
"""

from django.db import migrations


def _set(limit):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER INDEX search_entry_document_gin SET (gin_pending_list_limit = {limit})"
            )

    return run


def _reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX search_entry_document_gin RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_candidates")]

    operations = [migrations.RunPython(_set(256), _reset)]
