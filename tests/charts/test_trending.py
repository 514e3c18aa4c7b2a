"""The pure trending ranking: rising activity trends, steady or falling activity does not, more recent
activity never lowers a show and more earlier activity never raises it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lytt.charts import trending
from lytt.charts.scoring import FOLLOW_WEIGHT

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
TODAY = NOW.date()


def _day(age: int) -> date:
    return TODAY - timedelta(days=age)


def test_activity_splits_recent_from_baseline_and_drops_the_rest() -> None:
    plays = [
        (1, _day(0), 3),
        (1, _day(6), 2),  # the last of the recent days
        (1, _day(7), 5),  # the first baseline day
        (1, _day(34), 1),
        (1, _day(35), 100),  # too old
        (1, _day(-1), 100),  # tomorrow: a clock skew, not activity
        (2, _day(1), 0),
    ]
    follows = [(1, NOW - timedelta(days=2)), (3, NOW - timedelta(days=10))]
    found = trending.activity(plays, follows, NOW)
    assert found[1] == trending.Activity(recent=5 + FOLLOW_WEIGHT, baseline=6)
    assert found[3] == trending.Activity(recent=0, baseline=FOLLOW_WEIGHT)
    assert 2 not in found


def test_rising_shows_rank_by_how_far_they_rise() -> None:
    activities = {
        1: trending.Activity(recent=70, baseline=280),  # steady at 10 a day: not rising
        2: trending.Activity(recent=140, baseline=280),  # doubled from 10 a day
        3: trending.Activity(recent=21, baseline=0),  # from nothing to 3 a day
        4: trending.Activity(recent=2, baseline=0),  # two stray plays: too few
        5: trending.Activity(recent=7, baseline=280),  # falling
    }
    ranked = trending.trending(activities, limit=10)
    assert [show_id for show_id, _ in ranked] == [2, 3]
    assert ranked[0][1] == (20 - 10) / (10 + trending.PRIOR_PER_DAY) ** 0.5
    assert trending.trending(activities, limit=1) == ranked[:1]


def test_ties_go_to_more_recent_activity_then_the_lower_id() -> None:
    activities = {
        9: trending.Activity(recent=7, baseline=0),  # 1 a day from none: +1 / sqrt(1)
        4: trending.Activity(recent=7, baseline=0),
        5: trending.Activity(recent=35, baseline=84),  # 5 a day from 3: +2 / sqrt(4), the same score
    }
    ranked = trending.trending(activities, 10)
    assert [score for _, score in ranked] == [1.0, 1.0, 1.0]
    assert [show_id for show_id, _ in ranked] == [5, 4, 9]


counts = st.floats(min_value=0, max_value=10_000, allow_nan=False)


@given(counts, counts, st.floats(min_value=0.5, max_value=1000))
def test_more_recent_activity_never_lowers_the_score(recent: float, baseline: float, more: float) -> None:
    assert trending.trend_score(recent + more, baseline) > trending.trend_score(recent, baseline)


@given(counts, counts, st.floats(min_value=0.5, max_value=1000))
def test_more_baseline_activity_never_raises_the_score(recent: float, baseline: float, more: float) -> None:
    assert trending.trend_score(recent, baseline + more) < trending.trend_score(recent, baseline)


@given(st.dictionaries(st.integers(1, 50), st.tuples(counts, counts), max_size=30), st.integers(0, 40))
def test_the_list_is_rising_shows_only_best_first(raw: dict[int, tuple[float, float]], limit: int) -> None:
    activities = {show_id: trending.Activity(r, b) for show_id, (r, b) in raw.items()}
    ranked = trending.trending(activities, limit)
    assert len(ranked) <= limit
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)
    for show_id, score in ranked:
        assert score > 0
        assert activities[show_id].recent >= trending.MIN_RECENT
    listed = {show_id for show_id, _ in ranked}
    for show_id, a in activities.items():
        qualifies = a.recent >= trending.MIN_RECENT and trending.trend_score(a.recent, a.baseline) > 0
        if qualifies and show_id not in listed:
            assert len(ranked) == limit
            assert not scores or trending.trend_score(a.recent, a.baseline) <= scores[-1]
