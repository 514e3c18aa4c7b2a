"""Pure helpers for the response headers that steer polling: Retry-After and Cache-Control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

#: No server gets to park a feed for longer than this with one header.
MAX_NOT_BEFORE = timedelta(days=7)


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """`Retry-After` (delay-seconds or an HTTP date) as the earliest time to ask again, or None.

    Values in the past or unparseable mean nothing; values beyond a week are capped to a week.
    """
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() alone also takes "²" and other digits
        seconds = min(int(value), int(MAX_NOT_BEFORE.total_seconds()) + 1)  # no timedelta overflow
        moment = now + timedelta(seconds=seconds)
    else:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    if moment <= now:
        return None
    return min(moment, now + MAX_NOT_BEFORE)


def parse_max_age(cache_control: str | None) -> int | None:
    """The max-age of a Cache-Control header in seconds (s-maxage ignored: we are not a shared cache).

    `no-cache`/`no-store` say nothing about polling frequency and give None, as does a missing max-age.
    """
    if not cache_control:
        return None
    for directive in cache_control.split(","):
        name, _, raw = directive.strip().partition("=")
        if name.strip().lower() == "max-age":
            raw = raw.strip().strip('"')
            if raw.isdigit():
                return int(raw)
            return None
    return None


def not_before_from(
    *, status_code: int | None, retry_after: str | None, cache_control: str | None, now: datetime
) -> datetime | None:
    """The "do not poll before" time a response asks for.

    Retry-After counts on 429 and 503 (and on any 3xx, per RFC 9110); max-age on successful responses.
    """
    candidates: list[datetime] = []
    if status_code is not None and (status_code in (429, 503) or 300 <= status_code < 400):
        moment = parse_retry_after(retry_after, now)
        if moment is not None:
            candidates.append(moment)
    if status_code in (200, 203, 304):
        max_age = parse_max_age(cache_control)
        if max_age:
            candidates.append(min(now + timedelta(seconds=max_age), now + MAX_NOT_BEFORE))
    return max(candidates) if candidates else None
