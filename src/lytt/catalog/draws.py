"""Episodes drawn at random, at a cost that does not grow with the catalogue (Podcast Index's
`episodes/random`).

`ORDER BY random()` reads and sorts every candidate row. Instead:

- **Any episode** (no filter on the show): probe random ids between the smallest and the largest episode
  id; each probe reads the first episode at or after it (one step of the primary key) and keeps it when
  it is live, dated and of a visible show, else draws again. Every listed episode is as likely as any
  other, except one right after ids that were deleted, which is likelier. When most probes miss (a
  catalogue of mostly unlisted episodes), later probes take the first listed episode within `WINDOW` ids.
- **Episodes of some shows** (a language or category): choose a show of the selection at random (among
  its ids when it has up to `FEW_SHOWS` shows, else by probing random show ids: the first selected show at
  or after each), then take one of that show's live, dated episodes at a random place in its newest-first
  index. Every selected show is about as likely as any other, however
  many episodes it has, and the probes never read the episodes of shows outside the selection.

Probes that find nothing, or an episode already drawn, are retried up to a budget; a selection too
sparse for that is filled by ordering its own (few) episodes at random.
"""

from __future__ import annotations

import random

from django.db.models import Max, Min, QuerySet

from lytt.catalog.models import Episode, Show

#: How far past a random id a probe of all episodes looks for a live, dated episode of a visible show.
WINDOW = 2000
_EXTRA_PROBES = 16
#: A selection of up to this many shows is read whole and chosen from; a larger one is probed by id.
FEW_SHOWS = 5000


def _live(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    return episodes.filter(published_at__isnull=False, vanished_at__isnull=True)


def _id_range(rows: QuerySet[Show] | QuerySet[Episode]) -> tuple[int, int] | None:
    """(smallest, largest) primary key, each found at one end of the index; None for no rows."""
    low = rows.order_by().aggregate(value=Min("pk"))["value"]
    high = rows.order_by().aggregate(value=Max("pk"))["value"]
    return None if low is None or high is None else (int(low), int(high))


def _probe_episodes(rng: random.Random, found: dict[int, None], limit: int, budget: int) -> None:
    bounds = _id_range(Episode.objects.all())
    if bounds is None:
        return
    low, high = bounds
    every = Episode.objects.order_by("pk")
    for _ in range(budget):  # rejection: a probe that lands on an unlisted episode draws again
        if len(found) >= limit:
            return
        row = every.filter(pk__gte=rng.randint(low, high))
        hit = row.values_list("pk", "published_at", "vanished_at", "show__hidden").first()
        if hit is not None and hit[1] is not None and hit[2] is None and not hit[3]:
            found.setdefault(hit[0])
    listed = _live(Episode.objects.filter(show__hidden=False)).order_by("pk")
    for _ in range(budget):  # a catalogue of mostly unlisted episodes: the next listed one will do
        if len(found) >= limit:
            return
        start = rng.randint(low, high)
        near = listed.filter(pk__gte=start, pk__lt=start + WINDOW).values_list("pk", flat=True).first()
        if near is not None:
            found.setdefault(near)


def _probe_shows(
    rng: random.Random, shows: QuerySet[Show], found: dict[int, None], limit: int, budget: int
) -> None:
    selected = shows.filter(hidden=False, episode_count__gt=0).order_by("pk")
    few = list(selected.values_list("pk", "episode_count")[: FEW_SHOWS + 1])
    bounds = _id_range(Show.objects.all())
    if not few or bounds is None:
        return
    low, high = bounds
    for _ in range(budget):
        if len(found) >= limit:
            return
        if len(few) <= FEW_SHOWS:  # a small selection: choose among its shows directly
            row: tuple[int, int] | None = rng.choice(few)
        else:
            row = selected.filter(pk__gte=rng.randint(low, high)).values_list("pk", "episode_count").first()
        if row is None:
            continue
        show_id, count = row
        place = rng.randrange(count)
        episodes = _live(Episode.objects.filter(show_id=show_id)).order_by("-published_at", "-pk")
        hit = next(iter(episodes.values_list("pk", flat=True)[place : place + 1]), None)
        if hit is not None:
            found.setdefault(hit)


def random_episode_ids(
    limit: int, shows: QuerySet[Show] | None = None, rng: random.Random | None = None
) -> list[int]:
    """Up to `limit` distinct ids of live, dated episodes of visible shows (of `shows` when given), drawn
    at random (see the module for how evenly)."""
    rng = rng or random.SystemRandom()
    found: dict[int, None] = {}  # ordered: the order drawn
    budget = 2 * limit + _EXTRA_PROBES
    if shows is None:
        _probe_episodes(rng, found, limit, budget)
        pool = _live(Episode.objects.filter(show__hidden=False))
    else:
        _probe_shows(rng, shows, found, limit, budget)
        pool = _live(Episode.objects.filter(show__in=shows.filter(hidden=False)))
    if len(found) < limit:
        rest = pool.exclude(pk__in=list(found)).order_by("?").values_list("pk", flat=True)
        for pk in rest[: limit - len(found)]:
            found.setdefault(pk)
    return list(found)
