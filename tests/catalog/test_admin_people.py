"""Merging and splitting people in the admin: each action asks first, then does what was confirmed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from tests.catalog.factories import episode, feed

from lytt.catalog.ingest import ingest_feed
from lytt.catalog.models import EpisodePerson, FeedSource, Person, PersonKey, Show, ShowPerson
from lytt.feeds.model import Person as FeedPerson

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:catalog_person_changelist"


@pytest.fixture
def operator(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def _show(url: str, title: str, person: FeedPerson) -> Show:
    items = [episode(n) for n in (1, 2)]
    for n, item in enumerate(items, start=1):
        item.guid = f"{url}#{n}"
        assert item.enclosure is not None
        item.enclosure.url = f"{url}/{n}.mp3"
        item.persons = [person]
    source = FeedSource.objects.create(url=url)
    return ingest_feed(
        source, feed(title=title, persons=[person], episodes=items), now=datetime(2025, 1, 1, tzinfo=UTC)
    ).show


def _act(client: Client, action: str, people: list[Person], **data: object) -> str:
    response = client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [p.pk for p in people], **data},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_merge_asks_which_person_stays_then_merges(operator: Client) -> None:
    _show("https://a.example/feed", "Show A", FeedPerson(name="Ada Host"))
    _show("https://b.example/feed", "Show B", FeedPerson(name="Ada H."))
    ada, other = Person.objects.get(name="Ada Host"), Person.objects.get(name="Ada H.")
    page = _act(operator, "merge", [ada, other])
    assert "Choose the one who stays" in page
    assert 'name="survivor"' in page
    assert "Yes, merge them" in page
    assert Person.objects.count() == 2  # nothing happens before the confirmation
    page = _act(operator, "merge", [ada, other], confirm="yes", survivor=other.pk)
    assert "1 merged into Ada H." in page
    assert list(Person.objects.all()) == [other]
    assert ShowPerson.objects.filter(person=other).count() == 2
    assert EpisodePerson.objects.filter(person=other).count() == 4
    assert PersonKey.objects.filter(person=other, by_operator=True).exists()


def test_merge_needs_two_people(operator: Client) -> None:
    _show("https://a.example/feed", "Show A", FeedPerson(name="Ada Host"))
    page = _act(operator, "merge", [Person.objects.get()])
    assert "Choose two or more people to merge." in page


def test_split_lists_shows_and_episodes_then_splits_the_chosen(operator: Client) -> None:
    namesake = FeedPerson(name="John Smith", img="https://img.example/john.jpg")
    a = _show("https://a.example/feed", "Show A", namesake)
    b = _show("https://b.example/feed", "Show B", namesake)
    john = Person.objects.get()
    page = _act(operator, "split", [john])
    assert "Show A" in page
    assert "Show B" in page
    assert page.count('name="episode"') == 4
    assert Person.objects.count() == 1
    page = _act(operator, "split", [john], confirm="yes", show=[b.pk], name="John Smith of B")
    assert "Split off as John Smith of B" in page
    other = Person.objects.get(name="John Smith of B")
    assert list(ShowPerson.objects.filter(show=a).values_list("person_id", flat=True)) == [john.pk]
    assert list(ShowPerson.objects.filter(show=b).values_list("person_id", flat=True)) == [other.pk]
    assert set(EpisodePerson.objects.filter(episode__show=b).values_list("person_id", flat=True)) == {
        other.pk
    }


def test_split_refuses_to_take_everything_and_says_why(operator: Client) -> None:
    a = _show("https://a.example/feed", "Show A", FeedPerson(name="John Smith"))
    john = Person.objects.get()
    page = _act(operator, "split", [john], confirm="yes", show=[a.pk])
    assert "Not split: that is every show and episode of John Smith: nothing would stay." in page
    assert Person.objects.count() == 1
    two = Person.objects.create(name="Other", slug="other")
    assert "Choose exactly one person to split." in _act(operator, "split", [john, two])
