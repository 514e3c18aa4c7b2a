"""Ingest: the idempotent upsert of a parsed feed into the catalogue; the crawler and sample loader call it.

This module holds the entry points and the order of the steps; each rule lives with its rows:
`ingest_episodes` (matching, vanishing, counts), `ingest_identity` (the same show under two URLs),
`ingest_shows` (slugs, show fields, categories), `ingest_people`. Other packages call it through
`lytt.catalog`. Rules (docs/architecture.md, section "catalog", says why):

- One transaction per feed; a few queries per feed whatever its number of episodes (bulk writes).
- Episodes are matched by `match_key` (see `lytt.catalog.rows`). When the key misses, an incoming item with
  an enclosure URL matches a stored, still unmatched episode with the same enclosure URL (unique on both
  sides), and the stored key is moved to the new one: a feed that starts giving guids duplicates nothing.
- An episode is rewritten only when its content hash changed. Episodes missing from the feed are kept with
  `vanished_at` set; it is cleared when they come back.
- `episode_count` and `latest_episode_at` count only episodes the feed still carries (not vanished): the
  show page's "Episodes (N)" then agrees with what a podcast app subscribing to the feed sees.
- Categories map through the taxonomy in feed order, the first is primary; a subcategory also files the
  show under its parent (after the feed's own categories), so category pages need no tree walk.
- Slugs: slugified title, `-2`, `-3`... on collision; never changed once given.
- The same show under two URLs is one show: a new source whose feed has the podcast:guid of a known show,
  or whose items carry the guids (and titles or enclosures) of a known show's episodes, points at that show.
  The shows compared are those whose sketches (`rows.sketch`, kept per show in `ShowSketch`) share keys
  with the new feed's: episode keys are only ever looked up within a show. If that show still has a live
  source, the new one gets status DUPLICATE with the reason and nothing else is written; a DUPLICATE
  source is never ingested. If all the show's sources are retired, the new source takes over (a moved
  feed).
- Re-ingesting an unchanged feed writes nothing.
- A show seen for the first time skips every lookup that can only find nothing: one INSERT for the show
  (counts and primary category included), one for its categories, one bulk INSERT for its episodes, in
  plain SQL (the ORM spent more time compiling these statements than SQLite spent running them).
  `ingest_new_feeds` does that for many new shows at once, each statement once for all of them.
- After commit, `feed_ingested` is sent when anything changed; inside `signals.collect()`, the feed is
  handed to the collector instead, for a batched `feeds_ingested` (see `lytt.catalog.signals`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lytt.catalog import (
    bulk,
    ingest_episodes,
    ingest_identity,
    ingest_people,
    ingest_shows,
    rows,
    signals,
)
from lytt.catalog.models import (
    FeedSource,
    Show,
    ShowCategory,
    ShowSketch,
)
from lytt.feeds.model import Feed

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestResult:
    show: Show
    created: bool = False
    new_episodes: int = 0
    updated_episodes: int = 0
    vanished_episodes: int = 0
    unchanged: bool = True
    duplicate: bool = False  # the source was found to be another URL of a show with a live source
    episode_ids: list[int] = field(default_factory=list)  # new, updated, vanished or returned episodes


def ingest_feed(
    source: FeedSource,
    feed: Feed,
    *,
    now: datetime | None = None,
    episode_rows: list[rows.EpisodeRow] | None = None,
    savepoint: bool = True,
) -> IngestResult:
    """Upsert `feed`, fetched from `source`, into the catalogue (see the module docstring for the rules).

    `episode_rows`: the feed's items as `rows.episode_rows(feed)` gives them, when the caller has them
    already (the crawler computes them in its parser processes); `feed.episodes` is then not read.
    `savepoint=False` is for callers that wrap the call in a transaction or savepoint of their own and
    roll all of it back when it raises (the crawler, per feed): ingest then opens none of its own.
    """
    now = now or timezone.now()
    incoming = rows.episode_rows(feed) if episode_rows is None else episode_rows
    with _restored_on_error([source]), transaction.atomic(savepoint=savepoint):
        result = _ingest(source, feed, incoming, now)
        if not result.unchanged and not result.duplicate:
            _announce(result)
    return result


#: What ingest may set on a `FeedSource` it is given (`_restored_on_error` puts them back).
_SOURCE_STATE = ("show_id", "status", "status_reason")


@contextmanager
def _restored_on_error(sources: Sequence[FeedSource], names: Sequence[str] = _SOURCE_STATE) -> Iterator[None]:
    """When the block raises (its transaction rolled back), put back the fields `names` of `sources` as
    they were: the caller's objects must not keep pointing at a show that never was."""
    before = [[getattr(source, name) for name in names] for source in sources]
    try:
        yield
    except BaseException:
        for source, values in zip(sources, before, strict=True):
            for name, value in zip(names, values, strict=True):
                setattr(source, name, value)
        raise


@dataclass(frozen=True, slots=True)
class NewFeed:
    """A source without a show yet, its parsed feed, and the feed's rows (as `ingest_feed` takes them)."""

    source: FeedSource
    feed: Feed
    episode_rows: list[rows.EpisodeRow]


def ingest_new_feeds(
    feeds: Sequence[NewFeed], *, now: datetime | None = None, savepoint: bool = True
) -> list[IngestResult | None]:
    """The first ingest of many sources at once, for each feed what `ingest_feed` would give, or None.

    Feeds that are new shows, as most of a first crawl's are, are written together (`_create_shows`): a
    few statements for all of them instead of a dozen per feed; so are shows listed before their feed was
    read (`_listed_shows`: an imported dump's), filled in place. None stands for a feed that may be another
    URL of a known show (its podcast:guid or sketch keys are stored), or of an earlier feed here, or whose
    source has another show already or is a duplicate: the caller ingests those with `ingest_feed`, one by
    one, after these and in their order, which gives what ingesting every feed in order one by one gives.
    Sends `feed_ingested` for each show created, as `ingest_feed` does; `savepoint` as there.
    """
    now = now or timezone.now()
    with _restored_on_error([item.source for item in feeds]), transaction.atomic(savepoint=savepoint):
        new = _surely_new(feeds)
        created = iter(_create_shows([item for item in new if item is not None], now))
        results = [None if item is None else next(created) for item in new]
        for result in results:
            if result is not None:
                _announce(result)
    return results


def _surely_new(feeds: Sequence[NewFeed]) -> list[_NewShow | None]:
    """Each feed as a `_NewShow` when nothing stored and no earlier feed here can be the same show, else
    None. Two queries for all: shows with these podcast:guids, sketch keys among these feeds'. A feed set
    aside also sets aside the later ones that share its podcast:guid or keys, so that they are ingested
    after it, in order."""
    shaped = []
    for item in feeds:
        source = item.source
        fields = rows.show_fields(
            item.feed, urlsplit(source.url).hostname or source.url, settings.LYTT_SERVICE_IDS
        )
        drawn = rows.sketch(rows.guid_keys(item.episode_rows))
        shaped.append((item, fields, drawn))
    ingest_identity.lock_identities([fields["podcast_guid"] or item.source.url for item, fields, _ in shaped])
    listed = _listed_shows([item.source for item in feeds])
    guids = list({fields["podcast_guid"] for _, fields, _ in shaped if fields["podcast_guid"]})
    keys = list({key for _, _, drawn in shaped for key in drawn})
    seen_guids = set(bulk.existing(Show, "podcast_guid", guids))
    seen_keys = set(bulk.existing(ShowSketch, "key", keys))
    out: list[_NewShow | None] = []
    for item, fields, drawn in shaped:
        guid, source = fields["podcast_guid"], item.source
        drawn_before = not seen_keys.isdisjoint(drawn)
        if source.show_id is not None:  # a listed show, as `_ingest` would fill it: no identity to look up
            show = listed.get(source.show_id)
            out.append(
                None if show is None else _NewShow(source, item.feed, fields, item.episode_rows, drawn, show)
            )
        elif source.status == FeedSource.Status.DUPLICATE or (guid and guid in seen_guids) or drawn_before:
            out.append(None)
        else:
            out.append(_NewShow(source, item.feed, fields, item.episode_rows, drawn))
        if guid:
            seen_guids.add(guid)
        seen_keys.update(drawn)
    return out


def _announce(result: IngestResult) -> None:
    """Send `feed_ingested` after commit; inside `signals.collect()`, hand the feed to the collector
    instead (its owner sends `feeds_ingested` for all it collected)."""
    show, ids = result.show, list(result.episode_ids)
    collector = signals.collecting()
    if collector is not None:
        collector.append(signals.Ingested(show, tuple(ids)))
        return
    transaction.on_commit(
        lambda: signals.feed_ingested.send(sender=Show, show=show, episode_ids=ids), robust=True
    )


def _ingest(source: FeedSource, feed: Feed, incoming: list[rows.EpisodeRow], now: datetime) -> IngestResult:
    if source.status == FeedSource.Status.DUPLICATE and source.show_id is not None:
        return IngestResult(show=ingest_identity.locked_show(source.show_id), duplicate=True)
    fields = rows.show_fields(feed, urlsplit(source.url).hostname or source.url, settings.LYTT_SERVICE_IDS)
    show: Show | None = None
    drawn: list[str] = []  # the feed's sketch, for a source without a show
    if source.show_id is not None:
        show = ingest_identity.locked_show(source.show_id)
    else:
        ingest_identity.lock_identities([fields["podcast_guid"] or source.url])
        drawn = rows.sketch(rows.guid_keys(incoming))
        known = ingest_identity.known_show(fields["podcast_guid"], fields["title"], incoming, drawn)
        if known is not None:
            known_show, reason = known
            live = ingest_identity.live_source(known_show, exclude=source)
            source.show = known_show
            if live is not None:
                source.status = FeedSource.Status.DUPLICATE
                source.status_reason = rows.clean(
                    f"{reason} as feed #{live.pk} (show {known_show.slug})", 300
                )
                source.save(update_fields=["show", "status", "status_reason"])
                log.info("catalog: feed #%s is a duplicate: %s", source.pk, source.status_reason)
                return IngestResult(show=known_show, duplicate=True, unchanged=False)
            source.save(update_fields=["show"])
            show = ingest_identity.locked_show(known_show.pk)
    if show is None:
        return _create_shows([_NewShow(source, feed, fields, incoming, drawn)], now)[0]
    result = IngestResult(show=show)
    changed = ingest_shows.apply_show_fields(show, fields)
    ingest_episodes.sync_episodes(show, incoming, now, result)
    changed += ingest_episodes.update_counts(show, incoming)
    changed += ingest_shows.sync_categories(show, feed.categories, created=False)
    if ingest_people.sync_show_people(show, rows.person_rows(feed.persons), created=False):
        result.unchanged = False
    if changed:
        show.save(update_fields=[*changed, "updated_at"])
        result.unchanged = False
    return result


@dataclass(frozen=True, slots=True)
class _NewShow:
    """A source whose feed is a show seen for the first time: `fields` (`rows.show_fields`), its rows
    `incoming` and their sketch `drawn`."""

    source: FeedSource
    feed: Feed
    fields: dict[str, Any]
    incoming: list[rows.EpisodeRow]
    drawn: list[str]
    listed: Show | None = None  # the show the source has already, listed without episodes (`_listed_shows`)


def _listed_shows(sources: Sequence[FeedSource]) -> dict[int, Show]:
    """The shows, locked, that sources never read successfully already have and that hold no episodes:
    listed before their feed was read (`lytt import-podcastindex`). Their first ingest fills them in
    place, as `_ingest` would one by one."""
    ids = [
        source.show_id
        for source in sources
        if source.show_id is not None
        and source.last_success_at is None
        and source.status != FeedSource.Status.DUPLICATE
    ]
    if not ids:
        return {}
    found = Show.objects.select_for_update().filter(pk__in=ids, episode_count=0, latest_episode_at=None)
    return {show.pk: show for show in found}


def _fill_listed(items: Sequence[tuple[_NewShow, dict[str, Any]]]) -> list[int]:
    """UPDATE listed shows with their feeds' first ingest (`row`: the values `_create_shows` would insert,
    slug and creation time kept); their ids. A publisher's block hides the show, as `_ingest` does."""
    if not items:
        return []
    names = [name for name in items[0][1] if name not in ("slug", "created_at")]
    values = []
    for item, row in items:
        show = item.listed
        assert show is not None
        ingest_shows.apply_show_fields(show, item.fields)
        for name in names:
            if name != "hidden":
                setattr(show, name, row[name])
        values.append([getattr(show, name) for name in names] + [show.pk])
    bulk.update_values(Show, names, values)
    return [item.listed.pk for item, _ in items if item.listed is not None]


def _create_shows(new: Sequence[_NewShow], now: datetime) -> list[IngestResult]:
    """Shows seen for the first time: nothing stored can match, so no lookups, and every row is written
    once, for all of `new` at a time: the shows with their counts and primary categories, their sources'
    show, their episodes, sketches and categories, each one statement (or a few, for many episodes)."""
    wanted = [ingest_shows.category_slugs(item.feed.categories) for item in new]
    categories = ingest_shows.categories_by_slug(
        list(dict.fromkeys(slug for slugs in wanted for slug in slugs))
    )
    slugs = ingest_shows.free_show_slugs(
        [rows.slug_base(i.fields["title"], rows.SHOW_SLUG_MAX, "podcast") for i in new]
    )
    stamp = timezone.now()
    show_rows = []
    for item, slug, feed_slugs in zip(new, slugs, wanted, strict=True):
        if item.listed is not None:
            slug = item.listed.slug
        count, latest = ingest_episodes.counts(item.incoming)
        primary = categories.get(feed_slugs[0]) if feed_slugs else None
        show_rows.append(
            {
                **item.fields,
                "hidden": item.fields["blocked"],
                "episode_count": count,
                "latest_episode_at": latest,
                "primary_category_id": primary,
                "slug": slug,
                "created_at": now,
                "updated_at": stamp,
            }
        )
    inserted = iter(
        ingest_shows.insert_shows(
            [row for row, item in zip(show_rows, new, strict=True) if not item.listed], now
        )
    )
    filled = _fill_listed([(item, row) for row, item in zip(show_rows, new, strict=True) if item.listed])
    made = [(item, item.listed if item.listed is not None else next(inserted)) for item in new]
    for item, show in made:
        item.source.show = show
    bulk.update_values(
        FeedSource, ["show"], [[show.pk, item.source.pk] for item, show in made if item.listed is None]
    )
    episodes = ingest_episodes.insert_new_episodes([(show, item.incoming) for item, show in made], now)
    results = [
        IngestResult(
            show=show, created=item.listed is None, unchanged=False, new_episodes=len(ids), episode_ids=ids
        )
        for (item, show), ids in zip(made, episodes, strict=True)
    ]
    ingest_identity.insert_sketches([(show, item.drawn) for item, show in made])
    ingest_people.sync_episode_people(
        [
            (show.pk, episode_id, row)
            for (item, show), ids in zip(made, episodes, strict=True)
            for episode_id, row in zip(ids, item.incoming, strict=True)
        ],
        replace=False,
    )
    if filled:
        ShowCategory.objects.filter(show_id__in=filled).delete()
    bulk.insert_values(
        ShowCategory,
        [
            {"show_id": show.pk, "category_id": categories[slug], "position": position}
            for (_, show), feed_slugs in zip(made, wanted, strict=True)
            for position, slug in enumerate(slug for slug in feed_slugs if slug in categories)
        ],
    )
    for item, show in made:
        ingest_people.sync_show_people(show, rows.person_rows(item.feed.persons), created=item.listed is None)
    return results
