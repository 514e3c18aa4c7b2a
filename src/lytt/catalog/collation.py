"""Norwegian alphabetical order as a stored key: `sort_key(title)` orders show titles A–Å.

Bokmål sorts the alphabet a–z, then æ, ø, å; ä sorts as æ, ö as ø, ü as y and a double "aa" as å (the
CLDR rules for nb), and accents are otherwise ignored (é as e). Case and punctuation do not count.

The key is a string of two-digit numbers, one per letter or digit: databases compare strings of ASCII
digits the same way under every collation (SQLite's BINARY, PostgreSQL's C or a linguistic one), so one
indexed column gives the same order on both backends, with no collation to install. Pure; no Django.
"""

from __future__ import annotations

import unicodedata

#: The key's length in characters (two per letter): titles alike for their first 64 letters tie.
KEY_LENGTH = 128
_SPACE = "00"  # between words: "Kode kveld" before "Kodekveld", as dictionaries order them
_CODES: dict[str, str] = {}
for _position, _letter in enumerate("0123456789abcdefghijklmnopqrstuvwxyzæøå", start=1):
    _CODES[_letter] = f"{_position:02d}"
_FOLDED = {"ä": "æ", "ö": "ø", "ü": "y", "ð": "d", "þ": "th", "ß": "ss", "œ": "øe", "ł": "l", "đ": "d"}
_KEEP = frozenset("æøå")


def _letters(title: str) -> str:
    """Lower-case letters and digits as the order sees them: accents off (but æ ø å kept), "aa" as å."""
    out: list[str] = []
    for char in title.casefold():
        if char in _KEEP:
            out.append(char)
            continue
        char = _FOLDED.get(char, char)
        if len(char) == 1 and char not in _CODES:
            char = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(char)
    return "".join(out).replace("aa", "å")


#: ASCII letters and digits to their codes (and "å", which "aa" becomes); other ASCII characters but
#: whitespace go, whitespace stays to part the words.
_ASCII_CODES = str.maketrans(
    {
        **{chr(c): None for c in range(128) if not chr(c).isspace()},
        **{letter: _CODES[letter] for letter in "0123456789abcdefghijklmnopqrstuvwxyzå"},
    }
)


def sort_key(title: str) -> str:
    """The key that orders `title` among others in Norwegian alphabetical order (see the module)."""
    if title.isascii():  # no accents to take off: one translate (a directory import keys millions)
        return _SPACE.join(title.lower().replace("aa", "å").translate(_ASCII_CODES).split())[:KEY_LENGTH]
    return _any_key(title)


def _any_key(title: str) -> str:
    """`sort_key` of any title, letter by letter."""
    parts: list[str] = []
    pending_space = False
    for char in _letters(title):
        code = _CODES.get(char)
        if code is None:
            pending_space = pending_space or char.isspace()
            continue
        if pending_space and parts:
            parts.append(_SPACE)
        pending_space = False
        parts.append(code)
    return "".join(parts)[:KEY_LENGTH]
