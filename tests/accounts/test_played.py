"""Marking episodes played and unplayed by hand, Continue listening, and positions for a page of episodes:
the services, the /me/played/ endpoint, and what apps download through the gpodder.net API."""

from __future__ import annotations

import base64
import datetime as dt

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lytt.accounts import services
from lytt.accounts.models import EpisodeAction, PlayProgress
from lytt.catalog.models import Show

FEED = "https://feeds.example.org/dagens.xml"


def _apps_view(user: User) -> list[dict[str, object]]:
    """The episode actions an app downloads (gpodder.net API, HTTP Basic)."""
    from tests.listeners import PASSWORD

    token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    response = Client().get("/api/2/episodes/kari.json?since=0", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 200
    return list(response.json()["actions"])


def test_marked_played_is_a_play_action_at_the_end_and_unplayed_a_new_action(user: User, show: Show) -> None:
    episode = show.episodes.get(slug="ep-0")
    progress = services.mark_played(user, episode, True)
    assert (progress.position, progress.total, progress.finished) == (3600, 3600, True)
    played = _apps_view(user)
    assert [(a["action"], a.get("started"), a.get("position"), a.get("total")) for a in played] == [
        ("play", 3600, 3600, 3600)
    ]
    assert played[0]["podcast"] == FEED
    assert played[0]["episode"] == episode.enclosure_url

    progress = services.mark_played(user, episode, False)
    assert (progress.position, progress.finished) == (0, False)
    actions = _apps_view(user)
    assert [a["action"] for a in actions] == ["play", "new"]
    assert not {"started", "position", "total"} & set(actions[1])  # mygpoclient refuses them on `new`


def test_marking_by_hand_wins_over_a_newer_position_from_before(user: User, show: Show) -> None:
    episode = show.episodes.get(slug="ep-0")
    soon = timezone.now() + dt.timedelta(minutes=1)  # an app whose clock runs a little ahead
    services.record_actions(user, [_play(episode.enclosure_url, 600, soon)], timezone.now())
    services.mark_played(user, episode, True)
    assert PlayProgress.objects.get(user=user, episode=episode).finished


def test_played_without_a_known_length_stays_on_the_website(user: User, show: Show) -> None:
    episode = show.episodes.get(slug="ep-1")
    episode.duration_seconds = None
    episode.save()
    progress = services.mark_played(user, episode, True)
    assert (progress.position, progress.finished) == (0, True)
    assert not EpisodeAction.objects.filter(user=user).exists()  # no end to name to apps
    assert services.mark_played(user, episode, False).finished is False
    assert list(EpisodeAction.objects.filter(user=user).values_list("action", flat=True)) == ["new"]


def _play(url: str, position: int, when: dt.datetime, action: str = "play") -> services.NewAction:
    seconds = {"started": 0, "position": position, "total": 3600} if action == "play" else {}
    return services.NewAction(podcast_url=FEED, episode_url=url, action=action, timestamp=when, **seconds)


def test_an_apps_new_action_sends_the_episode_back_to_the_start(user: User, show: Show) -> None:
    episode = show.episodes.get(slug="ep-0")
    t0 = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
    services.record_actions(user, [_play(episode.enclosure_url, 3500, t0)], timezone.now())
    assert PlayProgress.objects.get(user=user, episode=episode).finished
    older = _play(episode.enclosure_url, 0, t0 - dt.timedelta(hours=1), action="new")
    services.record_actions(user, [older], timezone.now())
    assert PlayProgress.objects.get(user=user, episode=episode).finished  # an older mark changes nothing
    services.record_actions(
        user, [_play(episode.enclosure_url, 0, t0 + dt.timedelta(hours=1), action="new")], timezone.now()
    )
    progress = PlayProgress.objects.get(user=user, episode=episode)
    assert (progress.position, progress.finished) == (0, False)


def test_continue_listening_is_started_and_unfinished_newest_first(user: User, make_show: object) -> None:
    show = make_show("lang", episodes=5)  # type: ignore[operator]
    episodes = list(show.episodes.order_by("slug"))
    now = timezone.now()
    for n, (episode, position) in enumerate(zip(episodes, [100, 0, 3599, 200, 300], strict=True)):
        services.record_web_progress(
            user, episode, position, 3600, 0, now - dt.timedelta(minutes=10 - n), deliberate=True
        )
    other = User.objects.create_user("ola", password="x" * 20)
    services.record_web_progress(other, episodes[1], 500, 3600, 0, now)
    listed = services.continue_listening(user, 10)
    assert [p.episode.slug for p in listed] == ["ep-4", "ep-3", "ep-0"]  # not ep-1 (0 s), not ep-2 (done)
    assert [p.episode.slug for p in services.continue_listening(user, 2)] == ["ep-4", "ep-3"]


def test_positions_for_a_page_of_episodes_is_one_query(user: User, make_show: object) -> None:
    show = make_show("side", episodes=4)  # type: ignore[operator]
    episodes = list(show.episodes.order_by("slug"))
    services.record_web_progress(user, episodes[0], 120, 3600, 0)
    services.mark_played(user, episodes[2], True)
    with CaptureQueriesContext(connection) as queries:
        found = services.positions_for(user, [e.pk for e in episodes])
    assert len(queries) == 1
    assert {episodes[0].pk: (120, False), episodes[2].pk: (3600, True)} == {
        k: (v.position, v.finished) for k, v in found.items()
    }
    assert services.positions_for(user, []) == {}


def test_positions_for_gives_what_the_stored_rows_hold(user: User, make_show: object) -> None:
    """The plain read gives the ORM's values: aware UTC timestamps and booleans, on either backend."""
    show = make_show("side", episodes=3)  # type: ignore[operator]
    episodes = list(show.episodes.order_by("slug"))
    services.record_web_progress(user, episodes[0], 120, 3600, 0)
    services.mark_played(user, episodes[1], True)
    found = services.positions_for(user, [e.pk for e in episodes])
    stored = {
        row.episode_id: (row.position, row.total, row.finished, row.timestamp)
        for row in PlayProgress.objects.filter(user=user)
    }
    assert {k: tuple(v) for k, v in found.items()} == stored
    assert all(v.timestamp.utcoffset() == dt.timedelta(0) for v in found.values())
    assert {type(v.finished) for v in found.values()} == {bool}
    other = User.objects.create_user("ola", password="x" * 20)
    assert services.positions_for(other, [e.pk for e in episodes]) == {}


def test_is_following_is_the_listeners_own_follow(user: User, make_show: object) -> None:
    followed, other = make_show("side", episodes=1), make_show("other", episodes=1)  # type: ignore[operator]
    services.follow_show(user, followed)
    assert services.is_following(user, followed.pk)
    assert not services.is_following(user, other.pk)
    assert not services.is_following(User.objects.create_user("ola", password="x" * 20), followed.pk)


def test_page_state_reads_follows_and_positions_in_one_statement(user: User, make_show: object) -> None:
    followed, other = make_show("side", episodes=3), make_show("other", episodes=2)  # type: ignore[operator]
    services.follow_show(user, followed)
    episodes = list(followed.episodes.order_by("slug")) + list(other.episodes.order_by("slug"))
    services.record_web_progress(user, episodes[0], 120, 3600, 0)
    services.mark_played(user, episodes[4], True)
    with CaptureQueriesContext(connection) as queries:
        shows, positions = services.page_state(user, [followed.pk, other.pk], [e.pk for e in episodes])
    assert len(queries) == 1
    assert shows == {followed.pk}
    assert {k: (v.position, v.finished) for k, v in positions.items()} == {
        episodes[0].pk: (120, False),
        episodes[4].pk: (3600, True),
    }
    assert positions == services.positions_for(user, [e.pk for e in episodes])
    assert services.page_state(user, [followed.pk], []) == ({followed.pk}, {})
    assert services.page_state(user, [], [episodes[4].pk])[0] == set()
    with CaptureQueriesContext(connection) as queries:
        assert services.page_state(user, [], []) == (set(), {})
    assert not queries


def test_continue_listening_reads_its_rows_in_index_order_and_only_what_it_lists(
    user: User, make_show: object
) -> None:
    show = make_show("lang", episodes=2)  # type: ignore[operator]
    for episode in show.episodes.all():
        services.record_web_progress(user, episode, 100, 3600, 0)
    with CaptureQueriesContext(connection) as queries:
        listed = services.continue_listening(user, 10)
        [(p.episode.title, p.episode.show.slug, p.episode.show.image_url) for p in listed]
    assert len(queries) == 1
    assert "NOT " not in queries[0]["sql"]  # `NOT finished` keeps SQLite off the progress_recent index
    assert "description_html" not in queries[0]["sql"]


def _signed_in(user: User) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("accounts:my_shows"))
    return client, str(client.cookies["csrftoken"].value)


def test_played_endpoint_needs_the_csrf_token_and_goes_back(user: User, show: Show) -> None:
    episode = show.episodes.get(slug="ep-0")
    client, token = _signed_in(user)
    form = {"episode": str(episode.pk), "played": "1", "next": "/podcast/dagens/"}
    assert client.post(reverse("accounts:played"), form).status_code == 403  # no token
    response = client.post(reverse("accounts:played"), {**form, "csrfmiddlewaretoken": token})
    assert (response.status_code, response["Location"]) == (302, "/podcast/dagens/")
    assert PlayProgress.objects.get(user=user, episode=episode).finished
    answer = client.post(
        reverse("accounts:played"),
        {"episode": str(episode.pk), "played": "0"},
        HTTP_X_CSRFTOKEN=token,
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 200
    data = answer.json()
    assert (data["episode"], data["position"], data["finished"]) == (episode.pk, 0, False)
    assert dt.datetime.fromisoformat(data["at"]) <= timezone.now()


def test_played_endpoint_refuses_bad_input_and_strangers(user: User, show: Show) -> None:
    client, token = _signed_in(user)
    post = {"HTTP_X_CSRFTOKEN": token, "HTTP_ACCEPT": "application/json"}
    url = reverse("accounts:played")
    bad = client.post(url, {"episode": "x", "played": "1"}, **post)
    assert bad.status_code == 400
    assert "'episode'" in bad.json()["error"]
    assert client.post(url, {"episode": "1", "played": "yes"}, **post).status_code == 400
    assert client.post(url, {"episode": "999999", "played": "1"}, **post).status_code == 404
    assert client.get(url).status_code == 405
    anonymous = Client()
    away = anonymous.post(url, {"episode": "1", "played": "1", "next": "/podcast/dagens/"})
    assert away.status_code == 302
    assert away["Location"].startswith(reverse("accounts:login"))
    assert anonymous.post(url, {"episode": "1"}, HTTP_ACCEPT="application/json").status_code == 403
    assert not PlayProgress.objects.exists()
