"""Catalogue factories for the search tests (real rows in the test database)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django.utils.text import slugify

from lytt.catalog.models import Category, Episode, EpisodePerson, Person, Show, ShowCategory, ShowPerson

_counter = itertools.count(1)


def make_show(title: str, **fields: Any) -> Show:
    n = next(_counter)
    categories: list[Category] = fields.pop("categories", [])
    people: list[str] = fields.pop("people", [])
    show = Show.objects.create(slug=f"{slugify(title)[:100]}-{n}", title=title, **fields)
    for position, category in enumerate(categories):
        ShowCategory.objects.create(show=show, category=category, position=position)
    for name in people:
        person, _ = Person.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        ShowPerson.objects.create(show=show, person=person)
    return show


def make_episode(show: Show, title: str, **fields: Any) -> Episode:
    n = next(_counter)
    people: list[str] = fields.pop("people", [])
    fields.setdefault("published_at", timezone.now() - timedelta(days=1))
    episode = Episode.objects.create(
        show=show,
        slug=f"{slugify(title)[:100]}-{n}",
        match_key=f"k{n}",
        guid=f"guid-{n}",
        title=title,
        **fields,
    )
    for name in people:
        person, _ = Person.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        EpisodePerson.objects.create(episode=episode, person=person)
    return episode


def category(slug: str) -> Category:
    """A category of Apple's taxonomy, which the catalogue's migration loads."""
    return Category.objects.get(slug=slug)


@pytest.fixture
def factories() -> dict[str, Callable[..., Any]]:
    return {"show": make_show, "episode": make_episode, "category": category}


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)
