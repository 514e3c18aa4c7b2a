"""PostgreSQL: episodes' show notes compressed with lz4 instead of pglz, where the server has it
(`lytt.catalog.migration_ops.lz4_compression`): ingest compresses every new episode's notes as it writes
them."""

from django.db import migrations

from lytt.catalog.migration_ops import lz4_compression


class Migration(migrations.Migration):
    dependencies = [("catalog", "0018_feedsource_tier")]

    operations = [lz4_compression("catalog_episode", ["description_html", "description_text"])]
