"""Writing outcomes (`lytt.crawl.records`): exactly the outcome's columns, a check row each, redacted
URLs, and old checks pruned."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.crawl.crawling import PATIENT, add, make_worker
from tests.feedserver import FeedServer, rss

from lytt.catalog.models import FeedCheck, FeedSource
from lytt.crawl.claims import ClaimedFeed
from lytt.crawl.decisions import Record
from lytt.crawl.fetch import FetchRequest, FetchResult
from lytt.crawl.records import OUTCOME_FIELDS, outcome_values
from lytt.crawl.schedule import Outcome, Plan, backoff

pytestmark = pytest.mark.django_db


def test_old_checks_are_pruned(feed_server: FeedServer) -> None:
    source = add(feed_server.add("/pruned.xml", rss("Pruned")))
    other = add(feed_server.add("/other.xml", rss("Other")))
    start = datetime.now(UTC) + timedelta(minutes=1)
    for n in range(6):
        make_worker(keep_checks=3, clock=lambda n=n: start + timedelta(hours=n)).crawl_once(all_feeds=True)
    for feed in (source, other):
        kept = FeedCheck.objects.filter(feed=feed).order_by("checked_at")
        assert [check.checked_at for check in kept] == [start + timedelta(hours=n) for n in (3, 4, 5)]


def test_private_feed_urls_are_redacted_in_logs_and_errors(
    feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    good = add(feed_server.add("/private.xml?token=s3cr3t-subscriber", rss("Private")))
    bad = add(feed_server.url("/gone.xml?token=s3cr3t-subscriber"))
    caplog.set_level("DEBUG", logger="lytt.crawl")
    make_worker().crawl_once()
    assert "s3cr3t" not in caplog.text
    assert f"feed={good.pk}" in caplog.text
    bad.refresh_from_db()
    assert "HTTP 404" in bad.last_error
    assert "s3cr3t" not in bad.last_error
    assert "s3cr3t" not in FeedCheck.objects.get(feed=bad).error


class _MidJitter(random.Random):
    """Jitter fixed at 0.5, so next-check times can be asserted exactly."""

    def random(self) -> float:
        return 0.5


def _feed_row(source: FeedSource) -> dict[str, Any]:
    row = FeedSource.objects.filter(pk=source.pk).values().get()
    assert isinstance(row, dict)
    return row


def _checks_at(source: FeedSource, when: datetime) -> list[dict[str, Any]]:
    rows = FeedCheck.objects.filter(feed=source, checked_at=when).values()
    return [{k: v for k, v in row.items() if k not in ("id", "duration_ms")} for row in rows]


def test_an_unchanged_pass_writes_exactly_the_outcome_columns(feed_server: FeedServer) -> None:
    """Every column of each feed and its FeedCheck row after a 304, same-hash and error check, against the
    row the first pass left: what changed is what the outcome says, and nothing else moved."""
    body = rss("Tagged", episodes=3)
    tagged = add(feed_server.add("/tagged.xml", body, etag='"t1"'))
    dated = add(
        feed_server.add("/dated.xml", rss("Dated", episodes=3), last_modified="Mon, 01 Jan 2024 10:00:00 GMT")
    )
    plain = add(feed_server.add("/plain.xml", rss("Plain", episodes=3)))
    failing = add(feed_server.add("/failing.xml", "oops", status=500))
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    second = first + timedelta(days=2)
    now = first
    worker = make_worker(fetch=PATIENT, rng=_MidJitter(), clock=lambda: now)
    worker.crawl_once()
    before = {source.pk: _feed_row(source) for source in (tagged, dated, plain, failing)}
    assert before[failing.pk]["error_count"] == 1

    now = second
    summary = worker.crawl_once(all_feeds=True)

    assert summary.outcomes == {"not_modified": 2, "same_hash": 1, "error": 1}
    for source, code in ((tagged, 304), (dated, 304), (plain, 200)):
        old = before[source.pk]
        interval = timedelta(seconds=old["check_interval_seconds"])
        assert _feed_row(source) == {
            **old,
            "status_reason": "unchanged since last parse",
            "next_check_at": second + interval * 1.05,
            "last_checked_at": second,
            "last_success_at": second,
            "last_status_code": code,
        }, source.url
    old = before[failing.pk]
    interval = timedelta(seconds=old["check_interval_seconds"])
    assert _feed_row(failing) == {
        **old,
        "status_reason": "backing off after 2 errors",
        "next_check_at": second + backoff(2, interval, 0.5),
        "last_checked_at": second,
        "error_count": 2,
    }
    assert old["last_success_at"] is None
    assert old["last_error"].startswith(f"{failing.url}: HTTP 500")
    expected_checks = {
        tagged.pk: ("not_modified", 304, "", 0),
        dated.pk: ("not_modified", 304, "", 0),
        plain.pk: ("same_hash", 200, "", len(rss("Plain", episodes=3).encode())),
        failing.pk: ("error", 500, old["last_error"], 0),  # an error page is drained, not counted
    }
    for source in (tagged, dated, plain, failing):
        outcome, code, error, size = expected_checks[source.pk]
        assert _checks_at(source, second) == [
            {
                "feed_id": source.pk,
                "checked_at": second,
                "outcome": outcome,
                "status_code": code,
                "error": error,
                "bytes_received": size,
                "new_episodes": 0,
            }
        ], source.url


def _record(outcome: Outcome, result: FetchResult, **options: Any) -> Record:
    source = ClaimedFeed(
        1,
        "https://a.example/f.xml",
        '"old"',
        "Mon, 01 Jan 2024 10:00:00 GMT",
        "h",
        7,
        3600,
        2,
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 2, 1, tzinfo=UTC),
    )
    plan = Plan(
        datetime(2025, 1, 1, 1, tzinfo=UTC), timedelta(hours=1), 0, False, "unchanged since last parse"
    )
    return Record(source, outcome, result, plan, **options)


def _values(record: Record) -> dict[str, Any]:
    values, _ = outcome_values(record, datetime(2025, 1, 1, tzinfo=UTC))
    return dict(zip(OUTCOME_FIELDS, values, strict=True))


def test_a_304_keeps_the_validators_it_does_not_replace() -> None:
    request = FetchRequest(1, "https://a.example/f.xml", '"old"', "")
    fresher = _values(_record(Outcome.NOT_MODIFIED, FetchResult(request, request.url, 304, etag='"new"')))
    assert (fresher["etag"], fresher["last_modified"]) == ('"new"', "Mon, 01 Jan 2024 10:00:00 GMT")
    assert (fresher["status"], fresher["claimed_by"], fresher["claimed_until"]) == ("active", "", None)


def test_an_error_keeps_the_validators_and_a_moved_feed_drops_them() -> None:
    request = FetchRequest(1, "https://a.example/f.xml", '"old"', "")
    failed = _values(_record(Outcome.ERROR, FetchResult(request, request.url, 500), error="HTTP 500"))
    assert (failed["etag"], failed["last_error"], failed["status"]) == ('"old"', "HTTP 500", "error")
    assert failed["last_success_at"] == datetime(2024, 2, 1, tzinfo=UTC)
    moved = _record(
        Outcome.UPDATED, FetchResult(request, request.url, 200, etag='"x"'), keep_validators=False
    )
    assert (_values(moved)["etag"], _values(moved)["last_modified"]) == ("", "")
