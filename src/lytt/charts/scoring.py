"""Pure scoring: plays and follows in, one score per show out. No I/O, no Django.

A play counts fully on the day it happens and half as much a week later (exponential decay with a
seven-day half-life), so the lists follow what people listen to now. A follow is a stronger signal than a
play (someone chose the show), so it weighs `FOLLOW_WEIGHT` plays, and it decays more slowly: a show keeps
its audience longer than an episode keeps its listeners. Shows with neither get ranked by episode activity
(the newest episode first), which is what "popular" can honestly mean on a new directory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

PLAY_HALF_LIFE_DAYS = 7.0
FOLLOW_HALF_LIFE_DAYS = 90.0
FOLLOW_WEIGHT = 5.0
PLAY_WINDOW_DAYS = 60
FOLLOW_WINDOW_DAYS = 365


def _decay(age_days: float, half_life: float) -> float:
    return float(0.5 ** (max(age_days, 0.0) / half_life))


def score_shows(
    plays: Iterable[tuple[int, date, int]],
    follows: Iterable[tuple[int, datetime]],
    now: datetime,
) -> dict[int, float]:
    """Score shows from (show_id, day, count) plays and (show_id, created_at) follows, as of `now`."""
    scores: dict[int, float] = defaultdict(float)
    today = now.date()
    for show_id, day, count in plays:
        if count > 0:
            scores[show_id] += count * _decay((today - day).days, PLAY_HALF_LIFE_DAYS)
    for show_id, created_at in follows:
        age = (now - created_at).total_seconds() / 86400
        scores[show_id] += FOLLOW_WEIGHT * _decay(age, FOLLOW_HALF_LIFE_DAYS)
    return {show_id: score for show_id, score in scores.items() if score > 0}


@dataclass(frozen=True, slots=True)
class Candidate:
    show_id: int
    latest_episode_at: datetime | None


def rank(candidates: Iterable[Candidate], scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """Order shows by score, then (for unscored shows) by newest episode, then by id for stability.

    Returns up to `limit` (show_id, score) pairs; unscored shows have score 0.
    """

    def key(candidate: Candidate) -> tuple[float, float, int]:
        latest = candidate.latest_episode_at.timestamp() if candidate.latest_episode_at else float("-inf")
        return (-scores.get(candidate.show_id, 0.0), -latest, candidate.show_id)

    ordered = sorted(candidates, key=key)[:limit]
    return [(c.show_id, scores.get(c.show_id, 0.0)) for c in ordered]


#: Below 1, `popularity_order` is a show without plays or follows: its newest episode's time, scaled.
_EPOCH_SCALE = 1e10  # seconds; every date before the year 2286 scales into [0, 1)


def popularity_order(score: float, latest_episode_at: datetime | None) -> float:
    """The charts' order (`rank`) as one number, so a list of every show can sort by one indexed column:
    1 + score for a show with plays or follows, else its newest episode's time scaled into [0, 1), so
    unscored shows follow the scored ones, newest episode first; 0 for a show without a dated episode."""
    if score > 0:
        return 1.0 + score
    if latest_episode_at is None:
        return 0.0
    return min(max(latest_episode_at.timestamp() / _EPOCH_SCALE, 0.0), 0.999_999_999)
