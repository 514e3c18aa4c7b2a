"""PostgreSQL: search rows kept whole in their table page, neither compressed nor moved out to TOAST, up to
the largest row a page holds.

An episode's row holds at most `EPISODE_BODY_MAX_CHARS` of notes and their document, a few kilobytes: past
PostgreSQL's default 2 kB target each row written was compressed and its document stored out of line (a
second table and index written per row), work that a first ingest paid for every episode and a search
undid for every row it ranks. Longer rows (a show's description) are still compressed, with lz4 (0012).
SQLite stores rows whole already: nothing to do there.
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

#: The most PostgreSQL allows (`toast_tuple_target`: 128 to a page, 8,160 bytes, less its headers).
ROW_TARGET = 8160


def _target(value: str) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE search_searchentry {value}")

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0012_searchentry_lz4")]

    operations = [
        migrations.RunPython(
            _target(f"SET (toast_tuple_target = {ROW_TARGET})"), _target("RESET (toast_tuple_target)")
        )
    ]
