"""Fixtures for the API tests: a small real catalogue, signed Podcast Index headers, a clean cache."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.text import slugify

from lytt.api.keys import create_key, signature
from lytt.catalog.models import (
    Category,
    Episode,
    EpisodePerson,
    FeedSource,
    Person,
    Show,
    ShowCategory,
    ShowPerson,
)
from lytt.search import rebuild

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings: Any) -> Iterator[None]:
    settings.LYTT_API_ANON_PER_MINUTE = 100_000
    cache.clear()
    yield
    cache.clear()


def call(client: Client, path: str, headers: dict[str, str], *, post: bool = False, **params: Any) -> Any:
    """(status, JSON body) of a Podcast Index endpoint, asked with GET or with a POST form body."""
    if post:
        response = client.post(f"/api/1.0/{path}", data=params, **headers)  # type: ignore[arg-type]
    else:
        response = client.get(f"/api/1.0/{path}", data=params, **headers)  # type: ignore[arg-type]
    return response.status_code, response.json()


def make_show(title: str, **fields: Any) -> Show:
    n = next(_counter)
    categories: list[Category] = fields.pop("categories", [])
    people: list[str] = fields.pop("people", [])
    feed_url: str | None = fields.pop("feed_url", None)
    show = Show.objects.create(slug=f"{slugify(title)[:100]}-{n}", title=title, **fields)
    for position, category in enumerate(categories):
        ShowCategory.objects.create(show=show, category=category, position=position)
    for name in people:
        person, _ = Person.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        ShowPerson.objects.create(show=show, person=person)
    if feed_url:
        FeedSource.objects.create(url=feed_url, show=show, status=FeedSource.Status.ACTIVE)
    return show


def make_episode(show: Show, title: str, **fields: Any) -> Episode:
    n = next(_counter)
    people: list[tuple[str, str]] = fields.pop("people", [])
    fields.setdefault("published_at", timezone.now() - timedelta(days=n))
    fields.setdefault("guid", f"guid-{n}")
    episode = Episode.objects.create(
        show=show, slug=f"{slugify(title)[:100]}-{n}", match_key=f"k{n}", title=title, **fields
    )
    for name, role in people:
        person, _ = Person.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        EpisodePerson.objects.create(episode=episode, person=person, role=role)
    return episode


def _category(slug: str, apple_name: str, name_nb: str, parent: Category | None = None) -> Category:
    category, _ = Category.objects.get_or_create(
        slug=slug,
        defaults={"apple_name": apple_name, "name_en": apple_name, "name_nb": name_nb, "parent": parent},
    )
    return category


@pytest.fixture
def catalogue(db: None) -> dict[str, Any]:
    # Apple's taxonomy is loaded by the catalogue's migration; transactional tests (live server) flush it.
    news = _category("news", "News", "Nyheter")
    politics = _category("news-politics", "Politics", "Politikk", parent=news)
    society = _category("society-culture", "Society & Culture", "Samfunn og kultur")
    python = make_show(
        "Talk Python To Me",
        author="Michael Kennedy",
        owner_name="Talk Python",
        language="en-us",
        description_text="A podcast about Python.",
        image_url="https://example.com/python.png",
        podcast_guid="9b024349-ccf0-5f69-a609-6b82873eab3c",
        feed_url="https://example.com/python.xml",
        categories=[society],
        episode_count=3,
        latest_episode_at=timezone.now() - timedelta(days=1),
        funding=[{"url": "https://example.com/support", "text": "Support us"}],
        extra={
            "value": {
                "type": "lightning",
                "method": "keysend",
                "suggested": "0.00000005",
                "recipients": [{"name": "host", "type": "node", "address": "abc", "split": 100}],
            }
        },
    )
    valg = make_show(
        "Valgkamp",
        author="NRK",
        language="nb",
        description_text="Politikk og valg.",
        feed_url="https://example.com/valg.xml",
        categories=[politics],
        explicit=True,
        latest_episode_at=timezone.now() - timedelta(days=20),
    )
    hidden = make_show("Hidden python show", hidden=True, feed_url="https://example.com/hidden.xml")
    # Dated as the shows' `latest_episode_at` says: ingest keeps the two in step, the newest lists rely on it.
    day = timedelta(days=1)
    episodes = [
        make_episode(
            python,
            "Python packaging",
            published_at=python.latest_episode_at,
            description_text="Wheels and pip.",
            description_html="<p>Wheels and pip.</p>",
            people=[("Brett Cannon", "guest")],
            enclosure_url="https://example.com/1.mp3",
            enclosure_type="audio/mpeg",
            duration_seconds=3600,
            transcripts=[
                {"url": "https://example.com/1.vtt", "type": "text/vtt", "language": "en", "rel": None}
            ],
            soundbites=[{"start_seconds": 10, "duration_seconds": 30.5, "title": "Best bit"}],
        ),
        make_episode(
            python,
            "Django at scale",
            description_text="Databases.",
            published_at=python.latest_episode_at - day,
        ),
        make_episode(python, "Undated episode", published_at=None),
        make_episode(
            valg,
            "Partilederdebatten",
            description_text="Debatt om skatt.",
            published_at=valg.latest_episode_at,
        ),
    ]
    make_episode(hidden, "Secret python")
    rebuild()
    return {"python": python, "valg": valg, "hidden": hidden, "episodes": episodes, "news": news}


@pytest.fixture
def api_credentials(db: None) -> tuple[str, str]:
    api_key, secret = create_key("test app")
    return api_key.key, secret


def signed_headers(
    key: str, secret: str, *, date: str | None = None, agent: str = "LyttTests/1.0"
) -> dict[str, str]:
    sent = date if date is not None else str(int(time.time()))
    return {
        "HTTP_USER_AGENT": agent,
        "HTTP_X_AUTH_KEY": key,
        "HTTP_X_AUTH_DATE": sent,
        "HTTP_AUTHORIZATION": signature(key, secret, sent),
    }


@pytest.fixture
def signed(api_credentials: tuple[str, str]) -> Callable[..., dict[str, str]]:
    def make(**kwargs: Any) -> dict[str, str]:
        return signed_headers(*api_credentials, **kwargs)

    return make
