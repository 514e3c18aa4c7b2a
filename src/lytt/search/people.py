"""People on the search page: those of the shows and episodes found whose names hold every word of the
query (as typed, or as forgiving search corrected it), Norwegian letters folded.

Taken from the hits the page already has, not from a scan of every name: a name is in its episodes' and
shows' index rows, which rank people's names high, so a query for someone finds their episodes first.
It costs two indexed lookups by id (docs/benchmarks.md has the scan this replaced).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from lytt.catalog.models import EpisodePerson, ShowPerson
from lytt.search.query import parse
from lytt.search.spelling import fold
from lytt.search.types import SearchResults

PEOPLE_ON_PAGE = 6
_COLUMNS = ("person_id", "person__slug", "person__name", "person__img")


class FoundPerson(NamedTuple):
    slug: str
    name: str
    img: str


def people_in_results(
    text: str, results: Iterable[SearchResults | None], limit: int = PEOPLE_ON_PAGE
) -> list[FoundPerson]:
    """Up to `limit` people of the hits in `results` whose names hold every positive word of `text`, in
    the order of the hits they were found in."""
    words = [fold(word) for term in parse(text).terms if not term.negated for word in term.words]
    hits = [hit for found in results if found is not None for hit in found.hits]
    if not words or not hits:
        return []
    rank = {(hit.kind, hit.id): n for n, hit in enumerate(hits)}
    show_ids = [hit.id for hit in hits if hit.kind == "shows"]
    episode_ids = [hit.id for hit in hits if hit.kind == "episodes"]
    appearances: list[tuple[int, int, str, str, str]] = []
    shown = ShowPerson.objects.filter(show_id__in=show_ids).values_list("show_id", *_COLUMNS)
    for show_id, person_id, slug, name, img in shown:
        appearances.append((rank[("shows", show_id)], person_id, slug, name, img))
    heard = EpisodePerson.objects.filter(episode_id__in=episode_ids).values_list("episode_id", *_COLUMNS)
    for episode_id, person_id, slug, name, img in heard:
        appearances.append((rank[("episodes", episode_id)], person_id, slug, name, img))
    found: dict[int, FoundPerson] = {}
    for _, person_id, slug, name, img in sorted(appearances, key=lambda item: item[0]):
        folded = fold(name)
        if person_id not in found and all(word in folded for word in words):
            found[person_id] = FoundPerson(slug, name, img)
    return list(found.values())[:limit]
