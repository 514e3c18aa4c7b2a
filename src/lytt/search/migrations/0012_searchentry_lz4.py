"""PostgreSQL: the search rows' notes and documents compressed with lz4 instead of pglz, where the server
has it (`lytt.catalog.migration_ops.lz4_compression`): a first ingest compresses every episode's row as it
is written (docs/benchmarks.md, "crawl", has the measurements)."""

from django.db import migrations

from lytt.catalog.migration_ops import lz4_compression


class Migration(migrations.Migration):
    dependencies = [("search", "0011_transcript_chunks")]

    operations = [lz4_compression("search_searchentry", ["body", "document"])]
