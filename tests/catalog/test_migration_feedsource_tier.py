"""Migration 0018 gives stored feeds their show's newest episode date and listeners' points, so their next
check decides their tier from them (a silent feed stays weekly)."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps

from lytt.catalog.models import FeedSource, Show

pytestmark = pytest.mark.django_db
LATEST = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
migration = importlib.import_module("lytt.catalog.migrations.0018_feedsource_tier")


def test_stored_feeds_take_their_shows_date_and_listeners() -> None:
    scored = Show.objects.create(slug="scored", title="Scored", latest_episode_at=LATEST, popularity=7.5)
    unscored = Show.objects.create(slug="unscored", title="Unscored", popularity=0.17)
    feeds = [
        FeedSource.objects.create(url="https://a.example/feed", show=scored),
        FeedSource.objects.create(url="https://b.example/feed", show=unscored, popularity=2.0),
        FeedSource.objects.create(url="https://c.example/feed"),
    ]
    migration.from_shows(apps, None)  # type: ignore[arg-type]
    got = [FeedSource.objects.values_list("newest_item_at", "popularity").get(pk=feed.pk) for feed in feeds]
    assert got == [(LATEST, 6.5), (None, 2.0), (None, 0.0)]
