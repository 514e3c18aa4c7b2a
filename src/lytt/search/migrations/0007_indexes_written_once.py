"""SearchEntry.show loses its own index: searchentry_show_kind (show, kind) serves every lookup by show, and
the index was written on every row. Dropped by name, found through introspection: AlterField would
rebuild the table on SQLite, and with it drop the triggers that keep the FTS5 index in step."""

import django.db.models.deletion
from django.db import migrations, models

from lytt.catalog.migration_ops import drop_own_indexes


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
            database_operations=[drop_own_indexes("search_searchentry", ["show_id"])],
        ),
    ]
