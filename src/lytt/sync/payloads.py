"""Validating what gpodder.net clients send. Pure functions: bytes and values in, typed values or an
`ApiError` (a clear 4xx message) out. Nothing is stored unless a whole request validates.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from lytt.accounts.services import NewAction
from lytt.accounts.urlsanity import sanitize_url

ACTIONS = frozenset({"new", "download", "play", "delete", "flattr"})
DEVICE_TYPES = frozenset({"desktop", "laptop", "mobile", "server", "other"})
DEVICE_ID = re.compile(r"^[\w.-]{1,100}$")
MAX_ACTIONS = 5000
MAX_CHANGES = 5000
MAX_SECONDS = 7 * 24 * 3600  # positions: no episode lasts a week
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
MAX_CLOCK_SKEW = dt.timedelta(days=1)


class ApiError(ValueError):
    """A request the API refuses; `status` is the HTTP status, the message is sent to the client."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def load_json(body: bytes) -> Any:
    """The body as JSON, whatever the Content-Type says (mygpoclient posts JSON as a form)."""
    try:
        return json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ApiError("the request body is not UTF-8") from exc
    except ValueError as exc:
        raise ApiError(f"the request body is not valid JSON: {exc}") from exc


def parse_since(raw: str | None) -> dt.datetime:
    """`since` as gpodder.net sends it: whole seconds since the epoch; missing means the beginning."""
    if raw is None or raw == "":
        return dt.datetime.fromtimestamp(0, dt.UTC)
    try:
        value = int(raw)
    except ValueError as exc:
        raise ApiError(f"since must be a whole number of seconds since 1970, not {raw!r}") from exc
    if value < 0 or value > 32503680000:  # year 3000
        raise ApiError(f"since is out of range: {raw!r}")
    return dt.datetime.fromtimestamp(value, dt.UTC)


def to_since(when: dt.datetime) -> int:
    """The integer timestamp handed back to clients (whole seconds, rounded down)."""
    return int(when.timestamp())


def parse_client_time(value: Any, now: dt.datetime, where: str) -> dt.datetime:
    """A client timestamp: ISO 8601 (UTC when there is no offset, as Kasts and AntennaPod send) or epoch.

    Times before 1990 or more than a day ahead of the server are refused as absurd.
    """
    if isinstance(value, bool):
        raise ApiError(f"{where}: timestamp must be an ISO 8601 time, not {value!r}")
    if isinstance(value, int | float):
        try:
            when = dt.datetime.fromtimestamp(value, dt.UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ApiError(f"{where}: timestamp is out of range: {value!r}") from exc
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise ApiError(f"{where}: timestamp is not an ISO 8601 time: {value!r}") from exc
        when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    else:
        raise ApiError(f"{where}: timestamp must be an ISO 8601 time, not {value!r}")
    if when < EARLIEST or when > now + MAX_CLOCK_SKEW:
        raise ApiError(f"{where}: timestamp {value!r} is not a plausible time")
    return when


def format_client_time(when: dt.datetime) -> str:
    """mygpoclient's format: UTC, whole seconds, no offset."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _sanitize(raw: Any, where: str, field: str, update_urls: list[tuple[str, str]]) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        raise ApiError(f"{where}: {field!r} must be a URL")
    url = sanitize_url(raw)
    if url != raw:
        pair = (raw, url or "")
        if pair not in update_urls:
            update_urls.append(pair)
    return url


@dataclass(frozen=True, slots=True)
class SubscriptionChanges:
    add: list[str]
    remove: list[str]
    update_urls: list[tuple[str, str]]


def parse_subscription_changes(data: Any) -> SubscriptionChanges:
    """`{"add": [...], "remove": [...]}`: sanitised; rejected URLs go to update_urls as (url, "")."""
    if not isinstance(data, dict):
        raise ApiError('expected a JSON object {"add": [...], "remove": [...]}')
    unknown = set(data) - {"add", "remove"}
    if unknown:
        raise ApiError(f"unknown field(s): {sorted(unknown)}")
    update_urls: list[tuple[str, str]] = []
    lists: dict[str, list[str]] = {}
    for field in ("add", "remove"):
        raw = data.get(field, [])
        if not isinstance(raw, list):
            raise ApiError(f"{field!r} must be a list of URLs")
        if len(raw) > MAX_CHANGES:
            raise ApiError(f"{field!r}: at most {MAX_CHANGES} URLs per request")
        cleaned: list[str] = []
        for index, item in enumerate(raw):
            url = _sanitize(item, f"{field}[{index}]", "url", update_urls)
            if url is not None and url not in cleaned:
                cleaned.append(url)
        lists[field] = cleaned
    both = sorted(set(lists["add"]) & set(lists["remove"]))
    if both:
        raise ApiError(f"the same URL is in both add and remove: {both[0]}")
    return SubscriptionChanges(lists["add"], lists["remove"], update_urls)


def _seconds(action: dict[str, Any], field: str, where: str) -> int | None:
    value = action.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ApiError(f"{where}: {field!r} must be a number of seconds, not {value!r}")
    try:
        seconds = int(value)
    except ValueError as exc:
        raise ApiError(f"{where}: {field!r} must be a number of seconds, not {value!r}") from exc
    if seconds == -1 and field != "position":
        return None  # clients' "unknown"
    if not 0 <= seconds <= MAX_SECONDS:
        raise ApiError(f"{where}: {field!r} is out of range: {value!r}")
    return seconds


def parse_episode_actions(data: Any, now: dt.datetime) -> tuple[list[NewAction], list[tuple[str, str]]]:
    """A list of episode actions. Actions whose URLs are not http(s) are skipped and reported."""
    if not isinstance(data, list):
        raise ApiError("expected a JSON list of episode actions")
    if len(data) > MAX_ACTIONS:
        raise ApiError(f"at most {MAX_ACTIONS} episode actions per request; upload in batches")
    update_urls: list[tuple[str, str]] = []
    actions: list[NewAction] = []
    for index, item in enumerate(data):
        where = f"action {index}"
        if not isinstance(item, dict):
            raise ApiError(f"{where}: expected an object")
        kind = item.get("action")
        if not isinstance(kind, str) or kind.lower() not in ACTIONS:
            raise ApiError(f"{where}: unknown action {kind!r} (one of {', '.join(sorted(ACTIONS))})")
        kind = kind.lower()
        podcast = _sanitize(item.get("podcast"), where, "podcast", update_urls)
        episode = _sanitize(item.get("episode"), where, "episode", update_urls)
        device = item.get("device")
        if device is not None and (not isinstance(device, str) or not DEVICE_ID.match(device)):
            raise ApiError(f"{where}: device must be an id of letters, digits, '.', '_' or '-': {device!r}")
        guid = item.get("guid") or ""
        if not isinstance(guid, str) or len(guid) > 2000:
            raise ApiError(f"{where}: guid must be a string")
        timestamp = (
            parse_client_time(item["timestamp"], now, where) if item.get("timestamp") is not None else now
        )
        started = position = total = None
        if kind == "play":
            started = _seconds(item, "started", where)
            position = _seconds(item, "position", where)
            total = _seconds(item, "total", where)
            if position is None and (started is not None or total is not None):
                raise ApiError(f"{where}: a play action with started or total needs a position")
        if podcast is None or episode is None:
            continue
        actions.append(
            NewAction(
                podcast_url=podcast,
                episode_url=episode,
                action=kind,
                timestamp=timestamp,
                device_id=device or None,
                guid=guid,
                started=started,
                position=position,
                total=total,
            )
        )
    return actions, update_urls


def parse_device_update(data: Any) -> tuple[str | None, str | None]:
    """`{"caption"?, "type"?}` → (caption, type), each None when not sent."""
    if not isinstance(data, dict):
        raise ApiError('expected a JSON object {"caption": ..., "type": ...}')
    caption = data.get("caption")
    kind = data.get("type")
    if caption is not None and (not isinstance(caption, str) or not caption.strip() or len(caption) > 200):
        raise ApiError("caption must be a non-empty string of at most 200 characters")
    if kind is not None and kind not in DEVICE_TYPES:
        raise ApiError(f"invalid device type {kind!r} (one of {', '.join(sorted(DEVICE_TYPES))})")
    return (caption.strip() if caption else None), kind


def parse_settings_update(data: Any) -> tuple[dict[str, Any], list[str]]:
    if not isinstance(data, dict):
        raise ApiError('expected a JSON object {"set": {...}, "remove": [...]}')
    to_set = data.get("set", {})
    to_remove = data.get("remove", [])
    if not isinstance(to_set, dict):
        raise ApiError("'set' must be an object of settings")
    if not isinstance(to_remove, list) or not all(isinstance(k, str) for k in to_remove):
        raise ApiError("'remove' must be a list of setting names")
    return to_set, to_remove
