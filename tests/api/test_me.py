"""The listener endpoints /api/v1/me/ through Django's test client: auth, isolation, shapes, bad input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.api.conftest import make_episode, make_show
from tests.listeners import PASSWORD, _fast_password_hashing  # noqa: F401 (fixture)

from lytt.accounts import listening, services, tokens
from lytt.catalog.models import Episode, Show

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(client: Client, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
    data = body if isinstance(body, bytes | str) or body is None else json.dumps(body)
    response = client.generic(method, f"/api/v1/me/{path}", data or "", "application/json", **headers)  # type: ignore[arg-type]
    return response.status_code, (response.json() if response.content else None)


@pytest.fixture
def episodes(db: None) -> list[Episode]:
    dagens, kveld = (
        make_show("Dagens", feed_url="https://example.org/d.xml"),
        make_show("Kveld", feed_url="https://example.org/k.xml"),
    )
    for show, count in ((dagens, 3), (kveld, 2)):
        for n in range(count):
            make_episode(
                show,
                f"{show.title} {n}",
                duration_seconds=3600,
                enclosure_url=f"https://example.org/{show.pk}/{n}.mp3",
            )
    return list(Episode.objects.select_related("show").order_by("pk"))


def listener(name: str) -> tuple[User, str]:
    user = User.objects.create_user(name, f"{name}@example.org", PASSWORD)
    return user, tokens.create_token(user, f"{name}'s phone")[1]


@pytest.fixture
def kari(db: None) -> tuple[User, str]:
    return listener("kari")


@pytest.fixture
def ola(db: None) -> tuple[User, str]:
    return listener("ola")


def ids(body: dict[str, Any]) -> list[int]:
    return [e["id"] for e in body["episodes"]]


def test_without_a_listener_every_endpoint_is_401_with_a_bearer_challenge(client: Client) -> None:
    for method, path in [
        ("GET", "queue"),
        ("PUT", "queue"),
        ("POST", "queue"),
        ("DELETE", "queue"),
        ("DELETE", "queue/1"),
        ("GET", "progress"),
        ("GET", "bookmarks"),
        ("POST", "bookmarks"),
        ("DELETE", "bookmarks/1"),
    ]:
        response = client.generic(method, f"/api/v1/me/{path}", "{}", "application/json")
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "unauthorized"
        assert "Bearer" in response.json()["error"]["message"]
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer lytt_not-a-token", "Bearer ", "Bearer lytt_" + "x" * 300, "Basic a2FyaTpwdw=="],
)
def test_wrong_credentials_are_401(client: Client, kari: tuple[User, str], header: str) -> None:
    status, body = call(client, "GET", "queue", HTTP_AUTHORIZATION=header)
    assert status == 401
    assert body["error"]["code"] == "unauthorized"


def test_a_revoked_token_or_inactive_user_no_longer_works(client: Client, kari: tuple[User, str]) -> None:
    user, token = kari
    assert call(client, "GET", "queue", **bearer(token))[0] == 200
    user.is_active = False
    user.save()
    assert call(client, "GET", "queue", **bearer(token))[0] == 401
    user.is_active = True
    user.save()
    record = user.api_tokens.get()
    assert tokens.revoke_token(user, record.pk)
    assert call(client, "GET", "queue", **bearer(token))[0] == 401


def test_queue_add_next_and_last_reorder_and_remove(
    client: Client, kari: tuple[User, str], episodes: list[Episode]
) -> None:
    _, token = kari
    a, b, c, d = (e.pk for e in episodes[:4])
    assert call(client, "GET", "queue", **bearer(token)) == (200, {"episodes": []})
    assert ids(call(client, "POST", "queue", {"episode": a}, **bearer(token))[1]) == [a]
    assert ids(call(client, "POST", "queue", {"episode": b, "position": "last"}, **bearer(token))[1]) == [
        a,
        b,
    ]
    assert ids(call(client, "POST", "queue", {"episode": c, "position": "next"}, **bearer(token))[1]) == [
        c,
        a,
        b,
    ]
    # An episode is never queued twice: adding it again moves it.
    assert ids(call(client, "POST", "queue", {"episode": b, "position": "next"}, **bearer(token))[1]) == [
        b,
        c,
        a,
    ]
    status, body = call(client, "PUT", "queue", {"episodes": [a, d, b]}, **bearer(token))
    assert status == 200
    assert ids(body) == [a, d, b]
    assert call(client, "DELETE", f"queue/{d}", **bearer(token)) == (204, None)
    status, body = call(client, "GET", "queue", **bearer(token))
    assert ids(body) == [a, b]
    first = body["episodes"][0]
    episode = episodes[0]
    assert first["title"] == episode.title
    assert first["show_title"] == episode.show.title
    assert first["url"] == f"/podcast/{episode.show.slug}/{episode.slug}/"
    assert first["enclosure_url"] == episode.enclosure_url
    assert first["duration_seconds"] == 3600
    assert (first["position"], first["finished"]) == (0, False)
    status, body = call(client, "DELETE", f"queue/{d}", **bearer(token))
    assert status == 404
    assert body["error"]["field"] == "episode_id"
    assert call(client, "DELETE", "queue", **bearer(token)) == (204, None)
    assert call(client, "GET", "queue", **bearer(token)) == (200, {"episodes": []})


def test_queue_shows_the_listeners_position(
    client: Client, kari: tuple[User, str], episodes: list[Episode]
) -> None:
    user, token = kari
    services.record_web_progress(user, episodes[0], position=1234, total=3600, started=0)
    call(client, "POST", "queue", {"episode": episodes[0].pk}, **bearer(token))
    _, body = call(client, "GET", "queue", **bearer(token))
    assert body["episodes"][0]["position"] == 1234


def test_queue_put_refuses_unknown_repeated_and_too_many_ids_and_changes_nothing(
    client: Client, kari: tuple[User, str], episodes: list[Episode]
) -> None:
    _, token = kari
    a, b = episodes[0].pk, episodes[1].pk
    call(client, "PUT", "queue", {"episodes": [a]}, **bearer(token))
    status, body = call(client, "PUT", "queue", {"episodes": [b, 999_999, 888_888]}, **bearer(token))
    assert status == 400
    assert body["error"]["field"] == "episodes"
    assert "888888, 999999" in body["error"]["message"]
    status, body = call(client, "PUT", "queue", {"episodes": [b, a, b]}, **bearer(token))
    assert status == 400
    assert body["error"]["message"].endswith(f"repeated: {b}")
    status, body = call(
        client, "PUT", "queue", {"episodes": [a] * (listening.MAX_QUEUE + 1)}, **bearer(token)
    )
    assert status == 422
    assert body["error"]["field"] == "episodes"
    assert ids(call(client, "GET", "queue", **bearer(token))[1]) == [a]
    huge = {"episodes": list(range(1, 1_000_000))}
    status, body = call(client, "PUT", "queue", huge, **bearer(token))
    assert (status, body["error"]["code"]) == (413, "too_large")
    assert "bytes" in body["error"]["message"]
    assert ids(call(client, "GET", "queue", **bearer(token))[1]) == [a]


@pytest.mark.parametrize(
    ("method", "body", "field"),
    [
        ("PUT", b"{not json", None),
        ("PUT", {"episodes": "1,2"}, "episodes"),
        ("PUT", {"episodes": ["1"]}, "episodes"),
        ("PUT", {"episodes": [True]}, "episodes"),
        ("PUT", {"episodes": [0]}, "episodes"),
        ("PUT", {"episodes": [2**63]}, "episodes"),
        ("PUT", {}, "episodes"),
        ("PUT", [1, 2], None),
        ("POST", {"episode": 1, "position": "first"}, "position"),
        ("POST", {"episode": "1"}, "episode"),
        ("POST", {}, "episode"),
    ],
)
def test_malformed_queue_requests_are_refused_naming_the_field(
    client: Client, kari: tuple[User, str], episodes: list[Episode], method: str, body: Any, field: str | None
) -> None:
    _, token = kari
    status, answer = call(client, method, "queue", body, **bearer(token))
    assert 400 <= status < 500
    assert answer["error"]["message"]
    if field is not None:
        assert answer["error"]["field"] == field
    assert call(client, "GET", "queue", **bearer(token)) == (200, {"episodes": []})


def test_adding_an_unknown_or_hidden_episode_is_400(
    client: Client, kari: tuple[User, str], episodes: list[Episode]
) -> None:
    _, token = kari
    status, body = call(client, "POST", "queue", {"episode": 999_999}, **bearer(token))
    assert (status, body["error"]["field"]) == (400, "episode")
    assert "999999" in body["error"]["message"]
    Show.objects.filter(pk=episodes[0].show_id).update(hidden=True)
    assert call(client, "POST", "queue", {"episode": episodes[0].pk}, **bearer(token))[0] == 400


def test_each_listener_sees_and_changes_only_their_own_data(
    client: Client, kari: tuple[User, str], ola: tuple[User, str], episodes: list[Episode]
) -> None:
    kari_user, kari_token = kari
    ola_user, ola_token = ola
    call(client, "PUT", "queue", {"episodes": [episodes[0].pk, episodes[1].pk]}, **bearer(kari_token))
    call(client, "PUT", "queue", {"episodes": [episodes[2].pk]}, **bearer(ola_token))
    services.record_web_progress(kari_user, episodes[0], position=100, total=3600, started=0)
    _, mark = call(
        client, "POST", "bookmarks", {"episode": episodes[0].pk, "position": 5}, **bearer(kari_token)
    )

    assert ids(call(client, "GET", "queue", **bearer(ola_token))[1]) == [episodes[2].pk]
    assert call(client, "GET", "progress", **bearer(ola_token))[1]["items"] == []
    assert call(client, "GET", "bookmarks", **bearer(ola_token))[1]["items"] == []
    assert call(client, "DELETE", f"bookmarks/{mark['id']}", **bearer(ola_token))[0] == 404
    assert call(client, "DELETE", f"queue/{episodes[0].pk}", **bearer(ola_token))[0] == 404
    assert len(call(client, "GET", "bookmarks", **bearer(kari_token))[1]["items"]) == 1
    assert ids(call(client, "GET", "queue", **bearer(kari_token))[1]) == [episodes[0].pk, episodes[1].pk]
    assert listening.queue_episode_ids(ola_user) == [episodes[2].pk]


def test_progress_newest_first_paged_and_filtered(
    client: Client, kari: tuple[User, str], episodes: list[Episode]
) -> None:
    user, token = kari
    base = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    for n, episode in enumerate(episodes):
        services.record_web_progress(
            user,
            episode,
            position=60 * (n + 1),
            total=3600,
            started=0,
            timestamp=base + dt.timedelta(hours=n),
        )
    services.record_web_progress(user, episodes[1], position=3500, total=3600, started=0, timestamp=base)
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = "progress?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(client, "GET", query, **bearer(token))
        assert status == 200
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [p["episode_id"] for p in seen] == [e.pk for e in reversed(episodes)]
    second = next(p for p in seen if p["episode_id"] == episodes[1].pk)
    # The older report (at `base`) did not replace the newer position.
    assert (second["position"], second["total"], second["finished"]) == (120, 3600, False)
    assert dt.datetime.fromisoformat(second["updated_at"]) == base + dt.timedelta(hours=1)
    since = (base + dt.timedelta(hours=3)).isoformat().replace("+00:00", "Z")
    _, recent = call(client, "GET", f"progress?since={since}", **bearer(token))
    assert [p["episode_id"] for p in recent["items"]] == [episodes[4].pk, episodes[3].pk]
    _, one = call(client, "GET", f"progress?episode={episodes[2].pk}", **bearer(token))
    assert [p["position"] for p in one["items"]] == [180]
    status, body = call(client, "GET", "progress?cursor=forged", **bearer(token))
    assert (status, body["error"]["field"]) == (400, "cursor")
    assert call(client, "GET", "progress?since=12", **bearer(token))[0] == 422


def test_bookmarks_create_list_filter_delete(
    client: Client, kari: tuple[User, str], episodes: list[Episode]
) -> None:
    _, token = kari
    status, first = call(
        client,
        "POST",
        "bookmarks",
        {"episode": episodes[0].pk, "position": 754, "note": "  the good bit "},
        **bearer(token),
    )
    assert status == 201
    episode = episodes[0]
    assert first["note"] == "the good bit"
    assert first["url"] == f"/podcast/{episode.show.slug}/{episode.slug}/?t=754"
    assert (first["episode_id"], first["position"], first["episode_title"]) == (
        episode.pk,
        754,
        episode.title,
    )
    call(client, "POST", "bookmarks", {"episode": episodes[1].pk, "position": 0}, **bearer(token))
    _, page = call(client, "GET", "bookmarks", **bearer(token))
    assert [b["episode_id"] for b in page["items"]] == [episodes[1].pk, episodes[0].pk]
    _, page = call(client, "GET", f"bookmarks?episode={episodes[0].pk}", **bearer(token))
    assert [b["id"] for b in page["items"]] == [first["id"]]
    _, page = call(client, "GET", "bookmarks?limit=1", **bearer(token))
    _, rest = call(client, "GET", f"bookmarks?limit=1&cursor={page['next_cursor']}", **bearer(token))
    assert [b["id"] for b in rest["items"]] == [first["id"]]
    assert rest["next_cursor"] is None
    assert call(client, "DELETE", f"bookmarks/{first['id']}", **bearer(token)) == (204, None)
    assert call(client, "DELETE", f"bookmarks/{first['id']}", **bearer(token))[0] == 404


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"episode": 999_999, "position": 1}, 400, "episode"),
        ({"position": 1}, 422, "episode"),
        ({"episode": "x", "position": 1}, 422, "episode"),
        ({"episode": None, "position": 1}, 422, "episode"),
        ({"episode": "EP", "position": -1}, 422, "position"),
        ({"episode": "EP"}, 422, "position"),
        ({"episode": "EP", "position": 7 * 24 * 3600 + 1}, 422, "position"),
        ({"episode": "EP", "position": 1.5}, 422, "position"),
        ({"episode": "EP", "position": 1, "note": "x" * 1001}, 422, "note"),
        ({"episode": "EP", "position": 1, "note": 5}, 422, "note"),
    ],
)
def test_bad_bookmarks_are_refused_naming_the_field(
    client: Client,
    kari: tuple[User, str],
    episodes: list[Episode],
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    _, token = kari
    if body.get("episode") == "EP":
        body = {**body, "episode": episodes[0].pk}
    answer_status, answer = call(client, "POST", "bookmarks", body, **bearer(token))
    assert answer_status == status
    assert answer["error"]["field"] == field
    assert call(client, "GET", "bookmarks", **bearer(token))[1]["items"] == []


def test_session_cookie_works_and_needs_csrf_for_changes(
    kari: tuple[User, str], episodes: list[Episode]
) -> None:
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="kari", password=PASSWORD)
    assert call(browser, "GET", "queue") == (200, {"episodes": []})
    status, body = call(browser, "POST", "queue", {"episode": episodes[0].pk})
    assert status == 403
    assert "CSRF" in body["error"]["message"]
    browser.get("/me/shows/")  # a page with a form sets the csrftoken cookie
    csrf = browser.cookies["csrftoken"].value
    status, body = call(browser, "POST", "queue", {"episode": episodes[0].pk}, HTTP_X_CSRFTOKEN=csrf)
    assert (status, ids(body)) == (200, [episodes[0].pk])
    # A bearer token needs no CSRF token, even from a client that also has a session.
    _, token = kari
    assert call(browser, "DELETE", "queue", **bearer(token)) == (204, None)


def test_responses_are_private_to_the_listener(client: Client, kari: tuple[User, str]) -> None:
    response = client.get("/api/v1/me/queue", **bearer(kari[1]))  # type: ignore[arg-type]
    assert "private" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


def test_listener_rate_limit(client: Client, kari: tuple[User, str], settings: Any) -> None:
    settings.LYTT_API_LISTENER_PER_MINUTE = 3
    statuses = [call(client, "GET", "queue", **bearer(kari[1]))[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_openapi_documents_the_endpoints_errors_and_bearer_scheme(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"get", "put", "post", "delete"} <= set(paths["/api/v1/me/queue"])
    assert "delete" in paths["/api/v1/me/queue/{episode_id}"]
    assert "get" in paths["/api/v1/me/progress"]
    assert {"get", "post"} <= set(paths["/api/v1/me/bookmarks"])
    assert "delete" in paths["/api/v1/me/bookmarks/{bookmark_id}"]
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["BearerToken"].items()
    assert schemes["SessionCookie"]["in"] == "cookie"
    put = paths["/api/v1/me/queue"]["put"]
    assert {"400", "401", "422"} <= set(put["responses"])
    assert {"BearerToken": []} in put["security"]


def test_an_unchanged_queue_is_a_304_for_the_same_listener_only(
    client: Client, kari: tuple[User, str], ola: tuple[User, str], episodes: list[Episode]
) -> None:
    call(client, "POST", "queue", {"episode": episodes[0].pk}, **bearer(kari[1]))
    first = client.get("/api/v1/me/queue", **bearer(kari[1]))  # type: ignore[arg-type]
    etag = first["ETag"]
    again = client.get("/api/v1/me/queue", HTTP_IF_NONE_MATCH=etag, **bearer(kari[1]))  # type: ignore[arg-type]
    assert again.status_code == 304
    other = client.get("/api/v1/me/queue", HTTP_IF_NONE_MATCH=etag, **bearer(ola[1]))  # type: ignore[arg-type]
    assert other.status_code == 200
    call(client, "POST", "queue", {"episode": episodes[1].pk}, **bearer(kari[1]))
    changed = client.get("/api/v1/me/queue", HTTP_IF_NONE_MATCH=etag, **bearer(kari[1]))  # type: ignore[arg-type]
    assert changed.status_code == 200


def test_a_token_sent_to_the_public_endpoints_is_accepted_or_refused_not_misread(
    client: Client, kari: tuple[User, str], episodes: list[Episode], settings: Any
) -> None:
    """Apps set the header once for every request: the catalogue answers it, counted as the listener's."""
    response = client.get(f"/api/v1/episodes/{episodes[0].pk}", **bearer(kari[1]))  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response.json()["id"] == episodes[0].pk
    status = client.get("/api/v1/categories", **bearer("lytt_revoked")).status_code  # type: ignore[arg-type]
    assert status == 401
    settings.LYTT_API_LISTENER_PER_MINUTE = 2
    assert call(client, "GET", "queue", **bearer(kari[1]))[0] == 200
    assert client.get("/api/v1/categories", **bearer(kari[1])).status_code == 429  # type: ignore[arg-type]


def test_progress_since_without_an_offset_is_utc(
    client: Client, kari: tuple[User, str], episodes: list[Episode]
) -> None:
    user, token = kari
    at = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    services.record_web_progress(user, episodes[0], position=60, total=3600, started=0, timestamp=at)
    assert len(call(client, "GET", "progress?since=2026-03-01T12:00:00", **bearer(token))[1]["items"]) == 1
    assert call(client, "GET", "progress?since=2026-03-01T12:00:01", **bearer(token))[1]["items"] == []
