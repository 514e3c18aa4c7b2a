"""How results are ordered: text relevance blended with popularity and recency. Pure functions.

score = relevance × (1 + POPULARITY_WEIGHT × popularity) × (1 + RECENCY_WEIGHT × recency)

* relevance: on SQLite the hits per column (counted by FTS5's ``highlight()``) with column weights, on
  PostgreSQL ``ts_rank_cd`` with A-D weights; neither uses word rarity (bm25's IDF needs a pass over every
  match of every word, which is what made common words slow: see docs/architecture.md, "search"); the title
  counts most, then author and people, then categories, then show notes.
* popularity in 0..1 (stored on the index row, see ``popularity``).
* recency in 0..1: 1 for something published today, 0.5 after RECENCY_HALF_LIFE_DAYS, 0 when undated.

The multipliers are bounded (at most ×1.5 and ×1.3), so popularity and recency reorder close matches but
never lift a weak match above a clearly better one.
"""

from __future__ import annotations

import math

# The searched columns of search_fts, in its column order; its last column, ``kind``, only narrows.
TEXT_COLUMNS = ("title", "author", "people", "categories", "body")
# Weights of the text columns above (SQLite): each adds weight × hits / (1 + hits), so a second hit in
# the same column counts less than the first and long show notes cannot outweigh a title.
COLUMN_WEIGHTS = (10.0, 4.0, 3.0, 2.0, 1.0)
# ts_rank_cd weights, in PostgreSQL's order {D, C, B, A}.
TS_RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
POPULARITY_WEIGHT = 0.5
RECENCY_WEIGHT = 0.3
RECENCY_HALF_LIFE_DAYS = 180.0
# How much of a show's description and of an episode's notes the index holds (`index.cut_at_word`). An
# episode's notes open with what it is about; their tail is mostly sponsor reads, links and credits that
# match every query and dilute ranking, and deep content is what transcript search is for.
SHOW_BODY_MAX_CHARS = 4000
EPISODE_BODY_MAX_CHARS = 1500

_NORWEGIAN = {"nb", "nn", "no", "nob", "nno", "nor"}


def config_for_language(language: str) -> str:
    """The PostgreSQL text-search configuration for a show's language tag ("en-us" → english)."""
    primary = (language or "").strip().lower().replace("_", "-").split("-")[0]
    if primary in {"en", "eng"}:
        return "english"
    if primary in _NORWEGIAN:
        return "norwegian"
    return "simple"


def popularity(*, episode_count: int, featured: bool, chart_position: int | None) -> float:
    """A 0..1 popularity from what the catalogue knows: the chart position dominates when there is one."""
    score = 0.0
    if chart_position is not None and chart_position >= 1:
        score = max(score, 1.0 / (1.0 + math.log10(chart_position)))
    # A long-running show is a weak popularity signal on its own: at most 0.3 (reached at 1000 episodes).
    score = max(score, min(0.3, math.log10(1 + max(episode_count, 0)) / 10.0))
    if featured:
        score = max(score, 0.8)
    return round(min(score, 1.0), 4)


def recency(age_days: float | None) -> float:
    if age_days is None:
        return 0.0
    return 1.0 / (1.0 + max(age_days, 0.0) / RECENCY_HALF_LIFE_DAYS)


def blend(relevance: float, popularity_score: float, age_days: float | None) -> float:
    """The Python twin of the SQL expression the backends use (for tests and documentation)."""
    return (
        relevance * (1.0 + POPULARITY_WEIGHT * popularity_score) * (1.0 + RECENCY_WEIGHT * recency(age_days))
    )


def blend_sql(relevance_sql: str, age_days_sql: str, greatest: str) -> str:
    """The same blend as SQL; ``greatest`` is the backend's two-argument maximum (max or greatest)."""
    recency_sql = f"coalesce(1.0 / (1.0 + {greatest}({age_days_sql}, 0.0) / {RECENCY_HALF_LIFE_DAYS}), 0.0)"
    return (
        f"(({relevance_sql}) * (1.0 + {POPULARITY_WEIGHT} * e.popularity)"
        f" * (1.0 + {RECENCY_WEIGHT} * {recency_sql}))"
    )
