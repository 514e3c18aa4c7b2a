from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lytt.charts.scoring import FOLLOW_WEIGHT, Candidate, rank, score_shows

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def test_plays_decay_with_a_week_half_life() -> None:
    scores = score_shows([(1, TODAY, 10), (2, TODAY - timedelta(days=7), 10)], [], NOW)
    assert scores[1] == 10
    assert abs(scores[2] - 5) < 1e-9


def test_follows_weigh_more_than_a_play() -> None:
    scores = score_shows([(1, TODAY, 1)], [(2, NOW)], NOW)
    assert scores[2] == FOLLOW_WEIGHT > scores[1]


def test_nothing_scores_nothing() -> None:
    assert score_shows([], [], NOW) == {}
    assert score_shows([(1, TODAY, 0)], [], NOW) == {}


def test_rank_puts_scored_first_then_newest_episodes() -> None:
    old = datetime(2020, 1, 1, tzinfo=UTC)
    new = datetime(2025, 1, 1, tzinfo=UTC)
    candidates = [Candidate(1, new), Candidate(2, old), Candidate(3, None), Candidate(4, new)]
    assert rank(candidates, {2: 1.0}, 10) == [(2, 1.0), (1, 0.0), (4, 0.0), (3, 0.0)]
    assert rank(candidates, {}, 2) == [(1, 0.0), (4, 0.0)]


plays = st.lists(
    st.tuples(st.integers(1, 20), st.dates(date(2025, 1, 1), TODAY), st.integers(0, 1000)), max_size=50
)


@given(plays)
def test_more_plays_never_lower_a_score(rows: list[tuple[int, date, int]]) -> None:
    before = score_shows(rows, [], NOW)
    after = score_shows([*rows, (1, TODAY, 1)], [], NOW)
    assert after[1] > before.get(1, 0.0)
    for show_id, score in before.items():
        assert after[show_id] >= score


@given(plays, st.integers(0, 30))
def test_rank_is_a_bounded_permutation_ordered_by_score(
    rows: list[tuple[int, date, int]], limit: int
) -> None:
    scores = score_shows(rows, [], NOW)
    candidates = [Candidate(i, None) for i in range(1, 21)]
    ranked = rank(candidates, scores, limit)
    assert len(ranked) == min(limit, 20)
    assert len({show_id for show_id, _ in ranked}) == len(ranked)
    values = [score for _, score in ranked]
    assert values == sorted(values, reverse=True)


def test_popularity_order_puts_scored_shows_first_then_newest_episodes() -> None:
    from lytt.charts.scoring import popularity_order

    older, newer = NOW - timedelta(days=400), NOW
    values = {
        "played": popularity_order(0.01, older),
        "played more": popularity_order(2.0, None),
        "new episode": popularity_order(0.0, newer),
        "old episode": popularity_order(0.0, older),
        "no episode": popularity_order(0.0, None),
    }
    assert sorted(values, key=values.__getitem__, reverse=True) == [
        "played more", "played", "new episode", "old episode", "no episode"
    ]  # fmt: skip
    assert all(0 <= values[name] < 1 for name in ("new episode", "old episode", "no episode"))
