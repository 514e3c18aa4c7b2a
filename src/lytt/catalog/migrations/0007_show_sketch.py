"""Shows get sketches (`ShowSketch`, the few smallest keys of their episodes with a guid), and the unique
episode key goes back to (show, match_key): ingest no longer looks up every key across shows, only a new
feed's sketch, and a show's episodes are then written next to each other in the key's index instead of
one random page each (0006 had put the key first to serve the lookups across shows).

Each show's sketch is filled from its stored episodes, as `lytt.catalog.rows.sketch` computes it. On
SQLite, Django swaps a unique constraint by rebuilding the table (twice): a one-time copy.
"""

from collections.abc import Callable

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SKETCH_SIZE = 16  # lytt.catalog.rows.SKETCH_SIZE and SKETCH_KEY_LENGTH when this migration was written
SKETCH_KEY_LENGTH = 16


def fill_sql(apps: StateApps, quote: Callable[[str], str]) -> str:
    """The statement that sketches every show from its stored episodes."""
    sketch = quote(apps.get_model("catalog", "ShowSketch")._meta.db_table)
    episode = quote(apps.get_model("catalog", "Episode")._meta.db_table)
    return (
        f"INSERT INTO {sketch} ({quote('show_id')}, {quote('key')}) "
        f"SELECT show_id, cut FROM (SELECT show_id, cut, ROW_NUMBER() OVER "
        f"(PARTITION BY show_id ORDER BY cut) AS n FROM (SELECT DISTINCT {quote('show_id')} AS show_id, "
        f"SUBSTR({quote('match_key')}, 1, {SKETCH_KEY_LENGTH}) AS cut FROM {episode} "
        f"WHERE {quote('guid')} <> '') AS keys) AS ranked WHERE n <= {SKETCH_SIZE}"
    )


def fill_sketches(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(fill_sql(apps, schema_editor.quote_name))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_episode_key_index_serves_both"),
    ]

    operations = [
        migrations.CreateModel(
            name="ShowSketch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=16)),
                (
                    "show",
                    models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="+", to="catalog.show"),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("key", "show"), name="showsketch_unique")],
            },
        ),
        migrations.RunPython(fill_sketches, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="episode", name="episode_unique_key"),
        migrations.AddConstraint(
            model_name="episode",
            constraint=models.UniqueConstraint(fields=("show", "match_key"), name="episode_unique_key"),
        ),
    ]
