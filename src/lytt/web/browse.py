"""Every show of a category, sorted and paged by keyset: popular, newest episode, or A–Å.

A page never counts or skips rows: it continues from the last row shown (`?after=`) or goes back from the
first (`?before=`), on an index of its order (`show_popular`, `show_newest`, `show_alphabetical`, each
ending in the id, so every position is exact). An order over a column that can be empty (a show without
a dated episode has no newest episode) lists the rows with a value first and the empty ones after them,
by id: two *segments*, each walked on the same index, so no NULLS LAST sort is needed.

Which rows belong to the category is decided one of two ways, so that a page reads a bounded number of
rows in a category of any size: a category of up to `SMALL_CATEGORY` shows has its members' sort values
read whole by primary key and ordered in Python (at most that many small rows; a database given
`id IN (...)` with ORDER BY ... LIMIT may instead walk the order's index over every show), then the page's
rows by primary key; a larger one walks the order's index and keeps the shows listed in the category (an
EXISTS probe of the unique (show, category) index), which finds a page after about page size × all shows
/ category shows rows, bounded because the category is large.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet

from lytt.catalog.models import Category, Show, ShowCategory

SMALL_CATEGORY = 2000
PER_PAGE = 24
MEMBERS_SECONDS = 300
LIST_FIELDS = ("id", "slug", "title", "author", "image_url", "latest_episode_at", "popularity", "sort_title")


@dataclass(frozen=True, slots=True)
class Order:
    """A sort of the list: by `field` (then id, the same way), `descending` or not; `nullable` fields have
    a second segment holding the rows without a value."""

    name: str
    field: str
    descending: bool
    nullable: bool = False


ORDERS = {
    "popular": Order("popular", "popularity", descending=True),
    "newest": Order("newest", "latest_episode_at", descending=True, nullable=True),
    "az": Order("az", "sort_title", descending=False),
}
DEFAULT_ORDER = "popular"


@dataclass(frozen=True, slots=True)
class Position:
    """A row's place in an order: its value (None in a nullable order's second segment) and id."""

    value: Any
    id: int


@dataclass(frozen=True, slots=True)
class ShowListPage:
    shows: list[Show]
    order: Order
    next_after: str | None  # ?after= for the next page, None on the last
    previous_before: str | None  # ?before= for the previous page, None on the first


def order_named(raw: str | None) -> Order:
    """?sort=: a known order's name, anything else the default (a bad sort is not worth an error)."""
    return ORDERS.get(raw or "", ORDERS[DEFAULT_ORDER])


def format_position(order: Order, position: Position) -> str:
    """A position as it travels in a URL: `value~id`, the value `-` for none."""
    value = position.value
    if value is None:
        text = "-"
    elif isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = repr(value) if isinstance(value, float) else str(value)
    return f"{text}~{int(position.id)}"


def parse_position(order: Order, raw: str | None) -> Position | None:
    """The inverse of `format_position`; None for anything it did not make (then the list starts over)."""
    if not raw or "~" not in raw or len(raw) > 300:
        return None
    text, _, id_text = raw.rpartition("~")
    try:
        show_id = int(id_text)
        value: Any
        if text == "-":
            value = None
        elif order.field == "latest_episode_at":
            value = datetime.fromisoformat(text)
            if value.tzinfo is None:
                return None
        elif order.field == "popularity":
            value = float(text)
        else:
            value = text
    except ValueError:
        return None
    if show_id < 1 or (value is None and not order.nullable) or (value is not None and value != value):
        return None
    if isinstance(value, str) and not value.isdigit() and value != "":
        return None
    return Position(value, show_id)


def _category_ids(category: Category) -> list[int]:
    return [category.pk, *category.children.values_list("pk", flat=True)]


def _members(category_ids: list[int]) -> list[int] | None:
    """The category's show ids when it is small (`SMALL_CATEGORY`), else None; cached a few minutes."""
    key = "lytt:category-members:" + ",".join(map(str, category_ids))
    cached: list[int] | str | None = cache.get(key)
    if isinstance(cached, str):
        return None
    if cached is not None:
        return cached
    listed = ShowCategory.objects.filter(category_id__in=category_ids)
    ids = list(listed.values_list("show_id", flat=True).distinct()[: SMALL_CATEGORY + 1])
    members = ids if len(ids) <= SMALL_CATEGORY else None
    cache.set(key, "large" if members is None else members, MEMBERS_SECONDS)
    return members


def _segment_rows(
    shows: QuerySet[Show], order: Order, segment: int, start: Position | None, forward: bool, limit: int
) -> list[Show]:
    """Up to `limit` rows of one segment (0: with a value, 1: without), from `start` (exclusive; None:
    from the segment's own start) onwards in the order (`forward`) or back towards its beginning."""
    field = order.field
    descending = order.descending == forward  # the direction this query walks
    if order.nullable:
        shows = shows.filter(**{f"{field}__isnull": segment == 1})
    if start is not None:
        compare = "lt" if descending else "gt"
        if segment == 1:
            shows = shows.filter(**{f"pk__{compare}": start.id})
        else:
            # The bound on the field alone is implied by the OR, but only it can start the index walk
            # at the position (an OR is a filter, which would read every row before the position).
            shows = shows.filter(
                Q(**{f"{field}__{compare}e": start.value}),
                Q(**{f"{field}__{compare}": start.value})
                | Q(**{field: start.value, f"pk__{compare}": start.id}),
            )
    sign = "-" if descending else ""
    ordering = [f"{sign}pk"] if segment == 1 else [f"{sign}{field}", f"{sign}pk"]
    return list(shows.order_by(*ordering)[:limit])


def _position(order: Order, show: Show) -> Position:
    return Position(getattr(show, order.field), show.pk)


def _segment_of(order: Order, position: Position) -> int:
    return 1 if order.nullable and position.value is None else 0


def _walk(
    shows: QuerySet[Show], order: Order, start: Position | None, forward: bool, limit: int
) -> list[Show]:
    """Up to `limit` rows from `start` across the segments, in walking order."""
    segments = [0, 1] if order.nullable else [0]
    if not forward:
        segments.reverse()
    current = _segment_of(order, start) if start is not None else segments[0]
    found: list[Show] = []
    for segment in segments[segments.index(current) :]:
        begin = start if start is not None and segment == current else None
        found.extend(_segment_rows(shows, order, segment, begin, forward, limit - len(found)))
        if len(found) >= limit:
            break
    return found


def _precedes(order: Order, a: Position, b: Position) -> bool:
    """Whether `a` comes before `b` in `order` (the order the database walks, segments included)."""
    if (a.value is None) != (b.value is None):
        return b.value is None
    if a.value is None or a.value == b.value:
        return a.id > b.id if order.descending else a.id < b.id
    return bool(a.value > b.value) if order.descending else bool(a.value < b.value)


def _members_in_order(order: Order, members: list[int]) -> list[Position]:
    """A small category's visible shows, all of them, as positions in `order` (one indexed read)."""
    rows = Show.objects.filter(pk__in=members, hidden=False).order_by().values_list(order.field, "pk")
    valued = sorted((Position(v, i) for v, i in rows if v is not None), key=lambda p: (p.value, p.id))
    empty = sorted((Position(None, i) for v, i in rows if v is None), key=lambda p: p.id)
    if order.descending:
        valued.reverse()
        empty.reverse()
    return valued + empty


def _walk_members(
    ordered: list[Position], order: Order, start: Position | None, forward: bool, limit: int
) -> list[Position]:
    """`_walk` over a small category's positions, read whole."""
    if forward:
        rest = ordered if start is None else [p for p in ordered if _precedes(order, start, p)]
        return rest[:limit]
    earlier = ordered if start is None else [p for p in ordered if _precedes(order, p, start)]
    return list(reversed(earlier[-limit:])) if limit else []


def category_shows_page(
    category: Category,
    order: Order,
    *,
    after: Position | None = None,
    before: Position | None = None,
    per_page: int | None = None,
) -> ShowListPage:
    """One page of the visible shows listed in `category` or its subcategories (see the module)."""
    per_page = per_page or PER_PAGE
    ids = _category_ids(category)
    members = _members(ids)
    shows = Show.objects.filter(hidden=False).only(*LIST_FIELDS)

    def walk(start: Position | None, forward: bool, limit: int) -> list[Show]:
        if ordered is None:
            return _walk(shows, order, start, forward, limit)
        chosen = _walk_members(ordered, order, start, forward, limit)
        found = shows.order_by().in_bulk([p.id for p in chosen])
        return [found[p.id] for p in chosen if p.id in found]

    ordered: list[Position] | None = None
    if members is not None:
        ordered = _members_in_order(order, members)
    else:
        shows = shows.filter(Exists(ShowCategory.objects.filter(show_id=OuterRef("pk"), category_id__in=ids)))
    rows = walk(before, False, per_page + 1) if before is not None else []
    if len(rows) > per_page:
        page = list(reversed(rows[:per_page]))
        more_before = more_after = True
    else:  # forwards, or back to the first page: that page is always full
        after = after if before is None else None
        rows = walk(after, True, per_page + 1)
        page = rows[:per_page]
        more_after = len(rows) > per_page
        more_before = after is not None and bool(page)
    return ShowListPage(
        page,
        order,
        format_position(order, _position(order, page[-1])) if more_after and page else None,
        format_position(order, _position(order, page[0])) if more_before and page else None,
    )
