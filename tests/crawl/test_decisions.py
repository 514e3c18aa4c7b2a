"""What a check means for a feed (`lytt.crawl.decisions`): pure, so no database and no server."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lytt.catalog import IngestResult
from lytt.catalog.models import FeedSource, Show
from lytt.crawl import decisions
from lytt.crawl.claims import ClaimedFeed
from lytt.crawl.decisions import Changed, Record, ToParse
from lytt.crawl.errors import FetchError
from lytt.crawl.fetch import FetchRequest, FetchResult
from lytt.crawl.parser_pool import ParseFailure, Prepared
from lytt.crawl.schedule import ERROR_CAP, MIN_INTERVAL, Outcome
from lytt.feeds import Feed

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
URL = "https://feeds.example.com/show.xml"
BODY = b"<rss><channel><title>Show</title></channel></rss>"
DIGEST = hashlib.sha256(BODY).hexdigest()


def claimed(
    *, content_hash: str = DIGEST, show_id: int | None = 7, interval: int = 3600, errors: int = 0
) -> ClaimedFeed:
    return ClaimedFeed(
        pk=1,
        url=URL,
        etag='"a"',
        last_modified="",
        content_hash=content_hash,
        show_id=show_id,
        check_interval_seconds=interval,
        error_count=errors,
        added_at=NOW - timedelta(days=3),
        last_success_at=NOW - timedelta(hours=1),
    )


def fetched(
    status: int | None = 200,
    *,
    body: bytes | None = BODY,
    error: FetchError | None = None,
    not_before: datetime | None = None,
    permanent_url: str | None = None,
) -> FetchResult:
    return FetchResult(
        FetchRequest(1, URL, '"a"', ""),
        URL,
        status_code=status,
        body=body,
        error=error,
        not_before=not_before,
        permanent_url=permanent_url,
    )


def test_an_error_is_recorded_with_its_kind_and_backs_off() -> None:
    record = decisions.after_fetch(
        claimed(), fetched(500, error=FetchError("HTTP 500", kind="http_500")), NOW, 0
    )
    assert isinstance(record, Record)
    assert (record.outcome, record.error, record.error_kind) == (Outcome.ERROR, "HTTP 500", "http_500")
    assert record.plan.error_count == 1
    assert record.plan.next_check_at >= NOW + timedelta(hours=1)


def test_410_retires_the_feed() -> None:
    record = decisions.after_fetch(claimed(), fetched(410, error=FetchError("gone", kind="http_410")), NOW, 0)
    assert isinstance(record, Record)
    assert (record.outcome, record.plan.retire) == (Outcome.GONE, True)


def test_304_and_the_same_body_are_recorded_without_parsing() -> None:
    not_modified = decisions.after_fetch(claimed(), fetched(304, body=None), NOW, 0)
    same = decisions.after_fetch(claimed(), fetched(), NOW, 0)
    assert isinstance(not_modified, Record)
    assert not_modified.outcome is Outcome.NOT_MODIFIED
    assert isinstance(same, Record)
    assert same.outcome is Outcome.SAME_HASH
    assert same.plan.reason == "unchanged since last parse"


def test_a_new_body_or_a_feed_without_a_show_is_parsed() -> None:
    changed = decisions.after_fetch(claimed(content_hash="old"), fetched(), NOW, 0)
    showless = decisions.after_fetch(claimed(show_id=None), fetched(), NOW, 0)
    for item in (changed, showless):
        assert isinstance(item, ToParse)
        assert item.digest == DIGEST


def test_a_permanent_redirect_is_a_change_to_store_even_when_nothing_else_changed() -> None:
    moved = "https://new.example.com/show.xml"
    item = decisions.after_fetch(claimed(), fetched(304, body=None, permanent_url=moved), NOW, 0)
    assert isinstance(item, Changed)
    assert (item.prepared, item.unparsed) == (None, Outcome.NOT_MODIFIED)
    same = decisions.after_fetch(claimed(), fetched(permanent_url=URL), NOW, 0)
    assert isinstance(same, Record)


def test_a_body_that_does_not_parse_is_an_error_naming_the_feed() -> None:
    item = ToParse(claimed(content_hash="old"), fetched(), DIGEST)
    record = decisions.after_parse(item, ParseFailure("not a feed"), NOW, 0)
    assert isinstance(record, Record)
    assert (record.outcome, record.error_kind) == (Outcome.ERROR, "parse")
    assert record.error == f"{URL}: cannot parse the feed: not a feed"
    prepared = Prepared(Feed(title="Show"), [], [])
    change = decisions.after_parse(item, prepared, NOW, 0)
    assert isinstance(change, Changed)
    assert (change.prepared, change.digest) == (prepared, DIGEST)


def test_a_private_url_is_redacted_in_errors() -> None:
    secret = claimed()._replace(url="https://feeds.example.com/show.xml?token=s3cr3t")
    item = Changed(secret, fetched())
    record = decisions.after_store_error(item, ValueError("refused"), "ingest", NOW, 0)
    assert "s3cr3t" not in record.error
    assert record.error.endswith("could not store the feed: ValueError: refused")


def test_what_an_ingest_came_to() -> None:
    def result(**values: bool) -> IngestResult:
        return IngestResult(Show(), **values)  # type: ignore[arg-type]

    assert decisions.ingest_outcome(result(duplicate=True), had_content=True) is Outcome.DUPLICATE
    assert decisions.ingest_outcome(result(created=True), had_content=False) is Outcome.UPDATED
    assert decisions.ingest_outcome(result(unchanged=False), had_content=True) is Outcome.UPDATED
    assert decisions.ingest_outcome(result(), had_content=True) is Outcome.CHURN
    assert decisions.ingest_outcome(result(), had_content=False) is Outcome.UNCHANGED


def test_churn_in_a_row_polls_less() -> None:
    source = FeedSource(pk=1, url=URL, check_interval_seconds=3600, added_at=NOW - timedelta(days=3))
    prepared = Prepared(Feed(title="Show"), [], [])
    plans = [
        decisions.after_ingest(
            source, fetched(), prepared, IngestResult(Show()), Outcome.CHURN, churn, NOW, 0
        ).plan
        for churn in range(5)
    ]
    assert plans[0].interval == plans[1].interval
    assert plans[2].interval < plans[3].interval < plans[4].interval
    assert plans[4].reason == "changes on every fetch; polled less"


def test_a_moved_url_must_be_usable_and_another() -> None:
    assert decisions.move_target(None, URL) is None
    assert decisions.move_target("", URL) is None
    assert decisions.move_target("not a url", URL) is None
    assert decisions.move_target(URL, URL) is None
    assert (
        decisions.move_target("HTTPS://New.Example.com/feed.xml", URL) == "https://new.example.com/feed.xml"
    )


def test_only_plain_new_or_listed_shows_are_stored_together() -> None:
    feed = Feed(title="Show")
    prepared = Prepared(feed, [], [])
    item = Changed(claimed(show_id=None), fetched(), prepared)
    new = FeedSource(url=URL)
    assert decisions.is_first_ingest(item, new, prepared)
    listed = FeedSource(url=URL, show_id=3)  # listed by an import, never read: filled together
    assert decisions.is_first_ingest(item, listed, prepared)
    read = FeedSource(url=URL, show_id=3, last_success_at=NOW)
    assert not decisions.is_first_ingest(item, read, prepared)
    assert not decisions.is_first_ingest(
        item, FeedSource(url=URL, status=FeedSource.Status.DUPLICATE), prepared
    )
    redirected = Changed(item.source, fetched(permanent_url="https://new.example.com/a.xml"), prepared)
    assert not decisions.is_first_ingest(redirected, new, prepared)
    moving = Prepared(Feed(title="Show", new_feed_url="https://new.example.com/a.xml"), [], [])
    assert not decisions.is_first_ingest(item, new, moving)


jitters = st.floats(min_value=0, max_value=1, exclude_max=True)
intervals = st.integers(min_value=60, max_value=14 * 24 * 3600)
waits = st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))
error_kinds = st.sampled_from(["http_500", "http_503", "timeout", "reset", "dns", "http_404", "too_large"])


@given(interval=intervals, errors=st.integers(0, 40), kind=error_kinds, wait=waits, jitter=jitters)
def test_errors_are_never_retried_faster_than_the_feed_is_polled_or_the_server_asks(
    interval: int, errors: int, kind: str, wait: timedelta | None, jitter: float
) -> None:
    not_before = None if wait is None else NOW + wait
    result = fetched(500, error=FetchError("down", kind=kind), not_before=not_before)
    record = decisions.after_fetch(claimed(interval=interval, errors=errors), result, NOW, jitter)
    assert isinstance(record, Record)
    assert record.plan.error_count == errors + 1
    assert record.plan.next_check_at >= NOW + min(timedelta(seconds=interval), ERROR_CAP)
    if not_before is not None:
        assert record.plan.next_check_at >= not_before
    again = decisions.after_fetch(claimed(interval=interval, errors=errors + 1), result, NOW, jitter)
    assert isinstance(again, Record)
    assert again.plan.next_check_at >= record.plan.next_check_at  # one more error never waits less


@given(interval=intervals, wait=waits, jitter=jitters, status=st.sampled_from([200, 304]))
def test_unchanged_feeds_are_checked_no_sooner_than_max_age_or_the_floor(
    interval: int, wait: timedelta | None, jitter: float, status: int
) -> None:
    not_before = None if wait is None else NOW + wait
    result = fetched(status, body=None if status == 304 else BODY, not_before=not_before)
    record = decisions.after_fetch(claimed(interval=interval), result, NOW, jitter)
    assert isinstance(record, Record)
    assert record.plan.next_check_at >= NOW + MIN_INTERVAL
    if not_before is not None:
        assert record.plan.next_check_at >= not_before
    assert record.plan.error_count == 0


@given(
    dates=st.lists(
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2025, 3, 5), timezones=st.just(UTC)),
        max_size=12,
    ),
    wait=waits,
    jitter=jitters,
    churn=st.integers(0, 10),
    outcome=st.sampled_from([Outcome.UPDATED, Outcome.UNCHANGED, Outcome.CHURN]),
)
def test_stored_feeds_are_checked_no_sooner_than_max_age_or_the_floor(
    dates: list[datetime], wait: timedelta | None, jitter: float, churn: int, outcome: Outcome
) -> None:
    not_before = None if wait is None else NOW + wait
    source = FeedSource(pk=1, url=URL, check_interval_seconds=3600, added_at=NOW - timedelta(days=3))
    prepared = Prepared(Feed(title="Show"), [], dates)
    record = decisions.after_ingest(
        source, fetched(not_before=not_before), prepared, IngestResult(Show()), outcome, churn, NOW, jitter
    )
    assert record.outcome is outcome
    assert record.plan.next_check_at >= NOW + MIN_INTERVAL
    if not_before is not None:
        assert record.plan.next_check_at >= not_before


def test_every_record_carries_the_tier_the_check_leaves_the_feed_in() -> None:
    popular = claimed()._replace(popularity=9.0, newest_item_at=NOW - timedelta(days=2))
    record = decisions.after_fetch(popular, fetched(304, body=None), NOW, 0.0)
    assert isinstance(record, Record)
    assert record.tier is not None
    assert (record.tier.tier.value, record.plan.interval) == ("hot", timedelta(hours=1))
    third = decisions.after_fetch(
        claimed(errors=2), fetched(None, body=None, error=FetchError("down")), NOW, 0.0
    )
    assert isinstance(third, Record)
    assert third.tier is not None
    assert third.tier.tier.value == "failing"
    silent = claimed()._replace(newest_item_at=NOW - timedelta(days=400))
    weekly = decisions.after_fetch(silent, fetched(304, body=None), NOW, 0.0)
    assert isinstance(weekly, Record)
    assert weekly.plan.next_check_at == NOW + timedelta(days=7)
