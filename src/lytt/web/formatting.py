"""Pure formatting for pages: durations, dates, counts, excerpts, timestamps. No Django, no I/O."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

from lytt.feeds import html_text

_TIMESTAMP_UNITS = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def _is_nb(language: str) -> bool:
    return language.lower().startswith(("nb", "no", "nn"))


def format_duration(seconds: float | None, language: str) -> str:
    """'1 t 27 min' in Bokmål, '1h 27min' in English; '' when unknown. Rounds to whole minutes past 1 min."""
    if seconds is None or seconds < 0:
        return ""
    total = round(seconds)
    nb = _is_nb(language)
    if total < 60:
        return f"{total} sek" if nb else f"{total}s"
    minutes_total = round(total / 60)
    hours, minutes = divmod(minutes_total, 60)
    if hours == 0:
        return f"{minutes} min" if nb else f"{minutes}min"
    if minutes == 0:
        return f"{hours} t" if nb else f"{hours}h"
    return f"{hours} t {minutes} min" if nb else f"{hours}h {minutes}min"


def format_day(value: date | datetime | None, language: str) -> str:
    """'21. mai 2024' / '21 May 2024'. Datetimes must already be in the reader's time zone."""
    if value is None:
        return ""
    return _format_day(value.date() if isinstance(value, datetime) else value, _is_nb(language))


@lru_cache(maxsize=8192)
def _format_day(day: date, nb: bool) -> str:
    # Babel parses the pattern and loads locale data on every call; pages show the same days over and over.
    if nb:
        return babel_format_date(day, format="d. MMMM y", locale="nb")
    return babel_format_date(day, format="d MMMM y", locale="en")


def format_count(value: int, language: str) -> str:
    """Locale digit grouping: '10 000' (with a no-break space) in Bokmål, '10,000' in English."""
    return format_decimal(value, locale="nb" if _is_nb(language) else "en")


def excerpt(text: str | None, limit: int = 200) -> str:
    """The first `limit` characters of `text` on one line, cut at a word and ended with '…' ("" for none):
    `lytt.feeds.html_text.excerpt`, the one owner, as templates want it."""
    return html_text.excerpt(text, limit) or ""


def parse_timestamp(value: str | None) -> int | None:
    """Seconds from a timestamp link value: '1h2m3s', '2m', '3723', '1:02:03', '62:03'. None if invalid."""
    if not value:
        return None
    text = value.strip().lower()
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, secs = clock.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + int(float(secs))
    units = _TIMESTAMP_UNITS.match(text)
    if units and any(units.groups()):
        hours, minutes, secs = units.groups()
        return int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(float(secs or 0))
    return None


def format_clock(seconds: float) -> str:
    """'4:05' or '1:02:03': a position as players show it."""
    total = max(int(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def iso_time(value: datetime | None) -> str:
    """UTC, ISO 8601 with milliseconds: what JavaScript's Date.parse reads everywhere."""
    if value is None:
        return ""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_duration(seconds: int | None) -> str | None:
    """schema.org wants ISO 8601 durations: 'PT1H27M5S'."""
    if seconds is None or seconds < 0:
        return None
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return f"PT{parts or '0S'}"
