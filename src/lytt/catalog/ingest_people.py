"""Ingest's writes of people (podcast:person): the people themselves, and their links to shows and
episodes."""

from __future__ import annotations

from collections.abc import Iterable

from lytt.catalog import bulk, rows
from lytt.catalog.models import (
    EpisodePerson,
    Person,
    Show,
    ShowPerson,
)


def _persons(people: Iterable[rows.PersonRow]) -> dict[str, Person]:
    """Person rows by slug, created when new (their href and image filled in when they were blank)."""
    wanted: dict[str, rows.PersonRow] = {}
    for person in people:
        wanted.setdefault(person.slug, person)
    if not wanted:
        return {}
    slugs = list(wanted)
    found = {p.slug: p for p in Person.objects.filter(slug__in=slugs)}
    missing = [
        Person(slug=slug, name=row.name, href=row.href, img=row.img)
        for slug, row in wanted.items()
        if slug not in found
    ]
    if missing:
        Person.objects.bulk_create(missing, batch_size=bulk.BATCH, ignore_conflicts=True)
        found = {p.slug: p for p in Person.objects.filter(slug__in=slugs)}
    stale = [p for slug, p in found.items() if not p.img and wanted[slug].img]
    for stale_person in stale:
        stale_person.img = wanted[stale_person.slug].img
    if stale:
        Person.objects.bulk_update(stale, ["img"])
    return found


def sync_show_people(show: Show, people: list[rows.PersonRow], created: bool) -> bool:
    wanted = {(p.slug, p.role, p.group) for p in people}
    current: set[tuple[str, str, str]] = set()
    if not created:
        current = set(ShowPerson.objects.filter(show=show).values_list("person__slug", "role", "group"))
    if current == wanted:
        return False
    persons = _persons(people)
    if current:
        ShowPerson.objects.filter(show=show).delete()
    ShowPerson.objects.bulk_create(
        [ShowPerson(show=show, person=persons[p.slug], role=p.role, group=p.group) for p in people],
        ignore_conflicts=True,
    )
    return True


def sync_episode_people(changed: list[tuple[int, rows.EpisodeRow]], replace: bool) -> None:
    """People of new and changed episodes; `replace` drops the old links of changed ones first."""
    if replace:
        ids = [episode_id for episode_id, _ in changed]
        for start in range(0, len(ids), bulk.BATCH):
            EpisodePerson.objects.filter(episode_id__in=ids[start : start + bulk.BATCH]).delete()
    with_people = [(episode_id, row) for episode_id, row in changed if row.people]
    if not with_people:
        return
    persons = _persons(person for _, row in with_people for person in row.people)
    EpisodePerson.objects.bulk_create(
        [
            EpisodePerson(episode_id=episode_id, person=persons[p.slug], role=p.role, group=p.group)
            for episode_id, row in with_people
            for p in row.people
        ],
        batch_size=bulk.BATCH,
        ignore_conflicts=True,
    )
