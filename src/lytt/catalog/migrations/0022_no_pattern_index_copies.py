"""Drop PostgreSQL's ``varchar_pattern_ops`` copies of the indexes on show slugs, podcast GUIDs and
languages and on feed URLs (`migration_ops.drop_pattern_indexes`): no query uses them, and a directory
import wrote each at a random place for every row."""

from django.db import migrations

from lytt.catalog.migration_ops import drop_pattern_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0021_person_name_keys_per_feed"),
    ]

    operations = [
        drop_pattern_indexes(
            [
                ("catalog_show", "slug"),
                ("catalog_show", "podcast_guid"),
                ("catalog_show", "language"),
                ("catalog_feedsource", "url"),
            ]
        ),
    ]
