"""Fixtures for the sync tests: the listener fixtures (tests/listeners.py) and an HTTP Basic API caller."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from tests.listeners import (  # noqa: F401 (fixtures)
    PASSWORD,
    _fast_password_hashing,
    make_show,
    make_user,
    show,
    user,
)


def basic(username: str, password: str = PASSWORD) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api(user: User) -> Callable[..., object]:  # noqa: F811 (the fixture, by name)
    """Call the API as `user` with HTTP Basic: api(method, path, json_body=None, **extra)."""
    import json as jsonlib

    from django.test import Client

    client = Client()

    def call(method: str, path: str, body: object = None, auth: str | None = None, **extra: object) -> object:
        data = body if isinstance(body, bytes | str) else (jsonlib.dumps(body) if body is not None else "")
        return client.generic(
            method,
            path,
            data=data,
            content_type="application/x-www-form-urlencoded",
            HTTP_AUTHORIZATION=auth or basic(user.username),
            **extra,
        )

    return call
