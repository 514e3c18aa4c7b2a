"""`lytt feeds --stats`: how many feeds are in each tier and how many of them are due now, and how many
feeds are not crawled at all (retired, duplicates, the bundled sample), from one grouped query.

`count_feeds` reads the counts (by status and tier); `summarise` (pure) puts them in the order operators
read them, with each tier's bounds on the interval between checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count

from lytt.catalog.models import FeedSource
from lytt.crawl.claims import CRAWLABLE, due_filter
from lytt.crawl.schedule import span_text
from lytt.crawl.tiers import EAGERNESS, Tier

#: The label of feeds no check or import has given a tier yet.
UNTIERED = "untiered"
_ORDER = [*(tier.value for tier in EAGERNESS), Tier.FAILING.value, UNTIERED]


@dataclass(frozen=True, slots=True)
class TierLine:
    tier: str
    feeds: int
    due: int
    floor: timedelta | None  # the tier's bounds on the interval (None: none, or no tier)
    ceiling: timedelta | None


@dataclass(slots=True)
class FeedStats:
    tiers: list[TierLine] = field(default_factory=list)  # crawlable feeds, by tier
    not_crawled: dict[str, int] = field(default_factory=dict)  # other feeds, by status

    @property
    def crawled(self) -> int:
        return sum(line.feeds for line in self.tiers)

    @property
    def due(self) -> int:
        return sum(line.due for line in self.tiers)

    def as_json(self) -> dict[str, Any]:
        return {
            "tiers": [
                {
                    "tier": line.tier,
                    "feeds": line.feeds,
                    "due": line.due,
                    "min_interval_seconds": _seconds(line.floor),
                    "max_interval_seconds": _seconds(line.ceiling),
                }
                for line in self.tiers
            ],
            "crawled": self.crawled,
            "due": self.due,
            "not_crawled": self.not_crawled,
        }


def _seconds(span: timedelta | None) -> int | None:
    return None if span is None else int(span.total_seconds())


def count_feeds(now: datetime) -> list[tuple[str, str, int, int]]:
    """(status, tier, feeds, due now) for every status and tier in use: one grouped query over the feeds."""
    rows = (
        FeedSource.objects.values_list("status", "tier")
        .annotate(feeds=Count("id"), due=Count("id", filter=due_filter(now)))
        .order_by()
    )
    return [(status, tier, feeds, due) for status, tier, feeds, due in rows]


def summarise(counts: Iterable[tuple[str, str, int, int]]) -> FeedStats:
    """The counts by tier for feeds the crawler checks, every tier listed (empty ones as 0), and by
    status for the others."""
    by_tier = dict.fromkeys(_ORDER, (0, 0))
    stats = FeedStats()
    crawlable = {str(status) for status in CRAWLABLE}
    for status, tier, feeds, due in counts:
        if status in crawlable:
            name = tier if tier in by_tier else UNTIERED
            had, had_due = by_tier[name]
            by_tier[name] = (had + feeds, had_due + due)
        else:
            stats.not_crawled[status] = stats.not_crawled.get(status, 0) + feeds
    for name, (feeds, due) in by_tier.items():
        known = Tier(name) if name != UNTIERED else None
        stats.tiers.append(
            TierLine(
                name,
                feeds,
                due,
                known.floor if known is not None and known is not Tier.FAILING else None,
                known.ceiling if known is not None else None,
            )
        )
    return stats


def print_stats(*, as_json: bool = False, now: datetime | None = None) -> int:
    """Print the counts as a table on stdout (or JSON); the exit status."""
    import json
    import sys

    from django.utils import timezone
    from rich.console import Console
    from rich.table import Table

    stats = summarise(count_feeds(now or timezone.now()))
    if as_json:
        json.dump(stats.as_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    table = Table(title=f"{stats.crawled} feed(s) crawled, {stats.due} due now")
    table.add_column("tier")
    table.add_column("feeds", justify="right")
    table.add_column("due now", justify="right")
    table.add_column("checked every", justify="right")
    for line in stats.tiers:
        table.add_row(line.tier, f"{line.feeds:,}", f"{line.due:,}", _bounds(line))
    for status, feeds in sorted(stats.not_crawled.items()):
        table.add_row(f"({status}: not crawled)", f"{feeds:,}", "", "", style="dim")
    Console(width=100).print(table)
    return 0


def _bounds(line: TierLine) -> str:
    """The tier's bounds as operators read them: "15 min .. 1 h", "7 days", "backed off"."""
    if line.tier == Tier.FAILING:
        return "backed off"
    if line.floor is None or line.ceiling is None:
        return "set at its next check"
    low, high = span_text(line.floor), span_text(line.ceiling)
    return low if low == high else f"{low} .. {high}"
