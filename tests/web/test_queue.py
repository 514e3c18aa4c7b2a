"""The website's queue endpoints (lytt.web.queue) and the rows' queue forms: signed out and in, forms without
JavaScript and the JSON answers queue.js reads, CSRF, and bad input named."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lytt import search
from lytt.accounts import listening, services
from lytt.catalog.models import Category, Episode, FeedSource, Show

from .conftest import MakeShow


@pytest.fixture
def show(make_show: MakeShow) -> Show:
    show = make_show("koe", episodes=4)
    FeedSource.objects.create(url="https://feeds.example.org/koe.xml", show=show)
    return show


@pytest.fixture
def ids(show: Show) -> list[int]:
    Episode.objects.filter(show=show, slug="episode-1").update(
        enclosure_url="https://sample.lytt.invalid/audio/tone-a/30.wav"
    )
    return list(Episode.objects.filter(show=show).order_by("slug").values_list("pk", flat=True))


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create_user("kari", "kari@example.org", "a long enough password")


@pytest.fixture
def client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


JSON = {"HTTP_ACCEPT": "application/json"}


def _order(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(item["id"]) for item in response.json()["episodes"]]


def test_signed_out_the_page_frames_the_browsers_queue_and_changes_need_an_account(ids: list[int]) -> None:
    anonymous = Client()
    page = anonymous.get("/me/queue/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "no-cache" in page["Cache-Control"]
    assert "Cookie" in page["Vary"]
    assert b"data-queue-view" in page.content
    assert b"kept in this browser" in page.content
    assert anonymous.get("/me/queue.json").status_code == 403
    refused = anonymous.post("/me/queue/add/", {"episode": ids[0]}, **JSON)
    assert (refused.status_code, refused.json()["error"]["field"]) == (403, "user")
    form = anonymous.post("/me/queue/add/", {"episode": ids[0]})
    assert form.status_code == 302
    assert form["Location"].startswith("/accounts/login/?next=/me/queue/")


def test_forms_change_the_queue_without_javascript(client: Client, user: User, ids: list[int]) -> None:
    a, b, c, _ = ids
    back = client.post("/me/queue/add/", {"episode": a, "where": "last", "next": "/podcast/koe/"})
    assert (back.status_code, back["Location"]) == (302, "/podcast/koe/")
    client.post("/me/queue/add/", {"episode": b, "where": "last"})
    client.post("/me/queue/add/", {"episode": c, "where": "next"})
    assert listening.queue_episode_ids(user) == [c, a, b]
    page = client.get("/me/queue/").content.decode()
    assert page.index("Episode 3 of koe") < page.index("Episode 1 of koe") < page.index("Episode 2 of koe")
    # Move up on every row but the first, move down on every row but the last, remove on all.
    assert page.count('name="to" value="') == 4
    assert page.count('formaction="/me/queue/remove/"') == 3
    offsite = client.post("/me/queue/move/", {"episode": b, "to": "0", "next": "https://evil.example/"})
    assert offsite["Location"] == "/me/queue/"
    assert listening.queue_episode_ids(user) == [b, c, a]
    client.post("/me/queue/remove/", {"episode": c})
    assert listening.queue_episode_ids(user) == [b, a]
    client.post("/me/queue/clear/")
    assert listening.queue_episode_ids(user) == []
    assert "Nothing in the queue" in client.get("/me/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_scripts_get_the_queue_as_the_player_plays_it(client: Client, user: User, ids: list[int]) -> None:
    a, b, c, d = ids
    services.mark_played(user, Episode.objects.get(pk=a), True)
    assert _order(client.post("/me/queue/add/", {"episode": a, "where": "last"}, **JSON)) == [a]
    assert _order(client.post("/me/queue/add/", {"episode": b, "where": "last"}, **JSON)) == [a, b]
    # Play next while the head plays: right after it.
    assert _order(client.post("/me/queue/add/", {"episode": c, "where": "next", "playing": a}, **JSON)) == [
        a,
        c,
        b,
    ]
    assert _order(client.post("/me/queue/move/", {"episode": b, "to": "0"}, **JSON)) == [b, a, c]
    # Scripts name the neighbour the listener saw; it decides over the place while it is queued.
    assert _order(client.post("/me/queue/move/", {"episode": c, "to": "0", "before": a}, **JSON)) == [b, c, a]
    assert _order(client.post("/me/queue/move/", {"episode": c, "to": "0", "after": a}, **JSON)) == [b, a, c]
    # Removing an episode that is not queued (one that ended after playing from a list) is no error.
    assert _order(client.post("/me/queue/remove/", {"episode": d}, **JSON)) == [b, a, c]
    response = client.get("/me/queue.json")
    assert "no-cache" in response["Cache-Control"]
    first, second = response.json()["episodes"][:2]
    assert first["src"] == "https://audio.example/koe/2.mp3"
    assert second == {
        "id": str(a),
        "title": "Episode 1 of koe",
        "show": "Koe",
        "url": "/podcast/koe/episode-1/",
        "src": "/sample/audio/tone-a/30.wav",
        "artwork": "https://img.example/koe.png",
        "duration": 5221,
        "known": {"position": 5221, "at": second["known"]["at"], "finished": True},
    }
    # Apps get the same order, with sample audio they can play (this server's address, not the stored one).
    app = client.get("/api/v1/me/queue").json()["episodes"]
    assert [e["id"] for e in app] == [b, a, c]
    assert app[1]["enclosure_url"] == "http://testserver/sample/audio/tone-a/30.wav"
    assert _order(client.post("/me/queue/carry/", {"episodes": f"{d},{a},{d}"}, **JSON)) == [b, a, c, d]
    assert client.post("/me/queue/clear/", **JSON).json() == {"episodes": []}


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("/me/queue/add/", {"episode": "x"}, "episode"),
        ("/me/queue/add/", {"episode": "1", "where": "first"}, "where"),
        ("/me/queue/add/", {"episode": "999999"}, "episode"),
        ("/me/queue/add/", {"episode": "1", "where": "next", "playing": "-3"}, "playing"),
        ("/me/queue/move/", {"episode": "1", "to": "up"}, "to"),
        ("/me/queue/move/", {"episode": "999999", "to": "0"}, "episode"),
        ("/me/queue/move/", {"episode": "1", "to": "0", "before": "first"}, "before"),
        ("/me/queue/remove/", {}, "episode"),
        ("/me/queue/carry/", {"episodes": "1,two"}, "episodes"),
    ],
)
def test_bad_requests_name_their_field(
    client: Client, ids: list[int], path: str, data: dict[str, str], field: str
) -> None:
    if data.get("episode") == "1":
        data = {**data, "episode": str(ids[0])}
    response = client.post(path, data, **JSON)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert field in response.json()["error"]["message"] or "episode" in response.json()["error"]["message"]


def test_changes_need_the_csrf_token(user: User, ids: list[int]) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post("/me/queue/add/", {"episode": ids[0]}, **JSON).status_code == 403
    assert listening.queue_episode_ids(user) == []
    assert strict.get("/me/queue.json").status_code == 200


def test_signed_in_rows_get_queue_forms_and_signed_out_rows_none(
    client: Client, show: Show, ids: list[int]
) -> None:
    mine = client.get("/podcast/koe/").content.decode()
    assert mine.count('class="queue-form"') == 4
    assert mine.count('name="where" value="next"') == mine.count('name="where" value="last"') == 4
    theirs = Client().get("/podcast/koe/").content.decode()
    assert "queue-form" not in theirs
    # The site's header leads to the queue for everyone.
    assert 'href="/me/queue/"' in theirs
    assert 'href="/me/queue/"' in mine


def test_every_list_of_a_signed_in_page_offers_the_queue(
    make_show: MakeShow, news: Category, user: User, client: Client
) -> None:
    show = make_show("lister", episodes=2, category=news)
    FeedSource.objects.create(url="https://feeds.example.org/lister.xml", show=show)
    episode = show.episodes.get(slug="episode-2")
    services.follow_show(user, show)
    services.mark_played(user, episode, False)  # a history entry
    search.rebuild()
    form = f'<input type="hidden" name="episode" value="{episode.pk}"><button type="submit" name="where"'
    for path in (
        "/",
        "/podcast/lister/",
        "/podcast/lister/episode-1/",
        f"/category/{news.slug}/",
        "/search/?q=lister",
        "/me/shows/",
        "/me/history/",
    ):
        assert form in client.get(path).content.decode(), path
