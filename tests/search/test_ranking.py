"""Ranking pieces that do not need a database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lytt.search.ranking import blend, config_for_language, popularity, recency


def test_config_for_language() -> None:
    assert config_for_language("en-US") == "english"
    assert config_for_language("nb") == "norwegian"
    assert config_for_language("no-NO") == "norwegian"
    assert config_for_language("nn_NO") == "norwegian"
    assert config_for_language("de") == "simple"
    assert config_for_language("") == "simple"


def test_popularity_prefers_chart_position_and_featured() -> None:
    assert popularity(episode_count=0, featured=False, chart_position=1) == 1.0
    assert popularity(episode_count=0, featured=True, chart_position=None) == 0.8
    assert popularity(episode_count=1000, featured=False, chart_position=None) == 0.3
    assert popularity(episode_count=0, featured=False, chart_position=None) == 0.0


def test_recency_halves_after_half_life() -> None:
    assert recency(0) == 1.0
    assert recency(180) == 0.5
    assert recency(None) == 0.0
    assert recency(-5) == 1.0  # dated in the future: treated as today


@given(
    st.floats(min_value=0.01, max_value=100),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    st.one_of(st.none(), st.floats(min_value=0, max_value=10_000)),
    st.one_of(st.none(), st.floats(min_value=0, max_value=10_000)),
)
def test_popularity_and_recency_never_outweigh_twice_the_relevance(
    relevance: float, pop_a: float, pop_b: float, age_a: float | None, age_b: float | None
) -> None:
    # A match twice as relevant always wins, whatever the popularity and age of the other one.
    assert blend(2 * relevance, pop_a, age_a) > blend(relevance, pop_b, age_b)
