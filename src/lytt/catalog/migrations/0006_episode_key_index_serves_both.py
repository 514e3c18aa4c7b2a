"""One index for the episode key instead of two: the unique (show, match_key) constraint becomes
(match_key, show), which also serves ingest's lookups of keys across shows, so the plain match_key index
goes. Every episode ingested wrote both.

On SQLite, Django removes and adds a unique constraint by rebuilding the table (twice here); the index is
dropped first so that neither rebuild creates it again. On PostgreSQL the constraint's index is built anew.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_indexes_written_once"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="episode", name="episode_match_key"),
        migrations.RemoveConstraint(model_name="episode", name="episode_unique_key"),
        migrations.AddConstraint(
            model_name="episode",
            constraint=models.UniqueConstraint(fields=("match_key", "show"), name="episode_unique_key"),
        ),
    ]
