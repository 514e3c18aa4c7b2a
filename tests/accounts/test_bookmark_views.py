"""The bookmarks page: a listener's own bookmarks, newest first, linked at their time; deleting one."""

from __future__ import annotations

from collections.abc import Callable

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


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/me/bookmarks/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_lists_ones_own_bookmarks_at_their_time(
    user: User, make_user: Callable[..., User], show: Show
) -> None:
    first, second = Episode.objects.filter(show=show).order_by("pk")
    listening.add_bookmark(user, first.pk, 754, "the <good> bit")
    listening.add_bookmark(user, second.pk, 3725)
    listening.add_bookmark(make_user("ola"), first.pk, 9, "ola's secret")
    html = signed_in(user).get("/me/bookmarks/").content.decode()
    assert f'href="/podcast/{show.slug}/{first.slug}/?t=754"' in html
    assert "12:34" in html
    assert "1:02:05" in html
    assert "the &lt;good&gt; bit" in html
    assert "secret" not in html
    assert html.index(second.title) < html.index(first.title)  # newest first


def test_delete_own_bookmark_only_by_post(user: User, make_user: Callable[..., User], show: Show) -> None:
    episode = Episode.objects.filter(show=show).first()
    assert episode is not None
    mine = listening.add_bookmark(user, episode.pk, 10)
    theirs = listening.add_bookmark(make_user("ola"), episode.pk, 20)
    client = signed_in(user)
    assert client.get(f"/me/bookmarks/{mine.pk}/delete/").status_code == 405
    assert client.post(f"/me/bookmarks/{theirs.pk}/delete/").status_code == 302
    assert Bookmark.objects.filter(pk=theirs.pk).exists()
    response = client.post(f"/me/bookmarks/{mine.pk}/delete/", follow=True)
    assert "The bookmark was deleted." in response.content.decode()
    assert not Bookmark.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("nb", ["<h1>Bokmerker</h1>", "Ingen bokmerker ennå."]),
        ("en", ["<h1>Bookmarks</h1>", "No bookmarks yet."]),
    ],
)
def test_bookmarks_page_language(user: User, language: str, texts: list[str]) -> None:
    html = signed_in(user, language).get("/me/bookmarks/").content.decode()
    for text in texts:
        assert text in html
    assert 'href="/me/bookmarks/"' in signed_in(user, language).get("/me/shows/").content.decode()
