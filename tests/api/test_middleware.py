"""Every answer under /api/ (and /v1/) is JSON, errors included; pages keep their HTML 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "shape"),
    [
        ("/api/v1/no-such-thing", "v1"),
        ("/api/v1/shows/no/such/thing/", "v1"),
        ("/api/1.0/no/such/endpoint", "pi"),
        ("/api/1.0/", "pi"),
        ("/api/2/no-such-thing.json", "gpodder"),
        ("/api/2/tag/", "gpodder"),
        ("/api/", "gpodder"),
        ("/api/3/anything", "gpodder"),
    ],
)
def test_unknown_paths_under_api_answer_a_json_404(client: Client, url: str, shape: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if shape == "v1":
        assert body["error"]["code"] == "not_found"
        assert url in body["error"]["message"]
    elif shape == "pi":
        assert body["status"] == "false"
        assert url in body["description"]
    else:
        assert url in body["error"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("delete", "/api/v1/shows"),
        ("put", "/api/v1/categories"),
        ("put", "/api/1.0/search/byterm"),
        ("delete", "/api/2/tags/10.json"),
        ("post", "/api/2/data/podcast.json"),
    ],
)
def test_wrong_methods_under_api_answer_a_json_405(client: Client, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json()
    assert "GET" in response["Allow"]


def test_a_crash_under_api_answers_a_json_500(settings: Any) -> None:
    def crash(request: Any) -> Any:
        raise RuntimeError("boom")

    settings.ROOT_URLCONF = type(
        "Urls",
        (),
        {"urlpatterns": [path("api/v1/crash", crash), path("v1/crash", crash), path("crash", crash)]},
    )
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/crash")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "boom" not in response.content.decode()  # no internals leak
    opa = client.get("/v1/crash")  # the Open Podcast API's Error object
    assert (opa.status_code, opa.json()["code"]) == (500, 500)
    page = client.get("/crash")
    assert page.status_code == 500
    assert not page["Content-Type"].startswith("application/json")


def test_pages_keep_their_html_404(client: Client) -> None:
    response = client.get("/podcast/no-such-show/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
