"""What one check means for a feed: pure functions of the claimed feed, what came back, now and a jitter.

The worker asks `after_fetch` what a fetch means: an outcome to record as it is (a `Record`: an error, a
304, a body it has already stored), a new body to parse first (`ToParse`), or a change to store in a
transaction of its own (`Changed`: a moved URL). `after_parse` says the same of a parsed body, and
`after_ingest`, `after_redirect` and `after_store_error` what storing it came to. Each record carries the
feed's tier (`lytt.crawl.tiers.decide_tier`, from what this check found) and its next check
(`lytt.crawl.schedule.plan_next`, within the tier's bounds); `jitter` in [0, 1) spreads the checks.

No I/O and no clock here: the worker and `lytt.crawl.storing` pass `now` and the jitter, look up what
the database knows (another feed's URL, the recent churn), and write what these return.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lytt.catalog import IngestResult
from lytt.catalog.models import FeedSource
from lytt.catalog.sources import InvalidFeedURL, normalise_feed_url
from lytt.crawl.claims import ClaimedFeed
from lytt.crawl.fetch import FetchResult
from lytt.crawl.parser_pool import Parsed, ParseFailure, Prepared
from lytt.crawl.schedule import FeedState, Hints, Observation, Outcome, Plan, plan_next
from lytt.crawl.tiers import TierDecision, TierInputs, decide_tier, listener_popularity
from lytt.feeds import Feed
from lytt.feeds.feed_urls import redact_url as redact


@dataclass(slots=True)
class Record:
    """Everything to write for one checked feed (`lytt.crawl.records`)."""

    source: FeedSource | ClaimedFeed  # the locked row of a stored feed, the claimed row of the others
    outcome: Outcome
    result: FetchResult
    plan: Plan
    error: str = ""
    error_kind: str = ""
    new_episodes: int = 0
    reason: str = ""  # overrides the plan's reason in status_reason (a MOVED feed's names the other feed)
    tier: TierDecision | None = None  # None: no decision (the stored tier is cleared)
    next_check_at: datetime | None = None  # overrides the plan's time (a moved feed is checked soon)
    keep_validators: bool = True


@dataclass(eq=False, slots=True)
class ToParse:
    """A fetched feed whose new body is being parsed (the parse pool's key for it)."""

    source: ClaimedFeed
    result: FetchResult
    digest: str


@dataclass(slots=True)
class Changed:
    """A fetched feed that needs a transaction of its own kind: a new body to ingest, or a moved URL."""

    source: ClaimedFeed
    result: FetchResult
    prepared: Prepared | None = None
    digest: str = ""
    unparsed: Outcome = Outcome.NOT_MODIFIED  # the outcome of a moved feed that was not parsed


def plan(
    source: FeedSource | ClaimedFeed,
    seen: Observation,
    now: datetime,
    jitter: float,
    churn: int = 0,
    tier: TierDecision | None = None,
) -> Plan:
    """The feed's next check after `seen`, from what its row says (`churn`: CHURN outcomes before this),
    within the bounds of `tier` (none for a failing feed: its errors back off)."""
    state = FeedState(
        interval=timedelta(seconds=source.check_interval_seconds),
        error_count=source.error_count,
        added_at=source.added_at,
        last_success_at=source.last_success_at,
        churn_count=churn,
        floor=tier.tier.floor if tier is not None else timedelta(0),
        ceiling=tier.tier.ceiling if tier is not None else None,
    )
    return plan_next(state, seen, now, jitter)


def tier_after(
    source: FeedSource | ClaimedFeed,
    seen: Observation,
    now: datetime,
    *,
    popularity: float | None = None,
    newest_item_at: datetime | None = None,
) -> TierDecision:
    """The feed's tier after `seen`: from its row, and from what an ingest learned (`popularity`, the
    newest episode's date) when it stored the feed."""
    errors = source.error_count + 1 if seen.outcome is Outcome.ERROR else 0
    inputs = TierInputs(
        popularity=source.popularity if popularity is None else popularity,
        newest_item_at=newest_item_at or source.newest_item_at,
        error_count=errors,
    )
    return decide_tier(inputs, now)


def _record(
    source: FeedSource | ClaimedFeed,
    outcome: Outcome,
    result: FetchResult,
    seen: Observation,
    now: datetime,
    jitter: float,
    **options: Any,
) -> Record:
    """The record of `outcome`, with the tier `seen` leaves the feed in and the next check it gives."""
    tier = tier_after(source, seen, now)
    return Record(source, outcome, result, plan(source, seen, now, jitter, tier=tier), tier=tier, **options)


def after_fetch(
    source: ClaimedFeed, result: FetchResult, now: datetime, jitter: float
) -> Record | Changed | ToParse:
    """What one fetch means: a record to write in bulk, a change to store, or a new body to parse first.

    A body is parsed when its hash differs from the stored one, or when the feed has no show yet (an
    earlier ingest of the same body failed); a permanent redirect is applied even when nothing else
    changed."""
    if result.error is not None:
        seen = Observation(Outcome.ERROR, error_kind=result.error_kind, not_before=result.not_before)
        record = _record(
            source,
            Outcome.ERROR,
            result,
            seen,
            now,
            jitter,
            error=str(result.error),
            error_kind=result.error_kind,
        )
        if record.plan.retire:
            record.outcome = Outcome.GONE
        return record
    if result.not_modified:
        outcome = Outcome.NOT_MODIFIED
    else:
        digest = hashlib.sha256(result.body or b"").hexdigest()
        if digest != source.content_hash or source.show_id is None:
            return ToParse(source, result, digest)
        outcome = Outcome.SAME_HASH
    if result.permanent_url and result.permanent_url != source.url:
        return Changed(source, result, unparsed=outcome)
    seen = Observation(outcome, not_before=result.not_before)
    return _record(source, outcome, result, seen, now, jitter)


def after_parse(item: ToParse, parsed: Parsed, now: datetime, jitter: float) -> Changed | Record:
    """The change to store, or the error record saying why the body could not be parsed."""
    source, result = item.source, item.result
    if not isinstance(parsed, ParseFailure):
        return Changed(source, result, prepared=parsed, digest=item.digest)
    seen = Observation(Outcome.ERROR, error_kind="parse", not_before=result.not_before)
    message = f"{redact(source.url)}: cannot parse the feed: {parsed.message}"
    return _record(source, Outcome.ERROR, result, seen, now, jitter, error=message, error_kind="parse")


def after_store_error(item: Changed, exc: Exception, kind: str, now: datetime, jitter: float) -> Record:
    """The error record of a feed the catalogue refused (`kind`: "conflict" or "ingest")."""
    source, result = item.source, item.result
    seen = Observation(Outcome.ERROR, error_kind=kind, not_before=result.not_before)
    message = f"{redact(source.url)}: could not store the feed: {type(exc).__name__}: {exc}"
    return _record(source, Outcome.ERROR, result, seen, now, jitter, error=message, error_kind=kind)


def after_redirect(
    source: FeedSource, result: FetchResult, outcome: Outcome, now: datetime, jitter: float
) -> Record:
    """The record of a stored feed that was not ingested: its URL moved (`outcome` as found before), or it
    moved to another feed's URL (MOVED, the reason on its row naming that feed)."""
    seen = Observation(outcome, not_before=result.not_before)
    reason = source.status_reason if outcome is Outcome.MOVED else ""
    return _record(source, outcome, result, seen, now, jitter, reason=reason)


def ingest_outcome(ingested: IngestResult, had_content: bool) -> Outcome:
    """What an ingest came to: DUPLICATE (the show is another live feed's), UPDATED when anything changed,
    else CHURN when a stored body changed while no episode did (`had_content`), else UNCHANGED."""
    if ingested.duplicate:
        return Outcome.DUPLICATE
    if ingested.created or not ingested.unchanged:
        return Outcome.UPDATED
    return Outcome.CHURN if had_content else Outcome.UNCHANGED


def after_ingest(
    source: FeedSource,
    result: FetchResult,
    prepared: Prepared,
    ingested: IngestResult,
    outcome: Outcome,
    churn: int,
    now: datetime,
    jitter: float,
) -> Record:
    """The record of a feed ingest has stored, with `outcome` from `ingest_outcome` and `churn` the CHURN
    outcomes in a row before it (`learned_from` has set the row's popularity and newest episode date). A
    duplicate's reason is the one ingest set on its row."""
    if outcome is Outcome.DUPLICATE:
        seen = Observation(Outcome.DUPLICATE, not_before=result.not_before)
        return _record(source, outcome, result, seen, now, jitter, reason=source.status_reason)
    seen = Observation(
        outcome, published=prepared.published, hints=feed_hints(prepared.feed), not_before=result.not_before
    )
    tier = tier_after(source, seen, now)
    next_plan = plan(source, seen, now, jitter, churn, tier)
    return Record(source, outcome, result, next_plan, tier=tier, new_episodes=ingested.new_episodes)


def learned_from(source: FeedSource, ingested: IngestResult) -> None:
    """Set what the tier is decided from on the row of a feed ingest has stored as its show: Lytt's own
    plays and follows of the show beside the dump's popularity, and the show's newest episode date."""
    source.popularity = source.podcastindex_popularity + listener_popularity(ingested.show.popularity)
    source.newest_item_at = ingested.show.latest_episode_at or source.newest_item_at


def feed_hints(feed: Feed) -> Hints:
    """What the feed says about polling it."""
    return Hints.from_values(
        ttl_minutes=feed.ttl_minutes,
        update_period=feed.update_period,
        update_frequency=feed.update_frequency,
        skip_hours=feed.skip_hours,
        skip_days=feed.skip_days,
    )


def move_target(url: str | None, current: str) -> str | None:
    """A moved-to URL in the catalogue's canonical form (so it matches stored URLs); None when it is
    unusable or the feed's own."""
    if not url:
        return None
    try:
        target = normalise_feed_url(url)
    except InvalidFeedURL:
        return None
    return None if target == current else target


def is_first_ingest(item: Changed, source: FeedSource, prepared: Prepared) -> bool:
    """Whether a feed may go with the first ingests stored together: its source has no show yet, or one
    listed before any read of it succeeded (an imported dump's), and neither a permanent redirect nor
    itunes:new-feed-url moves it (those take the one-at-a-time path, which writes the new URL inside the
    feed's own savepoint)."""
    return (
        (source.show_id is None or source.last_success_at is None)
        and source.status != FeedSource.Status.DUPLICATE
        and not item.result.permanent_url
        and not prepared.feed.new_feed_url
    )
