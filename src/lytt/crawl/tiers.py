"""Priority tiers: how eagerly a feed is polled, from how popular and how active it is. Pure: no I/O, no
clock (the caller passes `now`).

The tier bounds the interval `lytt.crawl.schedule.plan_next` works out from the feed's own publishing
cadence (`Tier.floor` .. `Tier.ceiling`); it never replaces that cadence. In order of eagerness:

- **hot**: published within `HOT_WITHIN` and popular (`HOT_POPULARITY` points): checked at least hourly;
- **active**: published within `ACTIVE_WITHIN`, or popular and published within the year: at least every
  12 hours (a weekly show's cadence alone would give a day);
- **quiet**: published within the year, or no date known: at least daily (the schedule's own bound);
- **dormant**: nothing published for `DORMANT_AFTER` (a year): weekly;
- **failing**: `FAILING_AFTER` errors in a row: the schedule's error backoff decides, the tier adds none.

Each of hot, active and quiet holds for everything more popular or more recently active than a feed it
holds for, and they are tried in that order: a more popular or more active feed never gets a less eager
tier, so never a longer interval.

**Popularity** is counted in points, on one scale for both sources: the Podcast Index dump's
`popularityScore` (a point each, plus a tenth of a point per step of its crawl `priority`:
`lytt.catalog.podcastindex_rows.dump_popularity`), and Lytt's own plays and follows as the charts score
them (`lytt.charts.scoring`: a play today is a point, a follow today five), added once it has them: by a
crawl that stores the feed's body, and by the charts' recomputation for the feeds of every show whose
popularity changed, bodies changed or not (`lytt.crawl.listeners`, which decides their tiers again).
**Activity** is the newest episode's date: the dump's `newestItemPubdate` until the first crawl, Lytt's
own from then on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lytt.crawl.schedule import MAX_INTERVAL, MIN_INTERVAL, SILENT_AFTER, SILENT_INTERVAL

HOT_POPULARITY = 5.0
HOT_WITHIN = timedelta(days=30)
ACTIVE_WITHIN = timedelta(days=90)
DORMANT_AFTER = SILENT_AFTER
FAILING_AFTER = 3


class Tier(StrEnum):
    """A feed's polling tier (stored as `FeedSource.tier`; "" until the first decision)."""

    HOT = "hot"
    ACTIVE = "active"
    QUIET = "quiet"
    DORMANT = "dormant"
    FAILING = "failing"

    @property
    def ceiling(self) -> timedelta | None:
        """The longest interval between checks of a healthy feed in this tier (None: no bound)."""
        return _CEILINGS[self]

    @property
    def floor(self) -> timedelta:
        """The shortest interval between checks in this tier."""
        return SILENT_INTERVAL if self is Tier.DORMANT else MIN_INTERVAL


_CEILINGS: dict[Tier, timedelta | None] = {
    Tier.HOT: timedelta(hours=1),
    Tier.ACTIVE: timedelta(hours=12),
    Tier.QUIET: MAX_INTERVAL,
    Tier.DORMANT: SILENT_INTERVAL,
    Tier.FAILING: None,
}
#: The tiers from the most eagerly polled to the least (failing is apart: backed off, whatever it was).
EAGERNESS = (Tier.HOT, Tier.ACTIVE, Tier.QUIET, Tier.DORMANT)


@dataclass(frozen=True, slots=True)
class TierInputs:
    """What the tier is decided from: popularity points (`popularity`), the newest episode's date, and
    the consecutive errors after this check."""

    popularity: float = 0.0
    newest_item_at: datetime | None = None
    error_count: int = 0


@dataclass(frozen=True, slots=True)
class TierDecision:
    tier: Tier
    reason: str  # for operators (`lytt feeds`, the admin): why this tier, in a few words


def decide_tier(inputs: TierInputs, now: datetime) -> TierDecision:
    """The feed's tier and why (see the module docstring for the rules)."""
    if inputs.error_count >= FAILING_AFTER:
        return TierDecision(Tier.FAILING, f"{inputs.error_count} errors in a row; backed off")
    popular = inputs.popularity >= HOT_POPULARITY
    points = f"popularity {inputs.popularity:.1f}"
    if inputs.newest_item_at is None:
        if popular:
            return TierDecision(Tier.ACTIVE, f"{points}; no episode date known")
        return TierDecision(Tier.QUIET, "no episode date known")
    age = max(now - inputs.newest_item_at, timedelta(0))
    days = f"newest episode {inputs.newest_item_at:%Y-%m-%d}"
    if age > DORMANT_AFTER:
        return TierDecision(Tier.DORMANT, f"{days}: inactive for over a year")
    if popular and age <= HOT_WITHIN:
        return TierDecision(Tier.HOT, f"{points}; {days}")
    if age <= ACTIVE_WITHIN or popular:
        return TierDecision(Tier.ACTIVE, f"{points}; {days}" if popular else days)
    return TierDecision(Tier.QUIET, days)


def check_due_by(
    tier: Tier, next_check_at: datetime, last_checked_at: datetime | None, now: datetime
) -> datetime:
    """When a healthy feed whose tier has just become `tier` is next checked: its planned check, or sooner
    when the tier's longest interval since its last check (`now` for a feed never checked) runs out
    first, never before `now`. Never later than planned: a tier that allows longer waits for the check."""
    ceiling = tier.ceiling
    if ceiling is None:
        return next_check_at
    return min(next_check_at, max((last_checked_at or now) + ceiling, now))


def listener_popularity(show_popularity: float) -> float:
    """Lytt's own plays and follows in points, from `Show.popularity` (the charts' order: 1 + the score
    for a show with plays or follows, below 1 for one without, `lytt.charts.scoring.popularity_order`)."""
    return show_popularity - 1.0 if show_popularity >= 1.0 else 0.0


def decided_at_import(popularity: float, newest_item_at: datetime | None, now: datetime) -> tuple[str, str]:
    """The tier (and reason) of a feed the Podcast Index import adds, from the dump's popularity and
    newest episode date: what `lytt import-podcastindex` passes to `lytt.catalog.podcastindex`."""
    decision = decide_tier(TierInputs(popularity, newest_item_at), now)
    return decision.tier.value, decision.reason
