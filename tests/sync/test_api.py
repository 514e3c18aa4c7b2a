"""The gpodder.net API endpoint by endpoint: behaviour, auth, ownership and error paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lytt.accounts.models import (
    ClientSetting,
    Device,
    EpisodeAction,
    Follow,
    PlayProgress,
    Subscription,
    SubscriptionChange,
)
from lytt.accounts.services import follow_show
from lytt.catalog.models import FeedSource, Show

from .conftest import basic

pytestmark = pytest.mark.django_db

Api = Callable[..., Any]
FEED = "https://feeds.example.org/dagens.xml"
MEDIA = "https://media.example.org/dagens/0.mp3"


def test_unauthenticated_gets_basic_challenge(user: User) -> None:
    response = Client().get("/api/2/devices/kari.json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="')


def test_wrong_password_is_401(api: Api) -> None:
    response = api("GET", "/api/2/devices/kari.json", auth=basic("kari", "nope"))
    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_failed_basic_logins_are_rate_limited(api: Api) -> None:
    from lytt.accounts import ratelimit

    for _ in range(ratelimit.MAX_FAILURES_PER_USERNAME):
        assert api("GET", "/api/2/devices/kari.json", auth=basic("kari", "nope")).status_code == 401
    response = api("GET", "/api/2/devices/kari.json")
    assert response.status_code == 429
    assert "too many failed logins" in response.json()["error"]


def test_login_sets_session_cookie_used_later(user: User) -> None:
    client = Client()
    response = client.post("/api/2/auth/kari/login.json", HTTP_AUTHORIZATION=basic("kari"))
    assert response.status_code == 200
    assert response.content == b""
    assert "sessionid" in response.cookies
    assert client.get("/api/2/devices/kari.json").status_code == 200  # cookie only
    assert client.post("/api/2/auth/kari/logout.json").status_code == 200
    assert client.get("/api/2/devices/kari.json").status_code == 401


def test_basic_auth_ignores_case_of_the_user_name(user: User) -> None:
    client = Client()
    # AntennaPod and gPodder put the name as typed into the path too.
    response = client.post("/api/2/auth/Kari/login.json", HTTP_AUTHORIZATION=basic("KARI"))
    assert response.status_code == 200
    assert client.get("/api/2/devices/kari.json").status_code == 200  # the cookie, the stored spelling
    assert client.get("/api/2/devices/KARI.json").status_code == 200
    # Sent again (AntennaPod sends Basic on every call): the remembered credentials serve it.
    again = Client().get("/api/2/devices/kari.json", HTTP_AUTHORIZATION=basic("KARI"))
    assert again.status_code == 200
    assert (
        Client().get("/api/2/devices/kari.json", HTTP_AUTHORIZATION=basic("KARI", "nope")).status_code == 401
    )


def test_login_without_credentials_is_401(user: User) -> None:
    assert Client().post("/api/2/auth/kari/login.json").status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/2/auth/other/login.json"),
        ("GET", "/api/2/devices/other.json"),
        ("POST", "/api/2/devices/other/phone.json"),
        ("GET", "/subscriptions/other/phone.opml"),
        ("PUT", "/subscriptions/other/phone.txt"),
        ("GET", "/subscriptions/other.json"),
        ("GET", "/api/2/subscriptions/other/phone.json"),
        ("POST", "/api/2/subscriptions/other/phone.json"),
        ("GET", "/api/2/episodes/other.json"),
        ("POST", "/api/2/episodes/other.json"),
        ("GET", "/api/2/settings/other/account.json"),
        ("POST", "/api/2/settings/other/account.json"),
        ("GET", "/api/2/sync-devices/other.json"),
        ("GET", "/api/2/updates/other/phone.json"),
    ],
)
def test_other_users_data_is_refused(
    api: Api, make_user: Callable[..., User], make_show: Callable[..., Show], method: str, path: str
) -> None:
    other = make_user("other")
    show = make_show("theirs")
    follow_show(other, show)
    Device.objects.create(user=other, device_id="phone")
    before = (Subscription.objects.count(), EpisodeAction.objects.count(), Device.objects.count())
    body = {"add": ["https://evil.example/f"], "remove": []} if "subscriptions/" in path else []
    response = api(method, path, body)
    assert response.status_code == 403
    assert "your own data" in response.json()["error"]
    after = (Subscription.objects.count(), EpisodeAction.objects.count(), Device.objects.count())
    assert before == after


def test_devices_update_and_list(api: Api) -> None:
    response = api("POST", "/api/2/devices/kari/gpodder_abc.json", {"caption": "Laptop", "type": "laptop"})
    assert response.status_code == 200
    assert response.content == b""
    api("POST", "/api/2/devices/kari/phone-2.json", {})
    response = api("GET", "/api/2/devices/kari.json")
    assert response.json() == [
        {"id": "gpodder_abc", "caption": "Laptop", "type": "laptop", "subscriptions": 0},
        {"id": "phone-2", "caption": "", "type": "other", "subscriptions": 0},
    ]
    # Partial update keeps the other field.
    api("POST", "/api/2/devices/kari/gpodder_abc.json", {"type": "desktop"})
    device = Device.objects.get(device_id="gpodder_abc")
    assert (device.caption, device.type) == ("Laptop", "desktop")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('{"type": "toaster"}', "invalid device type"),
        ('{"caption": ""}', "caption"),
        ("{nope", "not valid JSON"),
        ("[1]", "JSON object"),
    ],
)
def test_device_update_rejects_bad_input(api: Api, body: str, fragment: str) -> None:
    response = api("POST", "/api/2/devices/kari/phone.json", body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert not Device.objects.exists()


def test_v2_subscriptions_upload_and_download(api: Api, show: Show) -> None:
    response = api(
        "POST",
        "/api/2/subscriptions/kari/phone.json",
        {"add": [FEED, " https://new.example.org/feed.rss", "gopher://x"], "remove": []},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["update_urls"] == [
        [" https://new.example.org/feed.rss", "https://new.example.org/feed.rss"],
        ["gopher://x", ""],
    ]
    assert isinstance(body["timestamp"], int)
    # The known feed is followed on the website; the unknown one waits in the catalogue's queue.
    assert Follow.objects.filter(user__username="kari", show=show).exists()
    assert FeedSource.objects.filter(url="https://new.example.org/feed.rss", show__isnull=True).exists()
    # Any device of the account sees the list.
    data = api("GET", "/api/2/subscriptions/kari/laptop.json?since=0").json()
    assert sorted(data["add"]) == [FEED, "https://new.example.org/feed.rss"]
    assert data["remove"] == []
    since = data["timestamp"]
    response = api("POST", "/api/2/subscriptions/kari/phone.json", {"add": [], "remove": [FEED]})
    assert response.status_code == 200
    assert not Follow.objects.filter(user__username="kari").exists()
    data = api("GET", f"/api/2/subscriptions/kari/laptop.json?since={since}").json()
    assert data["remove"] == [FEED]
    assert FEED not in data["add"]


def test_v2_subscription_to_unknown_feed_links_when_show_appears(api: Api, user: User) -> None:
    url = "https://later.example.org/feed"
    api("POST", "/api/2/subscriptions/kari/phone.json", {"add": [url], "remove": []})
    assert not Follow.objects.exists()
    show = Show.objects.create(slug="later", title="Later show")
    FeedSource.objects.filter(url=url).update(show=show)
    page = Client()
    page.force_login(user)
    assert "Later show" in page.get("/me/shows/").content.decode()
    assert Follow.objects.filter(user=user, show=show).exists()


def test_web_follow_reaches_apps(api: Api, user: User, show: Show) -> None:
    follow_show(user, show)
    data = api("GET", "/api/2/subscriptions/kari/phone.json").json()
    assert data["add"] == [FEED]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("not json", "not valid JSON"),
        ({"add": [FEED], "remove": [FEED]}, "both add and remove"),
        ({"add": "x"}, "list"),
    ],
)
def test_v2_subscriptions_reject_bad_input(api: Api, body: object, fragment: str) -> None:
    response = api("POST", "/api/2/subscriptions/kari/phone.json", body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert not Subscription.objects.exists()
    assert not SubscriptionChange.objects.exists()


def test_v2_subscriptions_bad_since(api: Api) -> None:
    response = api("GET", "/api/2/subscriptions/kari/phone.json?since=yesterday")
    assert response.status_code == 400
    assert "since" in response.json()["error"]


@pytest.mark.parametrize(
    ("fmt", "body", "content_type"),
    [
        ("json", json.dumps([FEED, "https://b.example.org/f"]), "application/json"),
        ("txt", f"{FEED}\nhttps://b.example.org/f\n", "text/plain"),
        (
            "opml",
            f'<opml version="2.0"><body><outline xmlUrl="{FEED}"/>'
            '<outline xmlUrl="https://b.example.org/f"/></body></opml>',
            "text/x-opml",
        ),
    ],
)
def test_simple_api_put_and_get(api: Api, show: Show, fmt: str, body: str, content_type: str) -> None:
    response = api("PUT", f"/subscriptions/kari/phone.{fmt}", body)
    assert response.status_code == 200
    assert response.content == b""
    response = api("GET", f"/subscriptions/kari/phone.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert FEED.encode() in response.content
    assert b"https://b.example.org/f" in response.content
    # PUT replaces the list.
    api("PUT", f"/subscriptions/kari/phone.{fmt}", body.replace(FEED, "https://c.example.org/f"))
    assert set(Subscription.objects.filter(active=True).values_list("url", flat=True)) == {
        "https://b.example.org/f",
        "https://c.example.org/f",
    }
    assert json.loads(api("GET", "/subscriptions/kari.json").content) == [
        "https://b.example.org/f",
        "https://c.example.org/f",
    ]


def test_simple_api_put_rejects_bad_body(api: Api) -> None:
    response = api("PUT", "/subscriptions/kari/phone.json", '{"not": "a list"}')
    assert response.status_code == 400
    response = api("PUT", "/subscriptions/kari/phone.opml", "<html/>")
    assert response.status_code == 400
    assert "OPML" in response.json()["error"]
    assert not Subscription.objects.exists()


def play(**fields: Any) -> dict[str, Any]:
    item = {
        "podcast": FEED,
        "episode": MEDIA,
        "action": "play",
        "timestamp": "2026-05-01T10:00:00",
        "started": 0,
        "position": 600,
        "total": 3600,
        "device": "phone",
    }
    item.update(fields)
    return item


def test_episode_actions_upload_and_download(api: Api, user: User, show: Show) -> None:
    response = api(
        "POST",
        "/api/2/episodes/kari.json",
        [
            play(),
            {"podcast": FEED, "episode": MEDIA, "action": "download", "timestamp": "2026-05-01T09:00:00"},
        ],
    )
    assert response.status_code == 200
    body = response.json()
    assert body["update_urls"] == []
    assert isinstance(body["timestamp"], int)
    episode = show.episodes.get(enclosure_url=MEDIA)
    progress = PlayProgress.objects.get(user=user, episode=episode)
    assert progress.position == 600
    data = api("GET", "/api/2/episodes/kari.json?since=0").json()
    assert data["actions"] == [
        {
            "podcast": FEED,
            "episode": MEDIA,
            "action": "play",
            "timestamp": "2026-05-01T10:00:00",
            "device": "phone",
            "guid": "guid-dagens-0",
            "position": 600,
            "started": 0,
            "total": 3600,
        },
        {
            "podcast": FEED,
            "episode": MEDIA,
            "action": "download",
            "timestamp": "2026-05-01T09:00:00",
            "guid": "guid-dagens-0",
        },
    ]
    assert Device.objects.filter(user=user, device_id="phone").exists()
    # Filters.
    assert len(api("GET", "/api/2/episodes/kari.json?device=phone").json()["actions"]) == 1
    assert api("GET", "/api/2/episodes/kari.json?podcast=https://x.org/f").json()["actions"] == []
    assert api("GET", "/api/2/episodes/kari.json?device=nope").status_code == 404
    aggregated = api("GET", "/api/2/episodes/kari.json?aggregated=true").json()["actions"]
    assert [a["action"] for a in aggregated] == ["play"]
    # Later since sees nothing old.
    later = api("GET", f"/api/2/episodes/kari.json?since={data['timestamp'] + 1}").json()
    assert later["actions"] == []


def test_web_progress_and_app_actions_are_one_history(api: Api, user: User, show: Show) -> None:
    episode = show.episodes.get(enclosure_url=MEDIA)
    client = Client()
    client.force_login(user)
    response = client.post(
        "/me/progress/",
        data=json.dumps({"episode": episode.pk, "position": 42, "total": 3600, "started": 0}),
        content_type="application/json",
    )
    assert response.status_code == 204
    actions = api("GET", "/api/2/episodes/kari.json").json()["actions"]
    assert len(actions) == 1
    assert (actions[0]["podcast"], actions[0]["episode"], actions[0]["position"]) == (FEED, MEDIA, 42)
    assert "device" not in actions[0]
    # An older app action does not move progress back; a newer one does.
    api("POST", "/api/2/episodes/kari.json", [play(position=10, timestamp="2020-01-01T00:00:00")])
    assert PlayProgress.objects.get(user=user).position == 42
    api(
        "POST", "/api/2/episodes/kari.json", [play(position=900, timestamp="2099-01-01T00:00:00"[:0] or None)]
    )
    assert PlayProgress.objects.get(user=user).position == 900


def test_unknown_episodes_are_kept_by_url(api: Api) -> None:
    response = api(
        "POST", "/api/2/episodes/kari.json", [play(podcast="https://x.org/f", episode="https://x.org/1")]
    )
    assert response.status_code == 200
    action = EpisodeAction.objects.get()
    assert (action.episode_id, action.show_id, action.episode_url) == (None, None, "https://x.org/1")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("[{]", "not valid JSON"),
        ({"actions": []}, "list"),
        ([play(), play(action="PAUSE")], "unknown action"),
        ([play(), play(timestamp="1900-01-01T00:00:00")], "plausible"),
        ([play(), play(timestamp="2999-01-01T00:00:00")], "plausible"),
        ([play(), play(position=-3)], "out of range"),
        ([play(), play(episode=None)], "'episode' must be a URL"),
    ],
)
def test_episode_actions_reject_bad_input_and_store_nothing(
    api: Api, show: Show, body: Any, fragment: str
) -> None:
    response = api("POST", "/api/2/episodes/kari.json", body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert not EpisodeAction.objects.exists()
    assert not PlayProgress.objects.exists()
    assert not Device.objects.exists()


def test_episode_actions_paging_misses_nothing(api: Api, user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    from lytt.sync import views

    monkeypatch.setattr(views, "ACTIONS_PER_PAGE", 3)
    import datetime as dt

    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for n in range(7):
        EpisodeAction.objects.create(
            user=user,
            podcast_url=FEED,
            episode_url=f"https://m.org/{n}.mp3",
            action="download",
            timestamp=base,
            received_at=base + dt.timedelta(seconds=n // 2),  # two per second
        )
    seen: list[str] = []
    since = 0
    for _ in range(10):
        data = api("GET", f"/api/2/episodes/kari.json?since={since}").json()
        seen += [a["episode"] for a in data["actions"] if a["episode"] not in seen]
        if not data["actions"] or data["timestamp"] == since:
            break
        since = data["timestamp"]
        if len(seen) == 7:
            break
    assert seen == [f"https://m.org/{n}.mp3" for n in range(7)]


def test_settings(api: Api) -> None:
    response = api("POST", "/api/2/settings/kari/account.json", {"set": {"a": 1, "b": [2]}, "remove": []})
    assert response.json() == {"a": 1, "b": [2]}
    response = api("POST", "/api/2/settings/kari/account.json", {"set": {"c": True}, "remove": ["a"]})
    assert response.json() == {"b": [2], "c": True}
    assert api("GET", "/api/2/settings/kari/account.json").json() == {"b": [2], "c": True}
    url = f"/api/2/settings/kari/episode.json?podcast={FEED}&episode={MEDIA}"
    api("POST", url, {"set": {"is_favorite": True}})
    assert api("GET", url).json() == {"is_favorite": True}
    assert api("GET", f"/api/2/settings/kari/podcast.json?podcast={FEED}").json() == {}
    assert ClientSetting.objects.count() == 2  # account and episode: a GET creates nothing


@pytest.mark.parametrize(
    ("path", "body", "status", "fragment"),
    [
        ("/api/2/settings/kari/device.json", None, 400, "?device="),
        ("/api/2/settings/kari/device.json?device=ghost", None, 404, "no device"),
        ("/api/2/settings/kari/episode.json?podcast=x", None, 400, "episode="),
        ("/api/2/settings/kari/account.json", {"set": []}, 400, "'set'"),
        ("/api/2/settings/kari/account.json", {"remove": "a"}, 400, "'remove'"),
    ],
)
def test_settings_errors(api: Api, path: str, body: Any, status: int, fragment: str) -> None:
    response = api("POST" if body is not None else "GET", path, body)
    assert response.status_code == status
    assert fragment in response.json()["error"]


def test_sync_devices(api: Api) -> None:
    api("POST", "/api/2/devices/kari/a.json", {})
    assert api("GET", "/api/2/sync-devices/kari.json").json() == {
        "synchronized": [],
        "not-synchronized": ["a"],
    }
    response = api("POST", "/api/2/sync-devices/kari.json", {"synchronize": [["a", "b"]]})
    assert response.json() == {"synchronized": [["a", "b"]], "not-synchronized": []}
    response = api("POST", "/api/2/sync-devices/kari.json", {"stop-synchronize": ["a"]})
    assert response.status_code == 400


def test_updates(api: Api, user: User, show: Show) -> None:
    follow_show(user, show)
    data = api("GET", "/api/2/updates/kari/phone.json?since=0&include_actions=true").json()
    assert [p["url"] for p in data["add"]] == [FEED]
    assert data["add"][0]["title"] == "Show dagens"
    assert {u["url"] for u in data["updates"]} == {MEDIA, "https://media.example.org/dagens/1.mp3"}
    assert all(u["status"] == "new" for u in data["updates"])
    assert isinstance(data["timestamp"], int)


def test_methods_not_allowed(api: Api) -> None:
    response = api("DELETE", "/api/2/episodes/kari.json")
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_basic_credentials_stop_working_after_password_change(api: Api, user: User) -> None:
    assert api("GET", "/api/2/devices/kari.json").status_code == 200
    assert api("GET", "/api/2/devices/kari.json").status_code == 200  # served from the credentials cache
    user.set_password("a different passphrase")
    user.save()
    fresh = Client()
    response = fresh.get("/api/2/devices/kari.json", HTTP_AUTHORIZATION=basic("kari"))
    assert response.status_code == 401
    ok = fresh.get("/api/2/devices/kari.json", HTTP_AUTHORIZATION=basic("kari", "a different passphrase"))
    assert ok.status_code == 200


def test_inactive_user_is_refused(api: Api, user: User) -> None:
    assert api("GET", "/api/2/devices/kari.json").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = Client().get("/api/2/devices/kari.json", HTTP_AUTHORIZATION=basic("kari"))
    assert response.status_code == 401


def test_malformed_authorization_header(user: User) -> None:
    for header in ("Basic !!!notbase64", "Basic " + "a2FyaQ==", "Bearer abc"):
        response = Client().get("/api/2/devices/kari.json", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


def test_database_busy_is_503_with_retry_after(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    from lytt.accounts import services

    def busy(*args: object, **kwargs: object) -> int:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "record_actions", busy)
    response = api("POST", "/api/2/episodes/kari.json", [play()])
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_oversized_upload_is_413(api: Api) -> None:
    body = json.dumps([play(episode=f"https://m.org/{n}.mp3") for n in range(20000)])
    assert len(body) > 2_621_440  # DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MiB
    response = api("POST", "/api/2/episodes/kari.json", body)
    assert response.status_code == 413, response.content[:300]
    assert "smaller batches" in response.json()["error"]
    assert not EpisodeAction.objects.exists()


def test_podcast_filter_accepts_unsanitised_url(api: Api, show: Show) -> None:
    api("POST", "/api/2/episodes/kari.json", [play()])
    response = api("GET", "/api/2/episodes/kari.json?podcast=https://FEEDS.example.org:443/dagens.xml")
    assert len(response.json()["actions"]) == 1
