"""Category pages sort every show three ways, each on an index ending in the id (keyset paging):
`show_popular` (the charts' order, written by the charts computation), `show_newest` (replacing the
index on `latest_episode_at` alone, which it also serves) and `show_alphabetical` (`sort_title`, a
Norwegian collation key, filled here for the shows already stored)."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from lytt.catalog.collation import sort_key

_BATCH = 2000


def fill_sort_titles(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    shows = apps.get_model("catalog", "Show")
    last = 0
    while True:
        batch = list(shows.objects.filter(pk__gt=last).order_by("pk").only("pk", "title")[:_BATCH])
        if not batch:
            return
        for show in batch:
            show.sort_title = sort_key(show.title)
        shows.objects.bulk_update(batch, ["sort_title"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0015_person_keys_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name="show",
            name="popularity",
            field=models.FloatField(default=0.0, editable=False),
        ),
        migrations.AddField(
            model_name="show",
            name="sort_title",
            field=models.CharField(blank=True, default="", editable=False, max_length=128),
        ),
        migrations.AlterField(
            model_name="show",
            name="latest_episode_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="show",
            index=models.Index(fields=["latest_episode_at", "id"], name="show_newest"),
        ),
        migrations.AddIndex(
            model_name="show",
            index=models.Index(fields=["sort_title", "id"], name="show_alphabetical"),
        ),
        migrations.AddIndex(
            model_name="show",
            index=models.Index(fields=["popularity", "id"], name="show_popular"),
        ),
        migrations.RunPython(fill_sort_titles, migrations.RunPython.noop),
    ]
