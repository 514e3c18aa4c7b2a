"""Ingest's writes of a show's own rows: free slugs, new shows in one INSERT, changed fields, and its
categories (through the taxonomy, in feed order; a subcategory also files the show under its parent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from lytt.catalog import bulk, rows, taxonomy
from lytt.catalog.bulk import execute, placeholders, quote, table
from lytt.catalog.models import (
    Category,
    Show,
    ShowCategory,
)

#: Slugs looked up at once when choosing a show slug: the base and its first suffixes.
_SLUG_PROBE = 20


def free_show_slugs(bases: Sequence[str], model: type[Model] = Show) -> list[str]:
    """For each of `bases` in order, the base or its first `base-N` that no show (or other `model` with a
    unique `slug`) has and no earlier base
    here was given, looked up by equality on the unique index, `_SLUG_PROBE` candidates per base at a time
    (a prefix scan cannot use the index under PostgreSQL's linguistic collations, and reads every
    namesake's suffix)."""
    slugs: list[str | None] = [None] * len(bases)
    given: set[str] = set()
    pending = list(range(len(bases)))
    for start in range(1, 100_000, _SLUG_PROBE):
        numbers = range(start, start + _SLUG_PROBE)
        candidates = {i: [bases[i] if n == 1 else f"{bases[i]}-{n}" for n in numbers] for i in pending}
        wanted = list(dict.fromkeys(slug for names in candidates.values() for slug in names))
        taken = given.union(bulk.existing(model, "slug", wanted))
        waiting = []
        for i in pending:
            free = next((slug for slug in candidates[i] if slug not in taken), None)
            if free is None:
                waiting.append(i)
            else:
                slugs[i] = free
                given.add(free)
                taken.add(free)
        pending = waiting
        if not pending:
            return [slug for slug in slugs if slug is not None]
    raise RuntimeError(f"no free slug for {bases[pending[0]]!r}")  # pragma: no cover - 100,000 namesakes


def insert_shows(values: list[dict[str, Any]], now: datetime) -> list[Show]:
    """INSERT the shows (Show attnames, slugs from `free_show_slugs`) in one statement and return them."""
    if connection.vendor == "sqlite":
        # One writer (transactions begin IMMEDIATE): nothing can take a slug between the probe and this
        # INSERT, so no savepoint for a retry that cannot happen.
        ids = bulk.insert_values(Show, values)
        return [_show_from(show_id, row) for show_id, row in zip(ids, values, strict=True)]
    try:
        with transaction.atomic():
            ids = bulk.insert_values(Show, values)
    except IntegrityError:
        # Another worker took a slug between our read and write: one at a time, each with its retry.
        return [_insert_show(row, now) for row in values]
    return [_show_from(show_id, row) for show_id, row in zip(ids, values, strict=True)]


def _insert_show(row: dict[str, Any], now: datetime) -> Show:
    """PostgreSQL: INSERT one show; if its slug was taken meanwhile, with a suffix that is ours alone."""
    try:
        with transaction.atomic():
            (show_id,) = bulk.insert_values(Show, [row])
    except IntegrityError:
        suffix = rows.content_hash({"title": row["title"], "at": now.isoformat()})[:6]
        base = rows.slug_base(row["title"], rows.SHOW_SLUG_MAX, "podcast")
        row = {**row, "slug": f"{base}-{suffix}"}
        (show_id,) = bulk.insert_values(Show, [row])
    return _show_from(show_id, row)


def _show_from(show_id: int, row: dict[str, Any]) -> Show:
    show = Show(pk=show_id, **row)
    show._state.adding = False
    show._state.db = connection.alias
    return show


def apply_show_fields(show: Show, fields: dict[str, Any]) -> list[str]:
    """Set the show's feed-owned fields; the names of those that changed. A publisher's block hides the
    show, and lifting it lists again the show it hid (an operator's own hiding is not the feed's to undo)."""
    changed = [name for name, value in fields.items() if getattr(show, name) != value]
    for name in changed:
        setattr(show, name, fields[name])
    if "blocked" in changed and show.hidden != show.blocked:
        show.hidden = show.blocked
        changed.append("hidden")
    return changed


def category_slugs(categories: Iterable[tuple[str, str | None]]) -> list[str]:
    """Taxonomy slugs for the feed's categories, in feed order, parents of subcategories appended."""
    slugs: list[str] = []
    parents: list[str] = []
    for main, sub in categories:
        slug = taxonomy.slug_for(main, sub)
        if slug is None:
            continue
        if slug not in slugs:
            slugs.append(slug)
        key = taxonomy.resolve(main, sub)
        if key and key[1] is not None:
            parent = taxonomy.slug_for(key[0])
            if parent and parent not in parents:
                parents.append(parent)
    return slugs + [p for p in parents if p not in slugs]


def categories_by_slug(slugs: list[str]) -> dict[str, int]:
    """Category ids of the taxonomy slugs that exist, in the order given."""
    if not slugs:
        return {}
    found = dict(
        execute(
            f"SELECT {quote('slug')}, {quote('id')} FROM {table(Category)}"
            f" WHERE {quote('slug')} IN ({placeholders(len(slugs))})",
            slugs,
        )
    )
    return {slug: found[slug] for slug in slugs if slug in found}


def sync_categories(show: Show, categories: Iterable[tuple[str, str | None]], created: bool) -> list[str]:
    """Rewrite the show's categories when they differ; ["primary_category"] when that field changed."""
    wanted = category_slugs(categories)
    current: list[str] = []
    if not created:
        current = list(
            ShowCategory.objects.filter(show=show)
            .order_by("position", "pk")
            .values_list("category__slug", flat=True)
        )
    if current == wanted:
        return []
    by_slug = {c.slug: c for c in Category.objects.filter(slug__in=wanted)}
    if current:
        ShowCategory.objects.filter(show=show).delete()
    ShowCategory.objects.bulk_create(
        [
            ShowCategory(show=show, category=by_slug[slug], position=position)
            for position, slug in enumerate(wanted)
            if slug in by_slug
        ]
    )
    primary = by_slug.get(wanted[0]) if wanted else None
    if show.primary_category_id != (primary.pk if primary else None):
        show.primary_category = primary
        return ["primary_category"]
    return ["updated_at"]
