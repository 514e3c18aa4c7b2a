"""Episode durations (itunes:duration and friends) to whole seconds.

Shapes seen in feeds: plain seconds ("5223", "5223.5"), clock times ("1:27:03", "87:03", "01:27:03.500",
"1:27:3"), unit words ("1h 27m", "1h27m3s", "1 h 27 min", "87 minutes", "1 time 27 min"), and ISO 8601
("PT1H27M3S"). Garbage, negative and absurd (longer than a week) values give None.
"""

from __future__ import annotations

import re

MAX_SECONDS = 7 * 24 * 3600
MAX_INPUT = 64

_CLOCK = re.compile(r"(?:(\d{1,3}):)?(\d{1,5}):(\d{1,2}(?:[.,]\d{1,9})?)")
_DOTTED = re.compile(r"(\d{1,3})\.(\d{1,2})\.(\d{1,2})")
_DECIMAL = re.compile(r"\d{1,9}(?:[.,]\d{0,9})?|[.,]\d{1,9}")
_ISO = re.compile(
    r"P(?:(\d{1,2}(?:[.,]\d+)?)D)?(?:T(?:(\d{1,3}(?:[.,]\d+)?)H)?(?:(\d{1,5}(?:[.,]\d+)?)M)?"
    r"(?:(\d{1,6}(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE,
)
# Unit words in English and the languages of the feeds Lytt meets most (Scandinavian, German, Dutch,
# French, Spanish, Portuguese, Italian).
_UNITS: dict[str, int] = {}
for _names, _factor in (
    ("h hr hrs hour hours t time timer timar timmar timme std stunde stunden st u uur heure heures "
     "hora horas ora ore", 3600),
    ("m min mins minute minutes minutt minutter minuten minut minuter minuto minutos minuti mn", 60),
    ("s sec secs second seconds sek sekund sekunder sekunde sekunden seconde secondes segundo segundos "
     "secondo secondi seg", 1),
):  # fmt: skip
    for _name in _names.split():
        _UNITS[_name] = _factor
_UNIT_PART = re.compile(r"(\d{1,6}(?:[.,]\d{1,9})?)\s?([^\W\d_]{1,9})\.?")
_SEPARATORS = re.compile(r"[\s,;]*(?:(?:and|og|und|et|y|e|en|och)\s+)?")


def parse_duration(value: str | None) -> int | None:
    """Seconds (rounded half up) for a duration string, or None when it is not one."""
    if not value:
        return None
    text = value.strip()
    if not text or len(text) > MAX_INPUT:
        return None
    if text.isascii() and text.isdigit():
        seconds = int(text)
        return seconds if seconds <= MAX_SECONDS else None
    seconds_f = _parse(text)
    if seconds_f is None or seconds_f < 0:
        return None
    seconds = int(seconds_f + 0.5)
    return seconds if seconds <= MAX_SECONDS else None


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _parse(text: str) -> float | None:
    first = text[0]
    if first.isdigit() or first == ".":
        match = _CLOCK.fullmatch(text)
        if match:
            hours, minutes, seconds = match.groups()
            return int(hours or 0) * 3600 + int(minutes) * 60 + _number(seconds)
        match = _DOTTED.fullmatch(text)
        if match:  # "1.27.03": a clock time written with dots
            hours, minutes, seconds = match.groups()
            return int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        if _DECIMAL.fullmatch(text):
            return _number(text)
        return _units(text)
    if first in "Pp":
        match = _ISO.fullmatch(text)
        if match and any(match.groups()) and not text.upper().endswith("T"):
            days, hours, minutes, seconds = (_number(g) if g else 0.0 for g in match.groups())
            return days * 86400 + hours * 3600 + minutes * 60 + seconds
    return None


def _units(text: str) -> float | None:
    """ "1h 27m 3s", "1 h 27 min", "87 minutes": each part a number and a unit word, units not repeated."""
    total = 0.0
    position = 0
    seen: set[int] = set()
    length = len(text)
    while position < length:
        match = _UNIT_PART.match(text, position)
        if match is None:
            return None
        factor = _UNITS.get(match.group(2).lower())
        if factor is None or factor in seen:
            return None
        seen.add(factor)
        total += _number(match.group(1)) * factor
        position = match.end()
        separator = _SEPARATORS.match(text, position)
        if separator is not None:
            position = separator.end()
    return total if seen else None
