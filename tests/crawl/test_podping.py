"""Podping: notices read from Hive blocks (pure), and `lytt podping` following a stub node."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from tests.crawl.hivenode import HiveNode, block, custom_json

from lytt.catalog.models import FeedSource
from lytt.cli import main
from lytt.crawl import podping
from lytt.crawl.podping_follow import Cursor, NodeError, follow
from lytt.crawl.podping_follow import HiveNode as Client

FEED = "https://feeds.example.com/show.xml"


def v1(*iris: str, reason: str = "update") -> dict[str, object]:
    return {"version": "1.0", "medium": "podcast", "reason": reason, "iris": list(iris)}


def test_notices_in_both_block_shapes_and_every_version() -> None:
    found = list(
        podping.pings_in_block(
            block(
                custom_json("pp_podcast_update", v1(FEED)),
                custom_json("pp_podcast_live", v1("https://b.example/f", reason="live"), condenser=True),
                custom_json(
                    "podping", {"version": "0.3", "num_urls": 1, "reason": "feed_update", "urls": [FEED]}
                ),
                custom_json("podping", {"url": "https://old.example/f"}),
                custom_json(
                    "pp_video_update", {"iris": ["https://v.example/f"]}
                ),  # reason and medium from the id
                custom_json("follow", v1("https://not.podping/f")),
                ["vote", {"voter": "x"}],
            )
        )
    )
    assert [(p.iris, p.reason, p.medium) for p in found] == [
        ((FEED,), "update", "podcast"),
        (("https://b.example/f",), "live", "podcast"),
        ((FEED,), "feed_update", "podcast"),
        (("https://old.example/f",), "update", "podcast"),
        (("https://v.example/f",), "update", "video"),
    ]


@pytest.mark.parametrize(
    "operation",
    [
        custom_json("pp_podcast_update", "{not json"),
        custom_json("pp_podcast_update", "[1, 2]"),
        custom_json("pp_podcast_update", {"iris": "https://a.example/f"}),
        custom_json("pp_podcast_update", {"iris": [1, None, " "]}),
        custom_json("pp_podcast_update", {"iris": ["https://a.example/f"], "pad": "x" * 9000}),
        {"type": "custom_json_operation", "value": "oops"},
        {"type": "custom_json_operation"},
        ["custom_json"],
        "garbage",
    ],
)
def test_malformed_operations_are_passed_over(operation: object) -> None:
    assert list(podping.pings_in_block(block(operation, custom_json("pp_podcast_update", v1(FEED))))) == [
        podping.Ping((FEED,), "update", "podcast")
    ]


@given(
    st.recursive(
        st.none() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_any_block_shape_is_read_without_error(value: object) -> None:
    list(podping.pings_in_block(value))
    list(podping.pings_in_block({"transactions": [{"operations": [value]}]}))


def test_bursts_count_once_and_only_feed_urls_are_kept() -> None:
    pings = [
        podping.Ping((FEED, "HTTPS://FEEDS.example.com:443/show.xml"), "update", "podcast"),
        podping.Ping((FEED, "podcast:guid:917393e3", "ftp://x.example/f"), "live", "podcast"),
    ]
    assert podping.pushed_feeds(pings) == {FEED: "podping live"}


def _feed(url: str, **fields: object) -> FeedSource:
    return FeedSource.objects.create(url=url, next_check_at=timezone.now() + timedelta(hours=4), **fields)


@pytest.mark.django_db
def test_the_command_marks_known_feeds_due_and_goes_on_where_it_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    known = _feed(FEED)
    failing = _feed("https://b.example/f", status=FeedSource.Status.ERROR)
    retired = _feed("https://c.example/f", status=FeedSource.Status.RETIRED)
    blocks = {
        3: block(custom_json("pp_podcast_update", v1(FEED, "https://unknown.example/f"))),
        4: block(*[custom_json("pp_podcast_update", v1(FEED)) for _ in range(20)]),  # a burst
        7: block(
            custom_json("pp_podcast_live", v1("https://b.example/f", "https://c.example/f", reason="live"))
        ),
    }
    state = tmp_path / "podping-block"
    with HiveNode(blocks, head=250) as node:
        assert (
            main(["podping", "--once", "--node", node.url, "--from-block", "2", "--state", str(state)]) == 0
        )
        out = capsys.readouterr().out
        assert "blocks=249 notices=22 feeds_named=4 feeds_marked_due=2 last_block=250" in out
        assert state.read_text().strip() == "250"
        known.refresh_from_db()
        failing.refresh_from_db()
        retired.refresh_from_db()
        assert known.next_check_at <= timezone.now()
        assert (known.push_reason, failing.push_reason, retired.push_reason) == (
            "podping update",
            "podping live",
            "",
        )
        assert not FeedSource.objects.filter(url="https://unknown.example/f").exists()
        node.blocks[252] = block(custom_json("pp_podcast_update", v1("https://b.example/f")))
        node.head = 252
        node.calls.clear()
        assert main(["podping", "--once", "--node", node.url, "--state", str(state)]) == 0
        assert [params for method, params in node.calls if method.startswith("block_api")] == [
            {"starting_block_num": 251, "count": 2}
        ]
        failing.refresh_from_db()
        assert failing.push_reason == "podping update"


@pytest.mark.django_db
def test_a_new_follower_starts_at_the_newest_block(tmp_path: Path) -> None:
    with HiveNode({5: block(custom_json("pp_podcast_update", v1(FEED)))}, head=9) as node:
        summary = follow(
            Client(node.url), Cursor(tmp_path / "s"), now=timezone.now, stop=threading.Event(), once=True
        )
    assert (summary.blocks, summary.notices, summary.last_block) == (1, 0, 9)


@pytest.mark.django_db
def test_a_failing_node_ends_a_once_run_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with HiveNode({}, head=10) as node:
        node.fail = True
        assert main(["podping", "--once", "--node", node.url, "--state", str(tmp_path / "s")]) == 1
        err = capsys.readouterr().err
        assert node.url in err
        assert "condenser_api.get_dynamic_global_properties" in err
    assert main(["podping", "--once", "--node", "http://127.0.0.1:9/", "--state", str(tmp_path / "s")]) == 1
    assert "127.0.0.1:9" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_follower_keeps_going_through_node_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lytt.crawl.podping_follow.BLOCK_SECONDS", 0.01)
    known = _feed(FEED)
    stop = threading.Event()

    def now() -> datetime:
        stop.set()  # asked for the time once a notice is marked: enough for this test
        return datetime.now(UTC)

    with HiveNode({12: block(custom_json("pp_podcast_update", v1(FEED)))}, head=12) as node:
        node.failures_left = 3
        summary = follow(Client(node.url), Cursor(tmp_path / "s"), now=now, stop=stop, from_block=11)
    known.refresh_from_db()
    assert known.push_reason == "podping update"
    assert summary.last_block == 12
    assert (tmp_path / "s").read_text().strip() == "12"


@pytest.mark.django_db
def test_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["podping", "--once", "--node", "ftp://x"]) == 2
    assert main(["podping", "--once", "--from-block", "0"]) == 2
    assert "--from-block" in capsys.readouterr().err


def test_node_answers_without_a_head_are_errors() -> None:
    with HiveNode({}, head=0) as node, pytest.raises(NodeError, match="head_block_number"):
        Client(node.url).head_block()
