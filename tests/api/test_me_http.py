"""/api/v1/me/ over real HTTP (a live server on loopback), as an app or script would call it with httpx.

A position an app uploads through the gpodder.net API (with mygpoclient, the reference client) is what
/me/progress reports; the queue round-trips; the token travels only in the Authorization header.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from mygpoclient import api
from tests.api.conftest import make_episode, make_show
from tests.listeners import PASSWORD, _fast_password_hashing  # noqa: F401 (fixture)

from lytt.accounts.tokens import create_token
from lytt.catalog.models import Episode, Show

FEED = "https://feeds.example.org/dagens.xml"
MEDIA = "https://media.example.org/dagens/0.mp3"


@pytest.fixture
def dagens(transactional_db: None) -> Show:
    show = make_show("Dagens", feed_url=FEED)
    for n in range(2):
        make_episode(
            show, f"Dagens {n}", duration_seconds=3600, enclosure_url=MEDIA.replace("0.mp3", f"{n}.mp3")
        )
    return show


@pytest.fixture
def me(live_server: Any, transactional_db: None) -> httpx.Client:
    user = User.objects.create_user("kari", "kari@example.org", PASSWORD)
    token = create_token(user, "httpx")[1]
    return httpx.Client(
        base_url=f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {token}"}
    )


def test_a_position_uploaded_by_an_app_is_the_listeners_progress(
    live_server: Any, me: httpx.Client, dagens: Show
) -> None:
    gpo = api.MygPodderClient("kari", PASSWORD, root_url=live_server.url)
    play = api.EpisodeAction(
        FEED,
        MEDIA,
        "play",
        device="phone",
        timestamp="2026-05-01T10:00:00",
        started=0,
        position=1200,
        total=3600,
    )
    gpo.upload_episode_actions([play])
    response = me.get("progress")
    assert response.status_code == 200
    episode = Episode.objects.get(enclosure_url=MEDIA)
    [item] = response.json()["items"]
    assert (item["episode_id"], item["position"], item["total"]) == (episode.pk, 1200, 3600)
    assert item["updated_at"].startswith("2026-05-01T10:00:00")


def test_queue_round_trip_and_errors_over_http(me: httpx.Client, dagens: Show) -> None:
    first, second = Episode.objects.filter(show=dagens).order_by("pk")
    assert me.post("queue", json={"episode": first.pk}).status_code == 200
    response = me.post("queue", json={"episode": second.pk, "position": "next"})
    assert [e["id"] for e in response.json()["episodes"]] == [second.pk, first.pk]
    response = me.put("queue", json={"episodes": [first.pk, 424242]})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "bad_request",
        "message": "no episode with id 424242",
        "field": "episodes",
    }
    response = me.put("queue", content=b'{"episodes": [1,', headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422)
    assert response.json()["error"]["message"]
    assert me.delete(f"queue/{second.pk}").status_code == 204
    assert [e["id"] for e in me.get("queue").json()["episodes"]] == [first.pk]


def test_without_a_token_the_server_challenges(live_server: Any, dagens: Show) -> None:
    response = httpx.get(f"{live_server.url}/api/v1/me/queue")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Lytt"'
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.postgres_only
def test_concurrent_additions_from_many_devices_keep_the_queue_whole(
    live_server: Any, me: httpx.Client, dagens: Show
) -> None:
    """Twelve devices add at once: every episode is queued once, at dense positions, none lost.

    PostgreSQL only: there the row lock is what serialises the writers. SQLite has one writer anyway (and
    the test's in-memory database is one connection shared by the live server's threads, which cannot run
    statements side by side).
    """
    from concurrent.futures import ThreadPoolExecutor

    from lytt.accounts.models import QueueEntry

    episodes = [make_episode(dagens, f"Burst {n}").pk for n in range(12)]
    headers = dict(me.headers)

    def add(episode_id: int) -> int:
        with httpx.Client(base_url=str(me.base_url), headers=headers, timeout=30) as device:
            return device.post("queue", json={"episode": episode_id, "position": "last"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(add, episodes))
    assert statuses == [200] * len(episodes)
    rows = list(QueueEntry.objects.order_by("position").values_list("position", "episode_id"))
    assert [position for position, _ in rows] == list(range(len(episodes)))
    assert sorted(episode for _, episode in rows) == sorted(episodes)
