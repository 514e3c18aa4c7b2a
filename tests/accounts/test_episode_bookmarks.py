"""Bookmarks on the episode page, server side (no JavaScript): the form keeps the moment it was given and
comes back to the page, the page lists the listener's own bookmarks in the episode at their times, deleting
one returns to the page; anonymous visitors get a sign-in link that comes back; scripts get JSON."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lytt.accounts import listening
from lytt.accounts.models import Bookmark
from lytt.catalog.models import Episode, Show

pytestmark = pytest.mark.django_db


def signed_in(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _episode(show: Show) -> Episode:
    episode = Episode.objects.filter(show=show).order_by("pk").first()
    assert episode is not None
    return episode


def _path(episode: Episode) -> str:
    return f"/podcast/{episode.show.slug}/{episode.slug}/"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("12:34", 754), (" 1:02:03 ", 3723), ("754", 754), ("12m34s", 754), ("0:00", 0)],
)
def test_bookmark_position_reads_what_listeners_type(value: str, seconds: int) -> None:
    assert listening.bookmark_position(value) == seconds


@pytest.mark.parametrize("value", ["", "abc", "-5", "12:34:56:78", "9999999:00"])
def test_bookmark_position_refuses_other_text_naming_the_field(value: str) -> None:
    with pytest.raises(listening.ListeningError) as caught:
        listening.bookmark_position(value)
    assert caught.value.field == "time"
    assert "12:34" in str(caught.value)


def test_episode_bookmarks_are_the_listeners_own_in_time_order(
    user: User, make_user: Callable[..., User], show: Show
) -> None:
    first, second = Episode.objects.filter(show=show).order_by("pk")
    late = listening.add_bookmark(user, first.pk, 900)
    early = listening.add_bookmark(user, first.pk, 30)
    listening.add_bookmark(user, second.pk, 10)
    listening.add_bookmark(make_user("ola"), first.pk, 60)
    assert [b.pk for b in listening.episode_bookmarks(user, first.pk)] == [early.pk, late.pk]


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("nb", ["Dine bokmerker", "Tid", "Notat (valgfritt)", ">Bokmerk<", "Lytt fra 12:34", "Slett"]),
        ("en", ["Your bookmarks", "Time", "Note (optional)", ">Bookmark<", "Listen from 12:34", "Delete"]),
    ],
)
def test_the_episode_page_lists_ones_own_bookmarks_with_a_form(
    user: User, make_user: Callable[..., User], show: Show, language: str, texts: list[str]
) -> None:
    episode = _episode(show)
    listening.add_bookmark(user, episode.pk, 754, "the <good> bit")
    listening.add_bookmark(make_user("ola"), episode.pk, 99, "ola's secret")
    html = signed_in(user, language).get(_path(episode)).content.decode()
    for text in texts:
        assert text in html
    assert f'href="{_path(episode)}?t=754" data-seek="754"' in html
    assert "the &lt;good&gt; bit" in html
    assert "secret" not in html
    assert 'action="/me/bookmarks/add/"' in html


def test_the_time_field_starts_at_the_pages_t_or_where_the_listener_stopped(user: User, show: Show) -> None:
    episode = _episode(show)
    client = signed_in(user)
    assert 'name="time" value="0:00"' in client.get(_path(episode)).content.decode()
    assert 'name="time" value="12:34"' in client.get(_path(episode) + "?t=12m34s").content.decode()


def test_keeping_a_bookmark_without_javascript_returns_to_the_page(user: User, show: Show) -> None:
    episode = _episode(show)
    client = signed_in(user, "nb")
    page = _path(episode) + "?t=754"
    response = client.post(
        "/me/bookmarks/add/", {"episode": episode.pk, "time": "12:34", "note": " her ", "next": page}
    )
    assert response.status_code == 302
    assert response["Location"] == page + "#bookmarks"
    kept = Bookmark.objects.get(user=user)
    assert (kept.episode_id, kept.position, kept.note) == (episode.pk, 754, "her")
    html = client.get(page).content.decode()
    assert "Bokmerket er lagret." in html
    assert 'data-seek="754"' in html


def test_a_bad_time_comes_back_with_a_message_naming_it(user: User, show: Show) -> None:
    episode = _episode(show)
    client = signed_in(user, "en")
    response = client.post(
        "/me/bookmarks/add/", {"episode": episode.pk, "time": "soon", "next": _path(episode)}, follow=True
    )
    assert "The time must look like 12:34 or 1:02:03." in response.content.decode()
    assert not Bookmark.objects.exists()


def test_scripts_get_the_new_item_as_json(user: User, show: Show) -> None:
    episode = _episode(show)
    client = signed_in(user)
    response = client.post(
        "/me/bookmarks/add/",
        {"episode": episode.pk, "time": "1:02:03", "note": "x", "next": _path(episode)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["position"], body["note"], body["episode"]) == (3723, "x", episode.pk)
    assert 'data-seek="3723"' in body["html"]
    assert f"/me/bookmarks/{body['id']}/delete/" in body["html"]
    bad = client.post(
        "/me/bookmarks/add/", {"episode": episode.pk, "time": "x"}, HTTP_ACCEPT="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "time"
    long = client.post(
        "/me/bookmarks/add/",
        {"episode": episode.pk, "time": "1", "note": "n" * 1001},
        HTTP_ACCEPT="application/json",
    )
    assert (long.status_code, long.json()["field"]) == (400, "note")
    unknown = client.post(
        "/me/bookmarks/add/", {"episode": "999999", "time": "1"}, HTTP_ACCEPT="application/json"
    )
    assert (unknown.status_code, unknown.json()["field"]) == (400, "episode")


def test_only_post_keeps_a_bookmark(user: User, show: Show) -> None:
    assert signed_in(user).get("/me/bookmarks/add/").status_code == 405


def test_signed_out_the_page_offers_sign_in_that_comes_back(show: Show) -> None:
    episode = _episode(show)
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(_path(episode) + "?t=60").content.decode()
    assert "Sign in to bookmark" in html
    assert "bookmark-form" not in html
    start = html.index("bookmarks-signin")
    href = html[html.index('href="', start) + 6 : html.index('"', html.index('href="', start) + 6)]
    query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    assert query["next"] == [_path(episode) + "?t=60#bookmarks"]


def test_signed_out_posting_is_sent_to_sign_in(show: Show) -> None:
    episode = _episode(show)
    response = Client().post("/me/bookmarks/add/", {"episode": episode.pk, "time": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert (
        Client()
        .post("/me/bookmarks/add/", {"episode": episode.pk, "time": "1"}, HTTP_ACCEPT="application/json")
        .status_code
        == 403
    )
    assert not Bookmark.objects.exists()


def test_deleting_from_the_episode_page_returns_there(
    user: User, make_user: Callable[..., User], show: Show
) -> None:
    episode = _episode(show)
    mine = listening.add_bookmark(user, episode.pk, 10)
    theirs = listening.add_bookmark(make_user("ola"), episode.pk, 20)
    client = signed_in(user)
    response = client.post(f"/me/bookmarks/{mine.pk}/delete/", {"next": _path(episode)})
    assert response["Location"] == _path(episode) + "#bookmarks"
    assert not Bookmark.objects.filter(pk=mine.pk).exists()
    assert (
        client.post(f"/me/bookmarks/{theirs.pk}/delete/", HTTP_ACCEPT="application/json").status_code == 404
    )
    assert Bookmark.objects.filter(pk=theirs.pk).exists()
    again = listening.add_bookmark(user, episode.pk, 10)
    assert client.post(f"/me/bookmarks/{again.pk}/delete/", HTTP_ACCEPT="application/json").status_code == 204
    outside = client.post(f"/me/bookmarks/{theirs.pk}/delete/", {"next": "https://evil.example/"})
    assert outside["Location"] == "/me/bookmarks/"
