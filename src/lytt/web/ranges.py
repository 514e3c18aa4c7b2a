"""HTTP byte ranges (RFC 9110 section 14): which part of a representation of known size to send.

Pure: a `Range` header value and a size in, a status and a half-open byte span out. A header that is absent,
names another unit or is malformed is ignored (the whole representation, 200), as section 14.2 allows. Of
several ranges, the satisfiable ones are kept; one is answered with 206, more than one with the whole
representation (200), which section 14.2 permits and spares every client a multipart body. None satisfiable
is 416.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RANGE_SPEC = re.compile(r"(\d*)-(\d*)")


@dataclass(frozen=True, slots=True)
class RangeAnswer:
    """What to send: `status` (200, 206 or 416) and the bytes `start` to `stop` (half-open) of `size`."""

    status: int
    start: int
    stop: int
    size: int

    @property
    def content_range(self) -> str | None:
        """The Content-Range header for a 206 or 416, None for a 200."""
        if self.status == 206:
            return f"bytes {self.start}-{self.stop - 1}/{self.size}"
        if self.status == 416:
            return f"bytes */{self.size}"
        return None


def _spans(value: str, size: int) -> list[tuple[int, int]] | None:
    """The satisfiable spans of a `bytes=` range set, or None when the header is not one to honour."""
    unit, sep, ranges = value.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    spans = []
    for spec in ranges.split(","):
        spec = spec.strip(" \t")
        if not spec:
            continue  # empty list elements are allowed (RFC 9110 section 5.6.1)
        match = _RANGE_SPEC.fullmatch(spec)
        if match is None:
            return None
        first, last = match.groups()
        if first:
            start = int(first)
            if last and int(last) < start:
                return None  # an invalid int-range makes the whole set invalid
            if start < size:
                spans.append((start, min(int(last) + 1, size) if last else size))
        elif last:
            if int(last) > 0 and size > 0:
                spans.append((max(0, size - int(last)), size))
        else:
            return None  # "-" alone
    return spans if spans or ranges.strip(" \t,") else None


def answer_range(value: str | None, size: int, *, if_range_ok: bool = True) -> RangeAnswer:
    """How to answer a GET with `Range: value` for a representation of `size` bytes.

    `if_range_ok` is False when the request's If-Range validator does not match the current representation:
    then the range is ignored and the whole is sent (RFC 9110 section 13.1.5).
    """
    whole = RangeAnswer(200, 0, size, size)
    if value is None or not if_range_ok:
        return whole
    spans = _spans(value, size)
    if spans is None:
        return whole
    if not spans:
        return RangeAnswer(416, 0, 0, size)
    if len(spans) > 1:
        return whole
    start, stop = spans[0]
    return RangeAnswer(206, start, stop, size)
