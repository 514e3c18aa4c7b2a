"""Priority tiers (`lytt.crawl.tiers`): each feed's tier and the reason for it, with what it is decided
from (popularity points, the dump's and with Lytt's own listeners; the newest episode's date). Claims
order due feeds by `next_check_at` and then popularity, on `feed_claim_order`, which also serves every
lookup the index on `next_check_at` alone did.

Feeds already stored take their show's newest episode date and its listeners' points here (one UPDATE
each), so that their next check, which decides their tier, does not take a silent feed for one with no
date (checked daily instead of weekly); the dump's popularity comes with the next import."""

import django.utils.timezone
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Case, F, OuterRef, Subquery, Value, When


def from_shows(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    feeds = apps.get_model("catalog", "FeedSource")
    shows = apps.get_model("catalog", "Show").objects.filter(pk=OuterRef("show_id"))
    with_show = feeds.objects.filter(show__isnull=False)
    with_show.update(newest_item_at=Subquery(shows.values("latest_episode_at")[:1]))
    # `lytt.crawl.tiers.listener_popularity`: the charts' order is 1 + the score for a scored show.
    listeners = shows.annotate(
        points=Case(When(popularity__gte=1.0, then=F("popularity") - 1.0), default=Value(0.0))
    ).values("points")[:1]
    with_show.filter(show__popularity__gte=1.0).update(popularity=Subquery(listeners))


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
        migrations.RunPython(from_shows, migrations.RunPython.noop, elidable=True),
    ]
