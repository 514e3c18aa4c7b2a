"""SearchEntry.show loses its own index: searchentry_show_kind (show, kind) serves every lookup by show, and
the index was written on every row. Dropped by name, found through introspection: AlterField would
rebuild the table on SQLite, and with it drop the triggers that keep the FTS5 index in step."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from lytt.catalog.migration_ops import drop_single_column_indexes, single_column_index


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    drop_single_column_indexes(schema_editor, "search_searchentry", "show_id")


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    single_column_index(schema_editor, "search_searchentry", "show_id")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_indexes_written_once"),
        ("search", "0006_gin_per_config"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="searchentry",
                    name="show",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.show",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
