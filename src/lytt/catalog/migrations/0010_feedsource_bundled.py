"""A status of its own for the bundled sample catalogue's feeds: they were "retired", so the gpodder.net
directory and the operator's feed list took them for dead. Existing sample sources move over."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

SAMPLE_ORIGIN = "https://sample.lytt.invalid/"  # lytt.catalog.media.SAMPLE_ORIGIN when this was written


def bundle_samples(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    feeds = apps.get_model("catalog", "FeedSource")
    feeds.objects.filter(url__startswith=SAMPLE_ORIGIN, status="retired").update(status="bundled")


def retire_samples(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    feeds = apps.get_model("catalog", "FeedSource")
    feeds.objects.filter(status="bundled").update(status="retired")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_episode_transcripts_chapters")]

    operations = [
        migrations.AlterField(
            model_name="feedsource",
            name="status",
            field=models.CharField(
                choices=[
                    ("new", "new (never fetched)"),
                    ("active", "active"),
                    ("error", "failing"),
                    ("duplicate", "duplicate of another feed"),
                    ("retired", "retired (gone or dead)"),
                    ("bundled", "bundled sample (never crawled)"),
                ],
                default="new",
                max_length=10,
            ),
        ),
        migrations.RunPython(bundle_samples, retire_samples),
    ]
