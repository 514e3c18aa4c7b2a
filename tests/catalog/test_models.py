"""Smoke tests that the catalogue schema migrates and holds a show with an episode."""

import pytest

from lytt.catalog.models import Episode, Show


@pytest.mark.django_db
def test_show_with_episode_round_trips() -> None:
    show = Show.objects.create(slug="insight-myanmar", title="Insight Myanmar")
    Episode.objects.create(show=show, slug="the-great-escape", match_key="g:1", title="The Great Escape")
    assert list(show.episodes.values_list("title", flat=True)) == ["The Great Escape"]
