"""The Podcast Index dump import (`lytt import-podcastindex`): each feed keeps its Podcast Index id, so
that next week's dump follows it by id when its URL moved; a show keeps Apple's iTunes id, which the
dump knows and feeds do not, for the Podcast Index API's `podcasts/byitunesid`."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0016_show_sort_orders")]

    operations = [
        migrations.AddField(
            model_name="feedsource",
            name="podcastindex_id",
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="show",
            name="itunes_id",
            field=models.BigIntegerField(blank=True, db_index=True, null=True),
        ),
    ]
