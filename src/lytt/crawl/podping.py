"""Podping notices read from Hive blocks: pure functions, no network (`podping_command` follows a node).

Podping (podping.org) publishes "this feed changed" as Hive ``custom_json`` operations. Their ``id`` is
``podping`` (early versions) or ``pp_<medium>_<reason>``; any account may send them, so the payload is
all that counts. Payloads: ``{"version": "1.0", "medium": "podcast", "reason": "update", "iris": [...]}``,
and before 1.0 ``{"reason": "feed_update", "urls": [...]}`` or ``{"url": "..."}``. A block is read in
either shape Hive's API gives: appbase (``{"type": "custom_json_operation", "value": {...}}``) or
condenser (``["custom_json", {...}]``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from lytt.feeds.feed_urls import InvalidFeedURL, normalise_feed_url

#: Payloads larger than this are not read (Hive itself caps custom_json at 8 KB).
MAX_PAYLOAD = 8192
#: IRIs one notice may name (podping's own writer sends at most about 130).
MAX_IRIS = 1000


@dataclass(frozen=True, slots=True)
class Ping:
    """One podping notice: feed IRIs as sent, with the notice's reason and medium."""

    iris: tuple[str, ...]
    reason: str
    medium: str


def _custom_json(operation: Any) -> dict[str, Any] | None:
    if isinstance(operation, dict) and operation.get("type") == "custom_json_operation":
        value = operation.get("value")
    elif isinstance(operation, list) and len(operation) == 2 and operation[0] == "custom_json":
        value = operation[1]
    else:
        return None
    return value if isinstance(value, dict) else None


def is_podping_id(op_id: object) -> bool:
    return isinstance(op_id, str) and (op_id == "podping" or op_id.startswith("pp_"))


def _text(value: object, default: str) -> str:
    return value.strip()[:40] if isinstance(value, str) and value.strip() else default


def ping_from(op_id: str, payload: str) -> Ping | None:
    """The notice in one operation's JSON text, or None when it is not one (bad JSON, no IRIs)."""
    if len(payload) > MAX_PAYLOAD:
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    raw = data.get("iris", data.get("urls"))
    if raw is None and isinstance(data.get("url"), str):
        raw = [data["url"]]
    if not isinstance(raw, list):
        return None
    iris = tuple(iri.strip() for iri in raw[:MAX_IRIS] if isinstance(iri, str) and iri.strip())
    if not iris:
        return None
    parts = op_id.split("_")
    reason = _text(data.get("reason"), parts[2] if len(parts) > 2 else "update")
    medium = _text(data.get("medium"), parts[1] if len(parts) > 2 else "podcast")
    return Ping(iris, reason, medium)


def pings_in_block(block: Any) -> Iterator[Ping]:
    """Every podping notice in one block, in order; anything malformed is passed over."""
    transactions = block.get("transactions") if isinstance(block, dict) else None
    for transaction in transactions if isinstance(transactions, list) else ():
        operations = transaction.get("operations") if isinstance(transaction, dict) else None
        for operation in operations if isinstance(operations, list) else ():
            value = _custom_json(operation)
            if value is None or not is_podping_id(value.get("id")):
                continue
            payload = value.get("json")
            if isinstance(payload, str) and (ping := ping_from(value["id"], payload)) is not None:
                yield ping


def pushed_feeds(pings: Iterable[Ping]) -> dict[str, str]:
    """Feed URL (normalised as Lytt stores them) -> reason, once per feed however often a burst names it;
    the last reason wins. IRIs that are not http(s) feed URLs (e.g. ``podcast:guid:...``) are left out."""
    feeds: dict[str, str] = {}
    for ping in pings:
        for iri in ping.iris:
            if not iri.lower().startswith(("http://", "https://")):
                continue
            try:
                url = normalise_feed_url(iri)
            except InvalidFeedURL:
                continue
            feeds[url] = f"podping {ping.reason}"
    return feeds
