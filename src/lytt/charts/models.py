"""Anonymous play counts and the precomputed popularity table.

No user is ever stored with a play: a play is one increment of a per-episode, per-day counter. The ranking
is computed ahead of requests (`lytt.charts.ranking.recompute_popularity`) into `ShowPopularity`, so that
pages only read a few indexed rows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PlayCount(models.Model):
    """How many times an episode was played (for at least a few seconds) on one UTC day."""

    episode = models.ForeignKey("catalog.Episode", on_delete=models.CASCADE, related_name="+")
    # Denormalised from the episode so that ranking aggregates by show without a join.
    show = models.ForeignKey("catalog.Show", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "day"], name="playcount_episode_day"),
        ]
        indexes = [models.Index(fields=["day", "show"], name="playcount_day_show")]

    def __str__(self) -> str:
        return f"{self.episode_id} on {self.day}: {self.count}"


class ShowPopularity(models.Model):
    """One row per ranked show per list: `category` null is the overall list."""

    show = models.ForeignKey("catalog.Show", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()
    rank = models.PositiveIntegerField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category", "rank"]
        indexes = [models.Index(fields=["category", "rank"], name="popularity_category_rank")]
        verbose_name_plural = "show popularity"

    def __str__(self) -> str:
        return f"#{self.rank} {self.show_id} in {self.category_id or 'all'}"


class TrendingShow(models.Model):
    """One row per show whose plays and follows are rising (`lytt.charts.trending`), best first."""

    show = models.ForeignKey("catalog.Show", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    rank = models.PositiveIntegerField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rank"]
        indexes = [models.Index(fields=["rank"], name="trending_rank")]

    def __str__(self) -> str:
        return f"#{self.rank} {self.show_id} trending"
