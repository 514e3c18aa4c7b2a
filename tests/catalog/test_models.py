"""The catalogue schema: it migrates, holds a show with an episode, and indexes what the crawler writes."""

import pytest
from django.db import connection

from lytt.catalog.models import Episode, FeedCheck, FeedSource, Show


@pytest.mark.django_db
def test_show_with_episode_round_trips() -> None:
    show = Show.objects.create(slug="insight-myanmar", title="Insight Myanmar")
    Episode.objects.create(show=show, slug="the-great-escape", match_key="g:1", title="The Great Escape")
    assert list(show.episodes.values_list("title", flat=True)) == ["The Great Escape"]


@pytest.mark.django_db
def test_a_feeds_checks_have_one_index_that_serves_every_lookup_by_feed() -> None:
    """Each recorded check writes to every index of FeedCheck at a random position; feed lookups (the admin,
    pruning, the cascade from FeedSource) need only feedcheck_recent, so no second index leads with feed."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, FeedCheck._meta.db_table)
    leading_feed = sorted(
        name
        for name, constraint in constraints.items()
        if constraint["index"] and constraint["columns"][:1] == ["feed_id"]
    )
    assert leading_feed == ["feedcheck_recent"]
    assert constraints["feedcheck_recent"]["columns"] == ["feed_id", "checked_at"]


@pytest.mark.django_db
def test_deleting_a_feed_deletes_its_checks() -> None:
    feed = FeedSource.objects.create(url="https://feeds.example.com/a.xml")
    other = FeedSource.objects.create(url="https://feeds.example.com/b.xml")
    FeedCheck.objects.bulk_create([FeedCheck(feed=feed, outcome="not_modified") for _ in range(3)])
    FeedCheck.objects.create(feed=other, outcome="error")
    feed.delete()
    assert list(FeedCheck.objects.values_list("feed_id", flat=True)) == [other.pk]
