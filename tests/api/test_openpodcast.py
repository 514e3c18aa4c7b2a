"""The Open Podcast API (/v1/subscriptions, /v1/deletions) through Django's test client: the published
specification's shapes and status codes, auth, paging, `since`, GUIDs, deletion, bad input, isolation,
and one list shared with the gpodder.net API and the website."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from tests.api.conftest import make_episode, make_show
from tests.listeners import PASSWORD, _fast_password_hashing  # noqa: F401 (fixture)

from lytt.accounts import services, tokens
from lytt.accounts.models import EpisodeAction, Follow, PlayProgress, Subscription
from lytt.catalog.models import FeedSource, Show

pytestmark = pytest.mark.django_db

DAGENS = "https://feeds.example.org/dagens.xml"
KVELD = "https://feeds.example.org/kveld.xml"
PODCAST_GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(client: Client, method: str, path: str, body: Any = None, **headers: Any) -> tuple[int, Any]:
    data = body if isinstance(body, bytes | str) or body is None else json.dumps(body)
    content_type = headers.pop("content_type", "application/json")
    response = client.generic(method, f"/v1/{path}", data or "", content_type, **headers)
    assert response["Content-Type"].startswith("application/json"), response.content
    return response.status_code, response.json()


def listener(name: str) -> tuple[User, dict[str, str]]:
    user = User.objects.create_user(name, f"{name}@example.org", PASSWORD)
    return user, bearer(tokens.create_token(user, f"{name}'s phone")[1])


@pytest.fixture
def kari(db: None) -> tuple[User, dict[str, str]]:
    return listener("kari")


@pytest.fixture
def ola(db: None) -> tuple[User, dict[str, str]]:
    return listener("ola")


@pytest.fixture
def dagens(db: None) -> Show:
    show = make_show("Dagens", feed_url=DAGENS)
    make_episode(show, "Dagens 1", duration_seconds=3600, enclosure_url="https://media.example.org/d1.mp3")
    return show


def add(client: Client, auth: dict[str, str], *items: dict[str, Any]) -> dict[str, Any]:
    status, body = call(client, "POST", "subscriptions", {"subscriptions": list(items)}, **auth)
    assert status == 200, body
    return body


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def test_every_endpoint_wants_a_listener(client: Client) -> None:
    for method, path in (
        ("GET", "subscriptions"),
        ("POST", "subscriptions"),
        ("GET", f"subscriptions/{uuid.uuid4()}"),
        ("PATCH", f"subscriptions/{uuid.uuid4()}"),
        ("DELETE", f"subscriptions/{uuid.uuid4()}"),
        ("GET", "deletions/1"),
    ):
        response = client.generic(method, f"/v1/{path}")
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == 401
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer lytt_not-a-real-token",
        "Bearer ",
        f"Basic {base64.b64encode(b'kari:' + PASSWORD.encode()).decode()}",
    ],
)
def test_wrong_credentials_are_401(client: Client, kari: Any, header: str) -> None:
    status, body = call(client, "GET", "subscriptions", HTTP_AUTHORIZATION=header)
    assert status == 401
    assert body["code"] == 401
    assert "authorized" in body["message"]


def test_add_list_and_get_one(client: Client, kari: Any, dagens: Show) -> None:
    user, auth = kari
    body = add(client, auth, {"feed_url": DAGENS}, {"feed_url": "https://feeds.example.org/new.xml"})
    assert body["failure"] == []
    assert [item["feed_url"] for item in body["success"]] == [DAGENS, "https://feeds.example.org/new.xml"]
    for item in body["success"]:
        assert is_uuid(item["guid"])
        assert item["is_subscribed"] is True
        assert item["subscription_changed"].endswith("Z")
    status, page = call(client, "GET", "subscriptions", **auth)
    assert status == 200
    assert (page["total"], page["page"], page["per_page"]) == (2, 1, 50)
    assert "next" not in page
    assert "previous" not in page
    assert [(s["feed_url"], s["guid"], s["is_subscribed"]) for s in page["subscriptions"]] == [
        (item["feed_url"], item["guid"], True) for item in body["success"]
    ]
    guid = body["success"][0]["guid"]
    assert call(client, "GET", f"subscriptions/{guid}", **auth)[1]["feed_url"] == DAGENS
    # The same feed again is the same subscription, not a second one.
    again = add(client, auth, {"feed_url": DAGENS})
    assert again["success"][0]["guid"] == guid
    assert Subscription.objects.filter(user=user).count() == 2


def test_a_known_show_gets_its_podcast_guid(client: Client, kari: Any) -> None:
    make_show("Guidet", feed_url=KVELD, podcast_guid=PODCAST_GUID.upper())
    body = add(client, kari[1], {"feed_url": KVELD})
    assert body["success"][0]["guid"] == PODCAST_GUID
    assert call(client, "GET", f"subscriptions/{PODCAST_GUID}", **kari[1])[1]["feed_url"] == KVELD


def test_a_client_guid_is_kept_and_names_the_subscription(client: Client, kari: Any) -> None:
    mine = str(uuid.uuid4())
    body = add(client, kari[1], {"feed_url": KVELD, "guid": mine.upper()})
    assert body["success"][0]["guid"] == mine
    # Posting the same GUID with another URL finds that subscription, as the specification says.
    again = add(client, kari[1], {"feed_url": "https://elsewhere.example.org/feed", "guid": mine})
    assert again["success"][0]["feed_url"] == KVELD
    assert Subscription.objects.filter(user=kari[0]).count() == 1


def test_a_client_guid_wins_over_the_shows_podcast_guid(client: Client, kari: Any) -> None:
    make_show("Guidet", feed_url=KVELD, podcast_guid=PODCAST_GUID)
    mine = str(uuid.uuid4())
    assert add(client, kari[1], {"feed_url": KVELD, "guid": mine})["success"][0]["guid"] == mine
    assert call(client, "GET", f"subscriptions/{mine}", **kari[1])[1].get("new_guid") is None


def test_bad_feed_urls_are_failures_beside_the_successes(client: Client, kari: Any) -> None:
    body = add(
        client, kari[1], {"feed_url": "example.com/rss4"}, {"feed_url": KVELD}, {"feed_url": "javascript:x"}
    )
    assert [item["feed_url"] for item in body["success"]] == [KVELD]
    assert [item["feed_url"] for item in body["failure"]] == ["example.com/rss4", "javascript:x"]
    assert "example.com/rss4" in body["failure"][0]["message"]
    assert "scheme" in body["failure"][0]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"subscriptions": [', "body"),
        (b"\xff\xfe", "body"),
        ([], "subscriptions"),
        ({"feeds": []}, "subscriptions"),
        ({"subscriptions": {"feed_url": KVELD}}, "subscriptions"),
        ({"subscriptions": ["https://x.example/feed"]}, "subscriptions[0]"),
        ({"subscriptions": [{"feed_url": KVELD}, {"url": KVELD}]}, "subscriptions[1].url"),
        ({"subscriptions": [{"feed_url": 7}]}, "subscriptions[0].feed_url"),
        ({"subscriptions": [{"feed_url": KVELD, "guid": 12}]}, "subscriptions[0].guid"),
        ({"subscriptions": [{"feed_url": KVELD, "guid": "a/b"}]}, "subscriptions[0].guid"),
        ({"subscriptions": [{"feed_url": KVELD, "guid": "x" * 101}]}, "subscriptions[0].guid"),
    ],
)
def test_malformed_posts_are_refused_naming_the_field_and_store_nothing(
    client: Client, kari: Any, body: Any, field: str
) -> None:
    status, answer = call(client, "POST", "subscriptions", body, **kari[1])
    assert status == 405  # the specification's "Validation exception"
    assert answer["code"] == 405
    assert answer["field"] == field
    assert field.split(".")[-1].split("[")[0] in answer["message"] or field == "body"
    assert not Subscription.objects.exists()


def test_too_many_or_too_large_is_413(client: Client, kari: Any) -> None:
    many = {"subscriptions": [{"feed_url": f"https://x.example/{n}"} for n in range(1001)]}
    status, body = call(client, "POST", "subscriptions", many, **kari[1])
    assert (status, body["field"]) == (413, "subscriptions")
    huge = {"subscriptions": [{"feed_url": "https://x.example/" + "a" * 3_000_000}]}
    status, body = call(client, "POST", "subscriptions", huge, **kari[1])
    assert (status, body["field"]) == (413, "body")
    assert not Subscription.objects.exists()


def test_xml_bodies_are_refused_as_unsupported(client: Client, kari: Any) -> None:
    xml = (
        "<subscriptions><subscription><feed_url>https://x.example/f</feed_url></subscription></subscriptions>"
    )
    status, body = call(client, "POST", "subscriptions", xml, content_type="application/xml", **kari[1])
    assert status == 415
    assert "JSON" in body["message"]


def test_paging_walks_every_subscription_once(client: Client, kari: Any) -> None:
    urls = [f"https://feeds.example.org/{n}.xml" for n in range(7)]
    add(client, kari[1], *({"feed_url": url} for url in urls))
    seen, path, pages = [], "subscriptions?per_page=3", 0
    while path:
        status, page = call(client, "GET", path, **kari[1])
        assert status == 200
        assert page["total"] == 7
        assert page["per_page"] == 3
        pages += 1
        assert page["page"] == pages
        assert ("previous" in page) == (pages > 1)
        seen += [s["feed_url"] for s in page["subscriptions"]]
        path = page["next"].split("/v1/", 1)[1] if "next" in page else ""
        if path:
            assert page["next"].startswith("http://testserver/v1/subscriptions?")
    assert (pages, seen) == (3, urls)
    status, beyond = call(client, "GET", "subscriptions?page=9&per_page=3", **kari[1])
    assert (status, beyond["subscriptions"], beyond["page"]) == (200, [], 9)
    assert beyond["previous"].endswith("page=3&per_page=3")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=two", "page"),
        ("per_page=1.5", "per_page"),
        ("per_page=1001", "per_page"),
        ("since=yesterday", "since"),
        ("since=2024-13-01T00:00:00Z", "since"),
        ("since=1700000000", "since"),
        ("since=2024-01-01T00:00:00%00", "since"),
    ],
)
def test_bad_list_parameters_are_refused_naming_them(
    client: Client, kari: Any, query: str, field: str
) -> None:
    status, body = call(client, "GET", f"subscriptions?{query}", **kari[1])
    assert status == 405
    assert body["field"] == field
    assert field in body["message"]


def test_since_returns_what_changed_after_it(client: Client, kari: Any, dagens: Show) -> None:
    user, auth = kari
    add(client, auth, {"feed_url": DAGENS}, {"feed_url": KVELD})
    past = timezone.now() - dt.timedelta(hours=1)
    Subscription.objects.filter(user=user).update(updated_at=past)
    mark = (past + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    assert call(client, "GET", f"subscriptions?since={mark}", **auth)[1]["subscriptions"] == []
    services.unfollow_show(user, dagens)  # on the website
    _status, page = call(client, "GET", f"subscriptions?since={mark}", **auth)
    assert [(s["feed_url"], s["is_subscribed"]) for s in page["subscriptions"]] == [(DAGENS, False)]
    assert page["total"] == 1
    # Without `since`, everything, unsubscribed included.
    assert call(client, "GET", "subscriptions", **auth)[1]["total"] == 2
    # A naive time is UTC, as an offset one.
    naive = mark.rstrip("Z")
    assert call(client, "GET", f"subscriptions?since={naive}", **auth)[1]["total"] == 1
    offset = (past + dt.timedelta(minutes=30)).astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
    assert call(client, "GET", f"subscriptions?{urlencode({'since': offset})}", **auth)[1]["total"] == 1
    earlier = (past - dt.timedelta(minutes=1)).astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
    assert call(client, "GET", f"subscriptions?{urlencode({'since': earlier})}", **auth)[1]["total"] == 2


def test_patch_unsubscribes_and_resubscribes_on_the_website_too(
    client: Client, kari: Any, dagens: Show
) -> None:
    user, auth = kari
    guid = add(client, auth, {"feed_url": DAGENS})["success"][0]["guid"]
    assert Follow.objects.filter(user=user, show=dagens).exists()
    status, body = call(client, "PATCH", f"subscriptions/{guid}", {"is_subscribed": False}, **auth)
    assert status == 200
    assert body["is_subscribed"] is False
    assert set(body) == {"is_subscribed", "subscription_changed"}
    assert not Follow.objects.filter(user=user, show=dagens).exists()
    assert call(client, "GET", f"subscriptions/{guid}", **auth)[1]["is_subscribed"] is False
    call(client, "PATCH", f"subscriptions/{guid}", {"is_subscribed": True}, **auth)
    assert Follow.objects.filter(user=user, show=dagens).exists()


def test_patch_moves_the_feed_url_and_keeps_the_guid(client: Client, kari: Any, dagens: Show) -> None:
    user, auth = kari
    guid = add(client, auth, {"feed_url": KVELD})["success"][0]["guid"]
    status, body = call(client, "PATCH", f"subscriptions/{guid}", {"new_feed_url": DAGENS}, **auth)
    assert (status, body["new_feed_url"]) == (200, DAGENS)
    one = call(client, "GET", f"subscriptions/{guid}", **auth)[1]
    assert (one["feed_url"], one["guid"], one["is_subscribed"]) == (DAGENS, guid, True)
    assert services.active_subscription_urls(user) == [DAGENS]
    assert Follow.objects.filter(user=user, show=dagens).exists()
    # gpodder.net apps see the old URL removed and the new one added.
    added, removed = services.subscription_changes_since(user, dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert (added, removed) == ([DAGENS], [KVELD])


def test_patch_onto_a_feed_already_subscribed_points_at_it(client: Client, kari: Any) -> None:
    _, auth = kari
    first, second = (
        s["guid"] for s in add(client, auth, {"feed_url": KVELD}, {"feed_url": DAGENS})["success"]
    )
    call(client, "PATCH", f"subscriptions/{first}", {"new_feed_url": DAGENS}, **auth)
    old = call(client, "GET", f"subscriptions/{first}", **auth)[1]
    assert (old["feed_url"], old["is_subscribed"], old["new_guid"]) == (KVELD, False, second)
    assert "guid_changed" in old


def test_patch_new_guid_is_reported_and_names_the_subscription(client: Client, kari: Any) -> None:
    _, auth = kari
    guid = add(client, auth, {"feed_url": KVELD})["success"][0]["guid"]
    newer = str(uuid.uuid4())
    status, body = call(client, "PATCH", f"subscriptions/{guid}", {"new_guid": newer}, **auth)
    assert status == 200
    assert body["new_guid"] == newer
    assert body["guid_changed"].endswith("Z")
    by_old = call(client, "GET", f"subscriptions/{guid}", **auth)[1]
    assert (by_old["guid"], by_old["new_guid"]) == (guid, newer)
    assert call(client, "GET", f"subscriptions/{newer}", **auth)[1]["feed_url"] == KVELD
    # A client that synced after the change knows the new GUID: `since` shows it as the guid.
    later = (timezone.now() + dt.timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    call(client, "PATCH", f"subscriptions/{newer}", {"is_subscribed": False}, **auth)
    Subscription.objects.update(updated_at=timezone.now() + dt.timedelta(seconds=5))
    [entry] = call(client, "GET", f"subscriptions?since={later}", **auth)[1]["subscriptions"]
    assert entry["guid"] == newer
    assert "new_guid" not in entry


def test_a_podcast_guid_found_later_becomes_the_new_guid(client: Client, kari: Any) -> None:
    _, auth = kari
    guid = add(client, auth, {"feed_url": "https://feeds.example.org/later.xml"})["success"][0]["guid"]
    show = make_show("Later", podcast_guid=PODCAST_GUID)
    # The unknown feed went to the catalogue; the crawler ingests it as this show.
    FeedSource.objects.filter(url="https://feeds.example.org/later.xml").update(show=show)
    services.link_pending_subscriptions(kari[0])  # what ingest does once the feed is crawled
    one = call(client, "GET", f"subscriptions/{guid}", **auth)[1]
    assert (one["guid"], one["new_guid"]) == (guid, PODCAST_GUID)
    assert call(client, "GET", f"subscriptions/{PODCAST_GUID}", **auth)[0] == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ([], "body"),
        ({"is_subscribed": "no"}, "is_subscribed"),
        ({"new_feed_url": "ftp://x.example/f"}, "new_feed_url"),
        ({"new_feed_url": 3}, "new_feed_url"),
        ({"new_guid": ""}, "new_guid"),
        ({"feed_url": KVELD}, "feed_url"),
        (b"{", "body"),
    ],
)
def test_malformed_patches_are_refused_naming_the_field(
    client: Client, kari: Any, body: Any, field: str
) -> None:
    guid = add(client, kari[1], {"feed_url": KVELD})["success"][0]["guid"]
    status, answer = call(client, "PATCH", f"subscriptions/{guid}", body, **kari[1])
    assert (status, answer["code"], answer["field"]) == (405, 405, field)
    assert Subscription.objects.get().active


def test_delete_removes_the_listening_data_and_answers_410_after(
    client: Client, kari: Any, dagens: Show
) -> None:
    user, auth = kari
    guid = add(client, auth, {"feed_url": DAGENS})["success"][0]["guid"]
    episode = dagens.episodes.get()
    services.record_web_progress(user, episode, 600, 3600, 0)
    assert PlayProgress.objects.filter(user=user).exists()
    status, body = call(client, "DELETE", f"subscriptions/{guid}", **auth)
    assert status == 202
    assert body["message"]
    assert isinstance(body["deletion_id"], int)
    status, record = call(client, "GET", f"deletions/{body['deletion_id']}", **auth)
    assert (status, record["deletion_id"], record["status"]) == (200, body["deletion_id"], "SUCCESS")
    assert not PlayProgress.objects.filter(user=user).exists()
    assert not EpisodeAction.objects.filter(user=user).exists()
    assert not Follow.objects.filter(user=user).exists()
    status, gone = call(client, "GET", f"subscriptions/{guid}", **auth)
    assert (status, gone) == (410, {"code": 410, "message": "Subscription has been deleted", "field": "guid"})
    assert call(client, "PATCH", f"subscriptions/{guid}", {"is_subscribed": True}, **auth)[0] == 410
    assert call(client, "DELETE", f"subscriptions/{guid}", **auth)[0] == 410
    # The list still holds it, marked deleted, so that other apps learn of it.
    [entry] = call(client, "GET", "subscriptions", **auth)[1]["subscriptions"]
    assert entry["is_subscribed"] is False
    assert entry["deleted"].endswith("Z")
    # Adding the feed again brings it back, under the same GUID.
    assert add(client, auth, {"feed_url": DAGENS})["success"][0]["guid"] == guid
    one = call(client, "GET", f"subscriptions/{guid}", **auth)[1]
    assert one["is_subscribed"] is True
    assert "deleted" not in one


def test_following_again_on_the_website_undeletes(client: Client, kari: Any, dagens: Show) -> None:
    user, auth = kari
    guid = add(client, auth, {"feed_url": DAGENS})["success"][0]["guid"]
    call(client, "DELETE", f"subscriptions/{guid}", **auth)
    services.follow_show(user, dagens)
    assert call(client, "GET", f"subscriptions/{guid}", **auth)[1]["is_subscribed"] is True


def test_unknown_guids_deletions_and_paths_are_404(client: Client, kari: Any) -> None:
    _, auth = kari
    for path in (f"subscriptions/{uuid.uuid4()}", "deletions/99", "nothing-here"):
        status, body = call(client, "GET", path, **auth)
        assert (status, body["code"]) == (404, 404), path
    status, body = call(client, "GET", "deletions/abc", **auth)
    assert (status, body["field"]) == (405, "id")


def test_listeners_never_see_each_others_subscriptions(client: Client, kari: Any, ola: Any) -> None:
    guid = add(client, kari[1], {"feed_url": KVELD})["success"][0]["guid"]
    deletion = call(client, "DELETE", f"subscriptions/{guid}", **kari[1])[1]["deletion_id"]
    add(client, kari[1], {"feed_url": KVELD})
    assert call(client, "GET", "subscriptions", **ola[1])[1]["total"] == 0
    for method in ("GET", "PATCH", "DELETE"):
        assert call(client, method, f"subscriptions/{guid}", {"is_subscribed": False}, **ola[1])[0] == 404
    assert call(client, "GET", f"deletions/{deletion}", **ola[1])[0] == 404
    assert Subscription.objects.get(user=kari[0]).active


def test_the_gpodder_api_and_the_website_share_the_list(client: Client, kari: Any, dagens: Show) -> None:
    user, auth = kari
    services.apply_subscription_changes(user, None, [KVELD], [])  # as a gpodder.net app does
    services.follow_show(user, dagens)  # on the website
    listed = call(client, "GET", "subscriptions", **auth)[1]["subscriptions"]
    assert {s["feed_url"] for s in listed} == {KVELD, DAGENS}
    guid = next(s["guid"] for s in listed if s["feed_url"] == KVELD)
    call(client, "PATCH", f"subscriptions/{guid}", {"is_subscribed": False}, **auth)
    assert services.active_subscription_urls(user) == [DAGENS]


def test_session_cookie_works_and_needs_csrf_for_changes(kari: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="kari", password=PASSWORD)
    assert call(browser, "GET", "subscriptions")[0] == 200
    status, body = call(browser, "POST", "subscriptions", {"subscriptions": [{"feed_url": KVELD}]})
    assert status == 403
    assert "CSRF" in body["message"]
    browser.get("/me/shows/")
    csrf = browser.cookies["csrftoken"].value
    status, _ = call(
        browser, "POST", "subscriptions", {"subscriptions": [{"feed_url": KVELD}]}, HTTP_X_CSRFTOKEN=csrf
    )
    assert status == 200
    assert services.active_subscription_urls(kari[0]) == [KVELD]


def test_answers_are_private_and_other_methods_are_405(client: Client, kari: Any) -> None:
    response = client.get("/v1/subscriptions", **kari[1])
    assert "private" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]
    response = client.put("/v1/subscriptions", **kari[1])
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json()["code"] == 405


def test_rate_limit(client: Client, kari: Any, settings: Any) -> None:
    settings.LYTT_API_LISTENER_PER_MINUTE = 2
    statuses = [call(client, "GET", "subscriptions", **kari[1])[0] for _ in range(3)]
    assert statuses == [200, 200, 429]
