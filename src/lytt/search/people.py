"""People whose names match a search, for the search page (their pages are `web:person`).

Every word of the query (as typed, or as forgiving search corrected it) must occur in the name, case
aside; only people who appear in a visible show are listed. Names are short and people far fewer than
episodes, so the scan of their names costs a small part of a search (see docs/benchmarks.md).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from lytt.catalog.models import EpisodePerson, Person, ShowPerson
from lytt.search.query import parse

PEOPLE_ON_PAGE = 6


def matching_people(text: str, limit: int = PEOPLE_ON_PAGE) -> list[Person]:
    """Up to `limit` people whose names hold every positive word of `text`, shortest names first."""
    words = list(dict.fromkeys(word for term in parse(text).terms if not term.negated for word in term.words))
    if not words:
        return []
    named = Q()
    for word in words:
        named &= Q(name__icontains=word)
    listed = Exists(ShowPerson.objects.filter(person=OuterRef("pk"), show__hidden=False)) | Exists(
        EpisodePerson.objects.filter(person=OuterRef("pk"), episode__show__hidden=False)
    )
    found = Person.objects.filter(named).filter(listed).only("slug", "name", "img")
    return sorted(found[:50], key=lambda p: (len(p.name), p.name, p.pk))[:limit]
