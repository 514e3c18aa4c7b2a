"""Episode.show and Episode.slug lose their own indexes: the (show, ...) indexes serve every lookup by show,
and a slug is only looked up within its show. Each index is written on every episode ingested.

Dropped by name, found through introspection, instead of with AlterField: on SQLite, AlterField rebuilds
the whole table (twice here), a long copy on a large catalogue. PostgreSQL's `_like` pattern index on the
slug goes too."""

import django.db.models.deletion
from django.db import migrations, models

from lytt.catalog.migration_ops import drop_own_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_feedcheck_feed_indexed_once"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="episode",
                    name="show",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="episodes",
                        to="catalog.show",
                    ),
                ),
                migrations.AlterField(
                    model_name="episode",
                    name="slug",
                    field=models.SlugField(db_index=False, max_length=140),
                ),
            ],
            database_operations=[drop_own_indexes("catalog_episode", ["show_id", "slug"])],
        ),
    ]
