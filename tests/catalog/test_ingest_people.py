"""Ingest of people: one person across feeds when href, or exact name and image, agree; an operator's
merge and split survive later crawls; the migration keys and merges people stored before keys existed."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps
from tests.catalog.factories import episode, feed, source

from lytt.catalog.ingest import NewFeed, ingest_feed, ingest_new_feeds
from lytt.catalog.models import EpisodePerson, FeedSource, Person, PersonKey, Show, ShowPerson
from lytt.catalog.people import identity_keys
from lytt.catalog.people_edit import PeopleEditError, merge_people, split_person
from lytt.catalog.rows import episode_rows
from lytt.feeds.model import Episode, Feed
from lytt.feeds.model import Person as FeedPerson

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 1, 1, tzinfo=UTC)
IMG = "https://img.example/ada.jpg"


def _items(url: str, count: int = 2) -> list[Episode]:
    """Episodes of their own per feed (the same guids would make the second feed a duplicate)."""
    items = [episode(n) for n in range(1, count + 1)]
    for n, item in enumerate(items, start=1):
        item.guid = f"{url}#{n}"
        assert item.enclosure is not None
        item.enclosure.url = f"{url}/{n}.mp3"
    return items


def _show(url: str, title: str, *people: FeedPerson, guests: list[FeedPerson] | None = None) -> Show:
    items = _items(url)
    items[0].persons = list(guests or [])
    src = FeedSource.objects.filter(url=url).first() or source(url)
    result = ingest_feed(src, feed(title=title, persons=list(people), episodes=items), now=NOW)
    return result.show


def _recrawl(url: str, parsed: Feed) -> None:
    ingest_feed(FeedSource.objects.get(url=url), parsed, now=NOW)


def test_the_same_href_under_two_feeds_is_one_person_whatever_the_name() -> None:
    one = _show(
        "https://a.example/feed", "Show A", FeedPerson(name="Ada Lovelace", href="https://ada.example/")
    )
    two = _show("https://b.example/feed", "Show B", FeedPerson(name="A. Lovelace", href="http://ada.example"))
    person = Person.objects.get()
    assert set(person.shows.all()) == {one, two}
    assert person.name == "Ada Lovelace"  # as first seen


def test_the_same_exact_name_and_image_is_one_person() -> None:
    _show("https://a.example/feed", "Show A", FeedPerson(name="Ada Host", img=IMG))
    _show("https://b.example/feed", "Show B", FeedPerson(name="Ada Host", img=IMG, role="guest"))
    assert Person.objects.count() == 1
    assert set(ShowPerson.objects.values_list("show__title", "role")) == {
        ("Show A", "host"),
        ("Show B", "guest"),
    }


@pytest.mark.parametrize(
    "other",
    [
        FeedPerson(name="Ada Host", img="https://img.example/someone-else.jpg"),
        FeedPerson(name="ada host", img=IMG),
        FeedPerson(name="Ada Host", img=IMG, href="https://another-ada.example"),
    ],
    ids=["another-image", "another-case", "another-href"],
)
def test_namesakes_that_differ_are_two_people(other: FeedPerson) -> None:
    first = FeedPerson(name="Ada Host", img=IMG, href="https://ada.example") if other.href else None
    _show("https://a.example/feed", "Show A", first or FeedPerson(name="Ada Host", img=IMG))
    _show("https://b.example/feed", "Show B", other)
    if other.href:
        # href differs, but the exact name and image agree: the rule joins them
        assert Person.objects.count() == 1
    else:
        assert Person.objects.count() == 2
        assert len(set(Person.objects.values_list("slug", flat=True))) == 2


def test_namesakes_without_link_or_image_in_two_feeds_are_two_people() -> None:
    anna = FeedPerson(name="Anna Berg")
    one = _show("https://a.example/feed", "Show A", anna, guests=[anna])
    two = _show("https://b.example/feed", "Show B", guests=[FeedPerson(name="Anna Berg", role="guest")])
    assert Person.objects.count() == 2
    first, second = Person.objects.get(shows=one), Person.objects.get(episodes__show=two)
    assert first != second
    assert first.slug != second.slug
    assert set(EpisodePerson.objects.filter(person=first).values_list("episode__show_id", flat=True)) == {
        one.pk
    }  # within one feed the host of the show and of its episode is one person
    _recrawl(
        "https://a.example/feed",
        feed(title="Show A", persons=[anna], episodes=_items("https://a.example/feed")),
    )
    assert Person.objects.count() == 2


def test_a_name_with_a_link_but_no_image_is_not_a_namesake_without_either() -> None:
    _show("https://a.example/feed", "Show A", FeedPerson(name="Anna Berg", href="https://anna.example"))
    _show("https://b.example/feed", "Show B", FeedPerson(name="Anna Berg"))
    _show("https://c.example/feed", "Show C", FeedPerson(name="Anna Berg", href="https://anna.example/"))
    assert Person.objects.count() == 2
    assert Person.objects.get(href="https://anna.example").shows.count() == 2


def test_namesakes_in_feeds_ingested_together_are_two_people() -> None:
    new = []
    for url, title in (("https://a.example/feed", "Show A"), ("https://b.example/feed", "Show B")):
        items = _items(url)
        items[0].persons = [FeedPerson(name="Anna Berg", role="guest")]
        parsed = feed(title=title, episodes=items)
        new.append(NewFeed(source(url), parsed, episode_rows(parsed)))
    assert all(ingest_new_feeds(new, now=NOW))
    assert Person.objects.count() == 2
    assert set(EpisodePerson.objects.values_list("person__name", "episode__show__title")) == {
        ("Anna Berg", "Show A"),
        ("Anna Berg", "Show B"),
    }


def test_an_appearance_with_an_href_joins_the_person_known_by_name_and_image() -> None:
    _show("https://a.example/feed", "Show A", FeedPerson(name="Ada Host", img=IMG))
    _show(
        "https://b.example/feed", "Show B", FeedPerson(name="Ada Host", img=IMG, href="https://ada.example")
    )
    _show("https://c.example/feed", "Show C", FeedPerson(name="Ada H.", href="https://ada.example"))
    person = Person.objects.get()
    assert person.href == "https://ada.example"  # a blank href filled in
    assert person.shows.count() == 3


def test_episode_guests_across_shows_are_one_person_with_roles() -> None:
    guest = FeedPerson(name="Gus Guest", role="Guest", href="https://gus.example")
    _show("https://a.example/feed", "Show A", guests=[guest])
    _show(
        "https://b.example/feed",
        "Show B",
        guests=[guest, FeedPerson(name="Gus Guest", role="producer", href="https://gus.example")],
    )
    person = Person.objects.get()
    assert sorted(
        EpisodePerson.objects.filter(person=person).values_list("episode__show__title", "role")
    ) == [
        ("Show A", "guest"),
        ("Show B", "guest"),
        ("Show B", "producer"),
    ]


def test_a_recrawl_keeps_people_and_adds_no_keys_twice() -> None:
    host = FeedPerson(name="Ada Host", href="https://ada.example", img=IMG)
    _show("https://a.example/feed", "Show A", host, guests=[host])
    keys = sorted(PersonKey.objects.values_list("key", "person_id"))
    _recrawl(
        "https://a.example/feed",
        feed(title="Show A", persons=[host], episodes=_items("https://a.example/feed")),
    )
    assert sorted(PersonKey.objects.values_list("key", "person_id")) == keys
    assert Person.objects.count() == 1


def test_a_merge_moves_links_without_duplicates_and_a_recrawl_keeps_it() -> None:
    one = FeedPerson(name="Ada Host", img=IMG)
    two = FeedPerson(name="Ada (the host)")
    _show("https://a.example/feed", "Show A", one, guests=[one])
    _show("https://b.example/feed", "Show B", two, one)
    survivor, other = Person.objects.get(name="Ada Host"), Person.objects.get(name="Ada (the host)")
    merge_people(survivor, [other])
    assert list(Person.objects.all()) == [survivor]
    assert sorted(ShowPerson.objects.values_list("show__title", "role")) == [
        ("Show A", "host"),
        ("Show B", "host"),
    ]
    assert PersonKey.objects.filter(key__startswith="slug:").get().key == f"slug:{other.slug}"
    _recrawl(
        "https://b.example/feed",
        feed(title="Show B", persons=[two, FeedPerson(name="Ada (the host)", role="guest")]),
    )
    assert list(Person.objects.all()) == [survivor]
    assert set(ShowPerson.objects.filter(show__title="Show B").values_list("person_id", "role")) == {
        (survivor.pk, "host"),
        (survivor.pk, "guest"),
    }


def test_a_merge_needs_another_person() -> None:
    _show("https://a.example/feed", "Show A", FeedPerson(name="Ada Host"))
    with pytest.raises(PeopleEditError, match="at least one other"):
        merge_people(Person.objects.get(), [Person.objects.get()])


def test_a_split_takes_shows_and_episodes_and_a_recrawl_keeps_it() -> None:
    namesake = FeedPerson(name="John Smith", img="https://img.example/john.jpg")
    a = _show("https://a.example/feed", "Show A", namesake, guests=[namesake])
    b = _show("https://b.example/feed", "Show B", namesake, guests=[namesake])
    c = _show("https://c.example/feed", "Show C", guests=[namesake])
    john = Person.objects.get()
    c_episode = EpisodePerson.objects.get(episode__show=c).episode_id
    other = split_person(john, [b.pk], [c_episode], name="John Smith (B)")
    assert other.name == "John Smith (B)"
    assert other.slug != john.slug
    assert set(ShowPerson.objects.values_list("show_id", "person_id")) == {(a.pk, john.pk), (b.pk, other.pk)}
    assert set(EpisodePerson.objects.values_list("episode__show_id", "person_id")) == {
        (a.pk, john.pk),
        (b.pk, other.pk),
        (c.pk, other.pk),
    }
    for url, title in (("https://a.example/feed", "Show A"), ("https://b.example/feed", "Show B")):
        items = _items(url, 3)
        items[0].persons = [namesake]
        items[2].persons = [namesake]  # a new episode of each show
        _recrawl(url, feed(title=title, persons=[namesake], episodes=items))
    items = _items("https://c.example/feed")
    items[0].persons = [namesake]
    items[0].title = "Changed, so its people are stored again"
    _recrawl("https://c.example/feed", feed(title="Show C", episodes=items))
    assert Person.objects.count() == 2
    assert set(EpisodePerson.objects.values_list("episode__show_id", "person_id")) == {
        (a.pk, john.pk),
        (b.pk, other.pk),
        (c.pk, other.pk),
    }
    assert EpisodePerson.objects.filter(person=other).count() == 3


def test_a_split_must_leave_something_and_take_something() -> None:
    namesake = FeedPerson(name="John Smith")
    a = _show("https://a.example/feed", "Show A", namesake)
    john = Person.objects.get()
    with pytest.raises(PeopleEditError, match="choose shows or episodes"):
        split_person(john, [], [])
    with pytest.raises(PeopleEditError, match="nothing would stay"):
        split_person(john, [a.pk], [])
    assert Person.objects.count() == 1


def test_the_migration_keys_people_and_merges_those_that_are_one() -> None:
    migration = importlib.import_module("lytt.catalog.migrations.0015_person_keys_identity")
    show = _show("https://a.example/feed", "Show A", FeedPerson(name="Ada"), guests=[FeedPerson(name="Ada")])
    ada = Person.objects.get()
    Person.objects.filter(pk=ada.pk).update(href="https://ada.example")
    twin = Person.objects.create(name="Ada L.", slug="ada-l", href="https://ada.example/")
    ShowPerson.objects.create(show=show, person=twin, role="host")  # the same link: dropped in the merge
    ShowPerson.objects.create(show=show, person=twin, role="guest")
    other = Person.objects.create(name="Bob", slug="bob")
    PersonKey.objects.all().delete()
    migration.add_keys(apps, None)
    assert set(Person.objects.values_list("pk", flat=True)) == {ada.pk, other.pk}
    assert set(ShowPerson.objects.values_list("person_id", "role")) == {(ada.pk, "host"), (ada.pk, "guest")}
    expected = {
        *identity_keys("Ada", "https://ada.example", "", None),
        *identity_keys("Ada L.", "https://ada.example/", "", None),
    }
    assert set(PersonKey.objects.filter(person_id=ada.pk).values_list("key", flat=True)) == expected
    assert set(PersonKey.objects.filter(person_id=other.pk).values_list("key", flat=True)) == set(
        identity_keys("Bob", "", "", None)
    )


def test_the_migration_makes_name_keys_without_an_image_per_feed() -> None:
    """People keyed by the earlier rule (a name without an image held across feeds) keep their feeds after
    the migration, and a namesake in a new feed is someone else."""
    migration = importlib.import_module("lytt.catalog.migrations.0021_person_name_keys_per_feed")
    bob = FeedPerson(name="Bob")
    a = _show("https://a.example/feed", "Show A", bob)
    b = _show("https://b.example/feed", "Show B", guests=[FeedPerson(name="Bob", href="https://bob.example")])
    first = Person.objects.get(shows=a)
    second = Person.objects.get(episodes__show=b)
    legacy = identity_keys("Bob", "", "", None)[0]
    PersonKey.objects.filter(key__startswith="s:").delete()
    PersonKey.objects.create(key=legacy, person=first)  # as the earlier rule stored it: one global key
    PersonKey.objects.create(key=legacy, person=second, show=b)  # an operator's split, scoped to show B
    migration.keys_per_feed(apps, None)
    assert not PersonKey.objects.filter(key=legacy).exists()
    assert set(PersonKey.objects.filter(key__startswith="s:").values_list("key", "person_id", "show_id")) == {
        (identity_keys("Bob", "", "", a.pk)[0], first.pk, None),
        (identity_keys("Bob", "", "", b.pk)[0], second.pk, b.pk),
    }
    _recrawl(
        "https://a.example/feed",
        feed(title="Show A", persons=[bob], episodes=_items("https://a.example/feed")),
    )
    _show("https://c.example/feed", "Show C", bob)
    assert Person.objects.get(shows=a) == first
    assert Person.objects.count() == 3
