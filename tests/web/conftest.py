"""Catalogue rows built directly (not through ingest) for page tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache

from lytt.catalog.models import Category, Episode, Show, ShowCategory

MakeShow = Callable[..., Show]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rendered fragments are cached in process memory; each test starts without them."""
    cache.clear()


@pytest.fixture
def restore_taxonomy(django_db_blocker: Any) -> Iterator[None]:
    """Put the taxonomy (a data migration) back after a transactional test flushed it.

    Request it before `transactional_db` so that it is torn down after the flush.
    """
    yield
    from django.db import transaction

    from lytt.catalog.taxonomy import sync_categories

    with django_db_blocker.unblock(), transaction.atomic():  # one commit, not one per category
        sync_categories(Category)


@pytest.fixture
def news(db: None) -> Category:
    parent = Category.objects.create(slug="t-news", apple_name="News", name_en="News", name_nb="Nyheter")
    return Category.objects.create(
        slug="t-news-politics", apple_name="Politics", name_en="Politics", name_nb="Politikk", parent=parent
    )


@pytest.fixture
def make_show(db: None) -> MakeShow:
    def make(slug: str, episodes: int = 3, category: Category | None = None, **fields: Any) -> Show:
        start = fields.pop("start", datetime(2025, 12, 1, 12, 0, tzinfo=UTC))
        show = Show.objects.create(
            slug=slug,
            title=fields.pop("title", slug.replace("-", " ").title()),
            author=fields.pop("author", "Sample Author"),
            image_url=fields.pop("image_url", f"https://img.example/{slug}.png"),
            primary_category=category,
            episode_count=episodes,
            latest_episode_at=start + timedelta(days=episodes - 1) if episodes else None,
            **fields,
        )
        if category is not None:
            ShowCategory.objects.create(show=show, category=category)
        Episode.objects.bulk_create(
            Episode(
                show=show,
                slug=f"episode-{n}",
                match_key=f"{slug}-{n}",
                title=f"Episode {n} of {slug}",
                published_at=start + timedelta(days=n - 1),
                duration_seconds=5220 + n,
                enclosure_url=f"https://audio.example/{slug}/{n}.mp3",
                enclosure_type="audio/mpeg",
                description_text=f"Episode #{n}: " + "words of the notes " * 30,
                description_html=f"<p>Episode #{n} notes with <b>markup</b> at 1:02:03.</p>",
            )
            for n in range(1, episodes + 1)
        )
        return show

    return make
