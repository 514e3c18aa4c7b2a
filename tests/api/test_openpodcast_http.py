"""The Open Podcast API over real HTTP (a live server on loopback), with httpx as an app would call it,
beside mygpoclient (the reference gpodder.net client) and the website's "My shows" page: one list."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from mygpoclient import api
from tests.api.conftest import make_show
from tests.listeners import PASSWORD, _fast_password_hashing  # noqa: F401 (fixture)

from lytt.accounts.tokens import create_token
from lytt.catalog.models import Show

DAGENS = "https://feeds.example.org/dagens.xml"
KVELD = "https://feeds.example.org/kveld.xml"


@pytest.fixture
def shows(transactional_db: None) -> tuple[Show, Show]:
    return make_show("Dagens tema", feed_url=DAGENS), make_show("Kveldsprat", feed_url=KVELD)


@pytest.fixture
def opa(live_server: Any, transactional_db: None) -> httpx.Client:
    user = User.objects.create_user("kari", "kari@example.org", PASSWORD)
    token = create_token(user, "httpx")[1]
    return httpx.Client(base_url=f"{live_server.url}/v1/", headers={"Authorization": f"Bearer {token}"})


def my_shows(live_server: Any) -> str:
    browser = httpx.Client(base_url=live_server.url, follow_redirects=True)
    browser.get("/accounts/login/")
    csrf = browser.cookies["csrftoken"]
    browser.post(
        "/accounts/login/", data={"username": "kari", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    )
    return browser.get("/me/shows/").text


def test_one_list_for_the_open_podcast_api_gpodder_apps_and_the_website(
    live_server: Any, opa: httpx.Client, shows: tuple[Show, Show]
) -> None:
    response = opa.post("subscriptions", json={"subscriptions": [{"feed_url": DAGENS}]})
    assert response.status_code == 200
    [added] = response.json()["success"]
    gpo = api.MygPodderClient("kari", PASSWORD, root_url=live_server.url)
    assert gpo.get_subscriptions("phone") == [DAGENS]
    assert "Dagens tema" in my_shows(live_server)

    gpo.update_subscriptions("phone", [KVELD], [])
    listed = opa.get("subscriptions").json()
    assert listed["total"] == 2
    assert {s["feed_url"] for s in listed["subscriptions"] if s["is_subscribed"]} == {DAGENS, KVELD}
    assert "Kveldsprat" in my_shows(live_server)

    response = opa.delete(f"subscriptions/{added['guid']}")
    assert response.status_code == 202
    assert opa.get(f"deletions/{response.json()['deletion_id']}").json()["status"] == "SUCCESS"
    assert opa.get(f"subscriptions/{added['guid']}").status_code == 410
    assert gpo.get_subscriptions("phone") == [KVELD]
    assert "Dagens tema" not in my_shows(live_server)


def test_errors_over_http_are_json(opa: httpx.Client) -> None:
    response = opa.post("subscriptions", content=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code == 405
    assert response.json()["field"] == "body"
    response = httpx.get(str(opa.base_url.join("subscriptions")))
    assert response.status_code == 401
    assert response.json()["code"] == 401
    response = opa.get("no/such/thing")
    assert response.status_code == 404
    assert response.json()["code"] == 404
