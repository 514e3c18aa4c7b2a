"""`lytt feeds --stats` (`lytt.crawl.tier_stats`): counts by tier and due now, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lytt.catalog.models import FeedSource
from lytt.cli import main
from lytt.crawl.schedule import MIN_INTERVAL, SILENT_INTERVAL
from lytt.crawl.tier_stats import UNTIERED, count_feeds, summarise

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_summarise_lists_every_tier_in_order_and_sets_other_statuses_apart() -> None:
    stats = summarise(
        [
            ("active", "hot", 3, 1),
            ("new", "hot", 2, 2),
            ("error", "failing", 4, 0),
            ("new", "", 5, 5),
            ("new", "someday", 1, 1),  # a tier this version does not know: counted as untiered
            ("retired", "quiet", 7, 0),
            ("duplicate", "", 2, 0),
        ]
    )
    lines = {line.tier: (line.feeds, line.due) for line in stats.tiers}
    assert [line.tier for line in stats.tiers] == ["hot", "active", "quiet", "dormant", "failing", UNTIERED]
    assert lines == {
        "hot": (5, 3),
        "active": (0, 0),
        "quiet": (0, 0),
        "dormant": (0, 0),
        "failing": (4, 0),
        UNTIERED: (6, 6),
    }
    assert stats.not_crawled == {"retired": 7, "duplicate": 2}
    assert (stats.crawled, stats.due) == (15, 9)
    dormant = stats.tiers[3]
    assert dormant.floor == dormant.ceiling == SILENT_INTERVAL
    assert stats.tiers[0].floor == MIN_INTERVAL


@pytest.mark.django_db
def test_counts_come_from_one_grouped_query() -> None:
    due, later = NOW - timedelta(minutes=1), NOW + timedelta(hours=1)
    for n, (status, tier, at) in enumerate(
        [
            ("active", "hot", due),
            ("active", "hot", later),
            ("new", "hot", due),
            ("active", "quiet", later),
            ("error", "failing", due),
            ("retired", "dormant", due),
            ("new", "", due),
        ]
    ):
        FeedSource.objects.create(
            url=f"https://feeds.example.com/{n}.xml", status=status, tier=tier, next_check_at=at
        )
    FeedSource.objects.filter(url__endswith="/2.xml").update(
        claimed_by="w", claimed_until=NOW + timedelta(minutes=5)
    )
    with CaptureQueriesContext(connection) as queries:
        counts = count_feeds(NOW)
    assert len(queries) == 1
    stats = summarise(counts)
    lines = {line.tier: (line.feeds, line.due) for line in stats.tiers}
    assert lines["hot"] == (3, 1)  # one due later, one held by a worker
    assert lines["quiet"] == (1, 0)
    assert lines["failing"] == (1, 1)
    assert lines[UNTIERED] == (1, 1)
    assert stats.not_crawled == {"retired": 1}


@pytest.mark.django_db
def test_the_command_prints_a_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(3):
        FeedSource.objects.create(
            url=f"https://feeds.example.com/{n}.xml",
            tier="hot",
            next_check_at=datetime.now(UTC) - timedelta(hours=1),
        )
    FeedSource.objects.create(url="https://feeds.example.com/gone.xml", status="retired")
    assert main(["feeds", "--stats"]) == 0
    out = capsys.readouterr().out
    assert "3 feed(s) crawled, 3 due now" in out
    rows = {cells[0]: cells[1:] for cells in _cells(out)}
    assert rows["hot"] == ["3", "3", "15 min .. 1 h"]
    assert rows["dormant"] == ["0", "0", "7 days"]
    assert "(retired: not crawled)" in out
    assert main(["feeds", "--stats", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["tiers"][0] == {
        "tier": "hot",
        "feeds": 3,
        "due": 3,
        "min_interval_seconds": 900,
        "max_interval_seconds": 3600,
    }
    assert (got["crawled"], got["due"], got["not_crawled"]) == (3, 3, {"retired": 1})


def _cells(table: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("│")[1:-1]] for line in table.splitlines() if "│" in line]


@pytest.mark.django_db
def test_json_needs_stats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feeds", "--json"]) == 2
    assert "--json needs --stats" in capsys.readouterr().err
