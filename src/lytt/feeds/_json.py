"""`feed_to_dict`: a `Feed` as JSON-ready data (what `lytt parse --json` prints)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from lytt.feeds.model import Feed

_FIELDS: dict[type, tuple[str, ...]] = {}


def feed_to_dict(feed: Feed) -> dict[str, Any]:
    """Every field of the feed and its episodes. Datetimes are ISO 8601 UTC ending in "Z"; missing
    values are None (never ""); (main, sub) category pairs become two-item lists."""
    result: dict[str, Any] = _convert(feed)
    return result


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _convert(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value or None
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, list | tuple):
        return [_convert(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _convert(item) for key, item in value.items()}
    names = _FIELDS.get(type(value))
    if names is None:
        if not dataclasses.is_dataclass(value):
            return str(value)
        names = tuple(field.name for field in dataclasses.fields(value))
        _FIELDS[type(value)] = names
    return {name: _convert(getattr(value, name)) for name in names}
