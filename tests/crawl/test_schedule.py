"""The polling policy: cadence, bounds, hints, backoff, retirement, churn, not_before."""

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
    apply_skips,
    backoff,
    cadence,
    plan_next,
)

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday


def every(gap: timedelta, count: int, *, latest: datetime = NOW) -> list[datetime]:
    return [latest - gap * n for n in range(count)]


def test_daily_show_is_polled_every_six_hours() -> None:
    interval, reason = cadence(every(timedelta(days=1), 10, latest=NOW - timedelta(hours=3)), NOW)
    assert interval == timedelta(hours=6)
    assert reason == "publishing cadence"


def test_hourly_news_is_polled_at_the_lower_bound() -> None:
    assert cadence(every(timedelta(minutes=20), 10), NOW)[0] == MIN_INTERVAL


def test_monthly_show_is_polled_at_most_daily() -> None:
    assert cadence(every(timedelta(days=30), 10, latest=NOW - timedelta(days=2)), NOW)[0] == MAX_INTERVAL


def test_show_silent_for_over_a_year_is_polled_weekly() -> None:
    interval, reason = cadence(every(timedelta(days=7), 10, latest=NOW - timedelta(days=400)), NOW)
    assert (interval, reason) == (SILENT_INTERVAL, "silent for over a year")


def test_show_quieter_than_usual_is_polled_less() -> None:
    # Weekly until three months ago: the quiet spell, not the old cadence, decides (bounded by a day).
    interval, _ = cadence(every(timedelta(days=7), 10, latest=NOW - timedelta(days=90)), NOW)
    assert interval == MAX_INTERVAL
    daily_but_quiet = every(timedelta(hours=4), 10, latest=NOW - timedelta(days=1))
    assert cadence(daily_but_quiet, NOW)[0] == timedelta(hours=6)


def test_no_dates_and_future_dates() -> None:
    assert cadence([], NOW)[1] == "no episode dates"
    assert cadence([NOW + timedelta(days=300)], NOW)[1] == "no episode dates"
    assert cadence([NOW], NOW)[1] == "too few episode dates"


def test_ttl_and_update_period_raise_the_interval() -> None:
    dates = every(timedelta(minutes=30), 10)
    seen = Observation(Outcome.UPDATED, published=dates, hints=Hints.from_values(ttl_minutes=180))
    assert plan_next(FeedState(), seen, NOW).interval == timedelta(hours=3)
    hinted = Hints.from_values(update_period="daily", update_frequency=2)
    assert plan_next(
        FeedState(), Observation(Outcome.UPDATED, published=dates, hints=hinted), NOW
    ).interval == (timedelta(hours=12))
    yearly = Hints.from_values(update_period="yearly")
    assert plan_next(
        FeedState(), Observation(Outcome.UPDATED, published=dates, hints=yearly), NOW
    ).interval == (MAX_INTERVAL)


def test_skip_hours_and_days_move_the_check() -> None:
    hints = Hints.from_values(skip_hours=[12, 13, 14], skip_days=["Thursday"])
    assert apply_skips(NOW, hints) == datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    thursday = datetime(2026, 3, 5, 10, 30, tzinfo=UTC)
    assert apply_skips(thursday, hints) == datetime(2026, 3, 6, 0, 0, tzinfo=UTC)
    everything = Hints.from_values(skip_hours=list(range(24)))
    assert apply_skips(NOW, everything) == NOW


def test_backoff_grows_and_is_capped() -> None:
    normal = timedelta(hours=1)
    delays = [backoff(n, normal, 0.0) for n in range(1, 15)]
    assert delays[0] == normal
    assert delays == sorted(delays)
    assert delays[-1] == ERROR_CAP
    assert backoff(3, normal, 0.99) > backoff(3, normal, 0.0)


def test_errors_never_retry_faster_than_normal_polling() -> None:
    state = FeedState(interval=timedelta(hours=6), error_count=0, added_at=NOW - timedelta(days=2))
    plan = plan_next(state, Observation(Outcome.ERROR, error_kind="http_500"), NOW)
    assert plan.next_check_at - NOW >= timedelta(hours=6)
    assert (plan.error_count, plan.retire) == (1, False)
    assert plan.reason == "backing off after 1 error"


def test_410_retires_at_once() -> None:
    plan = plan_next(FeedState(added_at=NOW), Observation(Outcome.ERROR, error_kind="http_410"), NOW)
    assert plan.retire
    assert plan.reason == "410 Gone"


def test_404_retires_only_after_thirty_days_without_success() -> None:
    seen = Observation(Outcome.ERROR, error_kind="http_404")
    recent = FeedState(error_count=5, last_success_at=NOW - timedelta(days=29))
    assert not plan_next(recent, seen, NOW).retire
    old = FeedState(error_count=40, last_success_at=NOW - timedelta(days=31))
    plan = plan_next(old, seen, NOW)
    assert plan.retire
    assert plan.reason == "404 Not Found; no success for 31 days"
    never = FeedState(error_count=40, added_at=NOW - timedelta(days=45))
    assert plan_next(never, Observation(Outcome.ERROR, error_kind="dns"), NOW).retire
    # Server errors never retire a feed, however long they last.
    assert not plan_next(old, Observation(Outcome.ERROR, error_kind="http_503"), NOW).retire


def test_retry_after_is_respected_on_errors() -> None:
    later = NOW + timedelta(days=2)
    plan = plan_next(FeedState(), Observation(Outcome.ERROR, error_kind="http_429", not_before=later), NOW)
    assert plan.next_check_at == later


def test_max_age_is_a_floor_on_success() -> None:
    later = NOW + timedelta(hours=30)
    seen = Observation(Outcome.NOT_MODIFIED, not_before=later)
    assert plan_next(FeedState(interval=timedelta(hours=1)), seen, NOW).next_check_at == later


def test_unparsed_outcomes_keep_the_interval_and_clear_errors() -> None:
    state = FeedState(interval=timedelta(hours=5), error_count=3)
    plan = plan_next(state, Observation(Outcome.NOT_MODIFIED), NOW)
    assert (plan.interval, plan.error_count, plan.next_check_at) == (
        timedelta(hours=5),
        0,
        NOW + timedelta(hours=5),
    )


def test_churning_feeds_are_polled_less() -> None:
    state = FeedState(interval=timedelta(hours=1))
    dates = every(timedelta(hours=4), 10)
    first = plan_next(state, Observation(Outcome.CHURN, published=dates), NOW)
    assert first.interval == timedelta(hours=1)
    later = plan_next(
        FeedState(interval=timedelta(hours=1), churn_count=4),
        Observation(Outcome.CHURN, published=dates),
        NOW,
    )
    assert later.interval == timedelta(hours=8)
    assert later.reason == "changes on every fetch; polled less"


def test_gone_and_duplicate_outcomes() -> None:
    assert plan_next(FeedState(), Observation(Outcome.GONE), NOW).retire
    moved = plan_next(FeedState(), Observation(Outcome.MOVED), NOW)
    assert not moved.retire


outcomes = st.sampled_from(list(Outcome))
kinds = st.sampled_from(["", "http_404", "http_410", "http_500", "dns", "timeout", "reset"])
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


@given(
    outcome=outcomes,
    kind=kinds,
    interval=st.integers(min_value=0, max_value=30 * 86400),
    errors=st.integers(min_value=0, max_value=500),
    churn=st.integers(min_value=0, max_value=100),
    dates=st.lists(moments, max_size=30),
    ttl=st.none() | st.integers(min_value=-5, max_value=100_000),
    skip_hours=st.lists(st.integers(min_value=0, max_value=23), max_size=24),
    jitter=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_plan_is_always_in_the_future_and_bounded(
    outcome: Outcome,
    kind: str,
    interval: int,
    errors: int,
    churn: int,
    dates: list[datetime],
    ttl: int | None,
    skip_hours: list[int],
    jitter: float,
) -> None:
    state = FeedState(
        interval=timedelta(seconds=interval),
        error_count=errors,
        added_at=NOW - timedelta(days=60),
        churn_count=churn,
    )
    seen = Observation(
        outcome,
        error_kind=kind if outcome is Outcome.ERROR else "",
        published=dates,
        hints=Hints.from_values(ttl_minutes=ttl, skip_hours=skip_hours),
    )
    plan = plan_next(state, seen, NOW, jitter)
    wait = plan.next_check_at - NOW
    assert wait >= MIN_INTERVAL
    assert wait <= ERROR_CAP + timedelta(days=1)
    if outcome is Outcome.ERROR:
        assert plan.error_count == errors + 1
        if not plan.retire:
            assert wait >= min(timedelta(seconds=interval), ERROR_CAP)
    elif outcome not in (Outcome.GONE, Outcome.MOVED, Outcome.DUPLICATE):
        assert plan.error_count == 0
        assert MIN_INTERVAL <= plan.interval <= max(SILENT_INTERVAL, timedelta(seconds=interval))
