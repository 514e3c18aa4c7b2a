"""Shows whose plays and follows are rising, ranked by the charts computation (`lytt.charts.trending`)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_feedsource_bundled"),
        ("charts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="TrendingShow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("score", models.FloatField()),
                ("rank", models.PositiveIntegerField()),
                ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "show",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalog.show"
                    ),
                ),
            ],
            options={
                "ordering": ["rank"],
                "indexes": [models.Index(fields=["rank"], name="trending_rank")],
            },
        ),
    ]
