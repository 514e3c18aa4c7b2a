"""Ingest's episode rules: match incoming items to stored episodes, rewrite what changed, mark what
vanished, insert what is new (in bulk), and keep the show's live-episode count and newest date.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lytt.catalog import bulk, ingest_identity, ingest_people, rows
from lytt.catalog.models import (
    Episode,
    Show,
)

if TYPE_CHECKING:
    from lytt.catalog.ingest import IngestResult


@dataclass(slots=True)
class _Stored:
    id: int
    match_key: str
    guid: str
    enclosure_url: str
    content_hash: str
    vanished_at: datetime | None
    published_at: datetime | None


_STORED_FIELDS = ("id", "match_key", "guid", "enclosure_url", "content_hash", "vanished_at", "published_at")


def _match(
    stored: dict[str, _Stored], incoming: Sequence[rows.EpisodeRow]
) -> tuple[dict[str, _Stored], list[rows.EpisodeRow]]:
    """Pair incoming rows with stored episodes: by key, then by a shared, unambiguous enclosure URL."""
    matched: dict[str, _Stored] = {}
    unmatched: list[rows.EpisodeRow] = []
    for row in incoming:
        if row.match_key in stored:
            matched[row.match_key] = stored[row.match_key]
        else:
            unmatched.append(row)
    if not unmatched:
        return matched, []
    used = {episode.id for episode in matched.values()}
    free_by_url: dict[str, list[_Stored]] = {}
    for episode in stored.values():
        if episode.id not in used and episode.enclosure_url:
            free_by_url.setdefault(episode.enclosure_url, []).append(episode)
    incoming_urls = Counter(row.enclosure_url for row in incoming if row.enclosure_url)
    new: list[rows.EpisodeRow] = []
    for row in unmatched:
        candidates = free_by_url.get(row.enclosure_url, []) if row.enclosure_url else []
        if len(candidates) == 1 and incoming_urls[row.enclosure_url] == 1:
            matched[row.match_key] = candidates[0]
        else:
            new.append(row)
    return matched, new


def sync_episodes(show: Show, incoming: list[rows.EpisodeRow], now: datetime, result: IngestResult) -> None:
    stored: dict[str, _Stored] = {}
    slugs: set[str] = set()
    for values in Episode.objects.filter(show=show).values_list(*_STORED_FIELDS, "slug"):
        stored[values[1]] = _Stored(*values[:-1])
        slugs.add(values[-1])
    matched, new_rows = _match(stored, incoming)

    to_update: list[Episode] = []
    changed_rows: list[tuple[int, rows.EpisodeRow]] = []
    rekeyed_rows: list[rows.EpisodeRow] = []
    for row in incoming:
        episode = matched.get(row.match_key)
        if episode is None:
            continue
        rekeyed = episode.match_key != row.match_key
        if rekeyed:
            rekeyed_rows.append(row)
        if episode.content_hash == row.content_hash and not rekeyed and episode.vanished_at is None:
            continue
        update = Episode(
            id=episode.id,
            match_key=row.match_key,
            content_hash=row.content_hash,
            vanished_at=None,
            updated_at=now,
            **row.fields,
        )
        to_update.append(update)
        if episode.content_hash != row.content_hash:
            changed_rows.append((episode.id, row))
    if to_update:
        fields = [*rows.EPISODE_FIELDS, "match_key", "content_hash", "vanished_at", "updated_at"]
        bulk.update(Episode, to_update, fields)
        result.updated_episodes = len(to_update)
        result.episode_ids += [episode.id for episode in to_update]

    seen = {episode.id for episode in matched.values()}
    vanished = [e.id for e in stored.values() if e.id not in seen and e.vanished_at is None]
    for start in range(0, len(vanished), bulk.BATCH):
        Episode.objects.filter(id__in=vanished[start : start + bulk.BATCH]).update(
            vanished_at=now, updated_at=now
        )
    result.vanished_episodes = len(vanished)
    result.episode_ids += vanished

    new_ids = _insert_episodes(show, new_rows, slugs, now, result)
    changed_rows += list(zip(new_ids, new_rows, strict=True))
    ingest_identity.grow_sketch(show, rows.guid_keys([*new_rows, *rekeyed_rows]))
    if result.new_episodes or result.updated_episodes or result.vanished_episodes:
        result.unchanged = False
    ingest_people.sync_episode_people(
        [(show.pk, episode_id, row) for episode_id, row in changed_rows], replace=bool(to_update)
    )


#: The columns of `_insert_episodes`' rows: what ingest sets, then the feed's values.
_NEW_EPISODE_COLUMNS = (
    "show_id",
    "slug",
    "match_key",
    "content_hash",
    "created_at",
    "updated_at",
    "vanished_at",
    *rows.EPISODE_FIELDS,
)


def _insert_episodes(
    show: Show, new_rows: Sequence[rows.EpisodeRow], slugs: set[str], now: datetime, result: IngestResult
) -> list[int]:
    """INSERT new episodes of a stored show, slugs handed out in row order (oldest first) avoiding
    `slugs`; returns their ids (also added to `result`)."""
    (new_ids,) = insert_new_episodes([(show, new_rows)], now, [slugs])
    result.new_episodes = len(new_ids)
    result.episode_ids += new_ids
    return new_ids


def insert_new_episodes(
    shows: Sequence[tuple[Show, Sequence[rows.EpisodeRow]]],
    now: datetime,
    taken: Sequence[set[str]] | None = None,
) -> list[list[int]]:
    """INSERT the new episodes of several shows in bulk, each show's slugs handed out in row order
    avoiding its `taken` ones (none: a new show); returns each show's new ids."""
    created: list[list[Any]] = []
    for index, (show, new_rows) in enumerate(shows):
        slugs = taken[index] if taken is not None else set()
        show_id = show.pk
        for row in new_rows:
            slug = rows.unique_slug(row.slug_base, slugs)
            slugs.add(slug)
            created.append([show_id, slug, row.match_key, row.content_hash, now, now, None, *row.values])
    ids = bulk.insert_rows(Episode, _NEW_EPISODE_COLUMNS, created)
    out: list[list[int]] = []
    start = 0
    for _, new_rows in shows:
        out.append(ids[start : start + len(new_rows)])
        start += len(new_rows)
    return out


def counts(incoming: Sequence[rows.EpisodeRow]) -> tuple[int, datetime | None]:
    """The live-episode count and newest date of a feed's rows."""
    dates = [published for row in incoming if (published := row.published_at) is not None]
    return len(incoming), max(dates) if dates else None


def update_counts(show: Show, incoming: Sequence[rows.EpisodeRow]) -> list[str]:
    """Set the live-episode count and newest date; the names of the fields that changed.

    Every incoming row is exactly one live episode after `sync_episodes` (matched or new), and every
    stored episode it did not match has vanished, so the figures come from the feed without a query.
    """
    count, latest = counts(incoming)
    changed = []
    if show.episode_count != count:
        show.episode_count = count
        changed.append("episode_count")
    if show.latest_episode_at != latest:
        show.latest_episode_at = latest
        changed.append("latest_episode_at")
    return changed
