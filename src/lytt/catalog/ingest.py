"""Ingest: the idempotent upsert of a parsed feed into the catalogue; the crawler and sample loader call it.

Rules (docs/architecture.md, section "catalog", says why):

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

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from lytt.catalog import bulk, rows, signals, taxonomy
from lytt.catalog.models import (
    Category,
    Episode,
    EpisodePerson,
    FeedSource,
    Person,
    Show,
    ShowCategory,
    ShowPerson,
    ShowSketch,
)
from lytt.feeds.model import Feed

log = logging.getLogger(__name__)

BATCH = 500
# How many of a new feed's guids are looked up to recognise a known show under a new URL.
SAME_EPISODES_SAMPLE = 50
# How many shows whose sketches share keys with a new feed's are compared with it, most shared first.
SKETCH_CANDIDATES = 20


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
    with restored_on_error([source]), transaction.atomic(savepoint=savepoint):
        result = _ingest(source, feed, incoming, now)
        if not result.unchanged and not result.duplicate:
            _announce(result)
    return result


#: What ingest may set on a `FeedSource` it is given (`restored_on_error` puts them back).
SOURCE_STATE = ("show_id", "status", "status_reason")


@contextmanager
def restored_on_error(sources: Sequence[FeedSource], names: Sequence[str] = SOURCE_STATE) -> Iterator[None]:
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
    few statements for all of them instead of a dozen per feed. None stands for a feed that may be another
    URL of a known show (its podcast:guid or sketch keys are stored), or of an earlier feed here, or whose
    source already has a show or is a duplicate: the caller ingests those with `ingest_feed`, one by one,
    after these and in their order, which gives what ingesting every feed in order one by one gives.
    Sends `feed_ingested` for each show created, as `ingest_feed` does; `savepoint` as there.
    """
    now = now or timezone.now()
    with restored_on_error([item.source for item in feeds]), transaction.atomic(savepoint=savepoint):
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
        fields = rows.show_fields(item.feed, fallback_title=urlsplit(source.url).hostname or source.url)
        drawn = rows.sketch(rows.guid_keys(item.episode_rows))
        shaped.append((item, fields, drawn))
    _lock_identities([fields["podcast_guid"] or item.source.url for item, fields, _ in shaped])
    guids = list({fields["podcast_guid"] for _, fields, _ in shaped if fields["podcast_guid"]})
    keys = list({key for _, _, drawn in shaped for key in drawn})
    seen_guids = set(_existing(Show, "podcast_guid", guids))
    seen_keys = set(_existing(ShowSketch, "key", keys))
    out: list[_NewShow | None] = []
    for item, fields, drawn in shaped:
        guid, source = fields["podcast_guid"], item.source
        showless = source.show_id is None and source.status != FeedSource.Status.DUPLICATE
        if not showless or (guid and guid in seen_guids) or not seen_keys.isdisjoint(drawn):
            out.append(None)
        else:
            out.append(_NewShow(source, item.feed, fields, item.episode_rows, drawn))
        if guid:
            seen_guids.add(guid)
        seen_keys.update(drawn)
    return out


def _existing(model: type[Model], column: str, values: list[str]) -> list[str]:
    """Those of `values` that some row of `model` has in `column` (`BATCH` looked up per query)."""
    found: list[str] = []
    for start in range(0, len(values), BATCH):
        chunk = values[start : start + BATCH]
        found += (
            value
            for (value,) in _execute(
                f"SELECT DISTINCT {_quote(column)} FROM {_table(model)}"
                f" WHERE {_quote(column)} IN ({bulk.placeholders(len(chunk))})",
                chunk,
            )
        )
    return found


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
        return IngestResult(show=_locked_show(source.show_id), duplicate=True)
    fields = rows.show_fields(feed, fallback_title=urlsplit(source.url).hostname or source.url)
    show: Show | None = None
    drawn: list[str] = []  # the feed's sketch, for a source without a show
    if source.show_id is not None:
        show = _locked_show(source.show_id)
    else:
        _lock_identities([fields["podcast_guid"] or source.url])
        drawn = rows.sketch(rows.guid_keys(incoming))
        known = _known_show(fields["podcast_guid"], fields["title"], incoming, drawn)
        if known is not None:
            known_show, reason = known
            live = _live_source(known_show, exclude=source)
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
            show = _locked_show(known_show.pk)
    if show is None:
        return _create_shows([_NewShow(source, feed, fields, incoming, drawn)], now)[0]
    result = IngestResult(show=show)
    changed = _apply_show_fields(show, fields)
    _sync_episodes(show, incoming, now, result)
    changed += _update_counts(show, incoming)
    changed += _sync_categories(show, feed.categories, created=False)
    if _sync_show_people(show, rows.person_rows(feed.persons), created=False):
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


def _create_shows(new: Sequence[_NewShow], now: datetime) -> list[IngestResult]:
    """Shows seen for the first time: nothing stored can match, so no lookups, and every row is written
    once, for all of `new` at a time: the shows with their counts and primary categories, their sources'
    show, their episodes, sketches and categories, each one statement (or a few, for many episodes)."""
    wanted = [_category_slugs(item.feed.categories) for item in new]
    categories = _categories_by_slug(list(dict.fromkeys(slug for slugs in wanted for slug in slugs)))
    slugs = _free_show_slugs([rows.slug_base(i.fields["title"], rows.SHOW_SLUG_MAX, "podcast") for i in new])
    stamp = timezone.now()
    show_rows = []
    for item, slug, feed_slugs in zip(new, slugs, wanted, strict=True):
        count, latest = _counts(item.incoming)
        primary = categories.get(feed_slugs[0]) if feed_slugs else None
        show_rows.append(
            {
                **item.fields,
                "episode_count": count,
                "latest_episode_at": latest,
                "primary_category_id": primary,
                "slug": slug,
                "created_at": now,
                "updated_at": stamp,
            }
        )
    made = list(zip(new, _insert_shows(show_rows, now), strict=True))
    for item, show in made:
        item.source.show = show
    bulk.update_values(FeedSource, ["show"], [[show.pk, item.source.pk] for item, show in made])
    episodes = _insert_new_episodes([(show, item.incoming) for item, show in made], now)
    results = [
        IngestResult(show=show, created=True, unchanged=False, new_episodes=len(ids), episode_ids=ids)
        for (_, show), ids in zip(made, episodes, strict=True)
    ]
    _insert_sketches([(show, item.drawn) for item, show in made])
    _sync_episode_people(
        [
            (episode_id, row)
            for item, ids in zip(new, episodes, strict=True)
            for episode_id, row in zip(ids, item.incoming, strict=True)
        ],
        replace=False,
    )
    bulk.insert_values(
        ShowCategory,
        [
            {"show_id": show.pk, "category_id": categories[slug], "position": position}
            for (_, show), feed_slugs in zip(made, wanted, strict=True)
            for position, slug in enumerate(slug for slug in feed_slugs if slug in categories)
        ],
    )
    for item, show in made:
        _sync_show_people(show, rows.person_rows(item.feed.persons), created=True)
    return results


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[Model]) -> str:
    return _quote(model._meta.db_table)


def _execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run plain SQL (ingest's hot path: no query compiling); the rows, if it returns any."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _lock_identities(keys: Iterable[str]) -> None:
    """On PostgreSQL, serialise first ingests of each podcast:guid (else URL) in `keys` until commit, so
    that two workers fetching two URLs of one new show cannot both create it; one statement, the locks
    taken in the order of their ids (two workers then never wait for each other's locks crosswise).
    SQLite's write lock already serialises."""
    if connection.vendor != "postgresql":
        return
    ids = sorted({identity_lock_id(key) for key in keys})
    if ids:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(id) FROM unnest(%s::bigint[]) AS id", [ids])


def identity_lock_id(key: str) -> int:
    """A signed 64-bit advisory lock id for `key` (stable across processes, unlike hash())."""
    return int.from_bytes(hashlib.sha256(f"lytt.catalog:{key}".encode()).digest()[:8], "big", signed=True)


def _locked_show(show_id: int) -> Show:
    """The show, row-locked on PostgreSQL so that two sources of one show are ingested one at a time."""
    return Show.objects.select_for_update().get(pk=show_id)


def _live_source(show: Show, exclude: FeedSource) -> FeedSource | None:
    dead = [FeedSource.Status.DUPLICATE, FeedSource.Status.RETIRED]
    return (
        FeedSource.objects.filter(show=show)
        .exclude(pk=exclude.pk)
        .exclude(status__in=dead)
        .order_by("added_at", "pk")
        .first()
    )


def _known_show(
    podcast_guid: str, title: str, incoming: Sequence[rows.EpisodeRow], drawn: list[str]
) -> tuple[Show, str] | None:
    """A show this new source is another URL of: same podcast:guid, else the same episodes (looked for
    among the shows whose sketches share keys with the feed's, `drawn`; the feed's show title `title`
    decides which come first)."""
    if podcast_guid:
        by_guid = Show.objects.filter(podcast_guid=podcast_guid).order_by("pk").first()
        if by_guid is not None:
            return by_guid, f"same podcast:guid {podcast_guid}"
    sample = [row for row in incoming if row.guid][:SAME_EPISODES_SAMPLE]
    if not sample:
        return None
    candidates = _sketch_candidates(drawn, title)
    if not candidates:
        return None
    wanted = {row.match_key: row for row in sample}
    hits: Counter[int] = Counter()
    stored = _execute(
        f"SELECT {_quote('show_id')}, {_quote('match_key')}, {_quote('title')}, {_quote('enclosure_url')}"
        f" FROM {_table(Episode)} WHERE {_quote('show_id')} IN ({bulk.placeholders(len(candidates))})"
        f" AND {_quote('match_key')} IN ({bulk.placeholders(len(wanted))})",
        [*candidates, *wanted],
    )
    for show_id, key, episode_title, enclosure_url in stored:
        row = wanted[key]
        same_title = rows.normalise_title(episode_title) == rows.normalise_title(row.title)
        if same_title or (enclosure_url and enclosure_url == row.enclosure_url):
            hits[show_id] += 1
    if not hits:
        return None
    show_id, count = min(hits.items(), key=lambda item: (-item[1], item[0]))
    # Most of the sample must match: generators that number guids "1", "2", ... must not merge shows.
    if count * 2 < len(sample) or (len(sample) > 1 and count < 2):
        return None
    return Show.objects.get(pk=show_id), f"same episodes ({count} of {len(sample)} guids)"


def _sketch_candidates(keys: list[str], title: str) -> list[int]:
    """Shows whose sketches share any of `keys`, at most `SKETCH_CANDIDATES`: those titled `title` first,
    then those sharing most keys. Shows whose generators number their guids "1", "2", ... share whole
    sketches, however many they are; a copy of one of them usually keeps its title."""
    if not keys:
        return []
    column = f"k.{_quote('show_id')}"
    found = _execute(
        f"SELECT {column} FROM {_table(ShowSketch)} k JOIN {_table(Show)} s ON s.{_quote('id')} = {column}"
        f" WHERE k.{_quote('key')} IN ({bulk.placeholders(len(keys))}) GROUP BY {column}"
        f" ORDER BY MAX(CASE WHEN s.{_quote('title')} = %s THEN 1 ELSE 0 END) DESC, COUNT(*) DESC,"
        f" {column} LIMIT %s",
        [*keys, title, SKETCH_CANDIDATES],
    )
    return [show_id for (show_id,) in found]


def _grow_sketch(show: Show, keys: list[str]) -> None:
    """Add the keys of a show's new or re-keyed episodes with a guid to its sketch, where they are among
    the smallest. Keys never leave a sketch but for smaller ones: it samples every episode the show has
    had, as the lookup across shows it replaces saw them all (vanished ones too)."""
    if not keys:
        return
    stored = list(ShowSketch.objects.filter(show=show).values_list("key", flat=True))
    grown = rows.sketch([*stored, *keys])
    dropped = set(stored) - set(grown)
    if dropped:
        ShowSketch.objects.filter(show=show, key__in=dropped).delete()
    _insert_sketches([(show, [key for key in grown if key not in stored])])


def _insert_sketches(sketches: Iterable[tuple[Show, Iterable[str]]]) -> None:
    """Add sketch keys: (show, its new keys), for one show or many, one INSERT."""
    values = [{"show_id": show.pk, "key": key} for show, keys in sketches for key in keys]
    bulk.insert_values(ShowSketch, values)


#: Slugs looked up at once when choosing a show slug: the base and its first suffixes.
_SLUG_PROBE = 20


def _free_show_slugs(bases: Sequence[str]) -> list[str]:
    """For each of `bases` in order, the base or its first `base-N` that no show has and no earlier base
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
        taken = given.union(_existing(Show, "slug", wanted))
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


def _insert_shows(values: list[dict[str, Any]], now: datetime) -> list[Show]:
    """INSERT the shows (Show attnames, slugs from `_free_show_slugs`) in one statement and return them."""
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


def _apply_show_fields(show: Show, fields: dict[str, Any]) -> list[str]:
    changed = [name for name, value in fields.items() if getattr(show, name) != value]
    for name in changed:
        setattr(show, name, fields[name])
    return changed


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


def _sync_episodes(show: Show, incoming: list[rows.EpisodeRow], now: datetime, result: IngestResult) -> None:
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
    for start in range(0, len(vanished), BATCH):
        Episode.objects.filter(id__in=vanished[start : start + BATCH]).update(vanished_at=now, updated_at=now)
    result.vanished_episodes = len(vanished)
    result.episode_ids += vanished

    new_ids = _insert_episodes(show, new_rows, slugs, now, result)
    changed_rows += list(zip(new_ids, new_rows, strict=True))
    _grow_sketch(show, rows.guid_keys([*new_rows, *rekeyed_rows]))
    if result.new_episodes or result.updated_episodes or result.vanished_episodes:
        result.unchanged = False
    _sync_episode_people(changed_rows, replace=bool(to_update))


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
    (new_ids,) = _insert_new_episodes([(show, new_rows)], now, [slugs])
    result.new_episodes = len(new_ids)
    result.episode_ids += new_ids
    return new_ids


def _insert_new_episodes(
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


def _counts(incoming: Sequence[rows.EpisodeRow]) -> tuple[int, datetime | None]:
    """The live-episode count and newest date of a feed's rows."""
    dates = [published for row in incoming if (published := row.published_at) is not None]
    return len(incoming), max(dates) if dates else None


def _update_counts(show: Show, incoming: Sequence[rows.EpisodeRow]) -> list[str]:
    """Set the live-episode count and newest date; the names of the fields that changed.

    Every incoming row is exactly one live episode after `_sync_episodes` (matched or new), and every
    stored episode it did not match has vanished, so the figures come from the feed without a query.
    """
    count, latest = _counts(incoming)
    changed = []
    if show.episode_count != count:
        show.episode_count = count
        changed.append("episode_count")
    if show.latest_episode_at != latest:
        show.latest_episode_at = latest
        changed.append("latest_episode_at")
    return changed


def _category_slugs(categories: Iterable[tuple[str, str | None]]) -> list[str]:
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


def _categories_by_slug(slugs: list[str]) -> dict[str, int]:
    """Category ids of the taxonomy slugs that exist, in the order given."""
    if not slugs:
        return {}
    found = dict(
        _execute(
            f"SELECT {_quote('slug')}, {_quote('id')} FROM {_table(Category)}"
            f" WHERE {_quote('slug')} IN ({bulk.placeholders(len(slugs))})",
            slugs,
        )
    )
    return {slug: found[slug] for slug in slugs if slug in found}


def _sync_categories(show: Show, categories: Iterable[tuple[str, str | None]], created: bool) -> list[str]:
    """Rewrite the show's categories when they differ; ["primary_category"] when that field changed."""
    wanted = _category_slugs(categories)
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
        Person.objects.bulk_create(missing, batch_size=BATCH, ignore_conflicts=True)
        found = {p.slug: p for p in Person.objects.filter(slug__in=slugs)}
    stale = [p for slug, p in found.items() if not p.img and wanted[slug].img]
    for stale_person in stale:
        stale_person.img = wanted[stale_person.slug].img
    if stale:
        Person.objects.bulk_update(stale, ["img"])
    return found


def _sync_show_people(show: Show, people: list[rows.PersonRow], created: bool) -> bool:
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


def _sync_episode_people(changed: list[tuple[int, rows.EpisodeRow]], replace: bool) -> None:
    """People of new and changed episodes; `replace` drops the old links of changed ones first."""
    if replace:
        ids = [episode_id for episode_id, _ in changed]
        for start in range(0, len(ids), BATCH):
            EpisodePerson.objects.filter(episode_id__in=ids[start : start + BATCH]).delete()
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
        batch_size=BATCH,
        ignore_conflicts=True,
    )
