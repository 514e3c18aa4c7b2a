"""Priority tiers (`lytt.crawl.tiers`) and how they bound the schedule (`lytt.crawl.schedule.plan_next`):
pure, so no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lytt.crawl.schedule import (
    ERROR_CAP,
    MAX_INTERVAL,
    MIN_INTERVAL,
    SILENT_INTERVAL,
    FeedState,
    Hints,
    Observation,
    Outcome,
    plan_next,
)
from lytt.crawl.tiers import (
    EAGERNESS,
    HOT_POPULARITY,
    Tier,
    TierInputs,
    decide_tier,
    listener_popularity,
)

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def tier(popularity: float = 0.0, days: float | None = 3, errors: int = 0) -> Tier:
    newest = None if days is None else NOW - timedelta(days=days)
    return decide_tier(TierInputs(popularity, newest, errors), NOW).tier


def test_recently_active_and_popular_is_hot() -> None:
    decision = decide_tier(TierInputs(12.0, NOW - timedelta(days=2)), NOW)
    assert decision.tier is Tier.HOT
    assert decision.reason == "popularity 12.0; newest episode 2026-03-02"
    assert Tier.HOT.ceiling == timedelta(hours=1)


def test_popular_but_not_recent_is_active_and_recent_but_unknown_is_active() -> None:
    assert tier(HOT_POPULARITY, days=60) is Tier.ACTIVE
    assert tier(HOT_POPULARITY, days=300) is Tier.ACTIVE
    assert tier(0.0, days=10) is Tier.ACTIVE
    assert tier(HOT_POPULARITY - 0.1, days=1) is Tier.ACTIVE


def test_unpopular_and_quiet_for_months_is_quiet() -> None:
    decision = decide_tier(TierInputs(0.0, NOW - timedelta(days=200)), NOW)
    assert (decision.tier, decision.reason) == (Tier.QUIET, "newest episode 2025-08-16")
    assert Tier.QUIET.ceiling == MAX_INTERVAL


def test_a_year_inactive_is_dormant_and_checked_weekly_however_popular() -> None:
    for popularity in (0.0, 1000.0):
        decision = decide_tier(TierInputs(popularity, NOW - timedelta(days=366)), NOW)
        assert decision.tier is Tier.DORMANT
        assert "inactive for over a year" in decision.reason
    assert Tier.DORMANT.floor == Tier.DORMANT.ceiling == SILENT_INTERVAL


def test_no_episode_date_is_quiet_unless_popular() -> None:
    assert decide_tier(TierInputs(), NOW).reason == "no episode date known"
    assert tier(0.0, days=None) is Tier.QUIET
    assert tier(HOT_POPULARITY, days=None) is Tier.ACTIVE


def test_a_future_date_counts_as_now() -> None:
    assert tier(HOT_POPULARITY, days=-30) is Tier.HOT


def test_errors_in_a_row_make_a_feed_failing_whatever_else() -> None:
    assert tier(100.0, days=1, errors=2) is Tier.HOT
    decision = decide_tier(TierInputs(100.0, NOW, 3), NOW)
    assert (decision.tier, decision.reason) == (Tier.FAILING, "3 errors in a row; backed off")
    assert Tier.FAILING.ceiling is None


def test_listener_popularity_reads_the_charts_order() -> None:
    assert listener_popularity(6.5) == 5.5  # 1 + score: scored by plays and follows
    assert listener_popularity(0.17) == 0.0  # an unscored show's newest-episode order
    assert listener_popularity(0.0) == 0.0


# -- properties -----------------------------------------------------------------------------------

popularities = st.floats(min_value=0, max_value=2000, allow_nan=False)
ages = st.one_of(st.none(), st.floats(min_value=-30, max_value=3000, allow_nan=False))
errors = st.integers(min_value=0, max_value=2)


def _eagerness(found: Tier) -> int:
    return EAGERNESS.index(found)


@given(popularities, popularities, ages, errors)
def test_more_popular_is_never_a_less_eager_tier(
    low: float, extra: float, days: float | None, err: int
) -> None:
    assert _eagerness(tier(low + extra, days, err)) <= _eagerness(tier(low, days, err))


@given(popularities, st.floats(min_value=-30, max_value=3000), st.floats(min_value=0, max_value=3000), errors)
def test_more_recently_active_is_never_a_less_eager_tier(
    popularity: float, days: float, older: float, err: int
) -> None:
    assert _eagerness(tier(popularity, days, err)) <= _eagerness(tier(popularity, days + older, err))


@given(popularities, st.floats(min_value=366, max_value=5000), errors)
def test_a_year_inactive_is_always_dormant(popularity: float, days: float, err: int) -> None:
    assert tier(popularity, days, err) is Tier.DORMANT


@given(popularities, ages, st.integers(min_value=3, max_value=1000))
def test_three_errors_in_a_row_are_always_failing(popularity: float, days: float | None, err: int) -> None:
    assert tier(popularity, days, err) is Tier.FAILING


def test_the_tiers_bounds_grow_with_their_order() -> None:
    ceilings = [t.ceiling for t in EAGERNESS]
    floors = [t.floor for t in EAGERNESS]
    assert all(c is not None for c in ceilings)
    assert ceilings == sorted(c for c in ceilings if c is not None)
    assert floors == sorted(floors)


# -- the tier bounds the schedule ------------------------------------------------------------------


def bounded_state(found: Tier, interval: timedelta = timedelta(hours=1), errors: int = 0) -> FeedState:
    return FeedState(interval=interval, error_count=errors, floor=found.floor, ceiling=found.ceiling)


def monthly(latest_days: float = 2) -> list[datetime]:
    return [NOW - timedelta(days=latest_days + 30 * n) for n in range(10)]


def test_a_hot_monthly_show_is_checked_hourly_and_a_quiet_one_daily() -> None:
    seen = Observation(Outcome.UPDATED, published=monthly())
    hot = plan_next(bounded_state(Tier.HOT), seen, NOW)
    assert hot.interval == timedelta(hours=1)
    assert hot.reason == "publishing cadence; tier allows at most 1 h"
    assert plan_next(bounded_state(Tier.QUIET), seen, NOW).interval == MAX_INTERVAL
    assert plan_next(FeedState(), seen, NOW).interval == MAX_INTERVAL  # no tier: as before


def test_the_tier_never_makes_a_busy_feed_slower() -> None:
    news = Observation(Outcome.UPDATED, published=[NOW - timedelta(minutes=20 * n) for n in range(10)])
    assert plan_next(bounded_state(Tier.QUIET), news, NOW).interval == MIN_INTERVAL


def test_a_dormant_feed_is_checked_weekly_even_after_a_304() -> None:
    plan = plan_next(bounded_state(Tier.DORMANT, timedelta(hours=24)), Observation(Outcome.NOT_MODIFIED), NOW)
    assert plan.interval == SILENT_INTERVAL
    assert plan.reason == "unchanged since last parse; tier waits at least 7 days"


def test_a_304_of_a_feed_that_became_hot_is_checked_sooner() -> None:
    plan = plan_next(bounded_state(Tier.HOT, timedelta(hours=20)), Observation(Outcome.NOT_MODIFIED), NOW)
    assert plan.next_check_at == NOW + timedelta(hours=1)


def test_the_publishers_ttl_still_wins_over_the_tier() -> None:
    seen = Observation(Outcome.UPDATED, published=monthly(), hints=Hints(ttl_minutes=180))
    assert plan_next(bounded_state(Tier.HOT), seen, NOW).interval == timedelta(hours=3)


def test_a_failing_feed_backs_off_as_before() -> None:
    failing = bounded_state(Tier.FAILING, errors=5)
    plan = plan_next(failing, Observation(Outcome.ERROR, error_kind="http_500"), NOW)
    assert plan.next_check_at - NOW == min(ERROR_CAP, timedelta(minutes=15) * 2**5)


outcomes = st.sampled_from([Outcome.UPDATED, Outcome.UNCHANGED, Outcome.NOT_MODIFIED, Outcome.CHURN])


@given(
    popularities,
    popularities,
    st.floats(min_value=0, max_value=800),
    st.floats(min_value=0, max_value=800),
    st.integers(min_value=15 * 60, max_value=7 * 86400),
    outcomes,
    st.integers(min_value=0, max_value=6),
    st.floats(min_value=0, max_value=0.999),
)
def test_more_popular_or_active_never_gets_a_later_check(
    low: float,
    extra: float,
    days: float,
    older: float,
    interval: int,
    outcome: Outcome,
    churn: int,
    jitter: float,
) -> None:
    """The whole policy: of two feeds that differ only in popularity or recent activity, the more popular
    or more active one is never checked later, whatever the check found."""
    seen = Observation(outcome, published=monthly(days) if outcome is not Outcome.NOT_MODIFIED else None)

    def planned(popularity: float, age: float) -> tuple[timedelta, datetime]:
        found = tier(popularity, age)
        state = FeedState(
            interval=timedelta(seconds=interval), churn_count=churn, floor=found.floor, ceiling=found.ceiling
        )
        plan = plan_next(state, seen, NOW, jitter)
        return plan.interval, plan.next_check_at

    eager = planned(low + extra, days)
    assert eager <= planned(low, days)
    assert eager <= planned(low + extra, days + older)


@given(
    popularities,
    ages,
    st.integers(min_value=3, max_value=40),
    st.integers(min_value=15 * 60, max_value=86400),
    st.floats(min_value=0, max_value=0.999),
)
def test_failing_feeds_back_off_at_least_as_long_as_their_interval(
    popularity: float, days: float | None, err: int, interval: int, jitter: float
) -> None:
    found = tier(popularity, days, err)
    state = FeedState(interval=timedelta(seconds=interval), error_count=err, ceiling=found.ceiling)
    plan = plan_next(state, Observation(Outcome.ERROR, error_kind="timeout"), NOW, jitter)
    assert plan.next_check_at - NOW >= min(timedelta(seconds=interval), ERROR_CAP)
    assert plan.error_count == err + 1
