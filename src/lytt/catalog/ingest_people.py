"""Ingest's writes of people (podcast:person): who each appearance is (by the keys of
`lytt.catalog.people`, looked up in `PersonKey`), new people and the keys known people lack, and their
links to shows and episodes. Keys are only ever added here, never moved: merges and splits are the
operator's (`lytt.catalog.people_admin`), and ingest follows them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lytt.catalog import bulk, people, rows
from lytt.catalog.ingest_shows import free_show_slugs
from lytt.catalog.models import EpisodePerson, Person, PersonKey, Show, ShowPerson

_Known = dict[tuple[str, people.Scope], int]


@dataclass(frozen=True, slots=True)
class _Appearance:
    row: rows.PersonRow
    keys: tuple[str, ...]
    scopes: tuple[people.Scope, ...]


def _appearance(row: rows.PersonRow, show_id: int, episode_id: int | None) -> _Appearance:
    return _Appearance(
        row, people.identity_keys(row.name, row.href, row.img, show_id), people.scopes_of(show_id, episode_id)
    )


def _known(keys: list[str]) -> tuple[_Known, dict[int, tuple[str, str]]]:
    """Every scope's person for `keys`, and those people's (href, img)."""
    known: _Known = {}
    details: dict[int, tuple[str, str]] = {}
    columns = ("key", "show_id", "episode_id", "person_id", "person__href", "person__img")
    for start in range(0, len(keys), bulk.BATCH):
        found = PersonKey.objects.filter(key__in=keys[start : start + bulk.BATCH]).values_list(*columns)
        for key, show_id, episode_id, person_id, href, img in found.order_by():
            known[(key, people.Scope(show_id, episode_id))] = person_id
            details[person_id] = (href, img)
    return known, details


def _create(appearances: list[_Appearance]) -> list[int]:
    """New people for appearances nobody is known by, one per group sharing keys, with global keys."""
    groups = people.group_new(a.keys for a in appearances)
    first: dict[int, _Appearance] = {}
    for group, appearance in zip(groups, appearances, strict=True):
        first.setdefault(group, appearance)
    order = sorted(first)
    slugs = free_show_slugs([rows.slug_base(first[g].row.name, 280, "person") for g in order], Person)
    made = Person.objects.bulk_create(
        [
            Person(name=first[g].row.name, slug=slug, href=first[g].row.href, img=first[g].row.img)
            for g, slug in zip(order, slugs, strict=True)
        ]
    )
    person_of = {g: person.pk for g, person in zip(order, made, strict=True)}
    keys: dict[str, int] = {}
    for group, appearance in zip(groups, appearances, strict=True):
        for key in appearance.keys:
            keys.setdefault(key, person_of[group])
    PersonKey.objects.bulk_create(
        [PersonKey(key=key, person_id=person_id) for key, person_id in keys.items()], ignore_conflicts=True
    )
    return [person.pk for person in made]


def _resolved(appearances: Sequence[_Appearance], known: _Known) -> list[tuple[int, people.Scope] | None]:
    return [people.resolve(a.keys, a.scopes, known) for a in appearances]


def people_of(appearances: Sequence[_Appearance]) -> list[int]:
    """The person of each appearance: known people by their keys, new people for the rest; keys a known
    person lacks are added in the scope that recognised them, and a blank href or image filled in."""
    all_keys = list(dict.fromkeys(key for a in appearances for key in a.keys))
    known, details = _known(all_keys)
    found = _resolved(appearances, known)
    unknown = [a for a, f in zip(appearances, found, strict=True) if f is None]
    if unknown:
        made = _create(unknown)
        known, details = _known(all_keys)  # ours, or another crawler's that got there first
        found = _resolved(appearances, known)
        used = {f[0] for f in found if f is not None}
        Person.objects.filter(pk__in=[pk for pk in made if pk not in used]).delete()
    resolved = [f for f in found if f is not None]
    if len(resolved) != len(found):  # pragma: no cover - every appearance's keys were just written
        raise RuntimeError("a person's keys vanished while they were being added")
    _add_missing_keys(appearances, resolved, known)
    _fill_blanks(appearances, resolved, details)
    return [person_id for person_id, _ in resolved]


def _add_missing_keys(
    appearances: Sequence[_Appearance], resolved: list[tuple[int, people.Scope]], known: _Known
) -> None:
    missing: dict[tuple[str, people.Scope], int] = {}
    for appearance, (person_id, scope) in zip(appearances, resolved, strict=True):
        for key in appearance.keys:
            if (key, scope) not in known:
                missing.setdefault((key, scope), person_id)
    PersonKey.objects.bulk_create(
        [
            PersonKey(key=key, person_id=person_id, show_id=scope.show_id, episode_id=scope.episode_id)
            for (key, scope), person_id in missing.items()
        ],
        batch_size=bulk.BATCH,
        ignore_conflicts=True,
    )


def _fill_blanks(
    appearances: Sequence[_Appearance],
    resolved: list[tuple[int, people.Scope]],
    details: dict[int, tuple[str, str]],
) -> None:
    """A known person's blank href or image, from the first appearance that has one."""
    changes: dict[int, dict[str, Any]] = {}
    for appearance, (person_id, _) in zip(appearances, resolved, strict=True):
        href, img = details.get(person_id, (appearance.row.href, appearance.row.img))
        change = changes.setdefault(person_id, {})
        if not href and appearance.row.href:
            change.setdefault("href", appearance.row.href)
        if not img and appearance.row.img:
            change.setdefault("img", appearance.row.img)
    for person_id, change in changes.items():
        if change:
            Person.objects.filter(pk=person_id).update(**change)


def sync_show_people(show: Show, people_rows: list[rows.PersonRow], created: bool) -> bool:
    """Link `show` to its people as the feed names them; True when the links changed."""
    ids = people_of([_appearance(row, show.pk, None) for row in people_rows]) if people_rows else []
    wanted = {(person_id, row.role, row.group) for person_id, row in zip(ids, people_rows, strict=True)}
    current: set[tuple[int, str, str]] = set()
    if not created:
        current = set(ShowPerson.objects.filter(show=show).values_list("person_id", "role", "group"))
    if current == wanted:
        return False
    if current:
        ShowPerson.objects.filter(show=show).delete()
    ShowPerson.objects.bulk_create(
        [
            ShowPerson(show=show, person_id=person_id, role=row.role, group=row.group)
            for person_id, row in zip(ids, people_rows, strict=True)
        ],
        ignore_conflicts=True,
    )
    return True


def sync_episode_people(changed: list[tuple[int, int, rows.EpisodeRow]], replace: bool) -> None:
    """People of new and changed episodes, given as (show id, episode id, row); `replace` drops the old
    links of changed ones first."""
    if replace:
        ids = [episode_id for _, episode_id, _ in changed]
        for start in range(0, len(ids), bulk.BATCH):
            EpisodePerson.objects.filter(episode_id__in=ids[start : start + bulk.BATCH]).delete()
    appearances = [
        (show_id, episode_id, person) for show_id, episode_id, row in changed for person in row.people
    ]
    if not appearances:
        return
    person_ids = people_of(
        [_appearance(person, show_id, episode_id) for show_id, episode_id, person in appearances]
    )
    EpisodePerson.objects.bulk_create(
        [
            EpisodePerson(episode_id=episode_id, person_id=person_id, role=person.role, group=person.group)
            for (_, episode_id, person), person_id in zip(appearances, person_ids, strict=True)
        ],
        batch_size=bulk.BATCH,
        ignore_conflicts=True,
    )
