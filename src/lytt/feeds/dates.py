"""Dates as real feeds write them, to timezone-aware UTC datetimes.

The common shapes go through fast paths: ISO 8601 / RFC 3339 through `datetime.fromisoformat`, RFC 822
through one precompiled regular expression. The same expression is lenient where feeds are sloppy: any
(or no, or a wrong) day name, missing seconds, two-digit years, named or numeric zones (with or without a
colon, or after "GMT"), month names in English and the main European languages, and trailing junk.
Dotted ("21.05.2024"), slashed ("2024/05/21") and month-first ("May 21, 2024") shapes follow.

Input is capped in length and every pattern is anchored and free of nested quantifiers, so no input can make
a match slow. `parse_date` never raises: it returns None, and the parser keeps the raw value.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

MAX_INPUT = 120
MIN_YEAR = 1970
MAX_YEAR = 2100

_MONTHS_BY_NUMBER: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "janvier", "janv", "enero", "ene", "januari", "janeiro", "gennaio",
        "gen"),
    2: ("february", "feb", "februar", "février", "fevrier", "févr", "fevr", "fév", "fev", "febrero",
        "februari", "fevereiro", "febbraio"),
    3: ("march", "mar", "mars", "märz", "maerz", "mär", "mrz", "marzo", "maart", "mrt", "marts", "março",
        "marco"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile"),
    5: ("may", "mai", "mayo", "mei", "maj", "maio", "maggio", "mag"),
    6: ("june", "jun", "juni", "juin", "junio", "junho", "giugno", "giu"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "julho", "luglio", "lug"),
    8: ("august", "aug", "août", "aout", "aoû", "agosto", "ago", "augusti", "augustus"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setembro", "settembre", "set"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "outubro", "out", "ottobre", "ott"),
    11: ("november", "nov", "novembre", "noviembre", "novembro"),
    12: ("december", "dec", "desember", "des", "dezember", "dez", "décembre", "decembre", "déc", "diciembre",
         "dic", "dezembro", "dicembre"),
}  # fmt: skip
MONTHS: dict[str, int] = {name: number for number, names in _MONTHS_BY_NUMBER.items() for name in names}
# Unambiguous three-letter prefixes, for spellings not listed in full ("Sept.", "Juny", "Sep-", "Mart").
_MONTH_PREFIXES: dict[str, int] = {}
for _name, _number in MONTHS.items():
    _MONTH_PREFIXES.setdefault(_name[:3], _number)
for _ambiguous in ("jui",):  # juin / juillet
    _MONTH_PREFIXES.pop(_ambiguous, None)

_H = 3600
ZONES: dict[str, int] = {
    "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "wat": _H, "west": _H,
    "est": -5 * _H, "edt": -4 * _H, "cst": -6 * _H, "cdt": -5 * _H, "mst": -7 * _H, "mdt": -6 * _H,
    "pst": -8 * _H, "pdt": -7 * _H, "akst": -9 * _H, "akdt": -8 * _H, "hst": -10 * _H, "ast": -4 * _H,
    "adt": -3 * _H, "nst": -(3 * _H + 1800), "ndt": -(2 * _H + 1800),
    "bst": _H, "ist": 5 * _H + 1800, "cet": _H, "cest": 2 * _H, "met": _H, "mest": 2 * _H, "mez": _H,
    "mesz": 2 * _H, "eet": 2 * _H, "eest": 3 * _H, "msk": 3 * _H, "sast": 2 * _H, "cat": 2 * _H,
    "eat": 3 * _H, "gst": 4 * _H, "pkt": 5 * _H, "sgt": 8 * _H, "hkt": 8 * _H, "awst": 8 * _H,
    "jst": 9 * _H, "kst": 9 * _H, "acst": 9 * _H + 1800, "acdt": 10 * _H + 1800, "aest": 10 * _H,
    "aedt": 11 * _H, "nzst": 12 * _H, "nzdt": 13 * _H, "brt": -3 * _H, "art": -3 * _H,
}  # fmt: skip
_TZ_CACHE: dict[int, timezone] = {0: UTC}

# A zone: a name, a numeric offset ("+0200", "+02:00", "+02", "-5"), or a name followed by an offset
# ("GMT+2", "UTC+02:00"). Group names are suffixed so the pattern can be used in several expressions.
_ZONE = r"(?:(?P<zname>[A-Za-z]{1,5})\s?)?(?:(?P<zsign>[+-])\s?(?P<zh>\d{1,2})(?::?(?P<zm>\d{2}))?)?"
_TIME = (
    r"(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})(?:[:.](?P<second>\d{2})(?:[.,]\d{1,9})?)?"
    r"(?:\s?(?P<ampm>[AaPp])\.?[Mm]\.?)?"
)
_DAYNAME = r"(?:[^\W\d_]{2,12}\.?,?\s*)?"
_RFC822 = re.compile(
    r"\s*" + _DAYNAME + r"(?P<day>\d{1,2})(?:\.|st|nd|rd|th)?[\s\-/]*(?P<month>[^\W\d_]{3,10})\.?,?[\s\-/]*"
    r"(?P<year>\d{2,4})(?:,?\s*(?:[T@]|at|um|à|kl\.?)?\s*" + _TIME + r")?\s*" + _ZONE
)
_MONTH_FIRST = re.compile(
    r"\s*" + _DAYNAME + r"(?P<month>[^\W\d_]{3,10})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?:(?P<year>\d{4})(?:\s*[,\-@|]?\s*(?:at\s+)?" + _TIME + r")?|" + _TIME.replace("P<", "P<t2") + r"\s+"
    r"(?:" + _ZONE.replace("P<z", "P<t2z") + r"\s+)?(?P<t2year>\d{4}))\s*" + _ZONE
)
_ISOISH = re.compile(
    r"\s*(?P<year>\d{4})[\-/.](?P<month>\d{1,2})[\-/.](?P<day>\d{1,2})(?:(?:[Tt]|\s+)"
    + _TIME
    + r")?\s*"
    + _ZONE
)
_DAY_FIRST_NUMERIC = re.compile(
    r"\s*" + _DAYNAME + r"(?P<day>\d{1,2})[./\-](?P<month>\d{1,2})[./\-](?P<year>\d{4})"
    r"(?:,?\s*(?:[T@]|kl\.?)?\s*" + _TIME + r")?\s*" + _ZONE
)


# Fast path: "Tue, 21 May 2024 10:00:00 +0200" / "... GMT" exactly, English month, four-digit year.
_RFC822_STRICT = re.compile(
    r"(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) ([+-]\d{4}|GMT|UTC|UT|Z)",
    re.ASCII,
)
_STRICT_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}
_DELTAS: dict[int, timedelta] = {}
_STRICT_UTC = frozenset({"GMT", "UTC", "UT", "Z"})


def parse_date(value: str | None) -> datetime | None:
    """Parse a feed date to an aware UTC datetime; None when it cannot (or the year is absurd)."""
    if not value:
        return None
    text = value[:MAX_INPUT].strip()
    if len(text) < 6:
        return None
    first = text[0]
    if first.isdigit() and text.isascii() and text.isdigit():
        return _timestamp(text)
    if first.isdigit() and len(text) >= 10 and text[4] == "-":
        result = _iso(text)
        if result is not None:
            return result
        match = _ISOISH.match(text)
        return _build(match, match.group("month")) if match else None
    match = _RFC822_STRICT.fullmatch(text)
    if match:
        result = _strict(match)
        if result is not None:
            return result
    match = _RFC822.match(text)
    if match:
        result = _build(match, match.group("month"))
        if result is not None:
            return result
    if first.isdigit():
        match = _DAY_FIRST_NUMERIC.match(text)
        if match:
            # Day first as in most of the world; "05/21/2024" (US) when that is the only valid reading.
            return _build(match, match.group("month")) or _build(
                match, match.group("day"), match.group("month")
            )
        match = _ISOISH.match(text)
        return _build(match, match.group("month")) if match else None
    match = _MONTH_FIRST.match(text)
    if match:
        return _build(match, match.group("month"))
    return None


def _strict(match: re.Match[str]) -> datetime | None:
    """The canonical RFC 822 shape most feeds use, without the lenient parser's bookkeeping."""
    day, month_name, year, hour, minute, second, zone = match.groups()
    month = _STRICT_MONTHS.get(month_name)
    if month is None:
        return None
    try:
        result = datetime(int(year), month, int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    except ValueError:
        return None
    if not MIN_YEAR - 1 <= result.year <= MAX_YEAR + 1:
        return None  # out of range in UTC too (and years 1 and 9999 would overflow there)
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:5])
        if hours > 18 or minutes > 59:
            return None
        offset = hours * 60 + minutes
        if offset:
            offset = -offset if zone[0] == "-" else offset
            delta = _DELTAS.get(offset)
            if delta is None:
                delta = _DELTAS[offset] = timedelta(minutes=offset)
            result -= delta
    elif zone not in _STRICT_UTC:
        return None
    return result if MIN_YEAR <= result.year <= MAX_YEAR else None


def _iso(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    else:
        try:
            parsed = parsed.astimezone(UTC)
        except OverflowError:
            return None
    return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None


def _month_number(name: str) -> int | None:
    if name.isdigit():
        number = int(name)
        return number if 1 <= number <= 12 else None
    key = name.lower()
    month = MONTHS.get(key)
    if month is None:
        month = _MONTH_PREFIXES.get(key[:3])
    return month


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        return year + (2000 if year < 50 else 1900)  # RFC 2822 section 4.3
    if len(text) == 3:
        return year + 1900
    return year


def _zone_offset(groups: dict[str, str | None], prefix: str = "") -> int | None:
    """Seconds east of UTC; 0 for no zone or an unknown name; None for a nonsensical offset."""
    offset = 0
    name = groups.get(prefix + "zname")
    if name:
        offset = ZONES.get(name.lower(), 0)
    sign = groups.get(prefix + "zsign")
    if sign:
        hours = int(groups[prefix + "zh"] or 0)
        minutes = int(groups.get(prefix + "zm") or 0)
        if hours > 18 or minutes > 59:
            return None
        numeric = hours * 3600 + minutes * 60
        offset += -numeric if sign == "-" else numeric
    return offset


def _tz(offset: int) -> timezone:
    tz = _TZ_CACHE.get(offset)
    if tz is None:
        tz = _TZ_CACHE[offset] = timezone(timedelta(seconds=offset))
    return tz


def _timestamp(text: str) -> datetime | None:
    """Unix time in seconds (9-10 digits) or milliseconds (12-13 digits), as some generators write."""
    if len(text) in (12, 13):
        seconds = int(text) / 1000
    elif len(text) in (9, 10):
        seconds = int(text)
    else:
        return None
    result = datetime.fromtimestamp(seconds, UTC)
    return result if MIN_YEAR <= result.year <= MAX_YEAR else None


def _build(match: re.Match[str], month_text: str, day_text: str | None = None) -> datetime | None:
    groups = match.groupdict()
    month = _month_number(month_text)
    if month is None:
        return None
    prefix = ""
    year_text = groups.get("year")
    if year_text is None:
        year_text = groups.get("t2year")
        prefix = "t2"
    if year_text is None:
        return None
    hour_text = groups.get(prefix + "hour")
    hour = int(hour_text) if hour_text else 0
    minute = int(groups.get(prefix + "minute") or 0)
    second = int(groups.get(prefix + "second") or 0)
    ampm = groups.get(prefix + "ampm")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm in "Pp" else 0)
    if second == 60:  # a leap second
        second = 59
    offset = _zone_offset(groups)
    if prefix and offset == 0 and (groups.get("t2zname") or groups.get("t2zsign")):
        offset = _zone_offset(groups, "t2")
    if offset is None:
        return None
    try:
        day = int(day_text or groups["day"])
        local = datetime(_year(year_text), month, day, hour, minute, second, tzinfo=_tz(offset))
        result = local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return result if MIN_YEAR <= result.year <= MAX_YEAR else None
