"""Play positions, pure (no database): which write may replace the newest known position, and parsing what
the web player posts to the progress endpoint.

A position is a `Mark`: seconds into the episode and the time the listener was there (the time of the
action, not of its upload). The newest mark wins, except that an accident must not move a listener back: a
browser that started from a stale position and reports its ordinary progress would otherwise overwrite
the place an app reached meanwhile. So a write whose mark is behind the newest known one is taken only when
the listener moved there on purpose (a seek back, a replay): the player says so with `deliberate`. Apps'
play actions (gpodder.net) say what the listener played, so they count as deliberate.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

MAX_ITEMS = 1000
MAX_SECONDS = 7 * 24 * 3600  # no episode is longer than a week
MAX_FUTURE = dt.timedelta(days=1)
MIN_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a listener was in an episode (seconds) and when (timezone-aware)."""

    position: int
    at: dt.datetime


def accepts(known: Mark | None, incoming: Mark, deliberate: bool) -> bool:
    """Whether `incoming` may become the newest position when `known` is the newest stored one.

    Never an older action; at the same time or later, a position at or beyond the known one, or any
    position the listener chose (`deliberate`).
    """
    if known is None:
        return True
    if incoming.at < known.at:
        return False
    return deliberate or incoming.position >= known.position


def action_time(at: dt.datetime | None, sent: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The server-clock time of an action the client stamped `at` by its clock, which read `sent` when it
    sent the report: the client's clock offset is taken out, and no action is later than `now`."""
    if at is None:
        return now
    if sent is not None:
        at = now - (sent - at)
    return min(at, now)


class ProgressError(ValueError):
    """The progress payload is not acceptable; the message names the item and field."""


@dataclass(frozen=True, slots=True)
class ProgressItem:
    episode_id: int
    position: int
    total: int | None
    started: int | None
    at: dt.datetime
    deliberate: bool = False


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


def _when(value: Any, field: str, where: str, now: dt.datetime) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProgressError(f"{where}: {field!r} must be an ISO 8601 time")
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ProgressError(f"{where}: {field!r} is not an ISO 8601 time: {value!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if not MIN_TIME <= when <= now + MAX_FUTURE:
        raise ProgressError(f"{where}: {field!r} is not a plausible time: {value!r}")
    return when


def _flag(item: dict[str, Any], field: str, where: str) -> bool:
    value = item.get(field, False)
    if not isinstance(value, bool):
        raise ProgressError(f"{where}: {field!r} must be true or false, not {value!r}")
    return value


def parse_progress_payload(body: bytes, now: dt.datetime) -> list[ProgressItem]:
    """Parse one progress object or a list of them.

    Object: ``{"episode": id, "position": s, "total": s?, "started": s?, "at": iso?, "sent": iso?,
    "deliberate": bool?}``. `at` is when the listener was at `position`, `sent` the client's clock when it
    sent the report; each item's `at` comes out on the server's clock (`action_time`), now when absent.
    """
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
                at=action_time(
                    _when(item.get("at"), "at", where, now), _when(item.get("sent"), "sent", where, now), now
                ),
                deliberate=_flag(item, "deliberate", where),
            )
        )
    return parsed
