"""The real gpodder.net client library (mygpoclient) against a live Lytt server on loopback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from mygpoclient import api, public
from mygpoclient.http import Unauthorized

from lytt.accounts.models import PlayProgress
from lytt.catalog.models import Show

from .conftest import PASSWORD

FEED = "https://feeds.example.org/dagens.xml"
MEDIA = "https://media.example.org/dagens/0.mp3"


@pytest.fixture
def client_for(live_server: Any, user: User) -> Callable[..., api.MygPodderClient]:
    def make(username: str = "kari", password: str = PASSWORD) -> api.MygPodderClient:
        return api.MygPodderClient(username, password, root_url=live_server.url)

    return make


def test_devices_and_subscriptions_round_trip(
    client_for: Callable[..., api.MygPodderClient], user: User, show: Show
) -> None:
    gpo = client_for()
    assert gpo.update_device_settings("gpodder-laptop", caption="gPodder on laptop", type="laptop")
    devices = gpo.get_devices()
    assert [(d.device_id, d.caption, d.type) for d in devices] == [
        ("gpodder-laptop", "gPodder on laptop", "laptop")
    ]

    result = gpo.update_subscriptions("gpodder-laptop", [FEED, "https://unknown.example.org/feed"], [])
    assert result.update_urls == []
    assert isinstance(result.since, int)

    changes = gpo.pull_subscriptions("other-phone", 0)
    assert sorted(changes.add) == sorted([FEED, "https://unknown.example.org/feed"])
    assert changes.remove == []

    # The simple API sees the same list.
    assert sorted(gpo.get_subscriptions("gpodder-laptop")) == sorted(
        [FEED, "https://unknown.example.org/feed"]
    )
    assert gpo.put_subscriptions("gpodder-laptop", [FEED])

    later = gpo.pull_subscriptions("other-phone", changes.since)
    assert later.remove == ["https://unknown.example.org/feed"]

    # The website shows the follow.
    web = Client()
    web.force_login(user)
    assert show.title in web.get("/me/shows/").content.decode()


def test_episode_actions_round_trip(
    client_for: Callable[..., api.MygPodderClient], user: User, show: Show
) -> None:
    gpo = client_for()
    actions = [
        api.EpisodeAction(FEED, MEDIA, "download", device="phone", timestamp="2026-05-01T09:00:00"),
        api.EpisodeAction(
            FEED,
            MEDIA,
            "play",
            device="phone",
            timestamp="2026-05-01T10:00:00",
            started=0,
            position=1200,
            total=3600,
        ),
        api.EpisodeAction("https://x.example.org/f", "https://x.example.org/1.mp3", "new"),
    ]
    since = gpo.upload_episode_actions(actions)
    assert isinstance(since, int)

    changes = gpo.download_episode_actions(0)
    got = {(a.episode, a.action): a for a in changes.actions}
    play = got[(MEDIA, "play")]
    assert (play.podcast, play.device, play.timestamp) == (FEED, "phone", "2026-05-01T10:00:00")
    assert (play.started, play.position, play.total) == (0, 1200, 3600)
    assert got[(MEDIA, "download")].position is None
    assert ("https://x.example.org/1.mp3", "new") in got
    assert [a.action for a in gpo.download_episode_actions(0, device_id="phone").actions] == [
        "download",
        "play",
    ]
    assert len(gpo.download_episode_actions(0, podcast=FEED).actions) == 2

    # Position reaches the website's "Continue listening".
    assert PlayProgress.objects.get(user=user).position == 1200
    web = Client()
    web.force_login(user)
    assert "Episode 0 of dagens" in web.get("/me/continue/").content.decode()


def test_settings_round_trip(client_for: Callable[..., api.MygPodderClient]) -> None:
    gpo = client_for()
    assert gpo.set_settings("account", None, None, {"theme": "dark"}, []) == {"theme": "dark"}
    assert gpo.get_settings("account") == {"theme": "dark"}


def test_user_name_in_another_case(client_for: Callable[..., api.MygPodderClient], user: User) -> None:
    gpo = client_for("KARI")
    assert gpo.update_device_settings("phone", caption="Phone", type="mobile")
    assert [d.device_id for d in gpo.get_devices()] == ["phone"]


def test_wrong_password_raises_unauthorized(client_for: Callable[..., api.MygPodderClient]) -> None:
    with pytest.raises(Unauthorized):
        client_for(password="wrong").get_devices()


def test_public_directory(live_server: Any, show: Show) -> None:
    directory = public.PublicClient(root_url=live_server.url)
    toplist = directory.get_toplist(10)
    assert [p.url for p in toplist] == [FEED]
    assert toplist[0].title == "Show dagens"
    data = directory.get_podcast_data(FEED)
    assert data.title == "Show dagens"


def test_public_directory_search_tags_episode(live_server: Any, show: Show) -> None:
    from lytt.catalog.models import Category, ShowCategory
    from lytt.search import rebuild

    news, _ = Category.objects.get_or_create(
        slug="news", defaults={"apple_name": "News", "name_en": "News", "name_nb": "Nyheter"}
    )
    ShowCategory.objects.create(show=show, category=news)
    rebuild()
    directory = public.PublicClient(root_url=live_server.url)
    assert [p.url for p in directory.search_podcasts("dagens")] == [FEED]
    assert [(t.tag, t.usage) for t in directory.get_toptags(5)] == [("news", 1)]
    assert [p.url for p in directory.get_podcasts_of_a_tag("news", 5)] == [FEED]
    episode = directory.get_episode_data(FEED, MEDIA)
    assert (episode.title, episode.podcast_url) == ("Episode 0 of dagens", FEED)


def test_suggestions_for_a_signed_in_listener(
    client_for: Callable[..., api.MygPodderClient], make_show: Callable[..., Show], show: Show
) -> None:
    other = make_show("other")
    gpo = client_for()
    gpo.update_subscriptions("laptop", [FEED], [])
    suggested = gpo.get_suggestions(5)
    assert [p.url for p in suggested] == ["https://feeds.example.org/other.xml"]
    assert suggested[0].title == other.title
