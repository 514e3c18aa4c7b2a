"""Person pages (/people/<slug>/): who a `podcast:person` is, the shows that name them, and every episode
they appear in across shows, newest first, with their roles, a page at a time. Rows are the lists' own
(`fragments.newest_rows`), so play buttons and marks work as everywhere else."""

from __future__ import annotations

import dataclasses

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from lytt.catalog.models import Person
from lytt.catalog.people_edit import person_by_old_slug
from lytt.web import fragments, queries
from lytt.web.cache_headers import page_cache
from lytt.web.media import playable_url

EPISODES_PER_PAGE = 20

#: The Podcast Taxonomy's common roles (lower-cased, as ingest stores them) in the reader's language; any
#: other role is shown as the feed wrote it.
_ROLES = {
    "host": pgettext_lazy("person role", "Host"),
    "co-host": pgettext_lazy("person role", "Co-host"),
    "guest host": pgettext_lazy("person role", "Guest host"),
    "guest": pgettext_lazy("person role", "Guest"),
    "producer": pgettext_lazy("person role", "Producer"),
    "executive producer": pgettext_lazy("person role", "Executive producer"),
    "editor": pgettext_lazy("person role", "Editor"),
    "narrator": pgettext_lazy("person role", "Narrator"),
    "reporter": pgettext_lazy("person role", "Reporter"),
    "author": pgettext_lazy("person role", "Author"),
    "writer": pgettext_lazy("person role", "Writer"),
    "composer": pgettext_lazy("person role", "Composer"),
    "sound designer": pgettext_lazy("person role", "Sound designer"),
    "audio engineer": pgettext_lazy("person role", "Audio engineer"),
    "director": pgettext_lazy("person role", "Director"),
    "announcer": pgettext_lazy("person role", "Announcer"),
    "cover art designer": pgettext_lazy("person role", "Cover art designer"),
}


def role_label(role: str) -> str:
    known = _ROLES.get(role.lower())
    return str(known) if known is not None else role[:1].upper() + role[1:]


def roles_label(roles: list[str] | tuple[str, ...]) -> str:
    return ", ".join(dict.fromkeys(role_label(role) for role in roles))


@require_safe
@page_cache()
def person_page(request: HttpRequest, person_slug: str) -> HttpResponse:
    person = Person.objects.filter(slug=person_slug).first()
    if person is None:
        moved = person_by_old_slug(person_slug)
        if moved is None:
            raise Http404("No such person")
        return redirect("web:person", moved.slug, permanent=True)
    page = queries.parse_page(request.GET.get("page"))
    listing = queries.person_episodes(person, page, EPISODES_PER_PAGE)
    episodes = [
        dataclasses.replace(row, roles=roles_label(listing.roles.get(episode.id, [])))
        for row, episode in zip(fragments.newest_rows(listing.rows), listing.rows, strict=True)
    ]
    shows = [(show, roles_label(roles)) for show, roles in queries.person_shows(person)]
    context = {
        "person": person,
        "image": playable_url(person.img, request),
        "link": playable_url(person.href),
        "shows": shows,
        "episodes": episodes,
        "listing": listing,
        "canonical": request.build_absolute_uri(reverse("web:person", args=[person.slug])),
    }
    return render(request, "lytt/person.html", context)
