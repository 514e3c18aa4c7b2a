"""The public API v1 through Django's test client: shapes, paging, errors, ETags, rate limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def get(client: Client, path: str, **headers: str) -> Any:
    response = client.get(path, **headers)  # type: ignore[arg-type]
    return response.status_code, (response.json() if response.content else None), response


def assert_error(body: dict[str, Any], code: str, field: str | None = None) -> None:
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    if field is not None:
        assert body["error"]["field"] == field


def test_openapi_schema_lists_every_endpoint(client: Client) -> None:
    status, schema, _ = get(client, "/api/v1/openapi.json")
    assert status == 200
    assert {
        "/api/v1/shows",
        "/api/v1/shows/{show_id}",
        "/api/v1/shows/{show_id}/episodes",
        "/api/v1/episodes/{episode_id}",
        "/api/v1/categories",
        "/api/v1/people",
        "/api/v1/people/{person_id}",
        "/api/v1/search",
        "/api/v1/search/suggest",
        "/api/v1/charts",
    } <= set(schema["paths"])


def test_a_nul_in_any_parameter_is_a_documented_400_on_every_endpoint(client: Client) -> None:
    _, schema, _ = get(client, "/api/v1/openapi.json")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], f"{method.upper()} {path}"
    status, body, _ = get(client, "/api/v1/charts?na%00me=1")
    assert status == 400
    assert_error(body, "bad_request", "na\x00me")


def test_shows_page_with_opaque_cursor(client: Client, catalogue: dict[str, Any]) -> None:
    status, first, _ = get(client, "/api/v1/shows?limit=1")
    assert status == 200
    assert [s["title"] for s in first["items"]] == ["Talk Python To Me"]
    show = first["items"][0]
    assert show["feed_url"] == "https://example.com/python.xml"
    assert [c["slug"] for c in show["categories"]] == ["society-culture"]
    assert show["categories"][0]["name_en"] == "Society & Culture"
    assert show["url"] == f"/podcast/{catalogue['python'].slug}/"
    status, second, _ = get(client, f"/api/v1/shows?limit=1&cursor={first['next_cursor']}")
    assert [s["title"] for s in second["items"]] == ["Valgkamp"]
    assert second["next_cursor"] is None  # the hidden show is never listed


def test_shows_filters(client: Client, catalogue: dict[str, Any]) -> None:
    assert [s["title"] for s in get(client, "/api/v1/shows?category=news")[1]["items"]] == ["Valgkamp"]
    assert [s["title"] for s in get(client, "/api/v1/shows?language=en")[1]["items"]] == ["Talk Python To Me"]
    status, body, _ = get(client, "/api/v1/shows?category=nope")
    assert status == 404
    assert_error(body, "not_found", "category")


@pytest.mark.parametrize(
    ("path", "status", "code", "field"),
    [
        ("/api/v1/shows?limit=0", 422, "invalid_parameter", "limit"),
        ("/api/v1/shows?limit=101", 422, "invalid_parameter", "limit"),
        ("/api/v1/shows?limit=abc", 422, "invalid_parameter", "limit"),
        ("/api/v1/shows?cursor=garbage", 400, "invalid_cursor", "cursor"),
        ("/api/v1/shows/abc", 422, "invalid_parameter", "show_id"),
        ("/api/v1/shows/999999", 404, "not_found", "show_id"),
        ("/api/v1/episodes/999999", 404, "not_found", "episode_id"),
        ("/api/v1/people/999999", 404, "not_found", "person_id"),
        ("/api/v1/search", 422, "invalid_parameter", "q"),
        ("/api/v1/search?q=", 422, "invalid_parameter", "q"),
        ("/api/v1/search?q=x&kind=podcasts", 422, "invalid_parameter", "kind"),
        ("/api/v1/search?q=x&since=yesterday", 422, "invalid_parameter", "since"),
        ("/api/v1/search?q=x&until=-1.9", 422, "invalid_parameter", "until"),  # no Unix times
        ("/api/v1/search?q=x&since=2024-05-01", 422, "invalid_parameter", "since"),  # a date and a time
        (
            "/api/v1/search?q=x&since=2024-02-01T00:00:00Z&until=2024-01-01T00:00:00Z",
            400,
            "bad_request",
            "since",
        ),
        ("/api/v1/search?q=x&since=0001-01-01T00:00:00%2B14:00", 422, "invalid_parameter", "since"),
        ("/api/v1/search?q=x&category=nope", 404, "not_found", "category"),
        ("/api/v1/search/suggest?q=x&limit=50", 422, "invalid_parameter", "limit"),
        ("/api/v1/charts?category=nope", 404, "not_found", "category"),
        ("/api/v1/nothing/here", 404, "not_found", None),
        # Beyond a 64-bit id, a language that is no tag, text PostgreSQL cannot store: 4xx, never 500.
        ("/api/v1/search?q=x&show=9223372036854775808", 422, "invalid_parameter", "show"),
        ("/api/v1/search?q=x&language=en%20us", 400, "bad_request", "language"),
        ("/api/v1/search?q=x%00y", 400, "bad_request", "q"),
        ("/api/v1/shows?category=news%00", 400, "bad_request", "category"),
    ],
)
def test_bad_requests_get_error_objects(
    client: Client, catalogue: dict[str, Any], path: str, status: int, code: str, field: str | None
) -> None:
    got, body, _ = get(client, path)
    assert got == status, body
    assert_error(body, code, field)


def test_cursor_from_another_list_is_refused(client: Client, catalogue: dict[str, Any]) -> None:
    cursor = get(client, "/api/v1/shows?limit=1")[1]["next_cursor"]
    status, body, _ = get(client, f"/api/v1/people?cursor={cursor}")
    assert status == 400
    assert_error(body, "invalid_cursor", "cursor")


def test_show_and_its_episodes_newest_first_undated_last(client: Client, catalogue: dict[str, Any]) -> None:
    show_id = catalogue["python"].pk
    status, show, _ = get(client, f"/api/v1/shows/{show_id}")
    assert status == 200
    assert show["title"] == "Talk Python To Me"
    titles = []
    cursor = ""
    for _ in range(5):
        body = get(client, f"/api/v1/shows/{show_id}/episodes?limit=1{cursor}")[1]
        titles += [e["title"] for e in body["items"]]
        if not body["next_cursor"]:
            break
        cursor = f"&cursor={body['next_cursor']}"
    assert titles == ["Python packaging", "Django at scale", "Undated episode"]
    hidden = catalogue["hidden"].pk
    assert get(client, f"/api/v1/shows/{hidden}")[0] == 404
    assert get(client, f"/api/v1/shows/{hidden}/episodes")[0] == 404


def test_episode_by_id(client: Client, catalogue: dict[str, Any]) -> None:
    episode = catalogue["episodes"][0]
    status, body, _ = get(client, f"/api/v1/episodes/{episode.pk}")
    assert status == 200
    assert body["title"] == "Python packaging"
    assert body["people"] == [
        {"id": body["people"][0]["id"], "name": "Brett Cannon", "role": "guest", "group": "cast"}
    ]
    assert body["transcripts"][0]["url"] == "https://example.com/1.vtt"
    assert body["url"] == f"/podcast/{catalogue['python'].slug}/{episode.slug}/"


def test_categories_and_people(client: Client, catalogue: dict[str, Any]) -> None:
    items = get(client, "/api/v1/categories")[1]["items"]
    assert {"slug": "news-politics", "parent": "news"}.items() <= next(
        c for c in items if c["slug"] == "news-politics"
    ).items()
    people = get(client, "/api/v1/people")[1]["items"]
    assert [p["name"] for p in people] == ["Brett Cannon"]
    one = get(client, f"/api/v1/people/{people[0]['id']}")[1]
    assert one["name"] == "Brett Cannon"
    assert one["url"] == people[0]["url"] == f"http://testserver/people/{one['slug']}/"
    page = client.get(one["url"])
    assert page.status_code == 200
    assert "Brett Cannon" in page.content.decode()
    elsewhere = get(client, f"/api/v1/people/{one['id']}", HTTP_HOST="lytt.example")[1]
    assert elsewhere["url"] == f"http://lytt.example/people/{one['slug']}/"  # the host asked


def test_search_with_highlights_and_paging(client: Client, catalogue: dict[str, Any]) -> None:
    status, body, _ = get(client, "/api/v1/search?q=python&kind=shows")
    assert status == 200
    assert body["total"] == 1
    assert body["items"][0]["title_html"] == "Talk <mark>Python</mark> To Me"
    assert body["items"][0]["show"]["id"] == catalogue["python"].pk
    assert body["items"][0]["episode"] is None
    first = get(client, "/api/v1/search?q=python&limit=1")[1]
    assert first["total"] == 3
    assert first["total_capped"] is False
    second = get(client, f"/api/v1/search?q=python&limit=1&cursor={first['next_cursor']}")[1]
    assert first["items"][0]["id"] != second["items"][0]["id"]
    assert get(client, "/api/v1/search?q=debatt&language=nb&clean=true")[1]["total"] == 0
    assert get(client, "/api/v1/search?q=debatt&category=news")[1]["total"] == 1
    assert get(client, '/api/v1/search?q=" AND (NOT *')[0] == 200


def test_suggest_and_charts(client: Client, catalogue: dict[str, Any]) -> None:
    body = get(client, "/api/v1/search/suggest?q=talk%20pyt")[1]
    assert body["items"][0]["title"] == "Talk Python To Me"
    assert body["items"][0]["url"] == f"/podcast/{catalogue['python'].slug}/"
    assert get(client, "/api/v1/search/suggest?q=")[1]["items"] == []
    charts = get(client, "/api/v1/charts?limit=5")[1]
    assert {s["title"] for s in charts["items"]} <= {"Talk Python To Me", "Valgkamp"}
    assert charts["items"]
    news = get(client, "/api/v1/charts?category=news")[1]
    assert [s["title"] for s in news["items"]] == ["Valgkamp"]


def test_etag_and_304(client: Client, catalogue: dict[str, Any]) -> None:
    _, _, response = get(client, "/api/v1/shows")
    etag = response["ETag"]
    again = client.get("/api/v1/shows", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/api/v1/shows?limit=1", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_anonymous_rate_limit_and_higher_key_limit(
    client: Client, catalogue: dict[str, Any], settings: Any, signed: Callable[..., dict[str, str]]
) -> None:
    settings.LYTT_API_ANON_PER_MINUTE = 2
    assert get(client, "/api/v1/categories")[0] == 200
    assert get(client, "/api/v1/categories")[0] == 200
    status, body, response = get(client, "/api/v1/categories")
    assert status == 429
    assert_error(body, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    # A signed request counts against its key's limit (600 a minute), not the address's.
    assert get(client, "/api/v1/categories", **signed())[0] == 200


def test_bad_signature_on_v1_is_401(
    client: Client, catalogue: dict[str, Any], signed: Callable[..., dict[str, str]]
) -> None:
    headers = signed()
    headers["HTTP_AUTHORIZATION"] = "0" * 40
    status, body, _ = get(client, "/api/v1/shows", **headers)
    assert status == 401
    assert_error(body, "unauthorized")


def test_search_dates_take_every_offset_iso_8601_allows(client: Client, catalogue: dict[str, Any]) -> None:
    """PostgreSQL refuses offsets beyond 15:59, naive and aware dates do not compare: both go to UTC first."""
    dated = get(client, "/api/v1/search?q=python&kind=episodes&since=1900-01-01T00:00:00Z")[1]["total"]
    assert dated > 0
    # 2000-01-01T00:00+16:46 is 1999-12-31T07:14Z: every dated episode is newer.
    status, body, _ = get(client, "/api/v1/search?q=python&kind=episodes&since=2000-01-01T00:00:00%2B16:46")
    assert status == 200, body
    assert body["total"] == dated
    future = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    status, body, _ = get(client, f"/api/v1/search?q=python&kind=episodes&since={future}-16:30")
    assert (status, body["total"]) == (200, 0)
    status, body, _ = get(  # a naive `since` (taken as UTC) beside an aware `until`
        client, "/api/v1/search?q=python&kind=episodes&since=1900-01-01T00:00:00&until=2999-01-01T00:00:00Z"
    )
    assert (status, body["total"]) == (200, dated)
