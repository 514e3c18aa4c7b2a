"""Parsing what the web player posts to the progress endpoint (pure, no database)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

MAX_ITEMS = 1000
MAX_SECONDS = 7 * 24 * 3600  # no episode is longer than a week
MAX_FUTURE = dt.timedelta(days=1)
MIN_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class ProgressError(ValueError):
    """The progress payload is not acceptable; the message names the item and field."""


@dataclass(frozen=True, slots=True)
class ProgressItem:
    episode_id: int
    position: int
    total: int | None
    started: int | None
    at: dt.datetime | None


def _seconds(item: dict[str, Any], field: str, where: str, required: bool) -> int | None:
    value = item.get(field)
    if value is None:
        if required:
            raise ProgressError(f"{where}: {field!r} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProgressError(f"{where}: {field!r} must be a number of seconds, not {value!r}")
    if not 0 <= value <= MAX_SECONDS:
        raise ProgressError(f"{where}: {field!r} is out of range: {value!r}")
    return int(value)


def _when(value: Any, where: str, now: dt.datetime) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProgressError(f"{where}: 'at' must be an ISO 8601 time")
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ProgressError(f"{where}: 'at' is not an ISO 8601 time: {value!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if not MIN_TIME <= when <= now + MAX_FUTURE:
        raise ProgressError(f"{where}: 'at' is not a plausible time: {value!r}")
    return when


def parse_progress_payload(body: bytes, now: dt.datetime) -> list[ProgressItem]:
    """Parse one progress object or a list of them."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProgressError(f"the body is not JSON: {exc}") from exc
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ProgressError("the list of positions is empty")
    if len(items) > MAX_ITEMS:
        raise ProgressError(f"at most {MAX_ITEMS} positions per request")
    parsed = []
    for index, item in enumerate(items):
        where = f"item {index}" if isinstance(data, list) else "progress"
        if not isinstance(item, dict):
            raise ProgressError(f"{where}: expected an object with episode and position")
        episode = item.get("episode")
        if isinstance(episode, bool) or not isinstance(episode, int) or episode <= 0:
            raise ProgressError(f"{where}: 'episode' must be an episode id, not {episode!r}")
        position = _seconds(item, "position", where, required=True)
        assert position is not None
        parsed.append(
            ProgressItem(
                episode_id=episode,
                position=position,
                total=_seconds(item, "total", where, required=False) or None,
                started=_seconds(item, "started", where, required=False),
                at=_when(item.get("at"), where, now),
            )
        )
    return parsed
