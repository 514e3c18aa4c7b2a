"""Priority tiers (`lytt.crawl.tiers`): each feed's tier and the reason for it, with what it is decided
from (popularity points, the dump's and with Lytt's own listeners; the newest episode's date). Claims
order due feeds by `next_check_at` and then popularity, on `feed_claim_order`, which also serves every
lookup the index on `next_check_at` alone did. Feeds already stored get their tier at their next check."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0017_podcastindex_ids"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedsource",
            name="newest_item_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="feedsource",
            name="podcastindex_popularity",
            field=models.FloatField(default=0.0),
        ),
        migrations.AddField(
            model_name="feedsource",
            name="popularity",
            field=models.FloatField(default=0.0),
        ),
        migrations.AddField(
            model_name="feedsource",
            name="tier",
            field=models.CharField(blank=True, default="", max_length=10),
        ),
        migrations.AddField(
            model_name="feedsource",
            name="tier_reason",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.AlterField(
            model_name="feedsource",
            name="next_check_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddIndex(
            model_name="feedsource",
            index=models.Index(fields=["next_check_at", "-popularity", "id"], name="feed_claim_order"),
        ),
    ]
