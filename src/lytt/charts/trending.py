"""Pure trending: which shows' plays and follows are rising now, compared with before. No I/O, no Django.

Activity is plays plus follows (a follow weighs `FOLLOW_WEIGHT` plays, as in the popularity score). A
show's *recent* activity is that of the last `RECENT_DAYS` days (today included), its *baseline* that of
the `BASELINE_DAYS` days before them. The score is the rise in activity per day over the baseline rate,
divided by the square root of that rate (plus `PRIOR_PER_DAY`): for counts that vary like Poisson ones this
is how many "usual fluctuations" the rise is, so a small show tripling its listeners can trend beside a
large one growing by a tenth, while one or two stray plays (fewer than `MIN_RECENT`) never trend.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from lytt.charts.scoring import FOLLOW_WEIGHT

RECENT_DAYS = 7
BASELINE_DAYS = 28
WINDOW_DAYS = RECENT_DAYS + BASELINE_DAYS  # how far back the data must reach
PRIOR_PER_DAY = 1.0
MIN_RECENT = 3.0


@dataclass(slots=True)
class Activity:
    recent: float = 0.0
    baseline: float = 0.0


def _window(age_days: int) -> str | None:
    if 0 <= age_days < RECENT_DAYS:
        return "recent"
    if RECENT_DAYS <= age_days < WINDOW_DAYS:
        return "baseline"
    return None


def activity(
    plays: Iterable[tuple[int, date, int]], follows: Iterable[tuple[int, datetime]], now: datetime
) -> dict[int, Activity]:
    """Recent and baseline activity per show from (show_id, day, count) plays and (show_id, created_at)
    follows; anything older than `WINDOW_DAYS`, or dated after `now`, is left out."""
    out: dict[int, Activity] = defaultdict(Activity)
    today = now.date()
    for show_id, day, count in plays:
        window = _window((today - day).days)
        if window is not None and count > 0:
            setattr(out[show_id], window, getattr(out[show_id], window) + count)
    for show_id, created_at in follows:
        window = _window((today - created_at.date()).days)
        if window is not None:
            setattr(out[show_id], window, getattr(out[show_id], window) + FOLLOW_WEIGHT)
    return dict(out)


def trend_score(recent: float, baseline: float) -> float:
    """How far the recent rate per day rises above the baseline rate, in units of its usual fluctuation."""
    recent_rate = recent / RECENT_DAYS
    baseline_rate = baseline / BASELINE_DAYS
    return (recent_rate - baseline_rate) / math.sqrt(baseline_rate + PRIOR_PER_DAY)


def trending(activities: dict[int, Activity], limit: int) -> list[tuple[int, float]]:
    """Up to `limit` (show_id, score) pairs of rising shows, highest score first; ties go to more recent
    activity, then the lower id. Only shows with at least `MIN_RECENT` recent activity and a positive
    score are listed."""
    scored = [
        (show_id, trend_score(a.recent, a.baseline), a.recent)
        for show_id, a in activities.items()
        if a.recent >= MIN_RECENT
    ]
    rising = [item for item in scored if item[1] > 0]
    rising.sort(key=lambda item: (-item[1], -item[2], item[0]))
    return [(show_id, score) for show_id, score, _ in rising[:limit]]
