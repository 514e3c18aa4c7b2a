"""Listener fixtures shared by the accounts and sync tests: users, and catalogue shows with episodes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from lytt.catalog.models import Episode, FeedSource, Show

PASSWORD = "correct horse battery staple"


def change_password(client: Client, new: str) -> HttpResponse:
    """A signed-in listener changes their password (from PASSWORD) on the website's form."""
    response: HttpResponse = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    return response


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(name: str = "kari") -> User:
        return User.objects.create_user(name, f"{name}@example.org", PASSWORD)

    return make


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user("kari")


@pytest.fixture
def make_show(db: None) -> Callable[..., Show]:
    def make(slug: str = "show", episodes: int = 2, feed_url: str | None = None) -> Show:
        show = Show.objects.create(slug=slug, title=f"Show {slug}")
        FeedSource.objects.create(url=feed_url or f"https://feeds.example.org/{slug}.xml", show=show)
        base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        for n in range(episodes):
            Episode.objects.create(
                show=show,
                slug=f"ep-{n}",
                match_key=f"{slug}-{n}",
                guid=f"guid-{slug}-{n}",
                title=f"Episode {n} of {slug}",
                published_at=base + dt.timedelta(days=n),
                duration_seconds=3600,
                enclosure_url=f"https://media.example.org/{slug}/{n}.mp3",
            )
        return show

    return make


@pytest.fixture
def show(make_show: Callable[..., Show]) -> Show:
    return make_show("dagens")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """PBKDF2 at full strength costs ~0.3 s per check; tests check passwords hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
