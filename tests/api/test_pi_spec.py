"""Podcast Index endpoints against the upstream spec (Podcastindex-org/docs-api, docs/pi_api.json).

Each test pins one place where Lytt used to differ from the spec: a parameter's range or meaning, a
field's type, or what an error or a miss looks like.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from tests.api.conftest import make_episode

pytestmark = pytest.mark.django_db
Signed = Callable[..., dict[str, str]]


def call(client: Client, path: str, headers: dict[str, str], *, post: bool = False, **params: Any) -> Any:
    if post:
        response = client.post(f"/api/1.0/{path}", data=params, **headers)  # type: ignore[arg-type]
    else:
        response = client.get(f"/api/1.0/{path}", data=params, **headers)  # type: ignore[arg-type]
    return response.status_code, response.json()


def test_feed_value_and_funding_are_null_when_the_feed_has_none(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    feed = call(client, "podcasts/byfeedid", signed(), id=catalogue["valg"].pk)[1]["feed"]
    assert feed["value"] is None
    assert feed["funding"] is None
    found = call(client, "search/byterm", signed(), q="valg")[1]["feeds"][0]
    assert found["value"] is None
    assert found["funding"] is None


def test_episode_soundbite_and_value_are_null_when_absent(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    valg_episode = catalogue["episodes"][3]
    episode = call(client, "episodes/byid", signed(), id=valg_episode.pk)[1]["episode"]
    assert episode["soundbite"] is None
    assert episode["soundbites"] == []
    assert episode["value"] is None
    python_episode = call(client, "episodes/byid", signed(), id=catalogue["episodes"][0].pk)[1]["episode"]
    assert python_episode["value"]["model"]["type"] == "lightning"  # the feed's block


def test_transcript_types_are_the_specs_enum(
    client: Client, catalogue: dict[str, Any], signed: Signed
) -> None:
    episode = make_episode(
        catalogue["python"],
        "Transcribed",
        transcripts=[
            {"url": "https://example.com/t.xml", "type": "application/xml"},
            {"url": "https://example.com/t.srt", "type": "application/x-subrip"},
            {"url": "https://example.com/t.json", "type": "application/json"},
        ],
    )
    item = call(client, "episodes/byid", signed(), id=episode.pk)[1]["episode"]
    assert item["transcripts"] == [
        {"url": "https://example.com/t.srt", "type": "application/srt"},
        {"url": "https://example.com/t.json", "type": "application/json"},
    ]
    assert item["transcriptUrl"] == "https://example.com/t.xml"
