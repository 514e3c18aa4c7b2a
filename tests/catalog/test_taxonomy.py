"""The category taxonomy: complete, stable slugs, and a mapper tolerant of what feeds really write."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lytt.catalog import taxonomy
from lytt.catalog.models import Category


def test_taxonomy_has_all_19_top_level_categories() -> None:
    mains = [c.apple_name for c in taxonomy.categories() if c.parent_slug is None]
    assert mains == [
        "Arts",
        "Business",
        "Comedy",
        "Education",
        "Fiction",
        "Government",
        "Health & Fitness",
        "History",
        "Kids & Family",
        "Leisure",
        "Music",
        "News",
        "Religion & Spirituality",
        "Science",
        "Society & Culture",
        "Sports",
        "Technology",
        "True Crime",
        "TV & Film",
    ]


def test_slugs_are_unique_ascii_and_documented_shape() -> None:
    rows = taxonomy.categories()
    slugs = [c.slug for c in rows]
    assert len(slugs) == len(set(slugs)) == 110
    assert all(s.isascii() and s == s.lower() and " " not in s for s in slugs)
    by_slug = {c.slug: c for c in rows}
    assert by_slug["news-politics"].parent_slug == "news"
    assert by_slug["society-culture-documentary"].apple_name == "Documentary"
    assert by_slug["tv-film"].name_nb == "TV og film"
    assert all(c.name_nb and c.name_en for c in rows)


@pytest.mark.parametrize(
    ("main", "sub", "slug"),
    [
        ("Arts", "Books", "arts-books"),
        ("News", "Politics", "news-politics"),
        ("Society & Culture", "Documentary", "society-culture-documentary"),
        ("Society & Culture", "Philosophy", "society-culture-philosophy"),
        ("True Crime", None, "true-crime"),
        ("society &amp; culture", "DOCUMENTARY", "society-culture-documentary"),
        ("Society &amp;amp; Culture", None, "society-culture"),
        ("Kids and Family", "Pets and Animals", "kids-family-pets-animals"),
        ("Comedy", "Standup", "comedy-stand-up"),
        ("Business", "Nonprofit", "business-non-profit"),
        ("Technology", "Podcasting", "technology"),
        ("Technology", "Tech News", "news-tech-news"),
        ("Games & Hobbies", None, "leisure"),
        ("Games & Hobbies", "Video Games", "leisure-video-games"),
        ("Games & Hobbies", "Other Games", "leisure-games"),
        ("Science & Medicine", None, "science"),
        ("Science & Medicine", "Medicine", "health-fitness-medicine"),
        ("Society & Culture", "History", "history"),
        ("Health", "Self-Help", "education-self-improvement"),
        ("News & Politics", None, "news"),
        ("Sports & Recreation", "Outdoor", "sports-wilderness"),
        ("Government & Organizations", "Local", "government"),
        ("Arts", "Literature", "arts-books"),
        ("Religion & Spirituality", "Other", "religion-spirituality-religion"),
        ("Politics", None, "news-politics"),
        ("News", "No Such Sub", "news"),
    ],
)
def test_slug_for_maps_current_old_and_google_names(main: str, sub: str | None, slug: str) -> None:
    assert taxonomy.slug_for(main, sub) == slug


@pytest.mark.parametrize(("main", "sub"), [("", None), ("Nonsense", None), ("Nonsense", "Politics")])
def test_unknown_categories_map_to_none(main: str, sub: str | None) -> None:
    assert taxonomy.slug_for(main, sub) is None


@given(st.text(max_size=40), st.one_of(st.none(), st.text(max_size=40)))
def test_resolve_never_raises_and_returns_a_real_category(main: str, sub: str | None) -> None:
    slug = taxonomy.slug_for(main, sub)
    assert slug is None or slug in {c.slug for c in taxonomy.categories()}


@pytest.mark.django_db
def test_migration_loaded_the_taxonomy_with_parents() -> None:
    assert Category.objects.count() == 110
    assert Category.objects.filter(parent__isnull=True).count() == 19
    politics = Category.objects.get(slug="news-politics")
    assert politics.parent is not None
    assert politics.parent.slug == "news"
    assert (politics.name_en, politics.name_nb, politics.apple_name) == ("Politics", "Politikk", "Politics")
    assert politics.name_for("nb") == "Politikk"
    assert politics.name_for("en") == "Politics"


@pytest.mark.django_db
def test_find_category_returns_rows() -> None:
    found = taxonomy.find_category("Society &amp; Culture", "Documentary")
    assert found is not None
    assert found.slug == "society-culture-documentary"
    assert taxonomy.find_category("Games & Hobbies") == Category.objects.get(slug="leisure")
    assert taxonomy.find_category("nope") is None


@pytest.mark.django_db
def test_sync_categories_is_idempotent() -> None:
    assert taxonomy.sync_categories(Category) == 110
    assert Category.objects.count() == 110
