"""`lytt import-podcastindex`: the Podcast Index dump into the catalogue, and next week's dump over it.

Every live row becomes a `FeedSource` (due now, keeping the row's `podcastindex_id`) with a visible,
searchable `Show` built from the row (`podcastindex_rows`): no episodes until the first crawl, which then
owns the show's fields. Dead rows Lytt does not know are skipped. The dump is read in id order, a batch
per transaction, so memory holds one batch; each batch is a few statements whatever its size.

A re-import walks the dump and the feeds holding Podcast Index ids side by side, by id range:

- a known id updates its feed in place: a moved URL is followed, a dead row retires the feed, a row
  alive again brings back a feed the dump retired; the show's fields and categories are rewritten from
  the row only while no crawl has read the feed (the crawl owns them after);
- an id Lytt holds that the dump no longer has retires its feed;
- a new id adds a feed, or, when its URL is known already (an OPML import, a crawl), adopts that feed;
- what Lytt's own crawl learned after the dump was made wins: a feed read successfully since then is
  neither retired nor moved by it.
- every live feed keeps the row's popularity; one no crawl has read also its newest episode date and a
  polling tier from them (`tier_of`); a crawled feed keeps its own date and tier, which its checks decide.

A feed retired while no crawl has read it leaves a show with nothing in it: the show is hidden, and shown
again when the feed comes back. The search index follows through the catalogue's `shows_listed` signal;
listeners who subscribed to a URL by hand are linked to its show at its first crawl, or when their lists
are read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from lytt.catalog import bulk, ingest_shows, rows, signals
from lytt.catalog.models import FeedSource, Show, ShowCategory
from lytt.catalog.podcastindex_dump import Dump, batches, shared_guids
from lytt.catalog.podcastindex_rows import BadRow, DumpRow, read_row
from lytt.feeds.feed_urls import is_private_feed_url
from lytt.feeds.model import Feed

log = logging.getLogger(__name__)

BATCH = 5000
DEAD_REASON = "dead in the Podcast Index dump"
ABSENT_REASON = "no longer in the Podcast Index dump"
_RETIRED_BY_DUMP = (DEAD_REASON, ABSENT_REASON)
_LIVE = (FeedSource.Status.NEW, FeedSource.Status.ACTIVE, FeedSource.Status.ERROR)
_PROBLEMS_KEPT = 20
#: The show fields a dump row sets (`rows.show_fields` of its feed, and the iTunes id).
_SHOW_FIELDS = (*rows.show_fields(Feed(), fallback_title="x"), "itunes_id")


@dataclass(slots=True)
class ImportSummary:
    rows: int = 0  # rows read
    added: int = 0  # new feeds with new shows
    adopted: int = 0  # feeds Lytt knew by URL that now carry their Podcast Index id
    updated: int = 0  # shows rewritten from the dump (never crawled, and the row changed)
    moved: int = 0
    retired: int = 0
    revived: int = 0
    unchanged: int = 0
    dead_skipped: int = 0  # dead rows Lytt never knew
    conflicts: int = 0  # rows whose URL another feed holds already
    skipped: int = 0  # rows that could not be read (a bad id or URL)
    problems: list[str] = field(default_factory=list)  # the first few reasons rows were skipped


@dataclass(slots=True)
class _Known:
    """A feed the catalogue holds, as the import reads it."""

    pk: int
    url: str
    status: str
    status_reason: str
    show_id: int | None
    last_success_at: datetime | None
    podcastindex_id: int | None
    podcastindex_popularity: float
    popularity: float
    newest_item_at: datetime | None

    @property
    def crawled(self) -> bool:
        return self.last_success_at is not None


_KNOWN_FIELDS = (
    "pk",
    "url",
    "status",
    "status_reason",
    "show_id",
    "last_success_at",
    "podcastindex_id",
    "podcastindex_popularity",
    "popularity",
    "newest_item_at",
)
#: What decides a feed's polling tier, given its popularity points and newest episode date (and now):
#: the tier and why. `lytt import-podcastindex` passes `lytt.crawl.tiers.decided_at_import`.
TierOf = Callable[[float, datetime | None, datetime], tuple[str, str]]
#: The feed columns `_Batch._ranking` sets.
_RANKING = ("podcastindex_popularity", "popularity", "newest_item_at", "tier", "tier_reason")
_KNOWN_COLUMNS = ("id", *_KNOWN_FIELDS[1:])


def import_dump(
    dump: Dump,
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    retire_absent: bool = True,
    on_progress: Callable[[int], None] | None = None,
    tier_of: TierOf | None = None,
) -> ImportSummary:
    """Import (or re-import) the opened dump (see the module docstring); `on_progress(n)` after each
    batch of n rows. Each feed keeps the row's popularity and newest episode date; `tier_of` gives the
    feeds no crawl has read their polling tier from them (without it, the first check does). Each batch
    commits on its own: an interrupted import keeps what it wrote, and running it again finishes it.
    `retire_absent=False` keeps the feeds whose ids the dump lacks (for a part of a dump); an empty dump
    retires nothing."""
    now = now or timezone.now()
    summary = ImportSummary()
    _tune_sqlite()
    shared = shared_guids(dump)
    low = 0
    for values in batches(dump, batch):
        read: list[DumpRow] = []
        seen: set[int] = set()
        for row in values:
            try:
                item = read_row(row, shared)
            except BadRow as error:
                summary.skipped += 1
                if len(summary.problems) < _PROBLEMS_KEPT:
                    summary.problems.append(str(error))
                pi_id = rows.bounded_int(_int_or_none(row[0]), 1, rows.INT64_MAX)
                if pi_id is not None:
                    seen.add(pi_id)  # a row Lytt cannot read now is not a row gone from the dump
                continue
            read.append(item)
            seen.add(item.pi_id)
        high = max(seen) if seen else low
        summary.rows += len(values)
        with transaction.atomic():
            _Batch(dump, now, summary, retire_absent, tier_of).run(read, seen, low, high)
        low = high
        if on_progress is not None:
            on_progress(len(values))
    if summary.rows and retire_absent:
        with transaction.atomic():
            _Batch(dump, now, summary, retire_absent, tier_of).run([], set(), low, None)
    return summary


#: SQLite's page cache for the import's connection: the indexes each batch writes into at random places
#: (slugs, URLs, the search index) outgrow the default 2 MB within the first hundred thousand rows, and
#: every page missing from it is read again from the file.
SQLITE_CACHE_KIB = 128 * 1024


def _tune_sqlite() -> None:
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            cursor.execute("PRAGMA temp_store = MEMORY")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Batch:
    """One batch's reads, decisions and writes, inside its transaction."""

    def __init__(
        self, dump: Dump, now: datetime, summary: ImportSummary, retire_absent: bool, tier_of: TierOf | None
    ) -> None:
        self.made_at = dump.made_at
        self.tier_of = tier_of
        self.ranked: list[tuple[_Known, DumpRow]] = []  # known feeds whose popularity or dates changed
        self.retire_absent = retire_absent
        self.now = now
        self.summary = summary
        self.retire: list[tuple[_Known, str]] = []
        self.revive: list[_Known] = []
        self.adopt: list[tuple[_Known, int]] = []
        self.moves: list[tuple[_Known, str]] = []
        self.new: list[DumpRow] = []
        self.new_for: dict[int, _Known] = {}  # pi id → a known feed without a show, to give one
        self.refresh: list[tuple[int, DumpRow]] = []  # (show id, row) of shows no crawl has read
        self.changed: set[int] = set()  # shows to index again
        self.acted: set[int] = set()  # pi ids of rows that changed their feed

    def run(self, read: list[DumpRow], seen: set[int], low: int, high: int | None) -> None:
        by_id = self._known_ids(low, high)
        for held in by_id.values():
            if self.retire_absent and held.podcastindex_id not in seen:
                self._retire(held, ABSENT_REASON)
        missing = [row for row in read if row.pi_id not in by_id]
        by_url = self._known_urls([row.url for row in missing])
        claimed: set[str] = set()
        for row in read:
            known = by_id.get(row.pi_id)
            if known is None:
                known = by_url.get(row.url)
                if known is not None and known.podcastindex_id not in (None, row.pi_id):
                    self.summary.conflicts += 1
                    continue
            if known is None:
                if row.dead:
                    self.summary.dead_skipped += 1
                elif row.url in claimed:
                    self.summary.conflicts += 1
                else:
                    claimed.add(row.url)
                    self.new.append(row)
                continue
            self._update(known, row, claimed)
        self._write()

    def _known_ids(self, low: int, high: int | None) -> dict[int, _Known]:
        found = FeedSource.objects.filter(podcastindex_id__gt=low)
        if high is not None:
            found = found.filter(podcastindex_id__lte=high)
        return {known.podcastindex_id: known for known in _read_known(found) if known.podcastindex_id}

    def _known_urls(self, urls: list[str]) -> dict[str, _Known]:
        found = (_Known(*values) for values in bulk.select_in(FeedSource, _KNOWN_COLUMNS, "url", urls))
        return {known.url: known for known in found}

    def _newer_than_dump(self, known: _Known) -> bool:
        """Lytt read the feed after the dump was made: what it learned then wins over the dump."""
        return known.last_success_at is not None and known.last_success_at >= self.made_at

    def _retire(self, known: _Known, reason: str) -> None:
        if known.status in _LIVE and not self._newer_than_dump(known):
            self.retire.append((known, reason))

    def _update(self, known: _Known, row: DumpRow, claimed: set[str]) -> None:
        """What a row of a feed Lytt knows (by id, or by URL) changes; rows that change nothing are
        counted as unchanged here, or, for shows no crawl has read, when their fields are compared."""
        if known.status == FeedSource.Status.BUNDLED:
            self.summary.unchanged += 1
            return
        writes = len(self.adopt) + len(self.retire) + len(self.revive) + len(self.moves)
        if known.podcastindex_id is None:
            self.adopt.append((known, row.pi_id))
        if row.dead:
            self._retire(known, DEAD_REASON)
        else:
            self._follow(known, row, claimed)
            if row.popularity != known.podcastindex_popularity or (
                not known.crawled and row.newest_item_at != known.newest_item_at
            ):
                self.ranked.append((known, row))
        if writes == len(self.adopt) + len(self.retire) + len(self.revive) + len(self.moves):
            if not (known.show_id is None or (not known.crawled and not row.dead)):
                self.summary.unchanged += 1
        else:
            self.acted.add(row.pi_id)

    def _follow(self, known: _Known, row: DumpRow, claimed: set[str]) -> None:
        if known.status == FeedSource.Status.RETIRED and known.status_reason in _RETIRED_BY_DUMP:
            self.revive.append(known)
        if row.url != known.url and not self._newer_than_dump(known):
            if row.url in claimed:
                self.summary.conflicts += 1
            else:
                claimed.add(row.url)
                self.moves.append((known, row.url))
        if known.show_id is None:
            if known.status != FeedSource.Status.DUPLICATE:
                self.new_for[row.pi_id] = known
                self.new.append(row)
        elif not known.crawled:
            self.refresh.append((known.show_id, row))

    def _write(self) -> None:
        self._write_retired()
        self._write_revived()
        self._write_adopted()
        self._write_moves()
        self._write_new()
        self._write_refreshed()
        self._write_ranked()
        if self.changed:
            refs = [_ShowRef(show_id) for show_id in sorted(self.changed)]
            signals.shows_listed.send(sender=Show, shows=refs)

    def _write_retired(self) -> None:
        if not self.retire:
            return
        bulk.update_values(
            FeedSource,
            ["status", "status_reason"],
            [[FeedSource.Status.RETIRED, reason, known.pk] for known, reason in self.retire],
        )
        self._set_hidden([known for known, _ in self.retire], hidden=True)
        self.summary.retired += len(self.retire)

    def _write_revived(self) -> None:
        if not self.revive:
            return
        bulk.update_values(
            FeedSource,
            ["status", "status_reason", "next_check_at"],
            [[FeedSource.Status.NEW, "", self.now, known.pk] for known in self.revive],
        )
        self._set_hidden(self.revive, hidden=False)
        self.summary.revived += len(self.revive)

    def _set_hidden(self, feeds: Sequence[_Known], *, hidden: bool) -> None:
        """Hide (or show again) the shows of `feeds` that no crawl has read: they hold only the dump's
        words. A crawled show keeps its episodes and stays listed, as any show of a retired feed does."""
        show_ids = [known.show_id for known in feeds if known.show_id is not None and not known.crawled]
        if show_ids:
            Show.objects.filter(pk__in=show_ids).exclude(hidden=hidden).update(hidden=hidden)
            self.changed.update(show_ids)

    def _write_adopted(self) -> None:
        if self.adopt:
            bulk.update_values(
                FeedSource, ["podcastindex_id"], [[pi_id, known.pk] for known, pi_id in self.adopt]
            )
            self.summary.adopted += len(self.adopt)

    def _write_moves(self) -> None:
        """Follow moved URLs, unless another feed holds the new one (then the row is a conflict)."""
        if not self.moves:
            return
        taken = set(
            FeedSource.objects.filter(url__in=[url for _, url in self.moves]).values_list("url", flat=True)
        )
        moved = [(known, url) for known, url in self.moves if url not in taken]
        self.summary.conflicts += len(self.moves) - len(moved)
        bulk.update_values(
            FeedSource,
            ["url", "private", "next_check_at"],
            [[url, is_private_feed_url(url), self.now, known.pk] for known, url in moved],
        )
        self.summary.moved += len(moved)

    def _write_new(self) -> None:
        """New shows for new rows (and for known feeds no crawl gave a show yet), and new feeds for the
        new rows: a few statements for the whole batch."""
        if not self.new:
            return
        shaped = [row.show for row in self.new]
        wanted = [_category_slugs(row.categories) for row in self.new]
        categories = ingest_shows.categories_by_slug(
            list(dict.fromkeys(s for slugs in wanted for s in slugs))
        )
        slugs = _free_slugs(
            [rows.slug_base(f["title"], rows.SHOW_SLUG_MAX, "podcast") for f in shaped], self.new
        )
        stamp = timezone.now()
        values = []
        for fields, slug, feed_slugs in zip(shaped, slugs, wanted, strict=True):
            primary = categories.get(feed_slugs[0]) if feed_slugs else None
            values.append(
                {
                    **fields,
                    "slug": slug,
                    "primary_category_id": primary,
                    "created_at": self.now,
                    "updated_at": stamp,
                }
            )
        shows = _insert_shows(values, self.now)
        bulk.copy_values(ShowCategory, _category_rows(shows, wanted, categories))
        fresh = [
            (row, show) for row, show in zip(self.new, shows, strict=True) if row.pi_id not in self.new_for
        ]
        bulk.insert_values(
            FeedSource,
            [
                {
                    "url": row.url,
                    "show_id": show,
                    "podcastindex_id": row.pi_id,
                    "private": is_private_feed_url(row.url),
                    "next_check_at": self.now,
                    "added_at": self.now,
                    **self._ranking(row),
                }
                for row, show in fresh
            ],
            ignore_conflicts=True,
        )
        given = [
            (self.new_for[row.pi_id], show)
            for row, show in zip(self.new, shows, strict=True)
            if row.pi_id in self.new_for
        ]
        bulk.update_values(FeedSource, ["show"], [[show, known.pk] for known, show in given])
        self.summary.added += len(fresh)
        self.changed.update(shows)

    def _ranking(self, row: DumpRow) -> dict[str, Any]:
        """A never-crawled feed's popularity, newest episode date and tier, from its row."""
        tier, reason = (
            ("", "") if self.tier_of is None else self.tier_of(row.popularity, row.newest_item_at, self.now)
        )
        return {
            "podcastindex_popularity": row.popularity,
            "popularity": row.popularity,
            "newest_item_at": row.newest_item_at,
            "tier": tier,
            "tier_reason": reason[:200],
        }

    def _write_ranked(self) -> None:
        """The dump's popularity on known feeds where it changed: a crawled feed keeps its own newest
        episode date and its tier (its next check decides it again); one never crawled takes the row's."""
        crawled = [(known, row) for known, row in self.ranked if known.crawled]
        bulk.update_values(
            FeedSource,
            ["podcastindex_popularity", "popularity"],
            [
                [row.popularity, known.popularity - known.podcastindex_popularity + row.popularity, known.pk]
                for known, row in crawled
            ],
        )
        fresh = [(known, self._ranking(row)) for known, row in self.ranked if not known.crawled]
        bulk.update_values(
            FeedSource,
            _RANKING,
            [[values[name] for name in _RANKING] + [known.pk] for known, values in fresh],
        )

    def _write_refreshed(self) -> None:
        """Rewrite the fields and categories of shows no crawl has read, where the row changed them."""
        if not self.refresh:
            return
        ids = [show_id for show_id, _ in self.refresh]
        stored = {
            values["id"]: values for values in Show.objects.filter(pk__in=ids).values("id", *_SHOW_FIELDS)
        }
        current: dict[int, list[int]] = {show_id: [] for show_id in ids}
        for show_id, category_id in (
            ShowCategory.objects.filter(show_id__in=ids)
            .order_by("show_id", "position")
            .values_list("show_id", "category_id")
        ):
            current[show_id].append(category_id)
        wanted = [_category_slugs(row.categories) for _, row in self.refresh]
        categories = ingest_shows.categories_by_slug(
            list(dict.fromkeys(s for slugs in wanted for s in slugs))
        )
        updates: list[list[Any]] = []
        recategorised: list[int] = []
        new_categories: list[list[str]] = []
        for (show_id, row), feed_slugs in zip(self.refresh, wanted, strict=True):
            if show_id not in stored:
                continue
            fields = row.show
            ids_wanted = [categories[s] for s in feed_slugs if s in categories]
            same_fields = all(stored[show_id][name] == fields[name] for name in _SHOW_FIELDS)
            if same_fields and ids_wanted == current[show_id]:
                self.summary.unchanged += row.pi_id not in self.acted
                continue
            primary = ids_wanted[0] if ids_wanted else None
            updates.append([*(fields[name] for name in _SHOW_FIELDS), primary, self.now, show_id])
            if ids_wanted != current[show_id]:
                recategorised.append(show_id)
                new_categories.append(feed_slugs)
        bulk.update_values(Show, [*_SHOW_FIELDS, "primary_category", "updated_at"], updates)
        if recategorised:
            ShowCategory.objects.filter(show_id__in=recategorised).delete()
            bulk.insert_values(ShowCategory, _category_rows(recategorised, new_categories, categories))
        self.summary.updated += len(updates)
        self.changed.update(values[-1] for values in updates)


@dataclass(frozen=True, slots=True)
class _ShowRef:
    """A show as the `shows_listed` listeners read it (its `pk`), without building a `Show`."""

    pk: int


def _insert_shows(values: list[dict[str, Any]], now: datetime) -> list[int]:
    """INSERT the new shows; their ids. On PostgreSQL a crawler may take a slug meanwhile: then
    `ingest_shows.insert_shows`, which retries show by show."""
    if connection.vendor == "sqlite":  # one writer: nothing can take a slug between probe and INSERT
        return bulk.insert_values(Show, values)
    try:
        with transaction.atomic():
            return bulk.insert_values(Show, values)
    except IntegrityError:
        return [show.pk for show in ingest_shows.insert_shows(values, now)]


def _read_known(query: Any) -> Iterable[_Known]:
    return (_Known(*values) for values in query.values_list(*_KNOWN_FIELDS))


@lru_cache(maxsize=4096)
def _category_slugs(categories: tuple[tuple[str, str | None], ...]) -> list[str]:
    """`ingest_shows.category_slugs`, remembered: a dump repeats a few thousand combinations."""
    return ingest_shows.category_slugs(categories)


def _category_rows(
    show_ids: Sequence[int], wanted: Sequence[list[str]], categories: dict[str, int]
) -> list[dict[str, int]]:
    return [
        {"show_id": show_id, "category_id": categories[slug], "position": position}
        for show_id, slugs in zip(show_ids, wanted, strict=True)
        for position, slug in enumerate(slug for slug in slugs if slug in categories)
    ]


def _free_slugs(bases: list[str], items: Sequence[DumpRow]) -> list[str]:
    """A free slug for each new show: its title's, else with `-2` or `-3`, else with its Podcast Index id
    (a dump holds thousands of shows called "My Podcast": probing `-2`, `-3`... for each would not end),
    else the first free suffix (`ingest_shows.free_show_slugs`)."""
    options = [
        [base, f"{base}-2", f"{base}-3", f"{base}-{item.pi_id}"]
        for base, item in zip(bases, items, strict=True)
    ]
    taken = set(bulk.existing(Show, "slug", list(dict.fromkeys(s for choices in options for s in choices))))
    chosen: list[str | None] = []
    for choices in options:
        free = next((slug for slug in choices if slug not in taken), None)
        if free is not None:
            taken.add(free)
        chosen.append(free)
    for i, slug in enumerate(chosen):
        if slug is None:
            given = ingest_shows.free_show_slugs([bases[i]])[0]
            while given in taken:  # given to an earlier row of this batch, not yet stored
                given = f"{given}-{items[i].pi_id}"
            taken.add(given)
            chosen[i] = given
    return [slug for slug in chosen if slug is not None]
