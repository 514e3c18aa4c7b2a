"""An operator's changes to who is who: merging people and splitting a person.

Both are recorded in `PersonKey` (marked `by_operator`), the keys ingest resolves appearances by, so a
later crawl finds the people the operator made: a merge moves the merged people's keys to the survivor;
a split gives the new person copies of the person's keys scoped to the chosen shows and episodes, which
win over the global keys there. A merged person's page address is kept as a `slug:` key, so links to it
lead to the survivor.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from lytt.catalog.ingest_shows import free_show_slugs
from lytt.catalog.models import Episode, EpisodePerson, Person, PersonKey, Show, ShowPerson
from lytt.catalog.rows import slug_base

SLUG_KEY = "slug:"


class PeopleEditError(ValueError):
    """A merge or split that cannot be done as asked (the message says why)."""


def move_links(link_model: type[Model], parent: str, survivor: int, losers: Sequence[int]) -> None:
    """The losers' `link_model` rows (ShowPerson, EpisodePerson: `parent` is "show" or "episode") become
    the survivor's, except those the survivor already has (same parent and role), which are deleted.
    Also used by the migration that introduced keys, with its historical models."""
    links: Any = link_model._default_manager
    have = set(links.filter(person_id=survivor).values_list(f"{parent}_id", "role"))
    duplicates, moving = [], []
    for pk, parent_id, role in links.filter(person_id__in=losers).values_list("pk", f"{parent}_id", "role"):
        if (parent_id, role) in have:
            duplicates.append(pk)
        else:
            have.add((parent_id, role))
            moving.append(pk)
    links.filter(pk__in=duplicates).delete()
    links.filter(pk__in=moving).update(person_id=survivor)


def _touch_shows(show_ids: Collection[int]) -> None:
    """Pages and fragments that list these shows' people are cached by the show's `updated_at`."""
    Show.objects.filter(pk__in=list(show_ids)).update(updated_at=timezone.now())


def _shows_of(person_ids: Sequence[int]) -> set[int]:
    shows = set(ShowPerson.objects.filter(person_id__in=person_ids).values_list("show_id", flat=True))
    episodes = EpisodePerson.objects.filter(person_id__in=person_ids).values_list(
        "episode__show_id", flat=True
    )
    return shows | set(episodes.distinct().order_by())


@transaction.atomic
def merge_people(survivor: Person, others: Sequence[Person]) -> Person:
    """Make `others` one person with `survivor`: their links, keys and page addresses move to it (links it
    already has are not duplicated), a blank href or image is taken from them, and they are deleted."""
    losers = [p for p in others if p.pk != survivor.pk]
    if not losers:
        raise PeopleEditError("choose at least one other person to merge into the one that stays")
    loser_ids = [p.pk for p in losers]
    touched = _shows_of([survivor.pk, *loser_ids])
    move_links(ShowPerson, "show", survivor.pk, loser_ids)
    move_links(EpisodePerson, "episode", survivor.pk, loser_ids)
    PersonKey.objects.filter(person_id__in=loser_ids).update(person=survivor, by_operator=True)
    PersonKey.objects.bulk_create(
        [PersonKey(key=f"{SLUG_KEY}{p.slug}", person=survivor, by_operator=True) for p in losers],
        ignore_conflicts=True,
    )
    for field in ("href", "img"):
        if not getattr(survivor, field):
            setattr(survivor, field, next((getattr(p, field) for p in losers if getattr(p, field)), ""))
    survivor.save(update_fields=["href", "img"])
    Person.objects.filter(pk__in=loser_ids).delete()
    _touch_shows(touched)
    return survivor


@transaction.atomic
def split_person(
    person: Person, show_ids: Collection[int], episode_ids: Collection[int], name: str = ""
) -> Person:
    """A new person (named `name`, else as `person`) for the chosen shows (with their episodes) and
    episodes: their links move to them, and keys scoped to those shows and episodes say so to ingest."""
    shows = set(
        ShowPerson.objects.filter(person=person, show_id__in=list(show_ids)).values_list("show_id", flat=True)
    )
    shows |= set(
        EpisodePerson.objects.filter(person=person, episode__show_id__in=list(show_ids))
        .values_list("episode__show_id", flat=True)
        .order_by()
    )
    episodes = set(
        EpisodePerson.objects.filter(person=person, episode_id__in=list(episode_ids))
        .exclude(episode__show_id__in=shows)
        .values_list("episode_id", flat=True)
    )
    if not shows and not episodes:
        raise PeopleEditError(f"choose shows or episodes that {person.name} appears in")
    chosen_episodes = Q(episode__show_id__in=shows) | Q(episode_id__in=episodes)
    stays = (
        ShowPerson.objects.filter(person=person).exclude(show_id__in=shows).exists()
        or EpisodePerson.objects.filter(person=person).exclude(chosen_episodes).exists()
    )
    if not stays:
        raise PeopleEditError(f"that is every show and episode of {person.name}: nothing would stay")
    new_name = name.strip()[:300] or person.name
    slug = free_show_slugs([slug_base(new_name, 280, "person")], Person)[0]
    new = Person.objects.create(name=new_name, slug=slug, href=person.href, img=person.img)
    ShowPerson.objects.filter(person=person, show_id__in=shows).update(person=new)
    EpisodePerson.objects.filter(person=person).filter(chosen_episodes).update(person=new)
    own_keys = PersonKey.objects.filter(person=person).exclude(key__startswith=SLUG_KEY)
    keys = set(own_keys.values_list("key", flat=True))
    own_keys.filter(Q(show_id__in=shows) | Q(episode_id__in=episodes)).update(person=new, by_operator=True)
    scoped = [
        PersonKey(key=key, person=new, show_id=show_id, by_operator=True) for key in keys for show_id in shows
    ]
    scoped += [
        PersonKey(key=key, person=new, episode_id=episode_id, by_operator=True)
        for key in keys
        for episode_id in episodes
    ]
    PersonKey.objects.bulk_create(scoped, batch_size=500, ignore_conflicts=True)
    _touch_shows(shows | set(Episode.objects.filter(pk__in=episodes).values_list("show_id", flat=True)))
    return new


def person_by_old_slug(slug: str) -> Person | None:
    """The person a merged person's page address now leads to."""
    key = PersonKey.objects.filter(key=f"{SLUG_KEY}{slug}").select_related("person").first()
    return key.person if key else None
