"""lytt.charts: anonymous play counts and follows in, ranked lists of shows out.

Public API (import from `lytt.charts.ranking`; this module stays import-light so that Django can load the
app before models are ready): `popular_shows`, `trending_shows`, `recompute_popularity`, `record_play`.
"""
