"""When to check a feed next: a pure policy, no I/O, no clock (the caller passes `now` and the jitter).

The rules, in order of strength:

1. 410 Gone retires a feed at once; 404 or a host that does not resolve retires it once it has failed
   that way for more than `RETIRE_AFTER` since its last success (or since it was added).
2. Errors back off exponentially from `ERROR_BASE`, never faster than the feed's normal interval, with up
   to 25% jitter, capped at `ERROR_CAP`.
3. A successful check schedules from the publishing cadence: a quarter of the median gap between recent
   episodes, within `MIN_INTERVAL` .. `MAX_INTERVAL`; `SILENT_INTERVAL` for shows silent for over a year.
   `ttl` and `sy:updatePeriod` raise the interval (never above the bound); `skipHours`/`skipDays` move
   the time out of the hours and days the publisher asked us to skip.
4. Feeds whose body changes on every fetch while no episode changes ("churn") are polled less: the
   interval doubles for each churn check beyond the second, up to the bound.
5. Retry-After and Cache-Control max-age (`not_before`) are a floor for the next check.

The feed's priority tier (`lytt.crawl.tiers`) bounds the interval rule 3 gives (`FeedState.floor` ..
`FeedState.ceiling`); the publisher's ttl/updatePeriod and churn may still lengthen it (rules 3 and 4).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from statistics import median

MIN_INTERVAL = timedelta(minutes=15)
MAX_INTERVAL = timedelta(hours=24)
SILENT_AFTER = timedelta(days=365)
SILENT_INTERVAL = timedelta(days=7)
DEFAULT_INTERVAL = timedelta(hours=1)
ERROR_BASE = timedelta(minutes=15)
ERROR_CAP = timedelta(days=7)
RETIRE_AFTER = timedelta(days=30)
#: How many of the newest episode dates the cadence looks at.
CADENCE_WINDOW = 10
CHURN_GRACE = 2

_PERIODS = {
    "hourly": timedelta(hours=1),
    "daily": timedelta(days=1),
    "weekly": timedelta(days=7),
    "monthly": timedelta(days=30),
    "yearly": timedelta(days=365),
}
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Error kinds that mean "the feed is not there" rather than "the server is having a bad day".
_DEAD_KINDS = frozenset({"http_404", "dns"})


class Outcome(StrEnum):
    """What one check found; stored as FeedCheck.outcome."""

    UPDATED = "updated"  # parsed and ingested, episodes added or changed
    UNCHANGED = "unchanged"  # parsed, nothing in the catalogue changed
    CHURN = "churn"  # the body changed but no episode did
    NOT_MODIFIED = "not_modified"  # 304
    SAME_HASH = "same_hash"  # 200 with the same body as last time: not parsed
    ERROR = "error"  # network, HTTP or parse error
    GONE = "gone"  # retired (410, or dead for too long)
    MOVED = "moved"  # permanently moved to a URL another feed source already has
    DUPLICATE = "duplicate"  # itunes:new-feed-url points at another feed source


@dataclass(frozen=True, slots=True)
class Hints:
    """What the feed itself says about polling (RSS ttl, skipHours/skipDays, RSS 1.0 sy:*)."""

    ttl_minutes: int | None = None
    update_period: str | None = None
    update_frequency: int | None = None
    skip_hours: frozenset[int] = field(default_factory=frozenset)
    skip_days: frozenset[int] = field(default_factory=frozenset)  # 0 = Monday

    @classmethod
    def from_values(
        cls,
        *,
        ttl_minutes: int | None = None,
        update_period: str | None = None,
        update_frequency: int | None = None,
        skip_hours: Sequence[int] = (),
        skip_days: Sequence[str] = (),
    ) -> Hints:
        days = frozenset(_DAYS.index(d.strip().lower()) for d in skip_days if d.strip().lower() in _DAYS)
        hours = frozenset(h % 24 for h in skip_hours if 0 <= h <= 24)
        return cls(ttl_minutes, update_period, update_frequency, hours, days)

    def floor(self) -> timedelta:
        """The shortest interval the publisher asks for (zero when it says nothing)."""
        floor = timedelta(0)
        if self.ttl_minutes and self.ttl_minutes > 0:
            floor = max(floor, timedelta(minutes=self.ttl_minutes))
        period = _PERIODS.get((self.update_period or "").strip().lower())
        if period is not None:
            frequency = self.update_frequency if self.update_frequency and self.update_frequency > 0 else 1
            floor = max(floor, period / frequency)
        return floor


def cadence(published: Sequence[datetime], now: datetime) -> tuple[timedelta, str]:
    """The polling interval the publishing history suggests, and why (for the status reason)."""
    dates = sorted((d for d in published if d <= now + timedelta(days=1)), reverse=True)[:CADENCE_WINDOW]
    if not dates:
        return DEFAULT_INTERVAL, "no episode dates"
    latest = dates[0]
    if now - latest > SILENT_AFTER:
        return SILENT_INTERVAL, "silent for over a year"
    gaps = [(a - b).total_seconds() for a, b in pairwise(dates) if a > b]
    if not gaps:
        return DEFAULT_INTERVAL, "too few episode dates"
    interval = timedelta(seconds=median(gaps) / 4)
    # A show that has gone quiet for longer than its usual gap has probably slowed down.
    quiet = now - latest
    if quiet > timedelta(seconds=2 * median(gaps)):
        interval = max(interval, quiet / 4)
    return _clamp(interval, MIN_INTERVAL, MAX_INTERVAL), "publishing cadence"


def _clamp(value: timedelta, low: timedelta, high: timedelta) -> timedelta:
    return max(low, min(high, value))


def apply_skips(moment: datetime, hints: Hints) -> datetime:
    """The first whole hour at or after `moment` that is outside skipHours/skipDays (UTC).

    If the hints skip every hour of the week they are ignored rather than obeyed into never polling.
    """
    if not hints.skip_hours and not hints.skip_days:
        return moment
    candidate = moment
    for _ in range(24 * 7 + 1):
        if candidate.hour not in hints.skip_hours and candidate.weekday() not in hints.skip_days:
            return candidate
        candidate = (candidate + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return moment


def backoff(error_count: int, normal: timedelta, jitter: float) -> timedelta:
    """The wait after the `error_count`-th consecutive error (1 = the first), jitter in [0, 1)."""
    exponent = min(max(error_count - 1, 0), 30)
    delay = max(normal, ERROR_BASE * (2**exponent))
    delay = delay * (1 + 0.25 * min(max(jitter, 0.0), 1.0))
    return min(delay, ERROR_CAP)


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the schedule needs to know about a feed before this check."""

    interval: timedelta = DEFAULT_INTERVAL
    error_count: int = 0
    added_at: datetime | None = None
    last_success_at: datetime | None = None
    churn_count: int = 0  # consecutive CHURN outcomes before this check
    #: The tier's bounds on the interval (`lytt.crawl.tiers.Tier.floor` and `.ceiling`).
    floor: timedelta = timedelta(0)
    ceiling: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Observation:
    """What this check found. `published`/`hints` are set only when the body was parsed."""

    outcome: Outcome
    error_kind: str = ""
    published: Sequence[datetime] | None = None
    hints: Hints | None = None
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    next_check_at: datetime
    interval: timedelta
    error_count: int
    retire: bool
    reason: str


def plan_next(state: FeedState, seen: Observation, now: datetime, jitter: float = 0.0) -> Plan:
    """Decide the next check for a feed after observing `seen` at `now`."""
    if seen.outcome is Outcome.ERROR:
        return _plan_error(state, seen, now, jitter)
    if seen.outcome in (Outcome.GONE, Outcome.MOVED, Outcome.DUPLICATE):
        return Plan(now + ERROR_CAP, state.interval, 0, seen.outcome is Outcome.GONE, seen.outcome.value)

    interval, reason = state.interval, "unchanged since last parse"
    if seen.published is not None:
        interval, reason = cadence(seen.published, now)
    interval, reason = _within_tier(interval, reason, state)
    bound = SILENT_INTERVAL if interval >= SILENT_INTERVAL else MAX_INTERVAL
    if seen.hints is not None and seen.hints.floor() > interval:
        interval, reason = min(seen.hints.floor(), bound), "publisher's ttl/updatePeriod"
    if seen.outcome is Outcome.CHURN and state.churn_count + 1 > CHURN_GRACE:
        factor = 2 ** min(state.churn_count + 1 - CHURN_GRACE, 6)
        interval, reason = min(interval * factor, bound), "changes on every fetch; polled less"
    interval = max(interval, MIN_INTERVAL)
    moment = now + interval * (1 + 0.1 * min(max(jitter, 0.0), 1.0))
    if seen.hints is not None:
        moment = apply_skips(moment, seen.hints)
    if seen.not_before is not None and seen.not_before > moment:
        moment, reason = seen.not_before, "server asked for a later check (max-age)"
    return Plan(moment, interval, 0, False, reason)


def _within_tier(interval: timedelta, reason: str, state: FeedState) -> tuple[timedelta, str]:
    """The interval within the tier's bounds, and the reason, which says when the tier moved it."""
    if state.ceiling is not None and interval > state.ceiling:
        return state.ceiling, f"{reason}; tier allows at most {span_text(state.ceiling)}"
    if interval < state.floor:
        return state.floor, f"{reason}; tier waits at least {span_text(state.floor)}"
    return interval, reason


def span_text(interval: timedelta) -> str:
    """An interval as reasons and `lytt feeds --stats` write it: "15 min", "6 h", "7 days"."""
    hours = interval.total_seconds() / 3600
    if hours >= 48:
        return f"{hours / 24:g} days"
    return f"{hours:g} h" if hours >= 1 else f"{interval.total_seconds() / 60:g} min"


def _plan_error(state: FeedState, seen: Observation, now: datetime, jitter: float) -> Plan:
    count = state.error_count + 1
    if seen.error_kind == "http_410":
        return Plan(now + ERROR_CAP, state.interval, count, True, "410 Gone")
    since = state.last_success_at or state.added_at
    if seen.error_kind in _DEAD_KINDS and since is not None and now - since > RETIRE_AFTER:
        days = math.floor((now - since) / timedelta(days=1))
        what = "404 Not Found" if seen.error_kind == "http_404" else "host does not resolve"
        return Plan(now + ERROR_CAP, state.interval, count, True, f"{what}; no success for {days} days")
    moment = now + backoff(count, state.interval, jitter)
    reason = f"backing off after {count} error{'s' if count > 1 else ''}"
    if seen.not_before is not None and seen.not_before > moment:
        moment, reason = seen.not_before, "server asked for a later retry (Retry-After)"
    return Plan(moment, state.interval, count, False, reason)
