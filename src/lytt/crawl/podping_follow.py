"""Following a Hive API node for podping notices (`lytt podping`): the node's JSON-RPC, where we stopped,
and the loop. What a block means is `lytt.crawl.podping`; what a notice does is `lytt.crawl.pushes`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from lytt.crawl import podping, pushes
from lytt.download import USER_AGENT

log = logging.getLogger(__name__)

#: Blocks asked for at a time (Hive makes one every 3 seconds; a node answers up to 1,000 per call).
BATCH = 100
#: Hive's block interval: how long to wait when caught up.
BLOCK_SECONDS = 3.0
TIMEOUT_SECONDS = 30.0


class NodeError(Exception):
    """The node could not be reached or gave no usable answer; the message names node and method."""


class HiveNode:
    """The two calls a follower needs, over JSON-RPC 2.0."""

    def __init__(self, url: str, client: httpx.Client | None = None) -> None:
        self.url = url
        self._client = client or httpx.Client(
            timeout=TIMEOUT_SECONDS, headers={"User-Agent": f"{USER_AGENT} podping"}
        )
        self._ids = 0

    def call(self, method: str, params: Any) -> Any:
        self._ids += 1
        body = {"jsonrpc": "2.0", "method": method, "params": params, "id": self._ids}
        try:
            response = self._client.post(self.url, json=body)
            response.raise_for_status()
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise NodeError(f"{self.url} {method}: {type(exc).__name__}: {exc}") from exc
        if not isinstance(answer, dict) or "error" in answer or "result" not in answer:
            error = answer.get("error") if isinstance(answer, dict) else answer
            raise NodeError(f"{self.url} {method}: {str(error)[:300]}")
        return answer["result"]

    def head_block(self) -> int:
        result = self.call("condenser_api.get_dynamic_global_properties", [])
        number = result.get("head_block_number") if isinstance(result, dict) else None
        if not isinstance(number, int) or number < 1:
            raise NodeError(f"{self.url} condenser_api.get_dynamic_global_properties: no head_block_number")
        return number

    def blocks(self, start: int, count: int) -> list[Any]:
        result = self.call("block_api.get_block_range", {"starting_block_num": start, "count": count})
        blocks = result.get("blocks") if isinstance(result, dict) else None
        if not isinstance(blocks, list):
            raise NodeError(f"{self.url} block_api.get_block_range: no blocks list")
        return blocks


class Cursor:
    """The last block read, in a small file, so that a restarted follower goes on where it stopped."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> int | None:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text.isdigit() else None

    def write(self, block: int) -> None:
        partial = self.path.with_suffix(".partial")
        partial.write_text(f"{block}\n")
        partial.replace(self.path)


@dataclass
class FollowSummary:
    blocks: int = 0
    notices: int = 0
    feeds_named: int = 0
    feeds_marked: int = 0
    last_block: int | None = None

    def line(self) -> str:
        return (
            f"blocks={self.blocks} notices={self.notices} feeds_named={self.feeds_named} "
            f"feeds_marked_due={self.feeds_marked} last_block={self.last_block}"
        )


def read_range(
    node: HiveNode, start: int, head: int, summary: FollowSummary, now: Callable[[], datetime]
) -> int:
    """Read blocks `start`..`head` (as far as the node gives them) and mark the feeds they name; the next
    block to read."""
    blocks = node.blocks(start, min(BATCH, head - start + 1))
    pings = [ping for block in blocks for ping in podping.pings_in_block(block)]
    named = podping.pushed_feeds(pings)
    summary.blocks += len(blocks)
    summary.notices += len(pings)
    summary.feeds_named += len(named)
    summary.feeds_marked += pushes.mark_urls_pushed(named, now()) if named else 0
    if blocks:
        summary.last_block = start + len(blocks) - 1
    return start + len(blocks)


def follow(
    node: HiveNode,
    cursor: Cursor,
    *,
    now: Callable[[], datetime],
    stop: threading.Event,
    once: bool = False,
    from_block: int | None = None,
) -> FollowSummary:
    """Read new blocks as Hive makes them, from `from_block`, else after the cursor, else from the head
    (a new follower does not replay history). With `once`, stop when caught up. Node errors end a `once`
    run (NodeError); otherwise they are logged and retried with backoff."""
    summary = FollowSummary()
    saved = cursor.read()
    next_block = from_block if from_block is not None else (saved + 1 if saved is not None else None)
    failures = 0
    while not stop.is_set():
        try:
            head = node.head_block()
            if next_block is None:
                next_block = head
            while next_block <= head and not stop.is_set():
                reached = read_range(node, next_block, head, summary, now)
                if reached == next_block:
                    break  # the node has not got them yet
                next_block = reached
                cursor.write(next_block - 1)
            failures = 0
        except NodeError as exc:
            if once:
                raise
            failures += 1
            log.error("podping: %s (retrying)", exc)
        if once:
            break
        stop.wait(BLOCK_SECONDS * 2 ** min(failures, 6))
    return summary
