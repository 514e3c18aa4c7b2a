"""No index of every episode by date: the lists of the newest episodes across shows start from the shows'
newest dates (`lytt.catalog.newest`), and a first ingest no longer writes each new episode at a random
place of a global index (the crawler's writing thread: 12-16% of a first ingest of 10,000 feeds)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_show_sketch")]

    operations = [migrations.RemoveIndex(model_name="episode", name="episode_newest")]
